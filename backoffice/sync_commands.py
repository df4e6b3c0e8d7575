"""flask sync run | status | export | reseal: the accounting sync from the command line."""

import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from jobs.sync import SyncJobFailed, push_sync_record
from models import Company, SyncProvider

from .extensions import db
from .services import audit
from .services.errors import DomainError
from .services.sync import backlog, connections, export
from .services.sync.sealing import keyring, reseal_all

sync = AppGroup("sync", help="Push records to the accounting systems and see how they stand.")
PROVIDERS = click.Choice([provider.value for provider in SyncProvider])


def _company(name: str) -> Company:
    company = db.session.query(Company).filter_by(name=name).one_or_none()
    if company is None:
        raise click.ClickException(f"No company named {name!r}.")
    return company


def _providers(company: Company, provider: str | None) -> list[str]:
    connected = [c.provider for c in connections.connected(db.session, company.id)]
    if provider is not None and provider not in connected:
        raise click.ClickException(f"{company.name} is not connected to {provider}.")
    if not connected:
        raise click.ClickException(f"{company.name} is not connected to an accounting system.")
    return [provider] if provider else connected


@sync.command("run")
@click.option("--company", "company_name", required=True)
@click.option("--provider", type=PROVIDERS, help="Only this accounting system.")
@click.option("--retry-failed", is_flag=True, help="Push failed records again too (not conflicts).")
def run(company_name: str, provider: str | None, retry_failed: bool) -> None:
    """Push what is pending now, in this process, and print what happened per record type."""
    session = db.session
    audit.set_actor(session, audit.Actor(user_id=None, email="cli"))
    company = _company(company_name)
    for name in _providers(company, provider):
        pending = [
            (record.id, record.request_count, record.record_type)
            for record in backlog.pending_records(session, company.id, name, retry_failed)
        ]
        # Committed before pushing: each push runs in transactions of its own, as a job does.
        session.commit()
        counts = {record_type: Counter() for record_type in backlog.TOP_TYPES}
        for record_id, request_count, record_type in pending:
            try:
                message = push_sync_record(record_id, request_count)
            except SyncJobFailed:
                counts[record_type]["failed"] += 1
                continue
            counts[record_type]["synced" if message == "synced" else "skipped"] += 1
        click.echo(f"{name}:")
        for record_type, counted in counts.items():
            click.echo(
                f"  {record_type:12} {counted['synced']} synced, {counted['skipped']} skipped, "
                f"{counted['failed']} failed"
            )


@sync.command("status")
@click.option("--company", "company_name", required=True)
@click.option("--provider", type=PROVIDERS, help="Only this accounting system.")
def status(company_name: str, provider: str | None) -> None:
    """Print per record type how many are synced, pending, failed and in conflict."""
    company = _company(company_name)
    for name in _providers(company, provider):
        click.echo(f"{name}:")
        for record_type, counted in backlog.status_counts(db.session, company.id, name).items():
            click.echo(
                f"  {record_type:12} {counted['synced']} synced, {counted['pending']} pending, "
                f"{counted['failed']} failed, {counted['conflict']} conflict"
            )


@sync.command("export")
@click.option("--company", "company_name", required=True)
@click.option("--provider", required=True, type=click.Choice(sorted(export.FORMATS)))
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Else standard output.")
def export_csv(company_name: str, provider: str, start, end, out: str | None) -> None:
    """Write the period's issued invoices and credit notes as the provider's import CSV."""
    company = _company(company_name)
    try:
        checked = export.prepare(db.session, company, provider, start.date(), end.date())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    chunks = export.csv_chunks(export.rows(db.session, checked))
    if out is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    # Written beside the target and renamed: a failure halfway leaves no half file behind.
    partial = f"{out}.partial"
    with open(partial, "w", encoding="utf-8", newline="") as file:
        file.writelines(chunks)
    Path(partial).replace(out)
    click.echo(f"Wrote {out}.", err=True)


@sync.command("reseal")
def reseal() -> None:
    """Seal every stored secret under the first SYNC_ENCRYPTION_KEY (after adding a new key)."""
    session = db.session
    audit.set_actor(session, audit.Actor(user_id=None, email="cli"))
    try:
        done = reseal_all(session, keyring(current_app.config["SYNC_ENCRYPTION_KEY"]))
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    session.commit()
    click.echo(f"Resealed the secrets of {done} connection(s) under the newest key.")
