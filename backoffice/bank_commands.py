"""flask bank import: a statement file into a company's bank account, from the command line."""

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from models import BankAccount, Company, Role, User

from .extensions import db
from .services import audit
from .services.errors import DomainError
from .services.payments.bank import accounts, importing

bank = AppGroup("bank", help="Import bank statements and match them to open invoices.")
# A file that cannot be imported: the exit status scripts can tell from other failures.
BAD_FILE = 2


def _operator() -> User:
    """Who imports from the command line: the operator, not a person with a login.

    Never added to the session; the audit trail names "cli" as the actor.
    """
    return User(email="cli", role=Role.ADMIN.value, is_active=True)


def _account(company: Company, iban: str | None, data: bytes, fmt: str) -> BankAccount:
    if iban:
        account = accounts.find_account(db.session, company.id, iban)
        if account is None:
            raise click.ClickException(f"{company.name} has no bank account {iban}.")
        return account
    mine = db.session.scalars(select(BankAccount).where(BankAccount.company_id == company.id))
    candidates = list(mine)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise click.ClickException(
            f"{company.name} has no bank account: an admin adds it under Settings > Bank accounts."
        )
    if fmt != "csv":
        found = accounts.find_account(
            db.session, company.id, importing.parse_file(data, fmt, candidates[0]).iban
        )
        if found is not None:
            return found
    raise click.ClickException(
        f"{company.name} has several bank accounts: choose one with --account."
    )


def _fail(path: str, message: str) -> None:
    click.echo(f"Error: {path}: {message} Nothing was imported.", err=True)
    raise click.exceptions.Exit(BAD_FILE)


@bank.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", "company_name", required=True)
@click.option("--account", "iban", help="The bank account's IBAN (needed with several).")
@click.option("--format", "fmt", type=click.Choice(importing.FORMATS), help="Else guessed.")
def import_file(file: Path, company_name: str, iban: str | None, fmt: str | None) -> None:
    """Import a CAMT.053, MT940 or CSV statement and print what was found."""
    session = db.session
    audit.set_actor(session, audit.Actor(user_id=None, email="cli"))
    company = session.scalars(select(Company).where(Company.name == company_name)).one_or_none()
    if company is None:
        raise click.ClickException(f"No company named {company_name!r}.")
    data = file.read_bytes()
    fmt = fmt or importing.detect_format(data)
    try:
        account = _account(company, iban, data, fmt)
        summary = importing.import_statement(session, _operator(), account, data, fmt)
    except DomainError as exc:
        session.rollback()
        _fail(str(file), exc.message)
    session.commit()
    click.echo(f"{file.name} into {account}:")
    click.echo(f"  imported       {summary.imported}")
    click.echo(f"  already known  {summary.already_known}")
    click.echo(
        f"  proposed       {summary.exact + summary.probable} "
        f"(exact {summary.exact}, probable {summary.probable})"
    )
    click.echo(f"  unmatched      {summary.unmatched}")
