"""Security headers on every response: pages, errors, static files, exports and documents.

Scripts run only from this site or with the request's nonce (Flask-Admin puts it on its own
inline scripts, our templates call csp_nonce()), apart from three known Flask-Admin event
handlers allowed by hash; styles may be inline, since Flask-Admin's widgets set them. No
page may be framed, sniffed or leak its address to another site.
"""

import base64
import hashlib
import secrets

from flask import Flask, Response, g, request

# Flask-Admin 2.2 still writes a few event-handler attributes and `javascript:void(0)` links,
# which cannot carry a nonce: these exact ones (add a draft line, confirm a delete, open a
# filter, its do-nothing links, the invoice list's bulk actions) are allowed by hash.
ADMIN_HANDLERS = (
    "faForm.addInlineField(this, 'lines');",
    "return faHelpers.safeConfirm('Are you sure you want to delete this record?');",
    "return false;",
    "javascript:void(0)",
    "return modelActions.execute('bulk_issue');",
    "return modelActions.execute('bulk_send');",
    "return modelActions.execute('bulk_zip');",
)


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' "
    + " ".join(_hash(handler) for handler in ADMIN_HANDLERS)
    + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's script nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_headers(response: Response) -> Response:
    """Set the headers on a response about to leave."""
    response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and offer csp_nonce() to templates."""
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
