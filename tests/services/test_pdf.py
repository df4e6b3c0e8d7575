"""Invoice PDFs: content, languages, credit notes, pagination, reproducible bytes, no fetches."""

import hashlib
import io
import re
import shutil
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.exc import DBAPIError
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from backoffice.config import ConfigError, load
from backoffice.services.delivery import pdf
from backoffice.services.delivery.documents import RenderFailed
from backoffice.services.delivery.pdf_labels import LABELS
from backoffice.services.delivery.pdf_sample import build_invoice
from backoffice.services.invoicing import lifecycle
from backoffice.services.money import format_money
from backoffice.services.payments import ledger
from jobs.registry import KINDS
from models import InvoiceLine
from tests import factories
from tests.factories import ISSUE_DAY

NAME = "Łódź Ελλάδα Москва Zürich GmbH"
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")


def squash(text: str) -> str:
    """Text with no-break and narrow spaces (babel puts them in amounts) as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def flat(text: str) -> str:
    """Text with every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def page_texts(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def font_names(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    return {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def png(path, size=(120, 40)):
    Image.new("RGB", size, "#1f3a5f").save(path)
    return path


@pytest.fixture
def company(session):
    """A company with the bank details the payment block prints."""
    return factories.make_company(
        session,
        tax_id="DE123456789",
        email="billing@nordlicht.example",
        bank_name="Berliner Volksbank",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
    )


def issue_for(session, finance, customer, vat19, vat7, **fields):
    """2 x 100.00 at 19 % and 1 x 50.00 at 7 %: net 250.00, tax 41.50, total 291.50."""
    lines = [factories.line(vat19, "2", "100.00"), factories.line(vat7, "1", "50.00")]
    return factories.make_issued_invoice(session, finance, customer, lines, **fields)


@pytest.fixture
def listener():
    """A local HTTP server that records every request it receives."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def assets_copy(tmp_path, monkeypatch):
    """The asset folder copied to tmp_path and made the renderer's, to add a logo to it."""
    assets = tmp_path / "assets"
    shutil.copytree(pdf.ASSETS_DIR, assets)
    monkeypatch.setattr(pdf, "ASSETS_DIR", assets)
    return assets


def test_pdf_shows_number_customer_totals_and_payment_when_english(
    session, company, finance, vat19, vat7
):
    customer = factories.make_customer(session, company, name=NAME, language="en")
    invoice = issue_for(session, finance, customer, vat19, vat7, po_reference="PO-4711")

    data = pdf.render_invoice_pdf(invoice)

    [text] = page_texts(data)
    assert invoice.reference in text
    assert NAME in text
    assert squash(format_money(Decimal("291.50"), "EUR", "en")) == "€291.50"
    assert "Total\n €291.50" in text
    assert "VAT 7 % on 50.00\n 3.50" in text
    assert "VAT 19 % on 200.00\n 38.00" in text
    assert "Amount due\n €291.50" in text
    assert "Mar 2, 2026" in text and "Apr 1, 2026" in text
    assert "PO-4711" in text
    assert "DE89 3704 0044 0532 0130 00" in text and "COBADEFFXXX" in text
    assert f"quoting {invoice.reference}" in flat(text)
    assert "Page 1 of 1" in text
    # The shipped DejaVu fonts are embedded; Helvetica would print the Greek and Cyrillic
    # letters as boxes.
    assert any("DejaVuSans" in name for name in font_names(data))


def test_labels_dates_and_amounts_are_german_when_customer_speaks_german(
    session, company, finance, vat7
):
    customer = factories.make_customer(session, company, name=NAME, language="de")
    lines = [factories.line(vat7, "1", "1153.79", description="Beratung")]
    invoice = factories.make_issued_invoice(session, finance, customer, lines)
    assert invoice.total_amount == Decimal("1234.56")

    [text] = page_texts(data := pdf.render_invoice_pdf(invoice))

    assert "Gesamtbetrag\n 1.234,56 €" in text
    assert "Offener Betrag\n 1.234,56 €" in text
    assert "USt. 7 % auf 1.153,79\n 80,77" in text
    assert "Einzelpreis" in text and "1.153,79" in text
    assert "02.03.2026" in text and "01.04.2026" in text
    assert "Seite 1 von 1" in text
    assert "Bitte überweisen Sie 1.234,56 €" in flat(text)
    assert "Amount due" not in text and "Total" not in text
    assert NAME in text
    assert data.startswith(b"%PDF")


def test_labels_dates_and_amounts_are_french_when_customer_speaks_french(
    session, company, finance, vat19, vat7
):
    customer = factories.make_customer(session, company, language="fr")
    invoice = issue_for(session, finance, customer, vat19, vat7)

    [text] = page_texts(pdf.render_invoice_pdf(invoice))

    assert "Total TTC\n 291,50 €" in text
    assert "Montant dû\n 291,50 €" in text
    assert "2 mars 2026" in text and "1 avr. 2026" in text
    assert "Page 1 sur 1" in text


def test_credit_note_names_the_invoice_it_corrects(session, company, finance, vat19, vat7):
    customer = factories.make_customer(session, company, name=NAME)
    original = issue_for(session, finance, customer, vat19, vat7)
    note = lifecycle.credit_in_full(session, finance, original, ISSUE_DAY)

    [text] = page_texts(pdf.render_invoice_pdf(note))

    assert "CREDIT NOTE" in text
    assert note.reference in text
    assert f"This credit note corrects invoice {original.reference} of Mar 2, 2026." in flat(text)
    assert "Amount credited\n €291.50" in text
    assert "The amount of €291.50 is credited to your account." in flat(text)
    # Nothing to pay on a credit note.
    assert "Amount due" not in text and "Please pay" not in text


def test_long_invoice_repeats_header_and_page_numbers_on_every_page(
    session, company, finance, customer, vat19, vat7
):
    invoice = factories.make_draft(session, finance, customer, lines=[])
    invoice.lines.extend(
        InvoiceLine(
            position=position,
            description=f"Item {position:03d} — backend services, Zürich office",
            quantity=Decimal(position % 7 + 1),
            unit="h",
            unit_price=Decimal("140.00"),
            tax_rate_id=(vat19 if position % 3 else vat7).id,
        )
        for position in range(1, 501)
    )
    invoice = lifecycle.issue(session, finance, invoice, ISSUE_DAY)

    data = pdf.render_invoice_pdf(invoice)
    pages = page_texts(data)

    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert PAGE_OF.findall(text) == [(str(number), str(len(pages)))]
        if "Item" in text:  # the totals may move to a page of their own
            assert "Description" in text and "Unit price" in text, f"no table header on {number}"
    everything = "\n".join(pages)
    found = re.findall(r"Item (\d{3}) —", everything)
    assert found == [f"{position:03d}" for position in range(1, 501)]
    # The totals follow the last line and are never split across pages.
    [totals_page] = [text for text in pages if "Subtotal (net)" in text]
    assert "Amount due" in totals_page
    assert squash(format_money(invoice.total_amount, "EUR", "en")) in totals_page
    assert everything.index("Item 500") < everything.index("Subtotal (net)")
    assert everything.index("Amount due") < everything.index("IBAN")


def test_same_invoice_renders_to_identical_bytes(session, company, finance, customer, vat19, vat7):
    invoice = issue_for(session, finance, customer, vat19, vat7, notes="Danke!")

    first = pdf.render_invoice_pdf(invoice)
    session.expire_all()  # the second render reads everything from the database again
    second = pdf.render_invoice_pdf(invoice)

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_markup_in_user_text_is_printed_not_fetched(
    session, company, finance, vat19, vat7, listener
):
    base, requests = listener
    name = f'<img src="{base}/name.png"> <b>Evil</b> & Co'
    notes = "\n".join(
        [
            '<img src="file:///etc/passwd">',
            f'<link rel="stylesheet" href="{base}/style.css">',
            f'<div style="background-image: url({base}/bg.png)">x</div>',
            f"<style>@import url({base}/import.css);</style>",
        ]
    )
    customer = factories.make_customer(
        session, company, name=name, address=f'<img src="{base}/address.png">'
    )
    invoice = issue_for(session, finance, customer, vat19, vat7, notes=notes)

    data = pdf.render_invoice_pdf(invoice)

    text = flat("\n".join(page_texts(data)))
    assert name in text
    assert '<img src="file:///etc/passwd">' in text
    assert f'<link rel="stylesheet" href="{base}/style.css">' in text
    assert f"url({base}/bg.png)" in text and f"@import url({base}/import.css);" in text
    assert requests == []
    assert image_count(data) == 0


def test_renderer_fetches_nothing_even_when_markup_reaches_it_unescaped(tmp_path, listener):
    base, requests = listener
    outside = png(tmp_path / "outside.png")
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/link.css"/>
      <style>
        @import url({base}/import.css);
        @font-face {{ font-family: Remote; src: url({base}/font.ttf); }}
        body {{ background-image: url({base}/bg.png); }}
      </style></head><body>
      <img src="{base}/img.png"/> <img src="file:///etc/passwd"/> <img src="/etc/passwd"/>
      <img src="{outside}"/> <img src="{outside.as_uri()}"/> <img src="../../../../etc/hostname"/>
      <p style="font-family: Remote">text</p>
    </body></html>"""

    data = pdf.html_to_pdf(html)

    assert requests == []
    assert image_count(data) == 0
    # The control: under a policy that allows local networks xhtml2pdf does fetch from the
    # listener, so it would have recorded a request had the asset-only policy let one through.
    pisa.pisaDocument(
        f'<img src="{base}/img.png"/>',
        dest_bytes=True,
        resource_policy=ResourceAccessPolicy(allow_private_networks=True),
    )
    assert "/img.png" in requests


@pytest.mark.parametrize(
    "logo_path",
    ["../../../../../../etc/passwd", "/etc/passwd", "ABSOLUTE", "../outside.png", "fonts/LICENSE"],
)
def test_logo_outside_the_asset_folder_is_not_read(
    session, company, finance, customer, vat19, vat7, assets_copy, logo_path
):
    outside = png(assets_copy.parent / "outside.png")
    company.logo_path = str(outside) if logo_path == "ABSOLUTE" else logo_path
    invoice = issue_for(session, finance, customer, vat19, vat7)

    assert pdf.logo_file(company.logo_path) is None
    assert image_count(pdf.render_invoice_pdf(invoice)) == 0


def test_logo_inside_the_asset_folder_is_printed(
    session, company, finance, customer, vat19, vat7, assets_copy
):
    (assets_copy / "logos").mkdir()
    png(assets_copy / "logos" / "nordlicht.png")
    company.logo_path = "logos/nordlicht.png"
    invoice = issue_for(session, finance, customer, vat19, vat7)

    assert image_count(pdf.render_invoice_pdf(invoice)) == 1


def test_preload_registers_the_fonts_once():
    pdf.preload()
    pdf.preload()

    from reportlab.pdfbase.pdfmetrics import getRegisteredFontNames

    assert any(name.startswith("dejavusans") for name in getRegisteredFontNames())


def test_logo_path_that_cannot_be_resolved_is_ignored():
    assert pdf.logo_file("logos/\x00.png") is None
    assert pdf.logo_file("") is None and pdf.logo_file(None) is None


def test_every_language_has_every_label():
    keys = {language: set(labels) for language, labels in LABELS.items()}
    assert set(keys) >= {"en", "de", "fr"}
    assert all(found == keys["en"] for found in keys.values())


def test_the_document_is_the_invoice_as_issued_whatever_is_paid_later(session, finance, issued):
    before = pdf.render_invoice_pdf(issued)
    ledger.record_payment(session, finance, issued, "100.00", issued.issue_date)
    assert pdf.render_invoice_pdf(issued) == before


def test_editing_company_or_customer_after_issue_does_not_change_the_document(
    session, issued, company, customer
):
    before = pdf.render_invoice_pdf(issued)
    company.name = "Renamed Holding AG"
    company.iban = "GB82WEST12345698765432"
    customer.name = "Someone Else Ltd"
    customer.language = "de"
    session.flush()
    assert pdf.render_invoice_pdf(issued) == before
    assert issued.seller_details["name"] != "Renamed Holding AG"


def test_the_database_keeps_party_details_frozen(session, issued):
    update = sa.text("UPDATE invoices SET buyer_details = '{}'::jsonb WHERE id = :id")
    with pytest.raises(DBAPIError, match="frozen"), session.begin_nested():
        session.execute(update, {"id": issued.id})


def test_a_render_over_its_time_limit_stops_with_a_readable_reason():
    with pytest.raises(RenderFailed) as failed:
        pdf.render_invoice_pdf(build_invoice(200, "en"), time_limit=0.05)
    assert "longer than the 0.05 seconds" in failed.value.message


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_a_render_time_limit_that_is_not_a_positive_number_fails_fast(value):
    with pytest.raises(ConfigError, match="RENDER_TIME_LIMIT_SECONDS is"):
        load({"RENDER_TIME_LIMIT_SECONDS": value}, {"TESTING": True})


def test_the_render_time_limit_defaults_below_the_render_jobs_timeout():
    limit = load({}, {"TESTING": True})["RENDER_TIME_LIMIT_SECONDS"]
    assert limit == 120 < KINDS["render_pdf"].timeout_seconds
