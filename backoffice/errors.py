"""What a person sees when a request fails: a page with the navigation, never a bare status.

Input no screen could have sent (a NUL byte, which PostgreSQL refuses in text) is answered
with 404 before it reaches a query.
"""

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

PAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    401: ("Please sign in", "Your session has ended. Sign in again to continue."),
    403: ("Not allowed", "Your role may not do this. Ask an admin if you need it."),
    404: ("Not found", "That page or record does not exist, or is not yours to see."),
    405: ("Not allowed", "That address does not take this kind of request."),
    500: (
        "Something went wrong",
        "The error was logged; nothing was saved. Try again, and quote the reference below "
        "if it happens again.",
    ),
}


def refuse_nul_bytes() -> None:
    """Answer 404 to a NUL byte anywhere in the query or form."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise NotFound()


def error_page(error: Exception):
    """Render the friendly page for an HTTP error (or an unhandled exception, as 500)."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    title, message = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    if isinstance(error, CSRFError):
        message = (
            f"The form expired or did not come from this site (CSRF: {error.description}) "
            "Reload the page and try again."
        )
    page = render_template(
        "error.html",
        code=code,
        title=title,
        message=message,
        request_id=g.get("request_id", ""),
    )
    return page, code


def init_app(app: Flask) -> None:
    """Register the input guard and the error pages."""
    app.before_request(refuse_nul_bytes)
    for code in PAGES:
        app.register_error_handler(code, error_page)
