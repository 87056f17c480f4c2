"""A progress display for long commands: a spinner with the elapsed time, then one "done" line.

Used by ``peacewatch report``, ``peacewatch score report`` and ``registry vetting import-records``;
``peacewatch run`` and ``peacewatch sources fetch`` have their own bars (steps, bytes);
:func:`counting` is the bar of work counted in items (roster rows of a vetting screen).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def working(label: str, console: Console | None = None) -> Iterator[None]:
    """Show ``label`` with a spinner and elapsed time while the block runs (on standard error)."""
    console = console or Console(stderr=True)
    t0 = time.perf_counter()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        bar.add_task(label, total=None)
        yield
    console.print(f"{label}: done in {time.perf_counter() - t0:.1f} s")


@contextmanager
def counting(label: str, unit: str, console: Console | None = None) -> Iterator[Callable[[int, int], None]]:
    """A bar for work counted in items: yields ``update(done, total)``; a spinner until the first update.

    Ends with one line: ``label: N unit in S s`` (on standard error).
    """
    console = console or Console(stderr=True)
    t0 = time.perf_counter()
    seen = {"done": 0}
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            seen["done"] = done
            bar.update(task, completed=done, total=total)

        yield update
    console.print(f"{label}: {seen['done']:,} {unit} in {time.perf_counter() - t0:.1f} s")
