"""Bank matching benchmark: statement lines matched against a company's open invoices.

    .venv/bin/python -m bench.bank_matching                       # 1,000 lines, 10,000 open
    .venv/bin/python -m bench.bank_matching --lines 5000 --invoices 100000

Pure functions, no database: what an import spends beyond parsing and storing. The lines are
a realistic mix: a third name an invoice number, a third pay an amount with a payer's name
like a customer's, a third carry text that matches nothing (the slow case: every rule runs).
Reported: the time to build the indexes (once per import) and per line, best of 3 rounds.
"""

import argparse
import random
import time
from datetime import date
from decimal import Decimal

from backoffice.services.payments.bank.matching import OpenInvoice, OpenItems, propose
from backoffice.services.payments.bank.statement import StatementLine


def _invoices(count: int, customers: int) -> list[OpenInvoice]:
    rng = random.Random(7)
    return [
        OpenInvoice(
            id=n,
            reference=f"INV-2026-{n:06d}",
            year=2026,
            number=n,
            customer_id=n % customers,
            customer_name=f"Customer {n % customers} Handels GmbH",
            currency="EUR",
            balance=Decimal(rng.randint(1000, 500000)) / 100,
        )
        for n in range(1, count + 1)
    ]


def _lines(count: int, invoices: list[OpenInvoice]) -> list[StatementLine]:
    rng = random.Random(11)
    lines = []
    for n in range(count):
        invoice = rng.choice(invoices)
        kind = n % 3
        text = [f"Rechnung {invoice.reference}", "Zahlung", f"Ref {rng.randint(1, 10**9)}"][kind]
        lines.append(
            StatementLine(
                booking_date=date(2026, 12, 1),
                amount=invoice.balance if kind < 2 else Decimal("12.34"),
                currency="EUR",
                is_credit=True,
                remittance_text=text,
                counterparty_name=invoice.customer_name if kind == 1 else "Someone",
            )
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    invoices = _invoices(args.invoices, args.customers)
    lines = _lines(args.lines, invoices)
    index_times, match_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        items = OpenItems(invoices)
        index_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        proposed = sum(1 for line in lines if propose(line, items))
        match_times.append(time.perf_counter() - started)
    print(
        f"{args.lines} lines, {args.invoices} open invoices, {args.customers} customers: "
        f"index {min(index_times) * 1000:.0f} ms, matching {min(match_times):.2f} s "
        f"({min(match_times) / args.lines * 1000:.2f} ms a line), {proposed} lines proposed"
    )


if __name__ == "__main__":
    main()
