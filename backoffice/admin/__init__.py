"""The admin panel at /admin: every screen behind login, roles and company scope."""

from datetime import date

from flask import Flask, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from sqlalchemy import func, select

from models import Invoice, InvoiceKind, InvoiceStatus

from ..extensions import db
from ..services.permissions import visible_company_ids
from ..services.status import UNPAID_OPEN, overdue_clause
from . import views
from .formatting import register_filters
from .invoices import InvoiceAdmin
from .jobs import JobsView


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        query = select(Invoice.status, func.count()).where(Invoice.kind == InvoiceKind.INVOICE)
        company_ids = visible_company_ids(current_user)
        if company_ids is not None:
            query = query.where(Invoice.company_id.in_(company_ids))
        counts = dict(db.session.execute(query.group_by(Invoice.status)).all())
        overdue_query = select(func.count()).where(overdue_clause(date.today()))
        if company_ids is not None:
            overdue_query = overdue_query.where(Invoice.company_id.in_(company_ids))
        figures = [
            ("Drafts", counts.get(InvoiceStatus.DRAFT, 0)),
            ("Open", sum(counts.get(status, 0) for status in UNPAID_OPEN)),
            ("Overdue", db.session.scalar(overdue_query)),
            ("Paid", counts.get(InvoiceStatus.PAID, 0)),
        ]
        return self.render("admin/index.html", figures=figures)


def init_app(app: Flask) -> None:
    """Mount the admin with its screens."""
    register_filters(app)
    admin = Admin(
        app,
        name="Back office",
        index_view=HomeView(url="/admin", name="Home"),
        theme=Bootstrap4Theme(swatch="cosmo", fluid=True),
    )
    # Flask-Admin probes db.session while adding views, which needs an app context.
    with app.app_context():
        admin.add_view(InvoiceAdmin(Invoice, db, name="Invoices", endpoint="invoice"))
        views.register(admin)
        admin.add_view(JobsView(name="Jobs", endpoint="jobs"))
