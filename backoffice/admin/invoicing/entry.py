"""Quick invoice entry: the draft form's JSON helpers, and Issue / Issue & send from the form.

The helpers answer what the form needs while it is typed (a customer's terms, a product's
line, the figures of the lines as they stand) from the services, so the browser never
computes a rule itself. Each is checked like the form: the draft permission, the user's
companies, and CSRF on the POST.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, g, jsonify, request
from flask_admin import expose
from flask_login import current_user
from markupsafe import escape
from wtforms.validators import DataRequired, InputRequired

from models import Customer, Invoice, Product

from ...extensions import db
from ...services.delivery import outbox
from ...services.errors import DomainError, PermissionDenied
from ...services.invoicing import entry_defaults, exchange_rates, lifecycle, vat_categories
from ...services.invoicing.preview import Preview, preview
from ...services.money import format_amount, format_money, format_plain, is_currency
from ...services.permissions import Action, can
from ..confirmed import ConfirmedActionsMixin
from ..secured import MAX_ID, refuse, scoped_query

# What the form's issue buttons do after saving, and the roles each needs (checked before
# anything is saved, so a refused request changes nothing).
THEN = {"issue": (Action.ISSUE,), "issue_send": (Action.ISSUE, Action.SEND)}


def _bad(message: str, status: int = 400, field: str | None = None):
    return jsonify(error=message, field=field), status


def _visible(model: type, raw: Any) -> Any:
    """The row of the user's companies with this id, or None (another company's: None too)."""
    text = str(raw or "")
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        return None
    return scoped_query(model)().filter(model.id == int(text)).one_or_none()


def _no_store(response):
    # Customers' terms and amounts: never kept by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def currency_optional(form: Any) -> Any:
    # Flask-Admin makes NOT NULL columns required (the red mark and the browser's check); an
    # empty currency means the customer's, as the help text says.
    form.currency.flags.required = False
    form.currency.validators = [
        v for v in form.currency.validators if not isinstance(v, DataRequired | InputRequired)
    ]
    return form


def ask_for_rate(form: Any, invoice: Invoice) -> None:
    """Say on the form which rate a foreign-currency draft needs, and which one to try."""
    base = invoice.company.base_currency
    if not exchange_rates.needs_rate(invoice.currency, base):
        return
    text = f"Needed to issue in {invoice.currency}: {base} per 1 {invoice.currency}."
    suggestion = exchange_rates.suggested_rate(db.session, invoice.company_id, invoice.currency)
    if suggestion is not None:
        text += f" Suggested {format_plain(suggestion.rate)}: {suggestion.source()}."
    form.exchange_rate.description = escape(text)  # Flask-Admin prints help text unescaped


class EntryMixin(ConfirmedActionsMixin):
    """Endpoints mixed into InvoiceAdmin; role checks come from its endpoint_actions."""

    entry_actions = {
        "preview_view": Action.EDIT_DRAFT,
        "customer_defaults_view": Action.EDIT_DRAFT,
        "product_line_view": Action.EDIT_DRAFT,
    }

    @expose("/preview/", methods=("POST",))
    def preview_view(self):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _bad("Send the draft as a JSON object.")
        lines = body.get("lines")
        if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
            return _bad("lines must be a list of lines, each an object of its fields.")
        if not body.get("customer"):
            return _bad(
                "Choose a customer: the figures depend on their currency.", field="customer"
            )
        customer = _visible(Customer, body.get("customer"))
        if customer is None:
            return _bad("That customer does not exist or is not yours to see.", 404, "customer")
        draft = None
        if body.get("invoice"):
            draft = self.get_one(body["invoice"])
            if draft is None or not draft.is_draft:
                return _bad("That draft does not exist or is not yours to edit.", 404, "invoice")
        currency = body.get("currency")
        try:
            shown = preview(
                db.session,
                current_user,
                customer,
                currency=currency if isinstance(currency, str) else None,
                lines=lines,
                exchange_rate=str(body.get("exchange_rate") or ""),
                draft=draft,
            )
        except PermissionDenied as exc:
            refuse(exc.message)
        except DomainError as exc:
            return _bad(exc.message, field=exc.field)
        return _no_store(jsonify(_preview_json(shown)))

    @expose("/customer-defaults/")
    def customer_defaults_view(self):
        customer = _visible(Customer, request.args.get("customer"))
        if customer is None:
            return _bad("That customer does not exist or is not yours to see.", 404, "customer")
        typed = request.args.get("issue_date", "").strip()
        try:
            issue_date = date.fromisoformat(typed) if typed else date.today()
        except ValueError:
            return _bad(f"Issue date {typed!r}: use a date such as 2026-12-02.", field="issue_date")
        filled = entry_defaults.customer_defaults(customer, issue_date)
        return _no_store(
            jsonify(
                currency=filled.currency,
                payment_terms_days=filled.payment_terms_days,
                due_date=filled.due_date.isoformat(),
                terms=filled.terms,
            )
        )

    @expose("/product-line/")
    def product_line_view(self):
        product = _visible(Product, request.args.get("product"))
        if product is None:
            return _bad("That product does not exist or is not yours to see.", 404, "product")
        line = entry_defaults.product_line(product)
        currency = request.args.get("currency", "").strip().upper()
        price = (
            format_amount(line.unit_price, currency)
            if is_currency(currency)
            else format_plain(line.unit_price)
        )
        return _no_store(
            jsonify(
                description=line.description,
                unit=line.unit,
                unit_price=price,
                tax_rate=line.tax_rate_id,
            )
        )

    # Issue and Issue & send on the draft's form: save what is typed, then issue it.
    def save_then_issue(self, save: Callable[[], Any]):
        """Run the form's save; if asked, then issue (and send) the saved draft."""
        then = request.form.get("then", "") if request.method == "POST" else ""
        if then and then not in THEN:
            abort(400)
        for action in THEN.get(then, ()):
            if not can(current_user, action):
                refuse(f"{self.name}: {then}")
        response = save()
        invoice = g.pop("saved_invoice", None)
        if not then or invoice is None:
            return response
        if then == "issue":
            return self.run_confirmed(
                invoice.id, self._issue, "Issued {invoice.reference}.", version=invoice.version
            )
        return self.run_confirmed(
            invoice.id,
            lambda inv: outbox.queue_invoice_email(db.session, current_user, self._issue(inv)),
            "Issued {invoice.reference}; its email to {result.recipients} goes out as soon as "
            "its PDF is ready.",
            version=invoice.version,
        )

    def _issue(self, invoice: Invoice) -> Invoice:
        return lifecycle.issue(db.session, current_user, invoice, date.today())

    def after_model_change(self, form: Any, model: Invoice, is_created: bool) -> None:
        # Remembered for save_then_issue: Flask-Admin's views return only a redirect.
        g.saved_invoice = model


def issue_blocker(invoice: Invoice) -> str | None:
    """Why the draft's form does not offer Issue yet, or None."""
    return exchange_rates.missing_rate(
        invoice.currency, invoice.company.base_currency, invoice.exchange_rate
    )


def _preview_json(shown: Preview) -> dict:
    totals = shown.totals
    currency = totals.currency

    def money(amount):
        return {"amount": str(amount), "text": format_money(amount, currency)}

    suggestion = shown.suggestion
    return {
        "currency": currency,
        "lines": [money(net) for net in totals.line_nets],
        "breakdown": [
            {
                "tax_rate": rate.tax_rate_id,
                "rate": f"{format_plain(rate.percentage)}%",
                "category": vat_categories.LABELS.get(rate.category, rate.category),
                "exemption_reason": shown.terms[rate.tax_rate_id].exemption_reason or "",
                "taxable": money(rate.taxable_amount),
                "tax": money(rate.tax_amount),
            }
            for rate in totals.breakdown
        ],
        "net": money(totals.net_amount),
        "tax": money(totals.tax_amount),
        "total": money(totals.total_amount),
        "exchange_rate": {
            "needed": shown.needs_rate,
            "base_currency": shown.base_currency,
            "suggested": format_plain(suggestion.rate) if suggestion else None,
            "source": suggestion.source() if suggestion else None,
        },
        "issue_blocker": shown.issue_blocker,
    }
