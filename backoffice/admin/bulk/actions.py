"""The invoice list's bulk actions: each starts a run (one per company) and opens its page."""

from collections.abc import Callable
from datetime import date

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_login import current_user

from models import BulkKind, BulkRun

from ...extensions import db
from ...services.bulk import runs
from ...services.errors import DomainError, PermissionDenied
from ...services.permissions import Action, can
from ..confirmed import flash_if_delayed
from ..secured import refuse

# Flask-Admin's action names (the list's "With selected" menu) and what each starts.
ACTION_KINDS = {
    "bulk_issue": BulkKind.ISSUE,
    "bulk_send": BulkKind.SEND,
    "bulk_zip": BulkKind.ZIP,
}


def may_start(kind: BulkKind) -> bool:
    """Whether the signed-in user may start a run of this kind."""
    return can(current_user, Action.RUN_BULK) and can(current_user, runs.KIND_ACTIONS[kind])


class BulkActionsMixin:
    """Mixed into InvoiceAdmin; role checks come from its endpoint_actions and, for the list's
    actions, from is_action_allowed (Flask-Admin's own actions check nothing)."""

    bulk_actions = {"send_unsent_view": Action.RUN_BULK}

    def is_action_allowed(self, name: str) -> bool:
        kind = ACTION_KINDS.get(name)
        return kind is not None and may_start(kind)

    def may_send_unsent(self) -> bool:
        return may_start(BulkKind.SEND_UNSENT)

    @action(
        "bulk_issue",
        "Issue selected drafts",
        "Issue the selected drafts? Each gets the next number, in draft-date order.",
    )
    def bulk_issue(self, ids: list[str]):
        return self._start(lambda today: runs.start_runs(*self._who(), BulkKind.ISSUE, ids, today))

    @action(
        "bulk_send",
        "Send selected invoices",
        "Email the selected issued invoices to their customers?",
    )
    def bulk_send(self, ids: list[str]):
        return self._start(lambda today: runs.start_runs(*self._who(), BulkKind.SEND, ids, today))

    @action("bulk_zip", "Download selected PDFs (ZIP)")
    def bulk_zip(self, ids: list[str]):
        return self._start(lambda today: runs.start_runs(*self._who(), BulkKind.ZIP, ids, today))

    @expose("/send-unsent/", methods=("POST",))
    def send_unsent_view(self):
        return self._start(lambda today: runs.start_send_unsent(*self._who(), today))

    @staticmethod
    def _who() -> tuple:
        return db.session, current_user

    def _start(self, start: Callable[[date], list[BulkRun]]):
        try:
            started = start(date.today())
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message, reason=exc.message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(self.get_url(".index_view"))
        flash_if_delayed()
        if len(started) == 1:
            return redirect(url_for("bulkrun.details_view", id=started[0].id))
        flash(f"Started {len(started)} runs, one per company.", "success")
        return redirect(url_for("bulkrun.index_view"))
