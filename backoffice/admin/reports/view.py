"""The report screens: /admin/reports/<name>, with ?format=csv or xlsx for the same table."""

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from ...database import read_session
from ...services.errors import DomainError, PermissionDenied
from ...services.permissions import Action, can
from ...services.reports.documents import open_books
from ...services.reports.exports import to_csv, to_xlsx
from ...services.reports.tables import Table
from ..secured import refuse
from .cache import cached, figures_key
from .catalogue import REPORTS, Report
from .cells import figure
from .choices import Choice, parse_choice, presets, visible_companies
from .drilldown import drill_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(table: Table, name: str, choice: Choice, kind: str) -> Response:
    filename = f"{name}-{choice.company_id}-{choice.period.key()}.{kind}"
    if kind == "csv":
        # A byte-order mark so Excel reads the UTF-8 names right.
        response = Response("\ufeff" + to_csv(table), mimetype="text/csv")
    else:
        response = Response(to_xlsx(table), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReportsView(BaseView):
    """Finance, managers and admins; support is refused every report URL, exports included."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.VIEW_REPORTS)

    def inaccessible_callback(self, name: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("reports: no access")

    @expose("/")
    def index(self):
        return self.render("admin/reports/index.html", reports=REPORTS.values())

    @expose("/<report_name>")
    def report(self, report_name: str):
        report = REPORTS.get(report_name) or abort(404)
        session, today = read_session(), date.today()
        companies = visible_companies(session, current_user)
        kind = request.args.get("format", "html")
        try:
            if kind not in ("html", "csv", "xlsx"):
                raise DomainError("Export as csv or xlsx.", "format")
            choice = parse_choice(
                request.args,
                companies,
                today,
                report.default_period,
                report.grains,
                report.all_time,
            )
            if kind != "html" or not report.paged:
                choice = replace(choice, page=None if report.paged else 1)
            # Role and company are checked before the cache is asked: it is shared.
            open_books(session, current_user, choice.company_id)
            key = figures_key(
                report.name, choice.company_id, choice.period, choice.grain, today, choice.page
            )
            figures = cached(key, lambda: report.compute(session, current_user, choice, today))
        except PermissionDenied as exc:
            refuse(exc.message)
        except DomainError as exc:
            flash(exc.message, "error")
            return self._page(report, companies), 400
        table = report.table(figures)
        if kind != "html":
            return _download(table, report_name, choice, kind)
        chart = report.chart(figures) if report.chart else None
        return self._page(report, companies, choice, table, chart)

    def _page(
        self,
        report: Report,
        companies: list,
        choice: Choice | None = None,
        table: Table | None = None,
        chart: str | None = None,
    ) -> str:
        return self.render(
            "admin/reports/report.html",
            report=report,
            reports=REPORTS.values(),
            choice=choice,
            table=table,
            chart=chart,
            companies=companies,
            presets=presets(report.all_time),
            figure=figure,
            # A zero would open an empty list: no link.
            link=lambda cell: (
                drill_url(cell.drill, choice.company_id) if cell.drill and cell.value else None
            ),
            export_url=lambda kind: url_for(
                ".report", report_name=report.name, format=kind, **choice.args()
            ),
            page_url=lambda number: url_for(
                ".report", report_name=report.name, page=number, **choice.args()
            ),
        )
