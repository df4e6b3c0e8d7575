"""The admin panel at /admin: every screen behind login, roles and company scope."""

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from models import (
    AuditEvent,
    BankAccount,
    BulkRun,
    Company,
    Customer,
    CustomerCreditEntry,
    Invoice,
    NumberingSeries,
    Payment,
    Product,
    StripeEvent,
    TaxRate,
    User,
)

from ..extensions import db
from ..security_headers import csp_nonce
from .audit import AuditEventAdmin
from .bulk.runs import BulkRunAdmin
from .formatting import register_filters
from .home import HomeView
from .invoicing.invoices import InvoiceAdmin
from .invoicing.records import CustomerAdmin, ProductAdmin
from .invoicing.settings import NumberingSeriesAdmin, TaxRateAdmin
from .jobs import JobsView
from .payments.bank_accounts import BankAccountAdmin
from .payments.card_events import StripeEventAdmin
from .payments.credit_ledger import CustomerCreditAdmin
from .payments.payment_list import PaymentAdmin
from .payments.reconciliation import ReconciliationView
from .reports.view import ReportsView
from .search.view import SearchView
from .security.account import AccountView
from .security.users import UserAdmin
from .settings import CompanyAdmin
from .sync.connections import AccountingView
from .sync.export import AccountingExportView
from .sync.failures import SyncFailuresView


def init_app(app: Flask) -> None:
    """Mount the admin with its screens, in menu order."""
    register_filters(app)
    admin = Admin(
        app,
        name="Back office",
        index_view=HomeView(url="/admin", name="Home"),
        theme=Bootstrap4Theme(swatch="cosmo", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    # Flask-Admin probes db.session while adding views, which needs an app context.
    with app.app_context():
        admin.add_views(
            InvoiceAdmin(Invoice, db, name="Invoices", endpoint="invoice"),
            BulkRunAdmin(BulkRun, db, category="Records", name="Bulk runs", endpoint="bulkrun"),
            CustomerAdmin(Customer, db, category="Records", endpoint="customer"),
            ProductAdmin(Product, db, category="Records", endpoint="product"),
            PaymentAdmin(Payment, db, category="Records", endpoint="payment"),
            CustomerCreditAdmin(
                CustomerCreditEntry,
                db,
                category="Records",
                name="Customer credit",
                endpoint="customercredit",
            ),
            ReconciliationView(
                name="Bank reconciliation", category="Records", endpoint="bank", url="bank"
            ),
            ReportsView(name="Reports", endpoint="reports", url="/admin/reports"),
            StripeEventAdmin(
                StripeEvent, db, category="Records", name="Card events", endpoint="stripeevent"
            ),
            CompanyAdmin(Company, db, category="Settings", endpoint="company"),
            UserAdmin(User, db, category="Settings", endpoint="user"),
            BankAccountAdmin(
                BankAccount, db, category="Settings", name="Bank accounts", endpoint="bankaccount"
            ),
            TaxRateAdmin(TaxRate, db, category="Settings", name="Tax rates", endpoint="taxrate"),
            NumberingSeriesAdmin(
                NumberingSeries,
                db,
                category="Settings",
                name="Numbering series",
                endpoint="numberingseries",
            ),
            AccountingView(
                name="Accounting", category="Settings", endpoint="accounting", url="accounting"
            ),
            AccountingExportView(
                name="Accounting export",
                category="Settings",
                endpoint="accounting_export",
                url="accounting-export",
            ),
            AuditEventAdmin(AuditEvent, db, name="Audit", endpoint="auditevent"),
            JobsView(name="Jobs", endpoint="jobs"),
            SyncFailuresView(
                name="Sync failures", category="Records", endpoint="sync_failures", url="sync"
            ),
            AccountView(name="Account", endpoint="account"),
            SearchView(name="Search", endpoint="search"),
        )
