"""The document stream generated in a second process while this one feeds COPY.

Generating the rows is the seed's bottleneck, and a thread shares the interpreter lock with the
thread that joins and sends the previous batch: a process has a core of its own. It hands over
each batch as COPY-ready bytes per table; at the end it sends the stream's counters (last ids,
last number per series), which the load needs to set the sequences and numbering counters.
"""

import multiprocessing
import queue
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

from bench.seed_large_rows import DocumentStream

WAIT_SECONDS = 5  # between checks that the producer is still alive


@dataclass(frozen=True)
class Encoded:
    """One batch: COPY text per table, UTF-8 encoded, and how many invoices it holds."""

    tables: dict[str, bytes]
    invoice_count: int


@dataclass(frozen=True)
class Finished:
    last_id: dict[str, int]
    numbers: dict[int, int]


def _produce(stream: DocumentStream, size: int, out: multiprocessing.Queue) -> None:
    try:
        for batch in stream.batches(size):
            tables = {table: "".join(rows).encode() for table, rows in batch.rows.items()}
            out.put(Encoded(tables, batch.invoice_count))
        out.put(Finished(stream.last_id, stream.numbers))
    except BaseException:  # the consumer raises it with the producer's traceback
        out.put(traceback.format_exc())


def produced_ahead(stream: DocumentStream, size: int, ahead: int = 2) -> Iterator[Encoded]:
    """Batches of size invoices, made ahead in a forked process; the stream's counters are
    updated from the producer's once it has made the last one."""
    context = multiprocessing.get_context("fork")  # the stream is inherited, not pickled
    batches: multiprocessing.Queue = context.Queue(maxsize=ahead)
    producer = context.Process(target=_produce, args=(stream, size, batches), daemon=True)
    producer.start()
    try:
        while True:
            try:
                item = batches.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if not producer.is_alive():
                    raise RuntimeError(f"The row producer died ({producer.exitcode}).") from None
                continue
            if isinstance(item, str):
                raise RuntimeError(f"The row producer failed:\n{item}")
            if isinstance(item, Finished):
                stream.last_id.update(item.last_id)
                stream.numbers.update(item.numbers)
                return
            yield item
    finally:
        producer.join(timeout=WAIT_SECONDS)
        if producer.is_alive():
            producer.kill()
