"""A progress display for long commands: a spinner with the elapsed time, then one "done" line.

Used by ``peacewatch report`` and ``peacewatch score report``; ``peacewatch run`` and
``peacewatch sources fetch`` have their own bars (steps, bytes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def working(label: str, console: Console | None = None) -> Iterator[None]:
    """Show ``label`` with a spinner and elapsed time while the block runs (on standard error)."""
    console = console or Console(stderr=True)
    t0 = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        bar.add_task(label, total=None)
        yield
    console.print(f"{label}: done in {time.perf_counter() - t0:.1f} s")
