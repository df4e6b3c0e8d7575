"""Command-line tools: flask db-upgrade, create-user, seed-demo, worker, sync, bank."""

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

from jobs.worker import run_worker
from models import Company, Role

from . import demo_data
from .bank_commands import bank
from .extensions import db
from .services import audit, users
from .services.errors import DomainError
from .sync_commands import sync

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    """Alembic settings pointing at the given database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), "head")
    click.echo("Database is up to date.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", default="")
@click.option(
    "--company", "company_names", multiple=True, help="Company the user may see (repeat)."
)
@click.password_option()
def create_user(
    email: str, role: str, name: str, company_names: tuple[str, ...], password: str
) -> None:
    """Create a staff account."""
    session = db.session
    audit.set_actor(session, audit.Actor(user_id=None, email="cli"))
    companies = []
    for company_name in company_names:
        company = session.query(Company).filter_by(name=company_name).one_or_none()
        if company is None:
            raise click.ClickException(f"No company named {company_name!r}.")
        companies.append(company)
    try:
        user = users.create_user(session, email, role, password, name=name, companies=companies)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def seed_demo(if_empty: bool) -> None:
    """Create the demo companies, one user per role and a few hundred invoices, once."""
    session = db.session
    audit.set_actor(session, audit.Actor(user_id=None, email="seed-demo"))
    if (if_empty and session.query(Company).first() is not None) or not demo_data.seed(session):
        click.echo("Demo data already present; not seeding again.")
    else:
        session.commit()
        click.echo("Seeded demo data.")
    click.echo("Demo logins (email / password):")
    for role, (email, password) in demo_data.DEMO_USERS.items():
        click.echo(f"  {role:8} {email} / {password}")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--queue", "queue_names", multiple=True, help="Serve only this queue (repeat).")
@click.option("--simple", is_flag=True, help="Run jobs in the worker process, without forking.")
def worker(burst: bool, queue_names: tuple[str, ...], simple: bool) -> None:
    """Run an RQ worker (all queues unless --queue is given)."""
    try:
        run_worker(current_app._get_current_object(), burst, queue_names, simple)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def init_app(app: Flask) -> None:
    """Register the commands."""
    for cmd in (db_upgrade, create_user, seed_demo, worker, sync, bank):
        app.cli.add_command(cmd)
