"""Settings > Accounting: connect a company to Xero, QuickBooks or MYOB (through the
provider's consent screen, or by pasting credentials), disconnect it, see its status, and map
its sales account, tax rates and payment methods (admins change; finance reads)."""

import requests
from flask import current_app, flash, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import AccountingConnection, Company, SyncProvider

from ...extensions import db
from ...services.errors import DomainError, PermissionDenied
from ...services.permissions import Action, can
from ...services.scoping import may_see_company
from ...services.sync import backlog, connections, mapping, oauth, overview
from ...services.sync.http import SyncFailure
from ...services.sync.sealing import keyring
from ...services.sync.settings import SyncSettings
from ..secured import MAX_ID, refuse

# The consent asked for and not answered yet, sealed (services/sync/oauth.py).
PENDING = "sync_oauth_pending"


def _form_id(name: str) -> int:
    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else 0


class AccountingView(BaseView):
    def is_accessible(self) -> bool:
        return current_user.is_authenticated and (
            can(current_user, Action.MANAGE_SETTINGS) or can(current_user, Action.RUN_SYNC)
        )

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        refuse("accounting: no access")

    @expose("/")
    def index(self):
        return self.render(
            "admin/accounting.html",
            companies=overview.overview(db.session, current_user),
            methods=overview.PAYMENT_METHODS,
            can_manage=can(current_user, Action.MANAGE_SETTINGS),
            key_set=bool(current_app.config["SYNC_ENCRYPTION_KEY"]),
        )

    def _act(self, act, done: str):
        """Run a change as an admin, commit it, and come back to the screen."""
        if not can(current_user, Action.MANAGE_SETTINGS):
            refuse("accounting: change")
        try:
            act()
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(done, "success")
        return redirect(self.get_url(".index"))

    def _company(self) -> Company:
        company = db.session.get(Company, _form_id("company_id"))
        if company is None or not may_see_company(current_user, company.id):
            raise DomainError("That company does not exist or is not yours to see.")
        return company

    @expose("/connect", methods=("POST",))
    def connect(self):
        form = request.form

        def act():
            company = self._company()
            connections.connect(
                db.session,
                current_user,
                keyring(current_app.config["SYNC_ENCRYPTION_KEY"]),
                company.id,
                form.get("provider", ""),
                client_id=form.get("client_id", ""),
                client_secret=form.get("client_secret", ""),
                refresh_token=form.get("refresh_token", ""),
                tenant_id=form.get("tenant_id", ""),
            )

        return self._act(act, "Connected. New invoices and payments are pushed from now on.")

    @expose("/authorize", methods=("POST",))
    def authorize(self):
        """Send the admin to the provider's consent screen (OAuth 2.0 authorization code)."""
        if not can(current_user, Action.MANAGE_SETTINGS):
            refuse("accounting: connect")
        form = request.form
        try:
            company = self._company()
            provider = form.get("provider", "")
            if provider not in oauth.SCOPES:
                raise DomainError(f"Unknown accounting system {provider!r}.")
            pending = oauth.PendingConnect(
                state=oauth.new_state(),
                company_id=company.id,
                provider=provider,
                client_id=form.get("client_id", "").strip(),
                client_secret=form.get("client_secret", "").strip(),
                tenant_id=form.get("tenant_id", "").strip(),
            )
            url, sealed = oauth.start(
                keyring(current_app.config["SYNC_ENCRYPTION_KEY"]),
                SyncSettings.from_config(current_app.config),
                pending,
                url_for(".callback", _external=True),
            )
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(self.get_url(".index"))
        session[PENDING] = sealed
        return redirect(url)

    @expose("/callback")
    def callback(self):
        """The provider sends the admin back here with a code (or a refusal)."""
        if not can(current_user, Action.MANAGE_SETTINGS):
            refuse("accounting: connect")
        settings = SyncSettings.from_config(current_app.config)
        try:
            ring = keyring(settings.keys)
            # Once only: a replayed answer finds nothing pending.
            pending = oauth.answered(
                ring, session.pop(PENDING, None), request.args.get("state", "")
            )
            if not may_see_company(current_user, pending.company_id):
                raise DomainError("That company does not exist or is not yours to see.")
            name = mapping.PROVIDER_NAMES[SyncProvider(pending.provider)]
            if request.args.get("error"):
                raise DomainError(f"{name} did not connect: {request.args['error'][:100]}.")
            with requests.Session() as http:
                redirect_uri = url_for(".callback", _external=True)
                code = request.args.get("code", "")
                tokens = oauth.exchange(http, settings, pending, code, redirect_uri)
                realm = request.args.get("realmId", "")
                tenant = oauth.tenant(http, settings, pending, tokens, realm)
            connections.connect(
                db.session,
                current_user,
                ring,
                pending.company_id,
                pending.provider,
                client_id=pending.client_id,
                client_secret=pending.client_secret,
                refresh_token=tokens.refresh_token,
                tenant_id=tenant,
                access_token=tokens.access_token,
                expires_at=tokens.expires_at,
            )
            db.session.commit()
        except (DomainError, SyncFailure) as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(
                f"Connected to {name}. New invoices and payments are pushed from now on.", "success"
            )
        return redirect(self.get_url(".index"))

    @expose("/disconnect", methods=("POST",))
    def disconnect(self):
        def act():
            connection = db.session.get(AccountingConnection, _form_id("connection_id"))
            if connection is None or not may_see_company(current_user, connection.company_id):
                raise DomainError("That connection does not exist or is not yours to see.")
            connections.disconnect(db.session, current_user, connection)

        return self._act(act, "Disconnected: its tokens are forgotten and nothing is pushed.")

    @expose("/sync-now", methods=("POST",))
    def sync_now(self):
        """Finance or an admin pushes what is pending and retries what failed, now."""
        connection = db.session.get(AccountingConnection, _form_id("connection_id"))
        if connection is None or not may_see_company(current_user, connection.company_id):
            flash("That connection does not exist or is not yours to see.", "error")
            return redirect(self.get_url(".index"))
        try:
            asked = backlog.sync_now(
                db.session, current_user, connection.company_id, connection.provider
            )
            db.session.commit()
        except PermissionDenied as exc:
            db.session.rollback()
            refuse(exc.message)
        name = mapping.PROVIDER_NAMES[SyncProvider(connection.provider)]
        flash(
            f"Asked {name} for {asked} record(s): the workers push them now; "
            "failures are listed under Sync failures."
            if asked
            else f"Nothing to push to {name}: every record is synced.",
            "success",
        )
        return redirect(self.get_url(".index"))

    @expose("/mapping", methods=("POST",))
    def save_mapping(self):
        form = request.form

        def act():
            company = self._company()
            mapping.save_mapping(
                db.session,
                current_user,
                company.id,
                form.get("provider", ""),
                sales_account_code=form.get("sales_account_code", ""),
                tax_types={
                    int(name.removeprefix("tax_type_")): value
                    for name, value in form.items()
                    if name.startswith("tax_type_") and name[9:].isdigit()
                },
                payment_accounts={
                    method: form.get(f"account_{method}", "") for method in overview.PAYMENT_METHODS
                },
            )

        return self._act(act, "Mapping saved.")
