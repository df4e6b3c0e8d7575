"""EN 16931 VAT categories: rates carry their category and exemption reason, issuing checks
what the category needs, and the PDF prints the legal wording instead of a bare 0 %."""

from decimal import Decimal as D

import pytest

from backoffice.services.delivery import pdf
from backoffice.services.errors import DomainError
from backoffice.services.invoicing import lifecycle, tax_rates
from backoffice.services.invoicing.vat_categories import VatTerms, checked_terms
from models import TaxCategory
from tests import factories
from tests.factories import ISSUE_DAY, line

from .test_pdf import flat, page_texts


def reverse_charge(session):
    return factories.make_tax_rate(
        session, "0", category="AE", exemption_code="VATEX-EU-AE", exemption_reason="Reverse charge"
    )


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (VatTerms("AE", D(0)), "Reverse charge \\(AE\\) needs an exemption reason"),
        (VatTerms("E", D(0)), "Exempt from VAT \\(E\\) needs an exemption reason"),
        (VatTerms("S", D(19), "VATEX-EU-AE"), "takes no exemption reason"),
        (VatTerms("Z", D(0), None, "Because"), "Zero rated \\(Z\\) takes no exemption reason"),
        (VatTerms("Z", D(7)), "Zero rated \\(Z\\) is charged at 0 %"),
        (VatTerms("S", D(0)), "A standard rate is above 0 %"),
        (VatTerms("AE", D(0), "VATEX-EU-G"), "VATEX-EU-G is a reason for Export"),
        (VatTerms("E", D(0), "VATEX-XX-1"), "Unknown exemption reason code"),
        (VatTerms("reduced", D(7)), "Unknown VAT category 'reduced'"),
    ],
)
def test_terms_en_16931_rejects_are_refused_with_the_rule(terms, message):
    with pytest.raises(DomainError, match=message):
        checked_terms(terms)


def test_a_vatex_code_brings_its_text_and_a_written_reason_is_kept():
    assert checked_terms(VatTerms("K", D(0), "vatex-eu-ic")) == VatTerms(
        "K", D(0), "VATEX-EU-IC", "Intra-Community supply"
    )
    written = checked_terms(VatTerms("E", D(0), None, "Exempt under § 4 Nr. 21 UStG"))
    assert written.exemption_reason == "Exempt under § 4 Nr. 21 UStG"


def test_a_rate_form_is_checked_and_completed(session):
    rate = factories.make_tax_rate(session, "0", category="G")
    rate.exemption_code = "VATEX-EU-G"
    tax_rates.check_rate(session, rate)
    assert rate.exemption_reason == "Export outside the EU"


def test_reverse_charge_is_refused_when_the_customer_has_no_vat_id(session, finance, customer):
    rate = reverse_charge(session)
    draft = factories.make_draft(session, finance, customer, [line(rate, "1", "500.00")])
    with pytest.raises(DomainError, match="Reverse charge \\(AE\\) needs the customer's VAT id"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert draft.status == "draft" and draft.number is None


def test_reverse_charge_is_issued_with_its_reason_frozen_on_the_tax_row(session, finance, company):
    customer = factories.make_customer(session, company, country="FR", vat_id="FR40552100794")
    rate = reverse_charge(session)
    invoice = factories.make_issued_invoice(session, finance, customer, [line(rate, "1", "500")])
    [row] = invoice.tax_totals
    assert (row.category, row.exemption_code, row.exemption_reason) == (
        TaxCategory.REVERSE_CHARGE,
        "VATEX-EU-AE",
        "Reverse charge",
    )
    rate.exemption_reason = "Changed later"  # the issued row keeps what it said
    session.flush()
    session.refresh(row)
    assert row.exemption_reason == "Reverse charge"


@pytest.mark.parametrize(
    ("language", "wording"),
    [
        ("en", "Reverse charge: VAT is due from the recipient"),
        ("de", "Steuerschuldnerschaft des Leistungsempfängers"),
        ("fr", "Autoliquidation"),
    ],
)
def test_the_pdf_prints_the_legal_wording_of_a_zero_rate(
    session, finance, company, language, wording
):
    customer = factories.make_customer(
        session, company, country="FR", vat_id="FR40552100794", language=language
    )
    invoice = factories.make_issued_invoice(
        session, finance, customer, [line(reverse_charge(session), "1", "500.00")]
    )
    [text] = page_texts(pdf.render_invoice_pdf(invoice))
    assert wording in flat(text)


def test_the_pdf_prints_the_legal_reference_of_an_exemption(session, finance, customer):
    exempt = factories.make_tax_rate(session, "0", category="E", exemption_code="VATEX-EU-132")
    tax_rates.check_rate(session, exempt)
    invoice = factories.make_issued_invoice(session, finance, customer, [line(exempt, "1", "80")])
    [text] = page_texts(pdf.render_invoice_pdf(invoice))
    assert "Exempt from VAT – Exempt based on article 132 of Council Directive" in flat(text)


def test_lines_not_subject_to_vat_are_refused_beside_taxed_lines(session, finance, customer, vat19):
    outside = factories.make_tax_rate(
        session, "0", category="O", exemption_code="VATEX-EU-O", exemption_reason="Not subject"
    )
    lines = [line(vat19, "1", "100.00"), line(outside, "1", "50.00")]
    draft = factories.make_draft(session, finance, customer, lines)
    with pytest.raises(DomainError, match="BR-O-11"):
        lifecycle.issue(session, finance, draft, ISSUE_DAY)
    assert draft.status == "draft"
