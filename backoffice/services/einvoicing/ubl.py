"""UBL 2.1 XML per Peppol BIS Billing 3.0: an Invoice, or a CreditNote, element order per XSD."""

from lxml import etree
from lxml.builder import ElementMaker

from .content import EInvoice, Line, Party, VatRow, amount, has_rate, needs_delivery_details, plain

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NS = {
    False: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    True: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def to_ubl(doc: EInvoice) -> bytes:
    """The UBL XML of an e-invoice (Invoice, or CreditNote for a credit note)."""
    writer = _Writer(doc)
    return etree.tostring(
        writer.document(), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


class _Writer:
    def __init__(self, doc: EInvoice) -> None:
        self.doc = doc
        nsmap = {None: ROOT_NS[doc.is_credit_note], "cac": CAC, "cbc": CBC}
        self.root = ElementMaker(namespace=ROOT_NS[doc.is_credit_note], nsmap=nsmap)
        self.cac = ElementMaker(namespace=CAC, nsmap=nsmap)
        self.cbc = ElementMaker(namespace=CBC, nsmap=nsmap)

    def money(self, tag: str, value) -> etree._Element:
        return getattr(self.cbc, tag)(
            amount(value, self.doc.currency), currencyID=self.doc.currency
        )

    def document(self) -> etree._Element:
        doc, cac, cbc = self.doc, self.cac, self.cbc
        head = [cbc.CustomizationID(CUSTOMIZATION), cbc.ProfileID(PROFILE), cbc.ID(doc.number)]
        head.append(cbc.IssueDate(doc.issue_date.isoformat()))
        if doc.is_credit_note:
            head.append(cbc.CreditNoteTypeCode(doc.type_code))
        else:
            if doc.due_date:
                head.append(cbc.DueDate(doc.due_date.isoformat()))
            head.append(cbc.InvoiceTypeCode(doc.type_code))
        head += [cbc.Note(note) for note in doc.notes]
        head.append(cbc.DocumentCurrencyCode(doc.currency))
        # Peppol needs a buyer reference or an order reference (PEPPOL-EN16931-R003).
        head.append(cbc.BuyerReference(doc.order_reference or doc.number))
        if doc.order_reference:
            head.append(cac.OrderReference(cbc.ID(doc.order_reference)))
        if doc.preceding_invoice:
            reference = [cbc.ID(doc.preceding_invoice)]
            if doc.preceding_invoice_date:
                reference.append(cbc.IssueDate(doc.preceding_invoice_date.isoformat()))
            head.append(cac.BillingReference(cac.InvoiceDocumentReference(*reference)))
        body = [
            cac.AccountingSupplierParty(self.party(doc.seller)),
            cac.AccountingCustomerParty(self.party(doc.buyer)),
            self.delivery(),
            self.payment_means(),
        ]
        if doc.payment_terms:
            body.append(cac.PaymentTerms(cbc.Note(doc.payment_terms)))
        body += [self.tax_total(), self.totals()]
        body += [self.line(line) for line in doc.lines]
        tag = "CreditNote" if doc.is_credit_note else "Invoice"
        return getattr(self.root, tag)(*head, *body)

    def party(self, party: Party) -> etree._Element:
        cac, cbc = self.cac, self.cbc
        children = []
        if party.email:
            children.append(cbc.EndpointID(party.email, schemeID="EM"))
        address = []
        lines = party.address_lines[:2]
        for tag, text in zip(
            ("StreetName", "AdditionalStreetName")[: len(lines)], lines, strict=True
        ):
            address.append(getattr(cbc, tag)(text))
        if party.city:
            address.append(cbc.CityName(party.city))
        if party.postal_code:
            address.append(cbc.PostalZone(party.postal_code))
        if len(party.address_lines) > 2:
            address.append(cac.AddressLine(cbc.Line(", ".join(party.address_lines[2:]))))
        address.append(cac.Country(cbc.IdentificationCode(party.country)))
        children.append(cac.PostalAddress(*address))
        if party.vat_id:
            children.append(
                cac.PartyTaxScheme(cbc.CompanyID(party.vat_id), cac.TaxScheme(cbc.ID("VAT")))
            )
        legal = [cbc.RegistrationName(party.name)]
        if party.registration_id:
            legal.append(cbc.CompanyID(party.registration_id))
        children.append(cac.PartyLegalEntity(*legal))
        return cac.Party(*children)

    def delivery(self) -> etree._Element:
        cac, cbc = self.cac, self.cbc
        children = [cbc.ActualDeliveryDate(self.doc.delivery_date.isoformat())]
        if needs_delivery_details(self.doc.vat_rows):
            country = cac.Country(cbc.IdentificationCode(self.doc.buyer.country))
            children.append(cac.DeliveryLocation(cac.Address(country)))
        return cac.Delivery(*children)

    def payment_means(self) -> etree._Element:
        doc, cac, cbc = self.doc, self.cac, self.cbc
        if doc.iban and not doc.is_credit_note:
            account = [cbc.ID(doc.iban)]
            if doc.bic:
                account.append(cac.FinancialInstitutionBranch(cbc.ID(doc.bic)))
            return cac.PaymentMeans(
                cbc.PaymentMeansCode("58"),
                cbc.PaymentID(doc.number),
                cac.PayeeFinancialAccount(*account),
            )
        return cac.PaymentMeans(cbc.PaymentMeansCode("1"), cbc.PaymentID(doc.number))

    def category(self, tag: str, category: str, percentage, row: VatRow | None = None):
        cac, cbc = self.cac, self.cbc
        children = [cbc.ID(category)]
        if has_rate(category):
            children.append(cbc.Percent(plain(percentage)))
        if row is not None and row.exemption_code:
            children.append(cbc.TaxExemptionReasonCode(row.exemption_code))
        if row is not None and row.exemption_reason:
            children.append(cbc.TaxExemptionReason(row.exemption_reason))
        children.append(cac.TaxScheme(cbc.ID("VAT")))
        return getattr(cac, tag)(*children)

    def tax_total(self) -> etree._Element:
        subtotals = [
            self.cac.TaxSubtotal(
                self.money("TaxableAmount", row.taxable_amount),
                self.money("TaxAmount", row.tax_amount),
                self.category("TaxCategory", row.category, row.percentage, row),
            )
            for row in self.doc.vat_rows
        ]
        return self.cac.TaxTotal(self.money("TaxAmount", self.doc.tax_amount), *subtotals)

    def totals(self) -> etree._Element:
        doc = self.doc
        return self.cac.LegalMonetaryTotal(
            self.money("LineExtensionAmount", doc.net_amount),
            self.money("TaxExclusiveAmount", doc.net_amount),
            self.money("TaxInclusiveAmount", doc.total_amount),
            self.money("PayableAmount", doc.amount_due),
        )

    def line(self, line: Line) -> etree._Element:
        cac, cbc = self.cac, self.cbc
        note = self.doc.is_credit_note
        children = [
            cbc.ID(str(line.position)),
            getattr(cbc, "CreditedQuantity" if note else "InvoicedQuantity")(
                plain(line.quantity), unitCode=line.unit_code
            ),
            self.money("LineExtensionAmount", line.net_amount),
        ]
        if line.discount_amount:
            children.append(
                cac.AllowanceCharge(
                    cbc.ChargeIndicator("false"),
                    cbc.AllowanceChargeReasonCode("95"),
                    cbc.AllowanceChargeReason("Discount"),
                    cbc.MultiplierFactorNumeric(plain(line.discount_percent)),
                    self.money("Amount", line.discount_amount),
                    self.money("BaseAmount", line.net_amount + line.discount_amount),
                )
            )
        children.append(
            cac.Item(
                cbc.Name(line.name),
                self.category("ClassifiedTaxCategory", line.category, line.percentage),
            )
        )
        price = cbc.PriceAmount(plain(line.net_price), currencyID=self.doc.currency)
        children.append(cac.Price(price))
        return getattr(cac, "CreditNoteLine" if note else "InvoiceLine")(*children)
