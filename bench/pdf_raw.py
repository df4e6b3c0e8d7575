"""Raw in-process PDF rendering speed: a 30-line and a 500-line invoice, N times each.

    .venv/bin/python -m bench.pdf_raw            # 20 x 30 lines, 3 x 500 lines
    .venv/bin/python -m bench.pdf_raw -n 50 -N 5 --out /tmp/pdf-bench

The invoices are built in memory (no database): the same objects the renderer gets from a
session, with totals computed by backoffice.services.totals. Reports PDFs per second after
preload(), the first (cold) render separately, and peak memory: tracemalloc's peak of Python
allocations during one extra render of each size (tracing slows rendering ~6x, so it is kept
out of the timed ones), and the process's maximum resident set size.
"""

import argparse
import hashlib
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from backoffice.services.delivery import pdf
from backoffice.services.delivery.pdf_sample import build_invoice


def bench(line_count: int, repeat: int, out: Path | None) -> dict:
    """Render one invoice repeat times; return timings, sizes and peak memory."""
    invoice = build_invoice(line_count)
    digests = set()
    started = time.perf_counter()
    for _ in range(repeat):
        data = pdf.render_invoice_pdf(invoice)
        digests.add(hashlib.sha256(data).hexdigest())
    elapsed = time.perf_counter() - started
    # Traced apart: tracemalloc slows xhtml2pdf down about sixfold.
    tracemalloc.start()
    pdf.render_invoice_pdf(invoice)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"invoice-{line_count}.pdf").write_bytes(data)
    return {
        "lines": line_count,
        "renders": repeat,
        "seconds": elapsed,
        "per_pdf": elapsed / repeat,
        "pdfs_per_second": repeat / elapsed,
        "bytes": len(data),
        "identical": len(digests) == 1,
        "traced_peak_mb": peak / 2**20,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders of the 30-line invoice")
    parser.add_argument("-N", type=int, default=3, help="renders of the 500-line invoice")
    parser.add_argument("--out", type=Path, help="write the last PDF of each size here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    pdf.preload()
    elapsed = time.perf_counter() - started
    print(f"preload (fonts, warm-up render; modules imported at start): {elapsed:.2f} s")
    for line_count, repeat in ((30, args.n), (500, args.N)):
        result = bench(line_count, repeat, args.out)
        print(
            f"{result['lines']:>4} lines: {result['renders']} renders in {result['seconds']:.2f} s"
            f" = {result['per_pdf']:.3f} s/PDF, {result['pdfs_per_second']:.2f} PDFs/s,"
            f" {result['bytes'] / 1024:.0f} KiB, byte-identical: {result['identical']},"
            f" peak traced {result['traced_peak_mb']:.1f} MiB"
        )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {max_rss:.0f} MiB (python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
