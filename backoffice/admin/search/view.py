"""GET /admin/search/?q=...: the hits of services.search as JSON, with the screen to open each."""

from pathlib import Path

from flask import abort, jsonify, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from ...extensions import db
from ...services.permissions import Action, can
from ...services.scoping import visible_company_ids
from ...services.search.global_search import Results, search
from ..secured import refuse

# The box's script, served by this view's blueprint (the app itself has no static folder).
SCRIPTS = Path(__file__).resolve().parents[2] / "assets" / "js"


class SearchView(BaseView):
    def __init__(self, **kwargs) -> None:
        super().__init__(static_folder=str(SCRIPTS), static_url_path="/static", **kwargs)

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.VIEW)

    def is_visible(self) -> bool:
        return False  # the box in the top bar, not a menu entry

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            abort(401)  # asked by a script: a login page would not help it
        refuse("search: no access")

    @expose("/")
    def index(self):
        results = search(db.session, visible_company_ids(current_user), request.args.get("q", ""))
        response = jsonify(_as_json(results))
        # Customers' names and addresses: never kept by a browser or a proxy.
        response.headers["Cache-Control"] = "no-store"
        return response


def _as_json(results: Results) -> dict:
    return {
        "message": results.message,
        "groups": [
            {
                "title": group.title,
                "hits": [
                    {
                        "label": hit.label,
                        "detail": hit.detail,
                        "url": url_for(f"{hit.record}.details_view", id=hit.record_id),
                    }
                    for hit in group.hits
                ],
            }
            for group in results.groups
        ],
    }
