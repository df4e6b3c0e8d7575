"""The one check on every redirect target: a path on this site, nothing that leaves it.

Flask-Admin's own check lets `http:evil.example` through (no slashes), which browsers resolve
off-site; its `url=` return address is therefore checked here before any view runs.
"""

from urllib.parse import urlsplit

from flask import Flask, abort, request

RETURN_PARAMETER = "url"  # Flask-Admin's "back to the list" address


def is_safe_target(target: str | None) -> bool:
    """A relative path on this site: no scheme, no host, no `//`, no backslash, no control
    characters."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def refuse_unsafe_return_addresses() -> None:
    """Answer 400 to a return address that would leave the site (no screen makes one)."""
    target = request.values.get(RETURN_PARAMETER)
    if target is not None and not is_safe_target(target):
        abort(400)


def init_app(app: Flask) -> None:
    """Check Flask-Admin's return address on every request."""
    app.before_request(refuse_unsafe_return_addresses)
