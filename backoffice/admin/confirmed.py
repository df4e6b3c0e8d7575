"""Invoice actions as confirmed POSTs: scoped lookup, the version the user saw, one commit.

CSRF is checked globally and the role by the view's endpoint_actions; the service checks again.
"""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request

from models import Invoice

from ..extensions import db
from ..services import work
from ..services.errors import DomainError, PermissionDenied
from ..services.locking import lock_invoice
from .secured import refuse


def form_version() -> int:
    """The invoice version the page showed, sent back by every action form."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise DomainError("The form is incomplete; reload the invoice and try again.") from None


def flash_if_delayed() -> None:
    """Say so when the queue was unreachable at commit: the work waits for the relay."""
    if work.take_delayed(db.session):
        flash(
            "The job queue is unreachable just now: the PDF and any email wait in the database "
            "and go out by themselves as soon as it is back.",
            "warning",
        )


class ConfirmedActionsMixin:
    """Runs an action on one invoice for a model view that offers get_one and get_url."""

    def run_confirmed(
        self,
        invoice_id: int,
        act: Callable[[Invoice], Any],
        done: str | Callable[[Invoice, Any], str],
        version: int | None = None,
        *,
        check_version: bool = True,
    ):
        """Lock the invoice at the version shown, act, commit, and say what happened.

        version: the version the caller just saved, else the one the action's form carries.
        check_version=False for actions whose service refuses a repeat by itself, so that a
        page left open while the invoice moved on (its email was delivered) still works.
        """
        invoice = self.get_one(invoice_id)
        if invoice is None:
            flash("That invoice does not exist or is not yours to see.", "error")
            return redirect(self.get_url(".index_view"))
        details = redirect(self.get_url(".details_view", id=invoice.id))
        try:
            expected = None
            if check_version:
                expected = form_version() if version is None else version
            lock_invoice(db.session, invoice, expected_version=expected)
            result = act(invoice)
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message, reason=exc.message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return details
        said = (
            done(invoice, result) if callable(done) else done.format(invoice=invoice, result=result)
        )
        flash(said, "success")
        flash_if_delayed()
        if isinstance(result, Invoice) and result.id != invoice.id:
            return redirect(self.get_url(".details_view", id=result.id))
        return details
