"""``peacewatch panel build`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from peacewatch.bounds import AGGREGATIONS, PANEL_FORMATS, PANEL_YEARS, SYSTEMS, check_choice, check_year_range
from peacewatch.errors import InputError
from peacewatch.panel.verbs.registry import ALL_NAMES
from peacewatch.panel.verbs.registry import NAMES as VERBS

app = typer.Typer(help="Build and export the country-year panel.", no_args_is_help=True)


@app.command()
def build(
    start: Annotated[int, typer.Option(help=f"First year ({PANEL_YEARS.lo:.0f}-{PANEL_YEARS.hi:.0f}).")] = 1990,
    end: Annotated[
        int, typer.Option(help="Last year (sources reach 2025; see docs/panel-columns.md for each column).")
    ] = 2025,
    system: Annotated[str, typer.Option(help="State system: cow or gw.")] = "cow",
    agg: Annotated[str, typer.Option(help="Monthly-to-yearly rule: december, mean or max.")] = "december",
    add: Annotated[
        list[str], typer.Option(help=f"Verbs to apply (repeatable): {', '.join(VERBS)}; default those of add_all.")
    ] = [],  # noqa: B006
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/panel"),
    fmt: Annotated[
        list[str],
        typer.Option(
            "--format", help="csv, parquet, datapackage, dta (Stata) and/or rds (R) (repeatable; default all)."
        ),
    ] = [],  # noqa: B006
) -> None:
    """Build a country-year panel and write it with its lineage and citations."""
    # Every option is checked before any data is read or any file is written.
    check_year_range(start, end, PANEL_YEARS)
    system = check_choice(system, SYSTEMS, "--system")
    agg = check_choice(agg, AGGREGATIONS, "--agg")
    formats = [check_choice(f, PANEL_FORMATS, "--format") for f in fmt] or list(PANEL_FORMATS)
    unknown = [v for v in add if v not in VERBS]
    if unknown:
        raise InputError(f"--add: unknown verb(s) {', '.join(unknown)}; choose from {', '.join(VERBS)}")

    from peacewatch.panel.build import build_panel, write_panel

    panel = build_panel(start, end, system, agg, add or list(ALL_NAMES))
    written = write_panel(panel, out, formats)
    typer.echo(json.dumps({"written": [str(p) for p in written], **panel.summary()}, indent=2, default=str))
