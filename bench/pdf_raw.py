"""Raw in-process PDF rendering speed: a 30-line and a 500-line invoice, N times each.

    .venv/bin/python -m bench.pdf_raw            # 20 x 30 lines, 3 x 500 lines
    .venv/bin/python -m bench.pdf_raw -n 50 -N 5 --out /tmp/pdf-bench
    .venv/bin/python -m bench.pdf_raw --compare  # against the two-pass renderer and a plain one
    .venv/bin/python -m bench.pdf_raw --rss 1000 # memory over 1,000 renders in one process

The invoices are built in memory (no database): the same objects the renderer gets from a
session, with totals computed by backoffice.services.totals. Reports PDFs per second after
preload(), the first (cold) render separately, and peak memory: tracemalloc's peak of Python
allocations during one extra render of each size (tracing slows rendering ~6x, so it is kept
out of the timed ones), and the process's maximum resident set size.

--compare times three renderers of the same invoice in turn, round after round, so a busy
machine slows them alike, each in a process of its own, and reports each one's median:

- now: backoffice.services.delivery.pdf, one layout pass;
- two-pass: the renderer as it was before (issue 13), kept here only: the same template with
  the fonts as @font-face, xhtml2pdf's <pdf:pagenumber>/<pdf:pagecount> in the footer and the
  stylesheet of then (bench/pdf_before/_style.html), through pisa.pisaDocument, which lays
  the document out twice to count its pages;
- deployed: two-pass as it ran before issue 13, without ReportLab's C accelerator
  (`rl_accel`, installed by issue 13), in a process started afresh rather than forked;
- plain: a plain xhtml2pdf invoice template (embedded DejaVu fonts, a repeating table
  header, no page count) through pisa.pisaDocument: what the library costs without us.

--rss renders the 30-line invoice that many times and prints the resident set size every
tenth of the way: flat means no memory kept per document.
"""

import argparse
import hashlib
import io
import multiprocessing
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

# The "deployed" renderer of --compare runs in a process started with this set: ReportLab
# then falls back to its pure-Python functions, as before rl_accel was installed (issue 13).
WITHOUT_ACCEL = "BENCH_PDF_WITHOUT_RL_ACCEL"
if os.environ.get(WITHOUT_ACCEL):
    sys.modules["_rl_accel"] = None  # must precede ReportLab's first import, just below
# ruff: noqa: E402 (the imports below come after that)

import psutil
from jinja2 import ChoiceLoader, FileSystemLoader, Template
from xhtml2pdf import pisa

from backoffice.services.delivery import pdf
from backoffice.services.delivery.pdf_sample import build_invoice
from models import Invoice

# What the template had before the renderer registered the fonts and drew the page label: the
# fonts as @font-face, read for every PDF, and the footer cell asking for the page count.
TWO_PASS_FONTS = """<style>
  @font-face { font-family: DejaVuSans; src: url("fonts/DejaVuSans.ttf"); }
  @font-face { font-family: DejaVuSansBold; src: url("fonts/DejaVuSans-Bold.ttf"); }
</style>"""
# The templates as they are, but for the stylesheet as it was: each cell of an even line had
# its own background then.
BEFORE = pdf._env.overlay(
    loader=ChoiceLoader([FileSystemLoader(Path(__file__).parent / "pdf_before"), pdf._env.loader])
)
TWO_PASS_FOOTER = (
    '<td class="footer-page">{page} <pdf:pagenumber></pdf:pagenumber> {of}'
    " <pdf:pagecount></pdf:pagecount></td>"
)

PLAIN = Template(
    """<html><head><meta charset="utf-8"/><style>
  @font-face { font-family: DejaVuSans; src: url("fonts/DejaVuSans.ttf"); }
  @font-face { font-family: DejaVuSansBold; src: url("fonts/DejaVuSans-Bold.ttf"); }
  @page { size: a4 portrait; margin: 2cm; }
  body { font-family: DejaVuSans; font-size: 9pt; }
  th, h1 { font-family: DejaVuSansBold; }
  th { background-color: #dddddd; text-align: left; }
  .num { text-align: right; }
</style></head><body>
<h1>Invoice {{ invoice.reference }}</h1>
<p>{{ invoice.company.name }}<br/>{{ invoice.customer.name }}<br/>{{ invoice.customer.address }}</p>
<table repeat="1"><thead><tr><th>#</th><th>Description</th><th class="num">Qty</th>
<th>Unit</th><th class="num">Price</th><th class="num">Amount</th></tr></thead><tbody>
{% for line in invoice.lines %}<tr><td>{{ line.position }}</td><td>{{ line.description }}</td>
<td class="num">{{ line.quantity }}</td><td>{{ line.unit }}</td>
<td class="num">{{ line.unit_price }}</td><td class="num">{{ line.net_amount }}</td></tr>
{% endfor %}</tbody></table>
<p class="num">Net {{ invoice.net_amount }} · VAT {{ invoice.tax_amount }} ·
Total {{ invoice.total_amount }} {{ invoice.currency }}</p>
</body></html>""",
    autoescape=True,
)


def render_two_pass(invoice: Invoice) -> bytes:
    """The invoice as the renderer before issue 13 made it: <pdf:pagecount>, two passes."""
    context = pdf.invoice_context(invoice)
    labels = context["labels"]
    html = (
        BEFORE.get_template("invoice.html")
        .render(context)
        .replace("<style>", TWO_PASS_FONTS + "<style>", 1)
        .replace(
            '<td class="footer-page"></td>',
            TWO_PASS_FOOTER.format(page=labels["page"], of=labels["of"]),
        )
    )
    return _pisa(html)


def render_plain(invoice: Invoice) -> bytes:
    """The invoice through a plain xhtml2pdf template."""
    return _pisa(PLAIN.render(invoice=invoice))


def _pisa(html: str) -> bytes:
    with pdf._invariant_reportlab():  # the same reproducible bytes as the product
        return pisa.pisaDocument(
            io.BytesIO(html.encode("utf-8")),
            encoding="utf-8",
            dest_bytes=True,
            path=str(pdf.ASSETS_DIR / pdf.DOCUMENT_PATH_NAME),
            resource_policy=pdf.resource_policy(),
            raise_exception=True,
        )


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


def compare(line_count: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Median seconds per PDF of each renderer, timed in turn, round after round: (wall time,
    CPU time). CPU time counts less of what other processes take from us.

    Each renderer runs in a process of its own, forked after preload() and woken in turn, so
    only one renders at any moment and none finds the caches another left: pisaDocument
    empties xhtml2pdf's caches after each document, which the one-pass renderer keeps.
    """
    invoice = build_invoice(line_count)
    renderers: dict[str, Callable[[Invoice], bytes]] = {
        "now": pdf.render_invoice_pdf,
        "two-pass": render_two_pass,
        "plain": render_plain,
    }
    fork = multiprocessing.get_context("fork")
    pipes, processes = {}, []
    for name, render in renderers.items():
        pipes[name], child_end = fork.Pipe()
        processes.append(fork.Process(target=_render_on_cue, args=(render, invoice, child_end)))
        processes[-1].start()
    # A fork would inherit the accelerator's functions, already bound all over ReportLab.
    spawn = multiprocessing.get_context("spawn")
    pipes["deployed"], child_end = spawn.Pipe()
    os.environ[WITHOUT_ACCEL] = "1"
    try:
        processes.append(spawn.Process(target=_deployed_on_cue, args=(line_count, child_end)))
        processes[-1].start()
    finally:
        del os.environ[WITHOUT_ACCEL]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in pipes}
    try:
        for _ in range(rounds):
            for name, pipe in pipes.items():
                pipe.send(True)
                times[name].append(pipe.recv())
    finally:
        for pipe in pipes.values():
            pipe.send(False)
        for process in processes:
            process.join()
    return {
        name: (
            statistics.median(wall for wall, _ in values),
            statistics.median(cpu for _, cpu in values),
        )
        for name, values in times.items()
    }


def _deployed_on_cue(line_count: int, pipe) -> None:
    """The two-pass renderer in a process without rl_accel, rendering on cue."""
    assert "_rl_accel" in sys.modules and sys.modules["_rl_accel"] is None
    pdf.preload()
    _render_on_cue(render_two_pass, build_invoice(line_count), pipe)


def _render_on_cue(render: Callable[[Invoice], bytes], invoice: Invoice, pipe) -> None:
    """Render once each time the pipe says True, answering (wall, CPU) seconds; stop on False."""
    while pipe.recv():
        started, started_cpu = time.perf_counter(), time.process_time()
        render(invoice)
        pipe.send((time.perf_counter() - started, time.process_time() - started_cpu))


def _ratios(times: dict[str, tuple[float, float]], scale: float, unit: str) -> str:
    parts = []
    for kind, index in (("wall", 0), ("CPU", 1)):
        now, before, plain = (times[name][index] for name in ("now", "two-pass", "plain"))
        deployed = times["deployed"][index]
        digits = 0 if scale > 1 else 2
        parts.append(
            f"{kind}: now {now * scale:.{digits}f} {unit}, two-pass"
            f" {before * scale:.{digits}f} {unit}, deployed {deployed * scale:.{digits}f} {unit},"
            f" plain {plain * scale:.{digits}f} {unit}; now / two-pass = {now / before:.0%},"
            f" now / deployed = {now / deployed:.0%}, now / plain = {now / plain:.0%}"
        )
    return "\n  ".join(parts)


def report_compare(rounds: int, large_rounds: int) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    small = compare(30, rounds)
    print(f"30 lines, median of {rounds} interleaved rounds:\n  {_ratios(small, 1000, 'ms')}")
    if large_rounds:
        large = compare(500, large_rounds)
        print(f"500 lines, median of {large_rounds} rounds:\n  {_ratios(large, 1, 's')}")
        per_line = [times["now"][1] / lines * 1000 for times, lines in ((small, 30), (large, 500))]
        print(f"now, CPU per line: 30 lines {per_line[0]:.1f} ms, 500 lines {per_line[1]:.1f} ms")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def report_rss(renders: int) -> None:
    invoice = build_invoice(30)
    process = psutil.Process()
    samples = []
    step = max(1, renders // 10)
    started = time.perf_counter()
    for done in range(1, renders + 1):
        pdf.render_invoice_pdf(invoice)
        if done % step == 0:
            samples.append(process.memory_info().rss / 2**20)
            print(f"  after {done:>5} renders: RSS {samples[-1]:.1f} MiB", flush=True)
    elapsed = time.perf_counter() - started
    print(
        f"{renders} renders in {elapsed:.0f} s; RSS first sample {samples[0]:.1f} MiB,"
        f" last {samples[-1]:.1f} MiB, growth from the first sample to the last"
        f" {samples[-1] - samples[0]:+.1f} MiB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders of the 30-line invoice")
    parser.add_argument("-N", type=int, default=3, help="renders of the 500-line invoice")
    parser.add_argument("--out", type=Path, help="write the last PDF of each size here")
    parser.add_argument(
        "--compare", action="store_true", help="time against the two-pass and a plain renderer"
    )
    parser.add_argument("--rss", type=int, help="print RSS over this many renders")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    pdf.preload()
    elapsed = time.perf_counter() - started
    print(f"preload (fonts, warm-up render; modules imported at start): {elapsed:.2f} s")
    if args.compare:
        report_compare(args.n, args.N)
        return
    if args.rss:
        report_rss(args.rss)
        return
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
