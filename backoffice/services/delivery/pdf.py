"""Render invoices and credit notes to PDF (xhtml2pdf), reading nothing but our own assets.

What matters more than looks:

- Nothing in the document can make the renderer fetch anything. User text is escaped by
  Jinja's autoescape, and xhtml2pdf runs under a ResourceAccessPolicy with remote access off
  and local reads confined to backoffice/assets/ (fonts, logos). A link_callback returning
  None would not block anything in xhtml2pdf, so none is used.
- The same invoice renders to the same bytes: reportlab's invariant mode fixes the creation
  date and derives the document ID from the content instead of the clock.
- A worker calls preload() once before forking, so jobs do not re-import xhtml2pdf; the fonts
  are registered once per process, not read from a @font-face for every PDF.
- One layout pass per document: "Page n of m" is filled in at save (pdf_layout.py).
"""

import functools
import gc
import logging
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from stdnum import iban as stdnum_iban
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessPolicy

from models import Invoice, InvoiceKind, InvoiceStatus

from ..payments.bank.references import printed_creditor_reference
from .documents import RenderFailed
from .pdf_format import Formatter, fill, nl2br, tax_rows
from .pdf_labels import DEFAULT_LANGUAGE, LABELS, labels_for
from .pdf_layout import PageLabel, register_family, xhtml_to_pdf
from .pdf_sample import build_invoice

log = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
# The families the template's CSS names, shipped with the project (DejaVu's licence allows it)
# so a PDF never depends on what a machine has installed. Bold is a family of its own.
FONT_FILES = {
    "DejaVuSans": ASSETS_DIR / "fonts" / "DejaVuSans.ttf",
    "DejaVuSansBold": ASSETS_DIR / "fonts" / "DejaVuSans-Bold.ttf",
}
TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "templates" / "pdf"
LOGO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif"})
# Relative paths in a document resolve against the asset folder, the document's directory.
DOCUMENT_PATH_NAME = "invoice.html"

# ReportLab keeps invariant mode, its fonts and xhtml2pdf's caches in module globals: one
# render at a time.
_render_lock = threading.Lock()


class _TagIndentation(Extension):
    """Drop the line breaks and indentation between tags in the templates' own text (never in
    the values put into them): each such run is a text node xhtml2pdf parses, styles and lays
    out, about 7 % of a 30-line invoice. Runs without a line break may be a word space."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _BETWEEN_TAGS.sub(r"\1\2", source)


_BETWEEN_TAGS = re.compile(r"(>|%}|#})[ \t]*\n\s*(<|{%|{#)")

_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=[_TagIndentation],
)


_env.filters["nl2br"] = nl2br
_env.filters["fill"] = fill


def resource_policy(
    assets_dir: Path | None = None, time_limit: float | None = None
) -> ResourceAccessPolicy:
    """Allow reads inside the asset folder only and no network at all, for time_limit seconds
    (None: no limit of its own)."""
    return ResourceAccessPolicy.server(
        assets_dir or ASSETS_DIR,
        allow_remote=False,
        allowed_hosts=frozenset(),
        max_render_seconds=time_limit,
    )


def logo_file(logo_path: str | None, assets_dir: Path | None = None) -> Path | None:
    """Resolve a company's logo inside the asset folder; anything else is ignored.

    The resource policy would refuse a path outside the folder too; checking here as well keeps
    such a path out of the document and makes the refusal visible in the log.
    """
    if not logo_path:
        return None
    root = (assets_dir or ASSETS_DIR).resolve()
    try:
        candidate = (root / logo_path).resolve()
    except (OSError, ValueError):  # a NUL byte, a symlink loop
        log.warning("Ignoring logo %r: not a usable path", logo_path)
        return None
    if not candidate.is_relative_to(root) or candidate.suffix.lower() not in LOGO_SUFFIXES:
        log.warning("Ignoring logo %r: not an image inside %s", logo_path, root)
        return None
    if not candidate.is_file():
        log.warning("Ignoring logo %r: no such file in %s", logo_path, root)
        return None
    return candidate


def invoice_context(invoice: Invoice, assets_dir: Path | None = None) -> dict[str, Any]:
    """Everything the template prints, worked out here rather than in Jinja."""
    # An issued invoice prints the parties as they were at issue; a draft preview, as now.
    company = (
        SimpleNamespace(**invoice.seller_details) if invoice.seller_details else invoice.company
    )
    customer = (
        SimpleNamespace(**invoice.buyer_details) if invoice.buyer_details else invoice.customer
    )
    language = customer.language if customer.language in LABELS else DEFAULT_LANGUAGE
    fmt = Formatter(locale=language, currency=invoice.currency)
    labels = labels_for(language)
    is_credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    # The percentages copied at issue, not the rate's current one: history is not rewritten.
    rate_percent = {total.tax_rate_id: total.percentage for total in invoice.tax_totals}
    lines = invoice.lines
    return {
        "invoice": invoice,
        "company": company,
        "customer": customer,
        "original": invoice.original_invoice if is_credit_note else None,
        "is_credit_note": is_credit_note,
        "is_draft": invoice.status == InvoiceStatus.DRAFT,
        "is_void": invoice.status == InvoiceStatus.VOID,
        "language": language,
        "labels": labels,
        "fmt": fmt,
        "lines": lines,
        "rate_percent": rate_percent,
        "tax_rows": tax_rows(invoice, labels, fmt),
        "show_discount": any(line.discount_percent for line in lines),
        "logo": logo_file(company.logo_path, assets_dir),
        "iban": stdnum_iban.format(company.iban) if company.iban else "",
        # Quoted on a transfer, it lets the bank import match the payment to this invoice.
        "creditor_reference": printed_creditor_reference(invoice.id) if invoice.id else "",
    }


@contextmanager
def _invariant_reportlab() -> Iterator[None]:
    """Make reportlab write a fixed date and a content-derived ID, for reproducible bytes."""
    with _render_lock:
        previous = rl_config.invariant
        rl_config.invariant = 1
        try:
            yield
        finally:
            rl_config.invariant = previous


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one render.

    A render allocates some 100,000 objects (DOM, styles, flowables), so the collector ran
    about 150 times in each and walked the process's long-lived objects (fonts, modules,
    caches) again and again: ~8 % of a 30-line invoice. What the render leaves is freed by
    reference counting when it returns, and the rest at the collector's next run; memory
    stays flat over 1,000 renders (docs/BENCHMARKS.md).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@functools.cache  # ReportLab keeps registered fonts for the life of the process
def fonts() -> dict[str, str]:
    """The template's font families, registered with ReportLab once per process."""
    return {family: register_family(family, path) for family, path in FONT_FILES.items()}


def page_label(labels: Mapping[str, str]) -> PageLabel:
    """The footer's "Page n of m" in the customer's language, where the template's footer
    (templates/pdf/_style.html) leaves room for it: flush with the right margin (1.8 cm), on
    the baseline of the footer's first line. That is the top of the footer frame (0.8 cm +
    1.1 cm), less its 0.5 pt rule, 4 pt padding and the 4.818 pt xhtml2pdf puts between the
    top of a 7 pt line and its baseline (tests/services/test_pdf_one_pass.py checks that it
    lines up)."""
    return PageLabel(
        text=f"{labels['page']} {{page}} {labels['of']} {{pages}}",
        font_family="DejaVuSans",
        font_size=7,
        color="#6b7785",
        right=A4[0] - 1.8 * cm,
        baseline=1.9 * cm - (0.5 + 4 + 4.818),
    )


def html_to_pdf(
    html: str,
    assets_dir: Path | None = None,
    time_limit: float | None = None,
    label: PageLabel | None = None,
) -> bytes:
    """Convert XHTML to PDF under the asset-only resource policy, within time_limit seconds,
    with label on every page when given.

    xhtml2pdf checks the limit itself between elements and placed flowables, so it needs no
    signal: RQ's job timeout already owns SIGALRM, and a simple worker runs jobs in its main
    thread. Raises RenderFailed when the document cannot be made.
    """
    assets = assets_dir or ASSETS_DIR
    try:
        with _invariant_reportlab(), _collector_paused():
            return xhtml_to_pdf(
                html,
                str(assets / DOCUMENT_PATH_NAME),
                resource_policy(assets, time_limit),
                fonts(),
                label,
            )
    except RenderLimitError as exc:
        raise RenderFailed(
            f"rendering took longer than the {time_limit:g} seconds allowed"
        ) from exc


def render_html(context: Mapping[str, Any]) -> str:
    """The invoice's XHTML for xhtml2pdf, from invoice_context()."""
    return _env.get_template("invoice.html").render(context)


def render_invoice_pdf(invoice: Invoice, time_limit: float | None = None) -> bytes:
    """Render an invoice or credit note to PDF bytes, identical for identical invoices."""
    context = invoice_context(invoice)
    label = page_label(context["labels"])
    return html_to_pdf(render_html(context), time_limit=time_limit, label=label)


@functools.cache  # once per process: the fonts and templates stay loaded
def preload() -> None:
    """Load the PDF stack, templates, fonts and locale data once, e.g. in a worker before it
    forks: a real render per language, so no forked job pays for any first-time work."""
    for language in LABELS:
        render_invoice_pdf(build_invoice(3, language))
