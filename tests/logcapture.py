"""Read what the app's one log handler writes, exactly as it would reach stderr."""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from backoffice.logs import make_handler


@contextmanager
def log_lines() -> Iterator[list[str]]:
    """Collect the formatted lines of every record logged inside the block."""
    stream = io.StringIO()
    handler = make_handler(logging.StreamHandler(stream))
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[str] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(stream.getvalue().splitlines())
