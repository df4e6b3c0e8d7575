"""The words of invoice emails, per customer language (models.Customer.language)."""

from collections.abc import Mapping

EMAIL_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "subject_invoice": "Invoice {reference} from {company}",
        "subject_credit_note": "Credit note {reference} from {company}",
        "invoice": "Please find attached invoice {reference} for {total}.",
        "pay": "Please pay {total} by {due_date}, quoting {reference} as the payment reference.",
        "credit_note": "Please find attached credit note {reference} for invoice {original}, "
        "for {total}.",
        "regards": "Kind regards,",
        "pay_by_card": "Pay by card",
    },
    "de": {
        "subject_invoice": "Rechnung {reference} von {company}",
        "subject_credit_note": "Gutschrift {reference} von {company}",
        "invoice": "anbei erhalten Sie die Rechnung {reference} über {total}.",
        "pay": "Bitte überweisen Sie {total} bis zum {due_date} mit dem Verwendungszweck "
        "{reference}.",
        "credit_note": "anbei erhalten Sie die Gutschrift {reference} zur Rechnung {original} "
        "über {total}.",
        "regards": "Mit freundlichen Grüßen",
        "pay_by_card": "Mit Karte bezahlen",
    },
    "fr": {
        "subject_invoice": "Facture {reference} de {company}",
        "subject_credit_note": "Avoir {reference} de {company}",
        "invoice": "Veuillez trouver ci-joint la facture {reference} d'un montant de {total}.",
        "pay": "Merci de régler {total} avant le {due_date} en indiquant la référence {reference}.",
        "credit_note": "Veuillez trouver ci-joint l'avoir {reference} relatif à la facture "
        "{original}, d'un montant de {total}.",
        "regards": "Cordialement,",
        "pay_by_card": "Payer par carte",
    },
}


def email_text(language: str | None) -> Mapping[str, str]:
    """The email words of a language, English for one without its own."""
    return EMAIL_TEXT.get(language or "en", EMAIL_TEXT["en"])
