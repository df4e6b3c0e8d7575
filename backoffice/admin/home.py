"""The home page: the dashboard of the user's company, for every role."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from ..database import read_session
from ..services.errors import DomainError, PermissionDenied
from ..services.reports.periods import parse_month
from .reports import charts, dashboard
from .reports.choices import visible_companies
from .reports.drilldown import drill_url
from .secured import refuse


def _company(text: str, companies: list) -> int:
    if not text:
        return companies[0].id
    if text.isdigit() and len(text) < 10:
        return int(text)
    raise DomainError(f"Company {text!r} is not one of the listed companies.", "company")


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        # Figures for a glance: a replica a moment behind will do.
        session, today = read_session(), date.today()
        companies = visible_companies(session, current_user)
        if not companies:
            flash("You have access to no company yet: ask an admin to grant you one.", "info")
            return self.render("admin/index.html", board=None, companies=companies)
        try:
            company_id = _company(request.args.get("company", "").strip(), companies)
            month = parse_month(request.args.get("month", ""), today)
            board = dashboard.build(session, current_user, company_id, month, today)
        except PermissionDenied as exc:
            refuse(exc.message)
        except DomainError as exc:
            flash(exc.message, "error")
            return self.render("admin/index.html", board=None, companies=companies), 400
        return self.render(
            "admin/index.html",
            board=board,
            companies=companies,
            today=today,
            # Half a page wide: drawn smaller so their labels stay readable.
            revenue_chart=charts.revenue_chart(board.revenue, 600) if board.revenue else None,
            aging_chart=charts.aging_chart(board.receivables, 600),
            link=lambda drill: drill_url(drill, company_id),
            outstanding_drill=dashboard.outstanding_drill,
            customer_drill=dashboard.customer_drill,
        )
