"""Settings > Accounting export: a company's invoices and credit notes of a period as the CSV
Xero or QuickBooks Online imports, for companies without an API connection (finance, admin)."""

from datetime import date

from flask import Response, flash, redirect, request, stream_with_context, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import select

from models import Company

from ...database import read_session
from ...services.errors import DomainError
from ...services.permissions import Action, can
from ...services.scoping import in_companies, scoped
from ...services.sync import export
from ...services.sync.mapping import PROVIDER_NAMES
from ..secured import MAX_ID, refuse


def _day(name: str, label: str) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        raise DomainError(f"Give the {label} date as YYYY-MM-DD.", name) from None


class AccountingExportView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and can(current_user, Action.RUN_SYNC)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("accounting export: no access")

    @expose("/")
    def index(self):
        session = read_session()
        companies = list(
            session.scalars(
                scoped(select(Company), current_user, in_companies(Company.id)).order_by(
                    Company.name
                )
            )
        )
        if "provider" not in request.args:
            return self._form(companies)
        try:
            raw = request.args.get("company_id", "")
            company_id = int(raw) if raw.isdigit() and int(raw) <= MAX_ID else 0
            company = next((c for c in companies if c.id == company_id), None)
            if company is None:
                raise DomainError("Choose one of your companies.", "company_id")
            checked = export.prepare(
                session,
                company,
                request.args["provider"],
                _day("start", "first"),
                _day("end", "last"),
            )
        except DomainError as exc:
            flash(exc.message, "error")
            return self._form(companies)
        chunks = export.csv_chunks(export.rows(session, checked))
        response = Response(stream_with_context(chunks), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{checked.filename}"'
        return response

    def _form(self, companies: list[Company]):
        return self.render(
            "admin/accounting_export.html",
            companies=companies,
            providers={name: PROVIDER_NAMES[name] for name in export.FORMATS},
            args=request.args,
        )
