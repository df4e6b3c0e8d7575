"""UN/CEFACT CII XML in the Factur-X / ZUGFeRD EN 16931 profile, element order per the XSD."""

from datetime import date

from lxml import etree
from lxml.builder import ElementMaker

from .content import EInvoice, Line, Party, VatRow, amount, has_rate, needs_delivery_details, plain

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
EN16931_PROFILE = "urn:cen.eu:en16931:2017"
RSM = ElementMaker(namespace=NS["rsm"], nsmap=NS)
RAM = ElementMaker(namespace=NS["ram"], nsmap=NS)
UDT = ElementMaker(namespace=NS["udt"], nsmap=NS)
QDT = ElementMaker(namespace=NS["qdt"], nsmap=NS)


def to_cii(doc: EInvoice) -> bytes:
    """The CII XML of an e-invoice, UTF-8 with declaration."""
    root = RSM.CrossIndustryInvoice(
        RSM.ExchangedDocumentContext(
            RAM.GuidelineSpecifiedDocumentContextParameter(RAM.ID(EN16931_PROFILE))
        ),
        RSM.ExchangedDocument(
            RAM.ID(doc.number),
            RAM.TypeCode(doc.type_code),
            RAM.IssueDateTime(_date(UDT, doc.issue_date)),
            *(RAM.IncludedNote(RAM.Content(note)) for note in doc.notes),
        ),
        RSM.SupplyChainTradeTransaction(
            *(_line(doc, line) for line in doc.lines),
            _agreement(doc),
            _delivery(doc),
            _settlement(doc),
        ),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _date(maker: ElementMaker, value: date) -> etree._Element:
    return maker.DateTimeString(value.strftime("%Y%m%d"), format="102")


def _tax(category: str, percentage, *before_category, after_category=()) -> etree._Element:
    rate = [RAM.RateApplicablePercent(plain(percentage))] if has_rate(category) else []
    return RAM.ApplicableTradeTax(
        *before_category, RAM.CategoryCode(category), *after_category, *rate
    )


def _line(doc: EInvoice, line: Line) -> etree._Element:
    allowances = []
    if line.discount_amount:
        allowances.append(
            RAM.SpecifiedTradeAllowanceCharge(
                RAM.ChargeIndicator(UDT.Indicator("false")),
                RAM.CalculationPercent(plain(line.discount_percent)),
                RAM.BasisAmount(amount(line.net_amount + line.discount_amount, doc.currency)),
                RAM.ActualAmount(amount(line.discount_amount, doc.currency)),
                RAM.ReasonCode("95"),
                RAM.Reason("Discount"),
            )
        )
    return RAM.IncludedSupplyChainTradeLineItem(
        RAM.AssociatedDocumentLineDocument(RAM.LineID(str(line.position))),
        RAM.SpecifiedTradeProduct(RAM.Name(line.name)),
        RAM.SpecifiedLineTradeAgreement(
            RAM.NetPriceProductTradePrice(RAM.ChargeAmount(plain(line.net_price)))
        ),
        RAM.SpecifiedLineTradeDelivery(
            RAM.BilledQuantity(plain(line.quantity), unitCode=line.unit_code)
        ),
        RAM.SpecifiedLineTradeSettlement(
            _tax(line.category, line.percentage, RAM.TypeCode("VAT")),
            *allowances,
            RAM.SpecifiedTradeSettlementLineMonetarySummation(
                RAM.LineTotalAmount(amount(line.net_amount, doc.currency))
            ),
        ),
    )


def _party(tag: str, party: Party) -> etree._Element:
    address = [RAM.PostcodeCode(party.postal_code)] if party.postal_code else []
    lines = party.address_lines[:3]
    for tag_name, text in zip(
        ("LineOne", "LineTwo", "LineThree")[: len(lines)], lines, strict=True
    ):
        address.append(getattr(RAM, tag_name)(text))
    if party.city:
        address.append(RAM.CityName(party.city))
    address.append(RAM.CountryID(party.country))
    children = [RAM.Name(party.name)]
    if party.registration_id:
        children.append(RAM.SpecifiedLegalOrganization(RAM.ID(party.registration_id)))
    children.append(RAM.PostalTradeAddress(*address))
    if party.email:
        children.append(RAM.URIUniversalCommunication(RAM.URIID(party.email, schemeID="EM")))
    if party.vat_id:
        children.append(RAM.SpecifiedTaxRegistration(RAM.ID(party.vat_id, schemeID="VA")))
    return getattr(RAM, tag)(*children)


def _agreement(doc: EInvoice) -> etree._Element:
    children = [_party("SellerTradeParty", doc.seller), _party("BuyerTradeParty", doc.buyer)]
    if doc.order_reference:
        children.append(RAM.BuyerOrderReferencedDocument(RAM.IssuerAssignedID(doc.order_reference)))
    return RAM.ApplicableHeaderTradeAgreement(*children)


def _delivery(doc: EInvoice) -> etree._Element:
    ship_to = []
    if needs_delivery_details(doc.vat_rows):
        ship_to.append(
            RAM.ShipToTradeParty(RAM.PostalTradeAddress(RAM.CountryID(doc.buyer.country)))
        )
    return RAM.ApplicableHeaderTradeDelivery(
        *ship_to,
        RAM.ActualDeliverySupplyChainEvent(RAM.OccurrenceDateTime(_date(UDT, doc.delivery_date))),
    )


def _vat_row(doc: EInvoice, row: VatRow) -> etree._Element:
    reason = [RAM.ExemptionReason(row.exemption_reason)] if row.exemption_reason else []
    code = [RAM.ExemptionReasonCode(row.exemption_code)] if row.exemption_code else []
    return _tax(
        row.category,
        row.percentage,
        RAM.CalculatedAmount(amount(row.tax_amount, doc.currency)),
        RAM.TypeCode("VAT"),
        *reason,
        RAM.BasisAmount(amount(row.taxable_amount, doc.currency)),
        after_category=code,
    )


def _settlement(doc: EInvoice) -> etree._Element:
    children = [RAM.PaymentReference(doc.number), RAM.InvoiceCurrencyCode(doc.currency)]
    if doc.iban and not doc.is_credit_note:
        account = [RAM.PayeePartyCreditorFinancialAccount(RAM.IBANID(doc.iban))]
        if doc.bic:
            account.append(RAM.PayeeSpecifiedCreditorFinancialInstitution(RAM.BICID(doc.bic)))
        children.append(RAM.SpecifiedTradeSettlementPaymentMeans(RAM.TypeCode("58"), *account))
    elif doc.is_credit_note or not doc.iban:
        children.append(RAM.SpecifiedTradeSettlementPaymentMeans(RAM.TypeCode("1")))
    children += [_vat_row(doc, row) for row in doc.vat_rows]
    terms = [RAM.Description(doc.payment_terms)] if doc.payment_terms else []
    if doc.due_date and not doc.is_credit_note:
        terms.append(RAM.DueDateDateTime(_date(UDT, doc.due_date)))
    if terms:
        children.append(RAM.SpecifiedTradePaymentTerms(*terms))
    children.append(
        RAM.SpecifiedTradeSettlementHeaderMonetarySummation(
            RAM.LineTotalAmount(amount(doc.net_amount, doc.currency)),
            RAM.TaxBasisTotalAmount(amount(doc.net_amount, doc.currency)),
            RAM.TaxTotalAmount(amount(doc.tax_amount, doc.currency), currencyID=doc.currency),
            RAM.GrandTotalAmount(amount(doc.total_amount, doc.currency)),
            RAM.DuePayableAmount(amount(doc.amount_due, doc.currency)),
        )
    )
    if doc.preceding_invoice:
        reference = [RAM.IssuerAssignedID(doc.preceding_invoice)]
        if doc.preceding_invoice_date:
            reference.append(RAM.FormattedIssueDateTime(_date(QDT, doc.preceding_invoice_date)))
        children.append(RAM.InvoiceReferencedDocument(*reference))
    return RAM.ApplicableHeaderTradeSettlement(*children)
