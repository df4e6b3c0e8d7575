"""EN 16931 VAT categories and the exemption reasons (VATEX) they need.

Which categories tax at 0 %, which need an exemption reason (BR-E-10, BR-AE-10, BR-IC-10,
BR-G-10, BR-O-10) or must not have one (BR-S-10, BR-Z-10, BR-IG-10, BR-IP-10), and which need
the buyer's VAT id (BR-AE-02, BR-IC-02).
"""

from dataclasses import dataclass
from decimal import Decimal

from models import TaxCategory

from ..errors import DomainError

C = TaxCategory
ZERO_PERCENT = frozenset(
    {C.ZERO_RATED, C.EXEMPT, C.REVERSE_CHARGE, C.INTRA_COMMUNITY, C.EXPORT, C.NOT_SUBJECT}
)
NEEDS_REASON = frozenset({C.EXEMPT, C.REVERSE_CHARGE, C.INTRA_COMMUNITY, C.EXPORT, C.NOT_SUBJECT})
NEEDS_BUYER_VAT_ID = frozenset({C.REVERSE_CHARGE, C.INTRA_COMMUNITY})

LABELS = {
    C.STANDARD: "Standard or reduced rate (S)",
    C.ZERO_RATED: "Zero rated (Z)",
    C.EXEMPT: "Exempt from VAT (E)",
    C.REVERSE_CHARGE: "Reverse charge (AE)",
    C.INTRA_COMMUNITY: "Intra-Community supply (K)",
    C.EXPORT: "Export outside the EU (G)",
    C.NOT_SUBJECT: "Not subject to VAT (O)",
    C.CANARY_ISLANDS: "Canary Islands IGIC (L)",
    C.CEUTA_MELILLA: "Ceuta and Melilla IPSI (M)",
}

# The VATEX code list (CEF), for the categories that take a reason: code -> (category, text).
DIRECTIVE = "Council Directive 2006/112/EC"
VATEX = {
    "VATEX-EU-79-C": (C.EXEMPT, f"Exempt based on article 79, point c of {DIRECTIVE}"),
    "VATEX-EU-132": (C.EXEMPT, f"Exempt based on article 132 of {DIRECTIVE}"),
    "VATEX-EU-143": (C.EXEMPT, f"Exempt based on article 143 of {DIRECTIVE}"),
    "VATEX-EU-148": (C.EXEMPT, f"Exempt based on article 148 of {DIRECTIVE}"),
    "VATEX-EU-151": (C.EXEMPT, f"Exempt based on article 151 of {DIRECTIVE}"),
    "VATEX-EU-309": (C.EXEMPT, f"Exempt based on article 309 of {DIRECTIVE}"),
    "VATEX-EU-D": (C.EXEMPT, "Intra-Community acquisition from second hand means of transport"),
    "VATEX-EU-F": (C.EXEMPT, "Intra-Community acquisition of second hand goods"),
    "VATEX-EU-I": (C.EXEMPT, "Intra-Community acquisition of works of art"),
    "VATEX-EU-J": (C.EXEMPT, "Intra-Community acquisition of collectors items and antiques"),
    "VATEX-EU-AE": (C.REVERSE_CHARGE, "Reverse charge"),
    "VATEX-EU-IC": (C.INTRA_COMMUNITY, "Intra-Community supply"),
    "VATEX-EU-G": (C.EXPORT, "Export outside the EU"),
    "VATEX-EU-O": (C.NOT_SUBJECT, "Not subject to VAT"),
}


@dataclass(frozen=True)
class VatTerms:
    """How a tax rate taxes: its category, percentage and, where needed, why it is exempt."""

    category: str
    percentage: Decimal
    exemption_code: str | None = None
    exemption_reason: str = ""


def checked_terms(terms: VatTerms) -> VatTerms:
    """Refuse terms EN 16931 rejects; fill the reason's text from its VATEX code."""
    try:
        category = TaxCategory(terms.category)
    except ValueError:
        known = ", ".join(member.value for member in TaxCategory)
        raise DomainError(
            f"Unknown VAT category {terms.category!r}; use {known}.", "category"
        ) from None
    if category in ZERO_PERCENT and terms.percentage != 0:
        raise DomainError(f"{LABELS[category]} is charged at 0 %.", "percentage")
    if category == C.STANDARD and terms.percentage <= 0:
        raise DomainError("A standard rate is above 0 %; use Zero rated (Z).", "percentage")
    code = (terms.exemption_code or "").strip().upper() or None
    reason = (terms.exemption_reason or "").strip()
    if category not in NEEDS_REASON:
        if code or reason:
            raise DomainError(
                f"{LABELS[category]} takes no exemption reason; leave it empty.", "exemption_code"
            )
        return VatTerms(category.value, terms.percentage)
    if code is not None:
        if code not in VATEX:
            raise DomainError(f"Unknown exemption reason code {code!r}.", "exemption_code")
        if VATEX[code][0] != category:
            raise DomainError(
                f"{code} is a reason for {LABELS[VATEX[code][0]]}, not {LABELS[category]}.",
                "exemption_code",
            )
        reason = reason or VATEX[code][1]
    if not reason:
        raise DomainError(
            f"{LABELS[category]} needs an exemption reason: choose a VATEX code or write the "
            "legal wording the invoice must print.",
            "exemption_reason",
        )
    return VatTerms(category.value, terms.percentage, code, reason)
