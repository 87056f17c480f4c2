"""``peacewatch sources list|verify|cite|fetch`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, Task, TaskID, TextColumn, TransferSpeedColumn
from rich.table import Table
from rich.text import Text

from peacewatch.sources.catalog import Catalog, data_dir
from peacewatch.sources.errors import CatalogError, PeacewatchDataError

app = typer.Typer(
    help="The source catalog: list, verify, cite, checksum and fetch the public datasets.", no_args_is_help=True
)
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
def list_sources(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per source) instead of a table.")
    ] = False,
) -> None:
    """List every catalogued source with its version, unit, coverage, licence, origin and files."""
    import json

    from peacewatch.sources.citations import origin

    catalog = _catalog()
    rows = []
    for s in catalog:
        present = sum((catalog.data_root / f.path).is_file() for f in s.files.values())
        rows.append(
            {
                "key": s.key,
                "title": s.title,
                "version": s.version.split(";")[0],
                "unit": s.unit,
                "coverage": f"{s.coverage.get('start', '?')}-{s.coverage.get('end', '?')}",
                "licence": " ".join(s.license.split()),
                "origin": origin(s),
                "files_present": present,
                "files": len(s.files),
            }
        )
    if as_json:
        typer.echo(json.dumps({"data_dir": str(catalog.data_root), "sources": rows}, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"peacewatch sources (data dir: {catalog.data_root})")
    table.add_column("key", no_wrap=True)
    for col in ("title", "version", "unit", "coverage", "licence", "origin", "files"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            *(escape(str(r[c])) for c in ("key", "title", "version", "unit", "coverage", "licence", "origin")),
            f"{r['files_present']}/{r['files']} present",
        )
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
    """Print the BibTeX citations of the given sources (default: all), with each source's licence and
    origin as comments; a work cited by several sources is printed once and every key is unique."""
    from peacewatch.sources.citations import bibliography

    catalog = _catalog()
    typer.echo(bibliography(catalog, _keys(catalog, keys)), nl=False)


class _AmountColumn(DownloadColumn):
    """Bytes of one download; files done of all for the overall task."""

    def render(self, task: Task) -> Text:
        if task.fields.get("files"):
            return Text(f"{task.completed:.0f}/{task.total:.0f} files", style="progress.download")
        return super().render(task)


@app.command()
def fetch(
    keys: KeysArg = None,
    dest: Annotated[Path | None, typer.Option(help="Data directory to fill (default: the resolved data dir).")] = None,
    mirror: Annotated[
        str | None, typer.Option(help="Base URL serving files by their catalog path, instead of the canonical URLs.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=32, help="Parallel downloads.")] = 6,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, max=600, help="Seconds to wait for a server's next bytes before retrying."),
    ] = 15.0,
    retries: Annotated[int, typer.Option("--retries", min=0, max=10, help="Retries per file, with back-off.")] = 2,
) -> None:
    """Download every file from its canonical URL (or --mirror), checking each sha256.

    Files download in parallel, with connect and read timeouts and retries with back-off.
    A host that keeps not answering is given up on for the rest of the run.
    Files published only as R data are converted: pip install 'peacewatch\\[fetch]' first.
    Ends with one summary line; exit 1 when any file failed.
    """

    from peacewatch.sources.fetch import (
        ConverterMissing,
        FetchResult,
        Network,
        fetch_all,
        summary_line,
    )

    catalog = _catalog()
    dest_root = dest or data_dir()
    files = [(key, name) for key in _keys(catalog, keys) for name in catalog.source(key).files]
    network = Network(read_timeout=timeout, attempts=retries + 1)
    failures = 0
    results = []
    converter_missing: list[str] = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), _AmountColumn(), TransferSpeedColumn(), console=console
    ) as bar:
        overall = bar.add_task("all files", total=len(files), files=True)
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        def done(key: str, name: str, outcome: FetchResult | BaseException) -> None:
            nonlocal failures
            label = f"{key}/{name}"
            if label in tasks:
                bar.remove_task(tasks.pop(label))
            bar.advance(overall)
            if isinstance(outcome, FetchResult):
                results.append(outcome)
                bar.console.print(escape(f"{outcome.status:>10}  {label} -> {outcome.path}"), soft_wrap=True)
                return
            failures += 1
            if isinstance(outcome, ConverterMissing):
                converter_missing.append(label)
            elif isinstance(outcome, PeacewatchDataError):
                bar.console.print(f"[red]    failed[/red]  {escape(str(outcome))}", soft_wrap=True)
            else:
                raise outcome

        outcomes = fetch_all(catalog, files, dest_root, mirror, progress, network, jobs, done)
    bugs = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, PeacewatchDataError)]
    if bugs:
        raise bugs[0]
    if converter_missing:
        from peacewatch.sources.fetch import CONVERTER_HINT

        console.print(
            f"[red]    failed[/red]  {len(converter_missing)} file(s) published as R data were not converted "
            f"({escape(', '.join(converter_missing))}): {escape(CONVERTER_HINT)}",
            soft_wrap=True,
        )
    typer.echo(summary_line(results, failures, dest_root))  # plain: one line, never wrapped
    if failures:
        raise typer.Exit(1)
