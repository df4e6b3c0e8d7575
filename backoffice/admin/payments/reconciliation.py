"""The reconciliation screen: import a statement, then confirm, split, book or ignore its
lines (finance, admin; the user's companies only). Each POST calls one service and commits."""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import Payment

from ...extensions import db
from ...redirects import is_safe_target
from ...services.errors import DomainError, PermissionDenied
from ...services.money import format_money
from ...services.payments.bank import importing, listing, reconciliation
from ...services.permissions import Action, can
from ..secured import MAX_ID, refuse

PAGE = 50
SPLIT_ROWS = 3
STATE_LABELS = {
    "open": "Open (unmatched and proposed)",
    "proposed": "Proposed",
    "unmatched": "Unmatched",
    "booked": "Booked",
    "ignored": "Ignored",
    "all": "All",
}


def _id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 0 < int(text) <= MAX_ID else None


def _cursor(text: str) -> tuple[date, int] | None:
    """The keyset cursor of the next page; anything malformed starts from the top."""
    day, _, line_id = text.partition("|")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return None
    number = _id(line_id)
    return (when, number) if number else None


def _booked(payments: list[Payment]) -> str:
    return "Booked " + ", ".join(
        f"{format_money(p.amount, p.invoice.currency)} on {p.invoice.reference}" for p in payments
    )


class ReconciliationView(BaseView):
    """Money screen: support and managers are refused like on the payment forms."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.RECORD_PAYMENT)

    def inaccessible_callback(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            if request.method != "GET":
                return redirect(url_for("auth.login"))
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("bank reconciliation: no access", Action.RECORD_PAYMENT)

    def _back(self):
        target = request.form.get("back", "")
        return redirect(target if is_safe_target(target) else self.get_url(".index"))

    def _run(self, act: Callable[[], str]):
        """Run one decision, commit, and say what happened (or why not)."""
        try:
            done = act()
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message, reason=exc.message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(done, "success")
        return self._back()

    def _line(self, line_id: int):
        line = listing.visible_line(db.session, current_user, line_id)
        if line is None:
            raise DomainError("That bank line does not exist or is not yours to see.")
        return line

    @expose("/")
    def index(self):
        args = request.args
        state = args.get("state", "open")
        wanted = listing.LineFilter(
            state=state if state in listing.STATE_FILTERS else "open",
            account_id=_id(args.get("account")),
            before=_cursor(args.get("before", "")),
        )
        rows = listing.lines(db.session, current_user, wanted, PAGE)
        last = rows[-1] if len(rows) == PAGE else None
        return self.render(
            "admin/bank_reconciliation.html",
            rows=rows,
            wanted=wanted,
            accounts=listing.visible_accounts(db.session, current_user),
            states=STATE_LABELS,
            formats=importing.FORMATS,
            split_rows=range(SPLIT_ROWS),
            next_cursor=f"{last.booking_date.isoformat()}|{last.id}" if last else None,
            # A line opened again by a reversal offers what is left of it, not all of it
            # (asked only for such lines: a booked one shows no form).
            left={
                line.id: reconciliation.left_to_book(db.session, line)
                for line in rows
                if line.payments and line.state in listing.STATE_FILTERS["open"]
            },
            back=request.full_path.rstrip("?"),
        )

    @expose("/upload", methods=("POST",))
    def upload(self):
        def act() -> str:
            account_id = _id(request.form.get("account_id"))
            accounts = listing.visible_accounts(db.session, current_user)
            account = next((a for a in accounts if a.id == account_id), None)
            if account is None:
                raise DomainError("Choose one of your bank accounts.")
            upload = request.files.get("file")
            data = upload.read(importing.MAX_FILE_BYTES + 1) if upload else b""
            fmt = request.form.get("format") or None
            summary = importing.import_statement(db.session, current_user, account, data, fmt)
            name = upload.filename if upload else "the file"
            return f"{name}: {summary}."

        return self._run(act)

    @expose("/confirm/<int:proposal_id>", methods=("POST",))
    def confirm(self, proposal_id: int):
        def act() -> str:
            proposal = listing.visible_proposal(db.session, current_user, proposal_id)
            if proposal is None:
                raise DomainError("That proposal does not exist or is not yours to see.")
            excess = request.form.get("excess_to_credit") == "1"
            payments = reconciliation.confirm(db.session, current_user, proposal, excess)
            return _booked(payments)

        return self._run(act)

    @expose("/confirm-exact", methods=("POST",))
    def confirm_exact(self):
        booked, skipped = reconciliation.confirm_all_exact(db.session, current_user)
        db.session.commit()
        flash(f"Booked {booked} line(s) with an exact match.", "success")
        for message in skipped:
            flash(f"Not booked: {message}", "warning")
        return self._back()

    @expose("/book/<int:line_id>", methods=("POST",))
    def book(self, line_id: int):
        def act() -> str:
            form = request.form
            rows = list(zip(form.getlist("invoice"), form.getlist("amount"), strict=False))
            excess = form.get("excess_to_credit") == "1"
            line = self._line(line_id)
            payments = reconciliation.book_by_hand(db.session, current_user, line, rows, excess)
            return _booked(payments)

        return self._run(act)

    @expose("/ignore/<int:line_id>", methods=("POST",))
    def ignore(self, line_id: int):
        def act() -> str:
            line = self._line(line_id)
            reconciliation.ignore(db.session, current_user, line, request.form.get("reason", ""))
            return f"{line} is ignored: {line.ignore_reason}"

        return self._run(act)

    @expose("/unignore/<int:line_id>", methods=("POST",))
    def unignore(self, line_id: int):
        def act() -> str:
            line = self._line(line_id)
            reconciliation.undo_ignore(db.session, current_user, line)
            return f"{line} is {line.state} again."

        return self._run(act)
