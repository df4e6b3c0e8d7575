"""The shape the codebase keeps as it grows (README, "How it is built")."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 300


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["backoffice/services", "backoffice/admin"])
def test_no_module_outgrows_its_responsibility(folder):
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules(folder)
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by responsibility: {long}"


@pytest.mark.parametrize("folder", ["backoffice/services", "backoffice/admin"])
def test_rules_and_screens_are_grouped_in_domain_packages(folder):
    packages = {path.parent.name for path in (ROOT / folder).glob("*/__init__.py")}
    assert {"invoicing", "delivery", "payments"} <= packages


def test_screens_never_import_from_jobs():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules("backoffice/admin")
        if any(name == "jobs" or name.startswith("jobs.") for name in _imported_modules(path))
    ]
    assert not offenders, f"reach jobs through current_app.extensions instead: {offenders}"


def test_rules_never_import_flask():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules("backoffice/services")
        if any(name.split(".")[0].startswith("flask") for name in _imported_modules(path))
    ]
    assert not offenders


@pytest.mark.parametrize("folder", ["jobs", "backoffice/services"])
def test_no_module_level_state_is_rebound(folder):
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(folder)
        if any(isinstance(node, ast.Global) for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert not offenders
