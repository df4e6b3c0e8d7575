"""The outbox's record of an email, whatever happens to its invoice while the email leaves."""

from backoffice.services.delivery import outbox
from backoffice.services.invoicing import lifecycle
from models import EmailStatus, InvoiceStatus
from tests import factories


def test_an_email_delivered_as_its_invoice_is_voided_is_recorded_as_sent(
    session, finance, customer
):
    # The relay had taken the email when the void committed: the customer has it, and the
    # outbox must say so rather than fail, retry and end as "Not sent: voided".
    invoice = factories.make_issued_invoice(session, finance, customer)
    message = outbox.queue_invoice_email(session, finance, invoice)
    assert outbox.claim(session, message.id) is not None
    lifecycle.void(session, finance, invoice, "wrong customer")

    outbox.mark_sent(session, message.id)

    assert message.status == EmailStatus.SENT and message.sent_at is not None
    assert invoice.status == InvoiceStatus.VOID and invoice.sent_at is None
