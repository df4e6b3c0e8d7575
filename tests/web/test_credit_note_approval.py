"""Four eyes on the invoice page: a large credit note waits for a manager's Approve before
finance can issue it."""

import html
import re
from decimal import Decimal

from models import InvoiceStatus
from tests import factories

from .conftest import messages
from .test_invoice_flow import act, latest_invoice


def page(client, invoice) -> str:
    return html.unescape(
        client.get(f"/admin/invoice/details/?id={invoice.id}").get_data(as_text=True)
    )


def test_a_large_credit_waits_for_the_managers_approval(
    client_as, users, company, customer, vat19, db_session
):
    company.credit_note_approval_threshold = Decimal("1000")
    invoice = factories.make_issued_invoice(
        db_session, users["finance"], customer, [factories.line(vat19, "1", "2000.00")]
    )
    db_session.commit()
    finance, manager = client_as("finance"), client_as("manager")

    assert "Full credit (a draft for a manager to approve)" in page(finance, invoice)
    act(finance, invoice, "credit", mode="full")
    note = latest_invoice(db_session)
    assert "Credit note for INV-" in messages(page(finance, note))
    assert note.kind == "credit_note" and note.status == InvoiceStatus.DRAFT
    shown = page(finance, note)
    assert "approval threshold of €1,000.00: a manager approves it" in shown
    assert ">Issue</button>" not in shown and ">Approve</button>" not in shown
    assert 'id="invoice-actions"' not in shown  # no empty bar of buttons
    act(finance, note, "issue")
    assert "a manager approves it" in messages(page(finance, note))
    assert latest_invoice(db_session).status == InvoiceStatus.DRAFT

    home = html.unescape(manager.get(f"/admin/?company={company.id}").get_data(as_text=True))
    assert "1 credit note awaiting approval" in home
    [listed] = re.findall(r'href="([^"]+)">\s*1 credit note awaiting approval', home)
    assert note.reference is None and f"?id={note.id}" in manager.get(listed).get_data(True)
    assert ">Approve</button>" in page(manager, note)
    assert act(finance, note, "approve").status_code == 403  # the author's side may not
    act(manager, note, "approve")
    assert "finance may issue it now" in messages(page(manager, note))
    note = latest_invoice(db_session)
    assert f"Approved by {users['manager'].email}" in page(finance, note)

    home = manager.get(f"/admin/?company={company.id}").get_data(as_text=True)
    assert "0 credit notes awaiting approval" in home
    home = manager.get(f"/admin/?company={company.id}").get_data(as_text=True)
    assert "0 credit notes awaiting approval" in home
    act(finance, note, "issue")
    note = latest_invoice(db_session)
    assert note.status != InvoiceStatus.DRAFT and note.reference.startswith("CN-")
