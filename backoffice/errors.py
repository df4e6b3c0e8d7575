"""What a person sees when a request fails: a page inside the admin layout, with the
navigation, why, and a way back; a script asking for JSON gets JSON.

Input no screen could have sent (a NUL byte, which PostgreSQL refuses in text) is answered
with 404 before it reaches a query.
"""

import logging

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from .redirects import is_safe_target
from .services.permissions import explain_refusal

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
log = logging.getLogger(__name__)


def refuse_nul_bytes() -> None:
    """Answer 404 to a NUL byte anywhere in the query or form."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise NotFound()


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _way_back() -> str | None:
    """The page the person came from, when it is one of ours and not this one."""
    referrer = request.referrer or ""
    root = request.host_url.rstrip("/")
    path = referrer[len(root) :] if referrer.startswith(root + "/") else None
    if path and is_safe_target(path) and path != request.full_path.rstrip("?"):
        return path
    return None


def _message(error: Exception, code: int, default: str) -> str:
    if isinstance(error, CSRFError):
        return (
            f"The form expired or did not come from this site (CSRF: {error.description}) "
            "Reload the page and try again."
        )
    if code == 403 and g.get("refusal_reason"):
        return g.refusal_reason
    if code == 403 and current_user and current_user.is_authenticated:
        return explain_refusal(current_user, g.get("refused_action"))
    return default


def _render(context: dict) -> str:
    """Inside the admin layout (menu, search, account) when it can be drawn, else plain: a
    500 may come from the very database the layout needs."""
    try:
        admin = current_app.extensions["admin"][0]
        # The screen it happened on, so the menu still says where the person is (Flask-Admin
        # keeps its views in this list only).
        view = next((v for v in admin._views if v.endpoint == request.blueprint), None)
        return (view or admin.index_view).render("admin/error.html", **context)
    except Exception:
        log.exception("The error page could not be drawn in the admin layout")
        return render_template("error.html", **context)


def error_page(error: Exception):
    """Render the friendly page for an HTTP error (or an unhandled exception, as 500)."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    title, default = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    message = _message(error, code, default)
    request_id = g.get("request_id", "")
    if _wants_json():
        return jsonify(error=title, message=message, request_id=request_id), code
    context = {
        "code": code,
        "title": title,
        "message": message,
        "request_id": request_id,
        "back": _way_back(),
        "sign_in": url_for("auth.login") if code == 401 else None,
    }
    return _render(context), code


def init_app(app: Flask) -> None:
    """Register the input guard and the error pages."""
    app.before_request(refuse_nul_bytes)
    for code in PAGES:
        app.register_error_handler(code, error_page)
