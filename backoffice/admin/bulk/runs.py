"""Bulk runs: the list, and each run's page with its progress, Cancel, summary and ZIP."""

import io
from typing import Any

from flask import abort, flash, jsonify, redirect, send_file
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup

from models import BulkItemState, BulkKind, BulkRun

from ...extensions import db, document_store
from ...services.bulk import progress, runs
from ...services.errors import DomainError
from ...services.permissions import Action
from ..secured import SecuredModelView


def run_link(view: Any, context: Any, model: BulkRun, name: str) -> Markup:
    """The run's number, opening its page."""
    return Markup('<a href="{}">Run {}</a>').format(
        view.get_url(".details_view", id=model.id), model.id
    )


class BulkRunAdmin(SecuredModelView):
    """Finance and admins follow the runs they started here; nothing is edited by hand."""

    view_permission = Action.RUN_BULK
    export_permission = None
    endpoint_actions = {"cancel_view": Action.RUN_BULK}
    details_template = "admin/bulk_run.html"
    column_list = [
        "id",
        "kind",
        "company",
        "created_by",
        "state",
        "total_count",
        "done_count",
        "failed_count",
        "created_at",
    ]
    column_labels = {
        "id": "Run",
        "created_by": "Started by",
        "total_count": "Invoices",
        "done_count": "Done",
        "failed_count": "Failed",
        "created_at": "Started",
    }
    column_formatters = {
        "id": run_link,
        "kind": lambda view, context, model, name: progress.WHAT[BulkKind(model.kind)][0],
    }
    column_filters = ["kind", "state", "created_at"]
    column_sortable_list = ["created_at"]
    column_default_sort = ("created_at", True)

    @expose("/progress/<int:run_id>")
    def progress_view(self, run_id: int):
        """The progress bar's figures as JSON, polled by the run's page while it works."""
        run = self.get_one(run_id)  # scoped: another company's run is not found
        if run is None:
            abort(404)
        response = jsonify(progress.figures(run) | {"summary": progress.summary(db.session, run)})
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/cancel/<int:run_id>", methods=("POST",))
    def cancel_view(self, run_id: int):
        run = self.get_one(run_id)
        if run is None:
            flash("That run does not exist or is not yours to see.", "error")
            return redirect(self.get_url(".index_view"))
        try:
            runs.request_cancel(db.session, current_user, run)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash("Cancel asked: the run stops before its next invoice.", "success")
        return redirect(self.get_url(".details_view", id=run_id))

    @expose("/archive/<int:run_id>")
    def archive_view(self, run_id: int):
        run = self.get_one(run_id)
        if run is None or run.archive_key is None:
            flash("That ZIP is not ready (or not yours to see).", "error")
            return redirect(self.get_url(".index_view"))
        return send_file(
            io.BytesIO(document_store().get(run.archive_key)),
            mimetype="application/zip",
            as_attachment=True,
            download_name=f"invoices-run-{run.id}.zip",
        )

    def inaccessible_callback(self, name: str, **kwargs: Any):
        if name == "progress_view" and not current_user.is_authenticated:
            abort(401)  # asked by the page's script: a login page would not help it
        return super().inaccessible_callback(name, **kwargs)

    def render(self, template: str, **kwargs: Any) -> str:
        run = kwargs.get("model")
        if isinstance(run, BulkRun):
            failed, failed_total = progress.problems(db.session, run, BulkItemState.FAILED)
            skipped, skipped_total = progress.problems(db.session, run, BulkItemState.SKIPPED)
            kwargs.update(
                title=progress.title(run),
                figures=progress.figures(run),
                summary=progress.summary(db.session, run),
                failed=failed,
                failed_total=failed_total,
                skipped=skipped,
                skipped_total=skipped_total,
            )
        return super().render(template, **kwargs)
