"""Bank statement parsing benchmark: a CAMT.053 file of N entries read into statement lines.

    .venv/bin/python -m bench.bank_parsing                   # 2,000, 8,000 and 32,000 entries
    .venv/bin/python -m bench.bank_parsing --entries 100000

Pure parsing, no database: what an upload costs before matching and storing. Each entry is
booked, carries the bank's reference and one transaction with a payer, an IBAN and a line
of text, as a bank's export does. Reported per size: the file's size and the best of 3
parses. Linear is the bar: a web worker parses the upload (up to 20 MB) in the request.
"""

import argparse
import time

from backoffice.services.payments.bank import camt_parser

ENTRY = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
<AcctSvcrRef>REF-{n:08d}</AcctSvcrRef><NtryDtls><TxDtls>
<RltdPties><Dbtr><Nm>Customer {n} Handels GmbH</Nm></Dbtr>
<DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>Rechnung INV-2026-{n:06d}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""


def statement(entries: int) -> bytes:
    """A CAMT.053.001.02 statement of that many booked entries."""
    body = "".join(
        ENTRY.format(n=n, amount=f"{100 + n % 900}.{n % 100:02d}") for n in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<Stmt><Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        f"{body}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def best_of(rounds: int, data: bytes) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        parsed = camt_parser.parse(data)
        times.append(time.perf_counter() - started)
    assert parsed.lines, "the statement read no lines"
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    for entries in args.entries:
        data = statement(entries)
        seconds = best_of(args.rounds, data)
        print(
            f"{entries:>7,} entries, {len(data) / 2**20:5.1f} MiB: {seconds:6.2f} s"
            f" ({1e6 * seconds / entries:.0f} µs an entry)"
        )


if __name__ == "__main__":
    main()
