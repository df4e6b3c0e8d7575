"""How large a draft may grow: documented limits, refused with a message naming the field."""

from ..errors import DomainError

# Sane sizes: a 500-line PDF renders in about 4 s, and the notes, terms and a line's text fit
# on the page. Larger work belongs in several invoices.
MAX_LINES = 500
MAX_TEXT = {"notes": 5000, "terms": 5000, "description": 1000}


def check_size(line_count: int, **texts: str | None) -> None:
    """Refuse a draft with more lines, or longer notes, terms or descriptions, than allowed."""
    if line_count > MAX_LINES:
        raise DomainError(
            f"An invoice has at most {MAX_LINES} lines ({line_count} given): put the rest on "
            "another invoice.",
            "lines",
        )
    for field, text in texts.items():
        if text and len(text) > MAX_TEXT[field]:
            raise DomainError(
                f"{field.capitalize()}: at most {MAX_TEXT[field]} characters ({len(text)} given).",
                field,
            )
