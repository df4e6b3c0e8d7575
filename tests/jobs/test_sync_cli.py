"""flask sync status and sync run, against the local Xero."""

from datetime import timedelta

from backoffice.services.payments import ledger
from backoffice.services.sync import mapping
from models import PaymentMethod, Role
from tests import factories

from .sync_setup import connect_xero
from .test_sync_xero import issue, sync_record


def test_sync_run_pushes_the_backlog_and_status_counts_it(xero_app, redis, world, xero):
    before = issue(world)  # issued before the company was connected: no record yet
    connect_xero(world, xero, timedelta(minutes=30))
    after = issue(world, "1", "50.00")
    ledger.record_payment(
        world.session,
        world.finance,
        after,
        "10.00",
        factories.ISSUE_DAY,
        method=PaymentMethod.CARD.value,  # no account mapped for cards
    )
    world.session.commit()
    cli = xero_app.test_cli_runner()
    name = world.company.name

    status = cli.invoke(args=["sync", "status", "--company", name])
    assert status.exit_code == 0, status.output
    assert "invoice      0 synced, 2 pending, 0 failed, 0 conflict" in status.output
    assert "payment      0 synced, 1 pending, 0 failed, 0 conflict" in status.output
    assert xero.seen == []  # status pushes nothing

    run = cli.invoke(args=["sync", "run", "--company", name, "--provider", "xero"])
    assert run.exit_code == 0, run.output
    assert "invoice      2 synced, 0 skipped, 0 failed" in run.output
    assert "payment      0 synced, 0 skipped, 1 failed" in run.output
    assert len(xero.records["Invoices"]) == 2 and len(xero.records["Contacts"]) == 1
    assert sync_record(world, "invoice", before.id).status == "synced"
    assert "Map payments by card" in sync_record(world, "payment", after.payments[0].id).last_error

    again = cli.invoke(args=["sync", "status", "--company", name])
    assert "invoice      2 synced, 0 pending, 0 failed, 0 conflict" in again.output
    assert "customer     1 synced, 0 pending, 0 failed, 0 conflict" in again.output
    assert "payment      0 synced, 0 pending, 1 failed, 0 conflict" in again.output

    world.session.expire_all()
    mapping.save_mapping(
        world.session,
        factories.make_user(world.session, Role.ADMIN),
        world.company.id,
        "xero",
        sales_account_code="200",
        tax_types={world.vat19.id: "OUTPUT2"},
        payment_accounts={"bank_transfer": "090", "card": "091"},
    )
    world.session.commit()
    plain = cli.invoke(args=["sync", "run", "--company", name])
    assert "payment      0 synced, 0 skipped, 0 failed" in plain.output  # failed stays failed
    retried = cli.invoke(args=["sync", "run", "--company", name, "--retry-failed"])
    assert "payment      1 synced, 0 skipped, 0 failed" in retried.output
    (payment,) = xero.records["Payments"].values()
    assert payment["Account"] == {"Code": "091"}


def test_sync_commands_refuse_unknown_or_unconnected_companies(xero_app, world):
    cli = xero_app.test_cli_runner()
    unknown = cli.invoke(args=["sync", "status", "--company", "No Such GmbH"])
    assert unknown.exit_code != 0 and "No company named 'No Such GmbH'" in unknown.output
    unconnected = cli.invoke(args=["sync", "run", "--company", world.company.name])
    assert unconnected.exit_code != 0
    assert "is not connected to an accounting system" in unconnected.output
