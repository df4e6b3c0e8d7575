"""Work a bulk run: each invoice in its own transaction, checking for a cancel between them."""

import logging
from datetime import date

from flask import current_app

from backoffice.extensions import document_store
from backoffice.services.bulk import archive, working
from backoffice.services.bulk.steps import Tools
from backoffice.services.payments.card.gateway import StripeSettings
from models import BulkKind, BulkState

from .context import is_last_attempt, job_session, pdf_renderer

log = logging.getLogger(__name__)


def run_bulk(run_id: int) -> str:
    """Work the run's invoices that are not done yet; a rerun (crash, relay) goes on from there.

    A failure leaves the finished items finished and raises, so RQ retries; when no retry is
    left, the run shows as stopped with the reason.
    """
    try:
        return _work(run_id)
    except Exception as exc:
        if is_last_attempt():
            with job_session() as session:
                working.stop(session, run_id, f"{type(exc).__name__}: {exc}")
                session.commit()
        raise


def _work(run_id: int) -> str:
    with job_session() as session:
        run = working.begin(session, run_id)
        kind = BulkKind(run.kind) if run is not None else None
        session.commit()
    if kind is None:
        return "nothing to do"
    tools = Tools(
        today=date.today(),
        store=document_store(),
        renderer=pdf_renderer(),
        stripe=StripeSettings.from_config(current_app.config),
    )
    worked = 0
    # One session for the loop, one transaction per invoice: what the last invoice loaded
    # (the clerk, the company, a customer) stays loaded for the next.
    with job_session() as session:
        while working.work_next(session, run_id, tools):
            session.commit()
            worked += 1
        session.commit()
    with job_session() as session:
        run = working.finish(session, run_id)
        # Built in the closing transaction: a crash while zipping leaves the run to be resumed.
        if kind == BulkKind.ZIP and run.state == BulkState.FINISHED and run.archive_key is None:
            run.archive_key = archive.build_archive(session, tools.store, run)
        session.commit()
        log.info("Bulk run %s: %s after %d invoice(s)", run_id, run.state, worked)
        return run.state
