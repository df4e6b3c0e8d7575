"""Date fields of admin forms: typed and shown as 2026-12-03 in every browser language.

The browser's own <input type="date"> shows its locale's order (12/03/2026 in en-US); Flask-
Admin's date picker, which its form converter gives a date column, keeps the ISO date in the
box. templates/admin/_iso_date.html is the same picker for the hand-written forms.
"""

from typing import Any

from wtforms.validators import Optional


def optional_iso_date(description: str) -> dict[str, Any]:
    """form_args for an optional date column: an empty box allowed, the format shown."""
    return {
        "validators": [Optional()],
        "description": description,
        "render_kw": {"placeholder": "YYYY-MM-DD", "autocomplete": "off"},
    }
