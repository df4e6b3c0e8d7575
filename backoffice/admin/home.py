"""The home page: how many invoices are drafts, open, overdue and paid."""

from datetime import date

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select

from models import Invoice, InvoiceKind, InvoiceStatus

from ..database import read_session
from ..services.invoicing.status import UNPAID_OPEN, overdue_clause
from ..services.scoping import in_companies, scoped


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        scope = in_companies(Invoice.company_id)
        query = select(Invoice.status, func.count()).where(Invoice.kind == InvoiceKind.INVOICE)
        query = scoped(query, current_user, scope).group_by(Invoice.status)
        # Figures for a glance, not for a decision: a replica a moment behind will do.
        session = read_session()
        counts = dict(session.execute(query).all())
        overdue_query = scoped(
            select(func.count()).where(overdue_clause(date.today())), current_user, scope
        )
        figures = [
            ("Drafts", counts.get(InvoiceStatus.DRAFT, 0)),
            ("Open", sum(counts.get(status, 0) for status in UNPAID_OPEN)),
            ("Overdue", session.scalar(overdue_query)),
            ("Paid", counts.get(InvoiceStatus.PAID, 0)),
        ]
        return self.render("admin/index.html", figures=figures)
