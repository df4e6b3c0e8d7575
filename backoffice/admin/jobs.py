"""The jobs screen: what the queues hold, and failed jobs with their error and a Retry button."""

import logging
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)

from ..extensions import db
from ..services import audit
from ..services.job_titles import job_titles
from ..services.permissions import Action, can
from ..services.scoping import may_see_company
from .secured import refuse

REGISTRIES = {
    "started": StartedJobRegistry,
    "scheduled": ScheduledJobRegistry,
    "deferred": DeferredJobRegistry,
    "finished": FinishedJobRegistry,
    "failed": FailedJobRegistry,
}
FAILED_SHOWN = 200
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FailedJob:
    id: str
    title: str  # what it does, e.g. "Email INV-2026-000257 to accounts@…"
    queue: str
    error: str
    ended_at: str
    invoice_id: int | None


def _last_line(exc_info: str | None) -> str:
    lines = [line for line in (exc_info or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no error recorded)"


class JobsView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.VIEW)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("jobs: no access", Action.VIEW)

    def _dispatcher(self):
        # The app's own: the Redis its jobs go to, and the queues its registry names.
        return current_app.extensions["dispatcher"]

    @expose("/")
    def index(self):
        try:
            counts, failed = self._queues()
        except RedisError as exc:
            log.warning("Jobs screen without Redis: %s", exc)
            counts, failed = [], []
            flash(
                "The job queue (Redis) is unreachable, so queue counts and failed jobs cannot be "
                "shown. Nothing is lost: invoices and emails wait in the database and a worker "
                "relays them once Redis is back.",
                "error",
            )
        return self.render(
            "admin/jobs.html",
            counts=counts,
            failed=failed,
            can_retry=can(current_user, Action.RETRY_JOBS),
        )

    def _queues(self) -> tuple[list[dict], list[FailedJob]]:
        connection = self._dispatcher().connection
        counts = []
        jobs: list[tuple[Job, str]] = []
        for name in self._dispatcher().queue_names:
            queue = Queue(name, connection=connection)
            row = {"queue": name, "queued": queue.count}
            for label, registry in REGISTRIES.items():
                row[label] = registry(queue=queue).count
            counts.append(row)
            failed_ids = FailedJobRegistry(queue=queue).get_job_ids(0, FAILED_SHOWN - 1)
            for job in Job.fetch_many(failed_ids, connection=connection):
                if job is not None and self._may_see(job):
                    jobs.append((job, name))
        titles = job_titles(db.session, [(job.func_name, job.args) for job, _ in jobs])
        return counts, [
            self._describe(job, queue, title)
            for (job, queue), title in zip(jobs, titles, strict=True)
        ]

    def _may_see(self, job: Job) -> bool:
        return may_see_company(current_user, job.meta.get("company_id"))

    @staticmethod
    def _describe(job: Job, queue: str, title: str) -> FailedJob:
        return FailedJob(
            id=job.id,
            title=title,
            queue=queue,
            error=_last_line(result.exc_string if (result := job.latest_result()) else None),
            ended_at=job.ended_at.strftime("%Y-%m-%d %H:%M UTC") if job.ended_at else "",
            invoice_id=job.meta.get("invoice_id"),
        )

    @expose("/retry", methods=("POST",))
    def retry(self):
        if not can(current_user, Action.RETRY_JOBS):
            refuse("jobs: retry", Action.RETRY_JOBS)
        job_id = request.form.get("job_id", "")
        connection = self._dispatcher().connection
        try:
            job = Job.fetch(job_id, connection=connection)
        except NoSuchJobError:
            abort(404)
        if not self._may_see(job):
            abort(404)
        FailedJobRegistry(job.origin, connection=connection).requeue(job_id)
        [title] = job_titles(db.session, [(job.func_name, job.args)])
        audit.record(
            db.session, "job.retry", detail=f"Retry: {title}", company_id=job.meta.get("company_id")
        )
        db.session.commit()
        flash(f"{title}: queued again.", "success")
        return redirect(self.get_url(".index"))
