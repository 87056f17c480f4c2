"""``peacewatch sources list|verify|cite|fetch`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn
from rich.table import Table

from peacewatch.sources.catalog import Catalog, data_dir
from peacewatch.sources.errors import CatalogError, PeacewatchDataError

app = typer.Typer(help="The source catalog: list, verify, cite, checksum and fetch the public datasets.",
                  no_args_is_help=True)
console = Console()

KeysArg = Annotated[list[str] | None, typer.Argument(help="Source keys (default: all).")]


def _catalog() -> Catalog:
    return Catalog()  # a catalog error is one line and exit 2 (peacewatch.cli_boundary)


def _keys(catalog: Catalog, keys: list[str] | None) -> list[str]:
    keys = keys or sorted(catalog.sources)
    unknown = [k for k in keys if k not in catalog]
    if unknown:
        raise CatalogError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(catalog.sources))}")
    return keys


@app.command("list")
def list_sources() -> None:
    """List every catalogued source with its version, unit, coverage and files."""
    catalog = _catalog()
    table = Table(title=f"peacewatch sources (data dir: {catalog.data_root})")
    table.add_column("key", no_wrap=True)
    for col in ("title", "version", "unit", "coverage", "files"):
        table.add_column(col, overflow="fold")
    for s in catalog:
        cov = f"{s.coverage.get('start', '?')}-{s.coverage.get('end', '?')}"
        present = sum((catalog.data_root / f.path).is_file() for f in s.files.values())
        table.add_row(s.key, s.title, s.version.split(";")[0], s.unit, cov, f"{present}/{len(s.files)} present")
    console.print(table)


@app.command()
def verify(keys: KeysArg = None) -> None:
    """Check each file's sha256 and the catalog's assertions (rows, columns, years, unique keys)."""
    from peacewatch.sources.verify import verify as run_verify

    catalog = _catalog()
    results = run_verify(catalog, _keys(catalog, keys))
    table = Table(title="peacewatch sources verify")
    table.add_column("source", no_wrap=True)
    for col in ("file", "result", "details"):
        table.add_column(col, overflow="fold")
    for r in results:
        status = "[green]ok[/green]" if r.ok else "[red]FAILED[/red]"
        table.add_row(r.source, r.name, status, "; ".join(r.problems or r.checks))
    console.print(table)
    failed = [r for r in results if not r.ok]
    console.print(f"{len(results) - len(failed)} of {len(results)} files verified")
    if failed:
        raise typer.Exit(1)


@app.command()
def checksum(
    paths: Annotated[list[Path], typer.Argument(help="Data file(s), e.g. a new file under the data directory.")],
) -> None:
    """Print each file's sha256 (the ``sha256:`` of its catalog entry), its path relative to the data
    directory when it lies inside it (the entry's ``path:``), and its size."""
    from peacewatch.errors import InputError
    from peacewatch.sources.context import sha256_of

    root = data_dir().resolve()
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file; give the path of a data file")
        full = path.resolve()
        shown = full.relative_to(root).as_posix() if full.is_relative_to(root) else str(path)
        typer.echo(f"{sha256_of(full)}  {shown}  ({full.stat().st_size:,} bytes)")


@app.command()
def cite(keys: KeysArg = None) -> None:
    """Print the BibTeX citations of the given sources (default: all)."""
    catalog = _catalog()
    for key in _keys(catalog, keys):
        typer.echo(catalog.source(key).citation.strip() + "\n")


@app.command()
def fetch(
    keys: KeysArg = None,
    dest: Annotated[Path | None, typer.Option(help="Data directory to fill (default: the resolved data dir).")] = None,
    mirror: Annotated[str | None, typer.Option(
        help="Base URL serving files by their catalog path, instead of the canonical URLs.")] = None,
) -> None:
    """Download every file from its canonical URL (or --mirror), checking each sha256.

    Files published only as R data are downloaded as such and converted (needs the [fetch] extra).
    Ends with one summary line; exit 1 when any file failed.
    """
    from peacewatch.sources.fetch import ConverterMissing, fetch_file, summary_line

    catalog = _catalog()
    dest_root = dest or data_dir()
    failures = 0
    results = []
    converter_missing: list[str] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        for key in _keys(catalog, keys):
            for name in catalog.source(key).files:
                try:
                    result = fetch_file(catalog, key, name, dest_root, mirror, progress)
                    results.append(result)
                    bar.console.print(f"{result.status:>10}  {key}/{name} -> {result.path}")
                except ConverterMissing:
                    failures += 1
                    converter_missing.append(f"{key}/{name}")
                except PeacewatchDataError as exc:
                    failures += 1
                    bar.console.print(f"[red]    failed[/red]  {exc}")
    if converter_missing:
        from peacewatch.sources.fetch import CONVERTER_HINT

        console.print(f"[red]    failed[/red]  {len(converter_missing)} file(s) published as R data were not converted "
                      f"({', '.join(converter_missing)}): {CONVERTER_HINT}", soft_wrap=True)
    typer.echo(summary_line(results, failures, dest_root))  # plain: one line, never wrapped
    if failures:
        raise typer.Exit(1)
