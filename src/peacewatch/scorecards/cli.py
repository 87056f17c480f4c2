"""CLI commands of peacewatch.scorecards (mounted by :mod:peacewatch.cli as ``peacewatch score``).

``peacewatch score hosts|tccs|missions --year Y [--format table|csv|json] [--out FILE] [--explain KEY]``
``peacewatch score replay-tip`` (waiver years in the published TIP tiers), ``peacewatch score report --out DIR``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import cast

import typer

from peacewatch.csvsafe import to_csv as safe_csv

app = typer.Typer(help="TIP-style scorecards for host states, TCCs and missions.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


YEAR = typer.Option(
    ..., "--year", "-y", help="Year: 2001-2025 (hosts), 2001-next year (tccs, with --as-of), 2001-2024 (missions)."
)
FMT = typer.Option(Format.table, "--format", "-f", help="table (terminal), csv or json (full grades with evidence).")
OUT = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output.")
RULESET = typer.Option(None, "--ruleset", "-r", help="Rule-set name or path to a .yml file (default: the card's).")
EXPLAIN = typer.Option(
    None, "--explain", "-e", help="Explain one grade in full: a country (COW code, ISO3 or name) or a mission acronym."
)


def _registry_session(db: str | None):
    """A read session on the registry the TCC card reads, or ``None`` when there is none to read.

    With ``--db`` (or ``PEACEWATCH_DB_URL``) the registry must open: a typo, a refused connection or a
    database that is not a registry is an error, never a scorecard with silently empty registry
    columns. Without either, the default registry (``out/peacewatch.sqlite``) is used when it exists,
    and a note on standard error says so. The engine is disposed when the command ends.
    """
    from peacewatch.cli_boundary import on_close
    from peacewatch.registry.publication import default_registry_file
    from peacewatch.settings import current

    db = db or current().db_url
    if not db:
        default = default_registry_file()
        if not default.is_file():
            return None
        db = f"sqlite:///{default.as_posix()}"
        typer.echo(f"note: reading the registry at {default} (pass --db to read another)", err=True)
    from contextlib import ExitStack

    from peacewatch.registry.publication import read_session

    reading = ExitStack()
    session = reading.enter_context(read_session(db))
    on_close(reading.close)  # ends the read and disposes its engine
    return session


def _check_registry_read(registry, missing: dict[str, str]) -> None:
    """Refuse a scorecard whose registry opened but could not be read (its indicators would be empty)."""
    from peacewatch.registry.publication import DatabaseProblem
    from peacewatch.scorecards.components import REGISTRY_COMPONENTS

    if registry is None:
        return
    failed = [missing[name] for name in REGISTRY_COMPONENTS if name in missing]
    if failed:
        url = registry.get_bind().url.render_as_string(hide_password=True)
        raise DatabaseProblem(
            f"the registry at {url} could not be read ({failed[0]}); fix --db or the registry, "
            "or leave --db out to grade without registry indicators"
        )


def _check_year_has_units(card: str, year: int, table, ruleset: str | None, registry, as_of=None) -> None:
    """A year in range but without any graded unit is an error naming the years that have data."""
    from peacewatch.errors import InputError
    from peacewatch.scorecards import engine

    if len(table):
        return
    years = engine.grade_table(card, None, ruleset, registry, as_of)["year"]
    span = f"{int(years.min())} to {int(years.max())}" if len(years) else "no year"
    why = ""
    if card == "tccs":  # later years are graded from registry activity alone
        why = (
            "; the registry publishes closed years only, and has no activity in that year"
            if registry is not None
            else "; later years are graded from a registry's activity: pass --db"
        )
    raise InputError(f"--year {year}: the {card} scorecard has no units in {year} (its data cover {span}{why})")


def _as_of(text: str | None, year: int):
    """The ``--as-of`` date (YYYY-MM-DD), checked: up to the end of next year, not before the graded year."""
    import datetime as dt

    from peacewatch.bounds import check_as_of
    from peacewatch.errors import InputError

    if text is None:
        return None
    try:
        as_of = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--as-of: {text!r} is not a date; give it as YYYY-MM-DD, e.g. 2027-03-31") from None
    check_as_of(as_of, "--as-of")
    if year > as_of.year:
        raise InputError(
            f"--year {year} is after --as-of {as_of.isoformat()}: nothing is known about {year} then; "
            f"give --as-of a date in {year} or later"
        )
    return as_of


def _run(
    card: str,
    year: int,
    fmt: Format,
    out: Path | None,
    ruleset: str | None,
    explain_key: str | None,
    db_url: str | None = None,
    deployed_only: bool = False,
    as_of_text: str | None = None,
) -> None:
    from peacewatch.bounds import scorecard_years
    from peacewatch.errors import InputError
    from peacewatch.scorecards import engine

    scorecard_years(card).check(year, "--year")
    as_of = _as_of(as_of_text, year)
    key = _unit_key(card, explain_key) if explain_key is not None else None
    registry = _registry_session(db_url) if card == "tccs" else None
    if registry is not None:
        _check_registry_read(registry, engine.missing_components(card, ruleset, registry))
    if key is not None:
        try:
            g = engine.explain(card, key, year, ruleset, registry, as_of)
        except KeyError:
            raise InputError(
                f"--explain: {explain_key} is not on the {card} scorecard in {year}; "
                f"list the units with `peacewatch score {card} --year {year}`"
            ) from None
        text = json.dumps(g.to_dict(), indent=2, default=str) if fmt == Format.json else g.explain()
        _emit(text, out)
        return
    table = engine.grade_table(card, year, ruleset, registry, as_of)
    from peacewatch.scorecards.frames import contributor_note

    note = contributor_note(card, year)
    if note:  # what the contributor data lack that year (stderr: CSV/JSON output stays clean)
        typer.echo(f"coverage: {note}", err=True)
    missing = engine.missing_components(card, ruleset, registry, as_of)
    if deployed_only and card == "hosts":
        hosting = engine._graded(card, ruleset, registry)[0]
        keep = hosting.loc[(hosting["year"] == year) & (hosting["hosting"] == 1), "key"]
        table = table[table["key"].isin(keep)]
        from peacewatch.scorecards.frames import hosting_note

        note = hosting_note(year)
        if note:  # say why the list is short or empty, on stderr so that CSV/JSON output stays clean
            typer.echo(f"--deployed-only: {note}; {len(table)} states listed", err=True)
    else:
        _check_year_has_units(card, year, table, ruleset, registry, as_of)
    if fmt == Format.csv:
        _emit(cast(str, safe_csv(table, index=False)), out)  # no path: the CSV text
    elif fmt == Format.json:
        keys = set(table["key"])
        grades = [g.to_dict() for g in engine.grade(card, year, ruleset, registry, as_of) if g.key in keys]
        _emit(
            json.dumps(
                {"card": card, "year": year, "missing_components": missing, "grades": grades}, indent=2, default=str
            ),
            out,
        )
    else:
        _print_table(card, year, table, missing, out)


def _unit_key(card: str, text: str) -> int | str:
    """A mission acronym (missions card, upper-cased) or a country as COW code, ISO3 or name (hosts, TCCs)."""
    if card == "missions":
        return text.strip().upper()
    from peacewatch.countries import resolve_country

    return resolve_country(text, "--explain")


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def _print_table(card: str, year: int, table, missing: dict[str, str], out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"peacewatch {card} scorecard, {year} (peacewatch grades A, B, B watch, C; not TIP Report tiers)")
    comps = [c for c in table.columns if c.startswith("s_")]
    from peacewatch.scorecards.model import GRADE_RANK

    extra = ["published TIP tier"] if "published_tier" in table and table["published_tier"].notna().any() else []
    extra += ["suspension"] if "suspension" in table else []
    for col in ["key", "name", "grade", *extra, "score", "coverage", "decided_by", *[c[2:] for c in comps]]:
        t.add_column(col, overflow="fold")
    order = table.assign(_r=table["grade"].map(GRADE_RANK).fillna(len(GRADE_RANK)))
    for _, r in order.sort_values(["_r", "score"], ascending=[True, False]).iterrows():
        num = lambda v, f="{:.1f}": "no data" if v != v else f.format(v)  # noqa: E731  NaN -> "no data", never 0
        cells = []
        if "published TIP tier" in extra:
            pub = r["published_tier"]
            cells.append(
                "-"
                if pub is None or pub != pub
                else pub + (" (secondary copy)" if r["published_tier_source"] == "tip_tiers_recent" else "")
            )
        if "suspension" in extra:
            cells.append("RECOMMENDED: " + r["suspension"].replace(";", ", ") if r["suspension"] else "-")
        marks = [f" [{r['mark_' + c[2:]]}]" if r.get("mark_" + c[2:]) else "" for c in comps]
        t.add_row(
            str(r["key"]),
            str(r["name"]),
            r["grade"],
            *cells,
            num(r["score"], "{:.2f}"),
            f"{r['coverage']:.0%}",
            r["decided_by"],
            *[num(r[c]) + m for c, m in zip(comps, marks, strict=True)],
        )
    console = Console(file=out.open("w", encoding="utf-8") if out else None, width=220)
    console.print(t)
    for k, v in missing.items():
        console.print(f"[yellow]missing component[/] {k}: {v}")


@app.command()
def hosts(
    year: int = YEAR,
    fmt: Format = FMT,
    out: Path = OUT,
    ruleset: str = RULESET,
    explain: str = EXPLAIN,
    deployed_only: bool = typer.Option(
        False,
        "--deployed-only",
        help=(
            "Only states hosting UN or non-UN peacekeepers that year "
            "(2017-2024: UN missions on the Geo-PKO maps; none known after 2024)."
        ),
    ),
) -> None:
    """Grade host states: trafficking situation and response, and peacekeeping exposure."""
    _run("hosts", year, fmt, out, ruleset, explain, deployed_only=deployed_only)


@app.command()
def tccs(
    year: int = YEAR,
    fmt: Format = FMT,
    out: Path = OUT,
    ruleset: str = RULESET,
    explain: str = EXPLAIN,
    db: str = typer.Option(
        None,
        "--db",
        help="Registry database URL for the accountability indicators "
        "(default: PEACEWATCH_DB_URL, else out/peacewatch.sqlite when it exists).",
    ),
    db_url: str = typer.Option(None, "--db-url", hidden=True, help="Deprecated spelling of --db."),
    as_of: str = typer.Option(
        None,
        "--as-of",
        help="Grade as of this date (YYYY-MM-DD, up to the end of next year; default "
        "today). The registry's closed years are frozen at their close, when "
        "referrals count once their deadline has passed.",
    ),
) -> None:
    """Grade troop-contributing countries: democracy, Palermo, criminalisation, accountability."""
    if db_url is not None:
        typer.echo("note: --db-url is deprecated; use --db", err=True)
    _run("tccs", year, fmt, out, ruleset, explain, db_url=db or db_url, as_of_text=as_of)


@app.command()
def missions(
    year: int = YEAR, fmt: Format = FMT, out: Path = OUT, ruleset: str = RULESET, explain: str = EXPLAIN
) -> None:
    """Grade UN missions: democratic density, size, duration, contributors, predicted host risk."""
    _run("missions", year, fmt, out, ruleset, explain)


@app.command("replay-tip")
def replay_tip(fmt: Format = FMT, out: Path = OUT) -> None:
    """Replay the published TIP tiers through the automatic-downgrade rule; list the waiver years."""
    from peacewatch.scorecards.tiers import replay_history

    r = replay_history()
    if fmt == Format.table:
        _emit(r.to_string(index=False), out)
    elif fmt == Format.csv:
        _emit(cast(str, safe_csv(r, index=False)), out)  # no path: the CSV text
    else:
        _emit(r.to_json(orient="records", indent=2), out)


@app.command()
def check(
    path: Path = typer.Argument(..., help="Rule-set .yml file to validate."),
    card: str = typer.Option(..., "--card", "-c", help="hosts, tccs or missions"),
) -> None:
    """Validate a rule-set file; errors name the line and field."""
    from peacewatch.bounds import check_choice
    from peacewatch.scorecards.indicators import CARDS
    from peacewatch.scorecards.rules import load_ruleset

    rs = load_ruleset(path, check_choice(card, CARDS, "--card"))
    typer.echo(f"ok: {rs.ruleset} v{rs.version} ({len(rs.indicators)} indicators)")


@app.command()
def report(out: Path = typer.Option(Path("out/scorecards"), "--out", "-o", help="Output directory.")) -> None:
    """Write the three scorecards (CSV + JSON), the figures (PNG + SVG + CSV) and the methods page (Markdown + HTML)."""
    from peacewatch.progress import working
    from peacewatch.scorecards.report import write_scorecards

    with working("writing the scorecards"):
        paths = write_scorecards(out)
    for p in paths:
        typer.echo(str(p))
