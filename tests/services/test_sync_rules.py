"""Accounting sync rules without a provider: mapping checks, sealed secrets, permissions."""

from decimal import Decimal

import pytest
from cryptography.fernet import Fernet

from backoffice.config import ConfigError, load
from backoffice.services.errors import DomainError, PermissionDenied
from backoffice.services.invoicing import lifecycle
from backoffice.services.payments import customer_credit, ledger, reversal
from backoffice.services.sync import backlog, connections, mapping, push, records
from backoffice.services.sync.amounts import allocatable, in_books, line_taxes
from backoffice.services.sync.http import SyncFailure, dumps
from backoffice.services.sync.sealing import keyring, reseal_all
from models import Role, SyncRecordType
from tests import factories

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def connect(session, admin, company, key: str = OLD_KEY):
    return connections.connect(
        session,
        admin,
        keyring(key),
        company.id,
        "xero",
        client_id="client-1",
        client_secret="very-secret-client-secret",
        refresh_token="refresh-token-value",
        tenant_id="tenant-1",
    )


def test_missing_mapping_names_everything_finance_must_fill_in(session, admin, company, vat19):
    vat19.country = company.country
    problems = mapping.missing(session, company.id, "xero", methods=["bank_transfer", "card"])
    assert problems == [
        "Set the sales account code that invoices post to in Xero.",
        f"Map the tax rate “{vat19}” to a Xero tax type.",
        "Map payments by bank transfer to a Xero bank or clearing account.",
        "Map payments by card to a Xero bank or clearing account.",
    ]
    mapping.save_mapping(
        session,
        admin,
        company.id,
        "xero",
        sales_account_code=" 200 ",
        tax_types={vat19.id: "OUTPUT2"},
        payment_accounts={"bank_transfer": "090", "card": ""},
    )
    assert mapping.missing(session, company.id, "xero", methods=["bank_transfer", "card"]) == [
        "Map payments by card to a Xero bank or clearing account."
    ]


def test_push_with_an_incomplete_mapping_fails_before_calling_the_provider(
    session, admin, finance, company, customer, vat19
):
    connect(session, admin, company)
    invoice = factories.make_issued_invoice(
        session, finance, customer, [factories.line(vat19, "1", "10.00")]
    )
    record = records.find_record(session, company.id, "xero", "invoice", invoice.id)
    outcome = push.push_step(session, record.id, record.request_count, lambda c: Nowhere(), True)
    assert outcome.finished and outcome.failure is not None
    assert record.status == "failed" and record.attempts == 1
    assert record.last_error.startswith("Set the sales account code that invoices post to in Xero.")
    assert f"Map the tax rate “{vat19}” to a Xero tax type." in record.last_error


class Nowhere:
    """A provider that must not be called."""

    name = "xero"
    updatable = frozenset()

    def payload(self, *args):
        raise AssertionError("no payload should be built")

    def push(self, *args):
        raise AssertionError("nothing should be pushed")


def test_issuing_asks_for_a_sync_only_when_the_company_is_connected(
    session, admin, finance, company, customer, vat19
):
    first = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    assert records.find_record(session, company.id, "xero", "invoice", first.id) is None
    connect(session, admin, company)
    second = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    record = records.find_record(session, company.id, "xero", "invoice", second.id)
    assert (record.status, record.request_count) == ("pending", 1)
    assert session.info["job_requests"][-1].job_id == f"sync-{record.id}-r1"


def test_backlog_counts_payments_received_and_credit_applications_only(
    session, admin, finance, company, customer, vat19
):
    """Refunds, reversed payments and the moves into customer credit are no payments in the
    books: the backlog neither counts nor pushes them. Credit applied to an invoice is."""
    invoice = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    other = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    day = factories.ISSUE_DAY
    kept = ledger.record_payment(session, finance, invoice, "200.00", day, excess_to_credit=True)
    ledger.record_refund(session, finance, invoice, "10.00", day)
    bounced = ledger.record_payment(session, finance, other, "5.00", day)
    reversal.reverse_payment(session, finance, bounced, "Bounced", day)
    applied = customer_credit.apply_credit(session, finance, other, None, day)
    note = lifecycle.credit_in_full(session, finance, other, day)

    counts = backlog.status_counts(session, company.id, "xero")
    assert counts["payment"] == {"pending": 2}
    assert counts["invoice"] == {"pending": 2} and counts["credit_note"] == {"pending": 1}
    assert backlog.unrecorded(session, company.id, "xero") == [
        ("invoice", invoice.id),
        ("invoice", other.id),
        ("credit_note", note.id),
        ("payment", kept.id),
        ("payment", applied.id),
    ]


def test_allocation_counts_credit_applied_as_paid_until_it_is_reversed(
    session, finance, customer, vat19
):
    day = factories.ISSUE_DAY
    first = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    ledger.record_payment(session, finance, first, "200.00", day, excess_to_credit=True)
    second = factories.make_issued_invoice(session, finance, customer, [factories.line(vat19)])
    applied = customer_credit.apply_credit(session, finance, second, None, day)  # 81.00
    assert in_books(session, second.payments) == [applied]
    reversal.reverse_payment(session, finance, applied, "Wrong invoice", day)
    # The books deleted the application: the whole 119.00 is owed there again.
    note = lifecycle.credit_in_full(session, finance, second, day)
    assert allocatable(note) == Decimal("119.00")


def test_secrets_are_sealed_at_rest_and_survive_a_key_rotation(session, admin, company):
    connection = connect(session, admin, company)
    session.flush()
    for column in ("client_secret_sealed", "refresh_token_sealed"):
        assert "secret" not in getattr(connection, column)
        assert "refresh-token" not in getattr(connection, column)

    assert reseal_all(session, keyring(f"{NEW_KEY},{OLD_KEY}")) == 1
    opened = connections.credentials(connection, keyring(NEW_KEY))  # the old key is gone
    assert opened.client_secret == "very-secret-client-secret"
    assert opened.tokens.refresh_token == "refresh-token-value"
    assert "very-secret" not in repr(opened)
    with pytest.raises(DomainError, match="cannot be opened with SYNC_ENCRYPTION_KEY"):
        connections.credentials(connection, keyring(OLD_KEY))


def test_a_malformed_key_stops_the_app_without_echoing_it():
    with pytest.raises(ConfigError, match="SYNC_ENCRYPTION_KEY") as refused:
        load({}, {"TESTING": True, "SYNC_ENCRYPTION_KEY": "not-a-key-abc123"})
    assert "not-a-key-abc123" not in str(refused.value)
    with pytest.raises(DomainError, match="SYNC_ENCRYPTION_KEY is not set"):
        keyring("")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SUPPORT, Role.MANAGER])
def test_only_admins_connect_accounting_systems(session, company, role):
    user = factories.make_user(session, role, companies=[company])
    with pytest.raises(PermissionDenied):
        connect(session, user, company)


def test_support_and_managers_may_not_retry_a_sync(session, admin, finance, company):
    connect(session, admin, company)
    (record,) = records.request_push(session, company.id, SyncRecordType.CUSTOMER, 1)
    for role in (Role.SUPPORT, Role.MANAGER):
        with pytest.raises(PermissionDenied):
            records.retry(session, factories.make_user(session, role, companies=[company]), record)
    records.mark_failure(record, SyncFailure("Xero said no"), final=True)
    records.retry(session, finance, record)
    assert (record.status, record.request_count) == ("pending", 2)


def test_amounts_are_sent_as_exact_json_numbers():
    body = {"Amount": Decimal("123456789012345.678"), "Quantity": Decimal("2.0000"), "n": 1}
    assert dumps(body) == '{"Amount": 123456789012345.678, "Quantity": 2.0000, "n": 1}'


def test_a_credit_note_is_allocated_only_as_far_as_the_invoice_is_still_owed(
    session, finance, customer, vat19
):
    invoice = factories.make_issued_invoice(
        session, finance, customer, [factories.line(vat19, "1", "100.00")]
    )  # 119.00
    draft = lifecycle.create_credit_note(session, finance, invoice)
    factories.edit_draft(session, finance, draft, factories.set_quantity(0, "1", "50.00"))
    first = lifecycle.issue(session, finance, draft, factories.ISSUE_DAY)  # 59.50
    assert allocatable(first) == Decimal("59.50")
    ledger.record_payment(session, finance, invoice, "50.00", factories.ISSUE_DAY)
    rest = lifecycle.credit_in_full(session, finance, invoice, factories.ISSUE_DAY)  # 59.50
    assert allocatable(rest) == Decimal("9.50")  # 119.00 - 59.50 credited - 50.00 paid
    assert ("allocation", rest.id) in push.chain(session, "credit_note", rest.id)


def test_a_credit_note_for_a_paid_invoice_is_not_allocated(session, finance, customer, vat19):
    invoice = factories.make_issued_invoice(
        session, finance, customer, [factories.line(vat19, "1", "100.00")]
    )
    ledger.record_payment(session, finance, invoice, "119.00", factories.ISSUE_DAY)
    note = lifecycle.credit_in_full(session, finance, invoice, factories.ISSUE_DAY)
    assert allocatable(note) == 0
    assert push.chain(session, "credit_note", note.id) == [
        ("customer", customer.id),
        ("invoice", invoice.id),
        ("credit_note", note.id),
    ]


def test_each_line_carries_its_share_of_the_documents_tax(session, finance, customer):
    # Xero works tax out per line unless told (15 % of 25.06, 25.61 and 25.63 is 3.76 + 3.84
    # + 3.84 = 11.44), while the document rounds once per rate (11.45): without the lines'
    # shares its total would be a cent short, and paying the full 87.75 would be refused.
    vat15 = factories.make_tax_rate(session, "15")
    vat7 = factories.make_tax_rate(session, "7")
    lines = [factories.line(vat15, "1", price) for price in ("25.06", "25.61", "25.63")]
    lines.append(factories.line(vat7, "2", "10.00"))
    invoice = factories.make_issued_invoice(session, finance, customer, lines)

    shares = line_taxes(invoice)
    assert shares == [Decimal("3.76"), Decimal("3.84"), Decimal("3.85"), Decimal("1.40")]
    assert sum(shares) == invoice.tax_amount == Decimal("12.85")
    assert invoice.net_amount + sum(shares) == invoice.total_amount
