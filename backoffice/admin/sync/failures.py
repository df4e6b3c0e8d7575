"""Sync failures: each failed or conflicting record with the provider's error, the payload
sent, and a Retry button (finance, admin)."""

import json
from datetime import datetime
from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import SyncProvider, SyncRecordType

from ...extensions import db
from ...redirects import is_safe_target
from ...services import audit
from ...services.errors import PermissionDenied
from ...services.permissions import Action, can
from ...services.sync import failures, records
from ...services.sync.http import dumps
from ...services.sync.mapping import PROVIDER_NAMES
from ..confirmed import flash_if_delayed
from ..secured import MAX_ID, refuse

PAGE = 50
# Where a record's own page is: invoices, credit notes and allocations live on the invoice.
RECORD_PAGES = {
    SyncRecordType.CUSTOMER: "customer.details_view",
    SyncRecordType.INVOICE: "invoice.details_view",
    SyncRecordType.CREDIT_NOTE: "invoice.details_view",
    SyncRecordType.ALLOCATION: "invoice.details_view",
    SyncRecordType.PAYMENT: "payment.details_view",
}


def pretty(payload: str | None) -> str:
    """The JSON sent, indented for reading (amounts stay exactly as sent)."""
    if not payload:
        return ""
    return dumps(json.loads(payload, parse_float=Decimal), indent=2)


class SyncFailuresView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.VIEW)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("sync failures: no access")

    @expose("/")
    def index(self):
        before = _cursor(request.args.get("before", ""))
        rows = failures.failures(db.session, current_user, before, PAGE)
        last = rows[-1] if len(rows) == PAGE else None
        return self.render(
            "admin/sync_failures.html",
            rows=rows,
            labels=failures.labels(db.session, rows),
            pages=RECORD_PAGES,
            pretty=pretty,
            next_cursor=f"{last.updated_at.isoformat()}|{last.id}" if last else None,
            can_retry=can(current_user, Action.RUN_SYNC),
        )

    @expose("/retry", methods=("POST",))
    def retry(self):
        if not can(current_user, Action.RUN_SYNC):
            refuse("sync failures: retry")
        raw = request.form.get("record_id", "")
        record_id = int(raw) if raw.isdigit() and int(raw) <= MAX_ID else 0
        record = failures.visible_record(db.session, current_user, record_id)
        if record is None:
            flash("That sync record does not exist or is not yours to see.", "error")
            return redirect(self.get_url(".index"))
        try:
            records.retry(db.session, current_user, record)
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message)
        audit.record(db.session, "sync.retry", entity=record, detail=str(record))
        db.session.commit()
        label = failures.labels(db.session, [record]).get((record.record_type, record.record_id))
        name = PROVIDER_NAMES.get(SyncProvider(record.provider), record.provider)
        flash(f"{label or str(record)} is queued for {name} again.", "success")
        flash_if_delayed()
        # Back to the record's page when asked from there (admin/_sync_state.html).
        back = request.form.get("next")
        return redirect(back if is_safe_target(back) else self.get_url(".index"))


def _cursor(text: str) -> tuple[datetime, int] | None:
    """The keyset cursor of the next page; anything malformed starts from the top."""
    stamp, _, record_id = text.partition("|")
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if when.tzinfo is None or not record_id.isdigit() or int(record_id) > MAX_ID:
        return None
    return when, int(record_id)
