"""What a search may look for: the typed text checked, and turned into LIKE patterns."""

from dataclasses import dataclass

# pg_trgm finds a fragment through its index only from 3 characters (one trigram); shorter
# fragments would read every row.
MIN_LENGTH = 3
# Longer than any searched field but a customer's name; more is a paste gone wrong.
MAX_LENGTH = 100


@dataclass(frozen=True)
class Terms:
    """Checked search text: trimmed, inner whitespace collapsed."""

    text: str

    @property
    def fragment(self) -> str:
        """A LIKE pattern matching the text anywhere."""
        return f"%{escape_like(self.text)}%"

    @property
    def number_prefix(self) -> str:
        """A LIKE pattern for invoice numbers starting with the text (both upper-cased)."""
        return f"{escape_like(self.text.upper())}%"


def escape_like(text: str) -> str:
    """Make %, _ and the escape character itself match literally.

    Backslash is PostgreSQL's default LIKE escape; an explicit ESCAPE clause would hide the
    pattern from pg_trgm and the btree prefix search behind a function call.
    """
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def problem_with(text: str) -> str | None:
    """Say why the text cannot be searched for, or None when it can."""
    if any(not character.isprintable() for character in text):
        return "Search for letters, digits and punctuation only."
    if len(text) < MIN_LENGTH:
        return f"Type at least {MIN_LENGTH} characters."
    if len(text) > MAX_LENGTH:
        return f"Type at most {MAX_LENGTH} characters."
    return None


def normalise(raw: str) -> str:
    """Trim the text and collapse runs of whitespace, as people do not mean them."""
    return " ".join(raw.split())
