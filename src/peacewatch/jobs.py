"""``peacewatch run``: the main job on embedded defaults (mounted by :mod:`peacewatch.cli`).

Steps, each timed and reported: build the 1990-2020 country-year panel with every verb and write it
(CSV, Parquet, Frictionless data package, lineage, citations) and a short summary; the models report;
the scorecards with their figures and methods page; the registry database (SQLite, migrated). With
``--serve`` the dashboard is then served over all of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def _summary_markdown(panel: Any) -> str:
    df = panel.df
    latest = int(df.loc[df["un_personnel"].notna(), "year"].max())
    top = (
        df[df["year"] == latest]
        .nlargest(10, "un_personnel")[["country", "un_personnel", "un_tccs", "un_missions", "un_mission_names"]]
    )
    lines = [
        "# peacewatch panel summary",
        "",
        f"{len(df):,} country-years, {df['ccode'].nunique()} states, {panel.start}-{panel.end} ({panel.system.upper()} system).",
        f"Verbs: {', '.join(s.verb for s in panel.steps)}.",
        "",
        f"## Largest UN deployments, December {latest}",
        "",
        "| host | personnel | TCCs | missions |",
        "|---|---:|---:|---|",
    ]
    for r in top.itertuples():
        lines.append(f"| {r.country} | {r.un_personnel:,.0f} | {r.un_tccs:.0f} | {r.un_mission_names} |")
    lines += ["", "## Coverage (non-missing values)", "", "| column | country-years |", "|---|---:|"]
    lines += [f"| {col} | {n:,} |" for col, n in panel.summary()["non_missing"].items()]
    lines += ["", "## Sources", ""]
    lines += [f"- **{x['source']}** {x['version']}" for x in panel.lineage]
    return "\n".join(lines) + "\n"


def run_main_job(out: Path, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every step of the main job into ``out``; returns what each step wrote."""
    from peacewatch.panel.build import build_panel, write_panel
    from peacewatch.sources.catalog import default_catalog

    default_catalog().require()  # every missing file at once, before anything is written
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        echo(f"[{name}] ...")
        t0 = time.perf_counter()
        value = fn()
        echo(f"[{name}] done in {time.perf_counter() - t0:.2f} s")
        results[name] = value
        return value

    panel = step("panel", lambda: build_panel(1990, 2020))
    step("panel files", lambda: [str(p) for p in write_panel(panel, out / "panel", ["csv", "parquet", "datapackage"])])
    summary = out / "summary.md"
    step("summary", lambda: summary.write_text(_summary_markdown(panel), encoding="utf-8") and str(summary))

    from peacewatch.models.report import write_report

    step("models report", lambda: str(write_report(out / "report")))

    from peacewatch.scorecards.report import write_scorecards

    step("scorecards", lambda: [str(p) for p in write_scorecards(out / "scorecards")])

    # The registry lives in the same output directory unless PEACEWATCH_OUT_DIR/DB_URL say otherwise.
    os.environ.setdefault("PEACEWATCH_OUT_DIR", str(out))
    from peacewatch.registry.cli import init as registry_init

    step("registry", lambda: registry_init(db=None, admin="coordinator", password=None))
    return results


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the top-level app."""

    @app.command()
    def run(
        out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out"),
        serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards.")] = False,
        host: Annotated[str, typer.Option(help="Host to serve on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    ) -> None:
        """Run the main job: panel, summary, models report, scorecards, registry; optionally serve."""
        if serve:
            from peacewatch.web.cli import check_listen

            check_listen(host, port)
        existed = out.exists()
        try:
            run_main_job(out, typer.echo)
        except BaseException:
            if not existed and out.is_dir() and not any(out.iterdir()):
                out.rmdir()  # a failed first run leaves no empty output folder behind
            raise
        typer.echo(f"outputs in {out.resolve()}; summary: {out / 'summary.md'}")
        if serve:
            from peacewatch.web.cli import serve_dashboard

            serve_dashboard(host, port)
