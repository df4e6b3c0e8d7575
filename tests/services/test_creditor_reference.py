"""Our invoices carry an ISO 11649 RF creditor reference on their PDF, beside the bank details."""

from stdnum import iso11649

from backoffice.services.delivery import pdf
from backoffice.services.payments.bank.references import printed_creditor_reference
from tests import factories
from tests.services.test_pdf import flat, page_texts


def test_the_pdf_prints_a_valid_rf_reference_of_the_invoice(session, finance, company, customer):
    company.iban = "DE89370400440532013000"
    invoice = factories.make_issued_invoice(session, finance, customer)

    [text] = page_texts(pdf.render_invoice_pdf(invoice))

    reference = printed_creditor_reference(invoice.id)
    assert iso11649.is_valid(reference)
    assert f"Creditor reference (RF) {reference}" in flat(text)
