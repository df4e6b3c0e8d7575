"""E-invoices reach people: downloads on the invoice page, and the customer's format by email."""

import io

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select

from backoffice.services.delivery import outbox
from backoffice.services.invoicing import lifecycle
from models import Role, StoredDocument
from tests import factories
from tests.web.conftest import FAST_HASH, login

from .conftest import Inbox, run_jobs
from .test_delivery_screens import signed_in
from .test_email_delivery import issue_invoice

UBL_INVOICE = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"


def stored_kinds(world) -> list[str]:
    world.session.expire_all()
    return sorted(world.session.scalars(select(StoredDocument.kind)))


def test_the_invoice_page_offers_factur_x_and_ubl(live_app, redis, world):
    invoice = issue_invoice(world)
    client, _ = signed_in(live_app, world, Role.MANAGER)
    page = client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    assert "Factur-X" in page and "UBL" in page

    ubl = client.get(f"/admin/invoice/einvoice/ubl/{invoice.id}")
    assert ubl.status_code == 200 and ubl.mimetype == "application/xml"
    assert f"filename={invoice.reference}.xml" in ubl.headers["Content-Disposition"]
    root = etree.fromstring(ubl.data)
    assert root.tag == UBL_INVOICE and invoice.reference.encode() in ubl.data

    waiting = client.get(f"/admin/invoice/einvoice/facturx/{invoice.id}")
    assert waiting.status_code == 302  # made from the PDF, which a worker renders first
    run_jobs(live_app, redis)
    first = client.get(f"/admin/invoice/einvoice/facturx/{invoice.id}")
    again = client.get(f"/admin/invoice/einvoice/facturx/{invoice.id}")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == again.data  # stored once, served as stored
    name, xml = facturx.get_xml_from_pdf(first.data, check_xsd=True)
    assert name == "factur-x.xml" and invoice.reference.encode() in xml
    assert invoice.reference in PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
    assert stored_kinds(world) == ["facturx", "pdf", "ubl"]


def test_another_companys_staff_get_no_e_invoice(live_app, redis, world):
    invoice = issue_invoice(world)
    other = factories.make_company(world.session, name="Other Ltd")
    outsider = factories.make_user(
        world.session, Role.FINANCE, companies=[other], password_hash=FAST_HASH
    )
    world.session.commit()
    stranger = live_app.test_client()
    assert login(stranger, outsider.email).status_code == 302
    response = stranger.get(f"/admin/invoice/einvoice/ubl/{invoice.id}")
    assert response.status_code == 302 and invoice.reference.encode() not in response.data
    assert world.session.scalar(select(func.count()).select_from(StoredDocument)) == 0


@pytest.mark.parametrize(
    ("einvoice_format", "attachments"),
    [
        ("none", ["application/pdf"]),
        ("facturx", ["application/pdf"]),
        ("ubl", ["application/pdf", "application/xml"]),
    ],
)
def test_the_email_carries_the_customers_e_invoice(
    live_app, redis, world, inbox: Inbox, einvoice_format, attachments
):
    world.customer.einvoice_format = einvoice_format
    world.session.commit()
    invoice = issue_invoice(world)
    outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)

    [received] = inbox.messages
    parts = list(received.iter_attachments())
    assert [part.get_content_type() for part in parts] == attachments
    pdf = parts[0].get_payload(decode=True)
    embedded = facturx.get_xml_from_pdf(pdf, check_xsd=False)[1]
    assert bool(embedded) == (einvoice_format == "facturx")
    if einvoice_format == "ubl":
        assert etree.fromstring(parts[1].get_payload(decode=True)).tag == UBL_INVOICE


def test_a_document_en_16931_cannot_carry_is_emailed_as_the_plain_pdf(
    live_app, redis, world, inbox: Inbox
):
    world.customer.einvoice_format = "facturx"
    world.customer.currency = "BHD"  # 3 decimals: no e-invoice can say it
    world.session.commit()
    draft = factories.make_draft(
        world.session,
        world.finance,
        world.customer,
        [factories.line(world.vat19, "1", "10.125")],
        exchange_rate="2.4",
    )
    invoice = lifecycle.issue(world.session, world.finance, draft, factories.ISSUE_DAY)
    outbox.queue_invoice_email(world.session, world.finance, invoice)
    world.session.commit()
    run_jobs(live_app, redis)

    [received] = inbox.messages
    [part] = received.iter_attachments()
    assert not facturx.get_xml_from_pdf(part.get_payload(decode=True), check_xsd=False)[1]
    assert stored_kinds(world) == ["pdf"]
