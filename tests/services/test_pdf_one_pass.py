"""The one-pass renderer: the same document as the two-pass one, page labels where the footer
puts them, the same bytes every time, fonts registered once and embedded as subsets, the
cycle collector back on after each render."""

import gc
import io
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics

from backoffice.services.delivery import pdf, pdf_css
from backoffice.services.delivery.documents import RenderFailed
from backoffice.services.delivery.pdf_sample import build_invoice
from bench.pdf_raw import render_two_pass

PAGE_OF = {
    "en": r"Page (\d+) of (\d+)",
    "de": r"Seite (\d+) von (\d+)",
    "fr": r"Page (\d+) sur (\d+)",
}


def page_lines(data: bytes) -> list[list[str]]:
    """Each page's text lines, sorted: the two renderers draw the footer at different moments,
    so the order the text comes out in differs, never the text."""
    pages = PdfReader(io.BytesIO(data)).pages
    return [sorted(line.strip() for line in page.extract_text().splitlines()) for page in pages]


@pytest.mark.parametrize(("line_count", "language"), [(30, "en"), (80, "de"), (120, "fr")])
def test_one_pass_pdf_carries_what_the_two_pass_renderer_printed(line_count, language):
    invoice = build_invoice(line_count, language)

    before = page_lines(render_two_pass(invoice))
    now = page_lines(pdf.render_invoice_pdf(invoice))

    assert len(now) == len(before) > 1
    assert now == before  # lines, totals, payment details and "Page n of m", page by page
    for number, lines in enumerate(now, start=1):
        labels = [re.fullmatch(PAGE_OF[language], line) for line in lines]
        assert [label.groups() for label in labels if label] == [(str(number), str(len(now)))]


def test_a_multi_page_invoice_renders_to_identical_bytes():
    invoice = build_invoice(80, "de")

    assert pdf.render_invoice_pdf(invoice) == pdf.render_invoice_pdf(invoice)


def test_the_document_id_follows_the_content_not_only_the_title():
    def document_id(invoice):
        return PdfReader(io.BytesIO(pdf.render_invoice_pdf(invoice))).trailer["/ID"][0]

    # Same number, so the same title, author and subject: ReportLab's invariant ID used to
    # be derived from those alone.
    three_lines, thirty_lines = build_invoice(3, number=7), build_invoice(30, number=7)

    assert document_id(three_lines) != document_id(thirty_lines)
    assert document_id(three_lines) == document_id(build_invoice(3, number=7))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_page_label_sits_on_the_footer_line_flush_with_the_right_margin(tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf.render_invoice_pdf(build_invoice(80, "de")))
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = ElementTree.fromstring(html).findall(".//x:page", namespace)

    assert len(pages) == 4
    for page in pages:
        words = page.findall("x:word", namespace)
        label = next(i for i, word in enumerate(words) if word.text == "Seite")
        label_words = words[label : label + 4]  # Seite n von 4
        footer = max(
            (w for w in words if w.text == "Nordlicht"), key=lambda w: float(w.get("yMin"))
        )
        for word in label_words:
            assert float(word.get("yMin")) == pytest.approx(float(footer.get("yMin")), abs=0.01)
        right_margin = A4[0] - 1.8 * cm
        assert float(label_words[-1].get("xMax")) == pytest.approx(right_margin, abs=0.05)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_pages_look_exactly_as_the_two_pass_renderer_drew_them(tmp_path):
    invoice = build_invoice(80, "de")

    before = rasterize(render_two_pass(invoice), tmp_path / "before")
    now = rasterize(pdf.render_invoice_pdf(invoice), tmp_path / "now")

    assert len(now) == len(before) == 4
    for number, (old, new) in enumerate(zip(before, now, strict=True), start=1):
        assert ImageChops.difference(old, new).getbbox() is None, f"page {number} differs"


def rasterize(data: bytes, stem) -> list[Image.Image]:
    """The pages as poppler draws them, 60 dpi: what a reader sees, clipping included."""
    stem.with_suffix(".pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(stem.with_suffix(".pdf")), str(stem)], check=True
    )
    return [
        Image.open(page).convert("RGB") for page in sorted(stem.parent.glob(f"{stem.name}-*.png"))
    ]


def test_fonts_are_registered_once_and_embedded_as_subsets():
    registered = {name: pdfmetrics.getFont(name) for name in pdf.fonts().values()}

    data = pdf.render_invoice_pdf(build_invoice(30, "en"))
    pdf.render_invoice_pdf(build_invoice(3, "fr"))

    assert {name: pdfmetrics.getFont(name) for name in pdf.fonts().values()} == registered
    embedded = {}
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        if "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        else:
            descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            stream = descriptor.get_object()["/FontFile2"].get_object()
            embedded[str(font["/BaseFont"])] = len(stream.get_data())
    assert set(embedded) == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}
    # Only the glyphs the invoice uses: a tenth of the 700 KiB faces.
    for family, size in embedded.items():
        assert size < pdf.FONT_FILES["DejaVuSans"].stat().st_size / 10, family


def test_the_cycle_collector_runs_again_after_a_render_even_one_that_failed():
    invoice = build_invoice(3)

    pdf.render_invoice_pdf(invoice)
    assert gc.isenabled()
    with pytest.raises(RenderFailed):
        pdf.render_invoice_pdf(invoice, time_limit=0.000001)
    assert gc.isenabled()


def test_the_template_stylesheet_is_parsed_once_per_process():
    pdf.render_invoice_pdf(build_invoice(3))
    before = pdf_css._rules.cache_info()
    first, again = (
        pdf.render_invoice_pdf(build_invoice(5)),
        pdf.render_invoice_pdf(build_invoice(5)),
    )
    after = pdf_css._rules.cache_info()
    # xhtml2pdf's defaults and the template's rules, each parsed by the first PDF only; an
    # at-rule slipped into the rules' block would have them parsed for every PDF again.
    assert after.currsize >= 2 and after.misses == before.misses and after.hits > before.hits
    assert first == again
