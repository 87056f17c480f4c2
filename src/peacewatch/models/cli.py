"""CLI commands of peacewatch.models (mounted by :mod:`peacewatch.cli` as ``peacewatch model``).

``density``, ``typology``, ``fit``, ``predict``, ``incidence``, ``plot``; and :func:`report`, mounted
as the top-level ``peacewatch report``. Heavy imports stay inside the commands so ``--help`` is fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from peacewatch.csvsafe import to_csv as safe_csv

app = typer.Typer(
    help="Models: democratic density, identity x opportunity, deployment-risk logit, predictions, incidence index.",
    no_args_is_help=True,
)

SpecsOpt = Annotated[
    Path | None, typer.Option("--specs", help="YAML file with your own specifications (added to the built-in ones).")
]


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2)


@app.command()
def density(
    io: Annotated[
        list[str], typer.Option("--io", help="IO (COW ioname, any case), repeatable: UN, OAS, NATO, AU, EU ...")
    ] = [],  # noqa: B006
    mission: Annotated[list[str], typer.Option("--mission", help="UN mission acronym, repeatable: MINUSTAH ...")] = [],  # noqa: B006
    year: Annotated[list[int], typer.Option("--year", help="Year, repeatable.")] = [2004],  # noqa: B006
    weighted: Annotated[bool, typer.Option(help="Also weight mission contributors by personnel.")] = True,
    overrides: Annotated[bool, typer.Option(help="Apply membership_overrides.yml (e.g. Cuba in the OAS).")] = True,
    members: Annotated[bool, typer.Option(help="List every member with its polity2.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Democratic density (mean Polity5 polity2) of IOs and missions, with scored/unscored counts."""
    from peacewatch.models.density import SEED_2004, io_density, mission_density
    from peacewatch.models.errors import ModelError
    from peacewatch.works import cite

    if not io and not mission:
        io = ["UN", "OAS", "NATO"]
        mission = ["MINUSTAH"]
    results = []
    try:
        for y in year:
            results += [io_density(i, y, overrides) for i in io]
            for m in mission:
                results.append(mission_density(m, y))
                if weighted:
                    results.append(mission_density(m, y, weighted=True))
    except ModelError as exc:
        _fail(exc)
    if as_json:
        typer.echo(
            json.dumps(
                [r.to_dict() if members else {k: v for k, v in r.to_dict().items() if k != "members"} for r in results],
                indent=2,
            )
        )
        return
    typer.echo(
        f"{'unit':<12}{'year':>6}{'density':>9}{'scored':>8}{'unscored':>10}  "
        f"{'weighted':<9}{'source':<18}{cite('smith2012')} (2004)"
    )
    for r in results:
        seed = SEED_2004.get(r.unit) if r.year == 2004 and not r.weighted else None
        value = "n/a" if r.below_floor else f"{r.value:.2f}"
        typer.echo(
            f"{r.unit:<12}{r.year:>6}{value:>9}{r.n_scored:>8}{r.n_unscored:>10}  "
            f"{'yes' if r.weighted else 'no':<9}{r.source:<18}{'' if seed is None else seed}"
        )
        if r.below_floor:
            typer.echo(
                f"    no density: {r.coverage_text()}; the mean of so few scored members does not stand for {r.unit}"
            )
        for note in r.notes:
            typer.echo(f"    note: {note}")
        if r.unscored:
            typer.echo(f"    unscored: {', '.join(r.unscored)}")
        if members:
            for row in r.members.itertuples():
                typer.echo(
                    f"    {row.ccode:>4} {row.country:<32} {'' if row.polity2 != row.polity2 else int(row.polity2)}"
                )


@app.command()
def typology(
    start: Annotated[int, typer.Option(help="First year.")] = 2001,
    end: Annotated[int, typer.Option(help="Last year.")] = 2011,
    io: Annotated[list[str], typer.Option("--io", help="IOs, repeatable (default UN, OAS, NATO).")] = [],  # noqa: B006
    mission: Annotated[list[str], typer.Option("--mission", help="Missions, repeatable (default MINUSTAH).")] = [],  # noqa: B006
    host: Annotated[
        str | None, typer.Option(help="Host state: COW code, ISO3 or name (e.g. 41, HTI, Haiti); default all hosts.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write CSV here instead of printing.")] = None,
) -> None:
    """Identity (democratic density) x opportunity (personnel on the ground), with the predicted effect of \
Smith 2012."""
    from peacewatch.bounds import PANEL_YEARS, check_year_range
    from peacewatch.countries import resolve_country
    from peacewatch.models.typology import typology_table

    check_year_range(start, end, PANEL_YEARS)
    ccode = resolve_country(host, "--host") if host is not None else None
    t = typology_table(
        range(start, end + 1), tuple(io) or ("UN", "OAS", "NATO"), tuple(mission) or ("MINUSTAH",), ccode
    )
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        safe_csv(t, out, index=False)
        typer.echo(str(out))
    else:
        typer.echo(t.drop(columns="note").to_string(index=False, float_format=lambda x: f"{x:.2f}"))


@app.command()
def specs(extra: SpecsOpt = None) -> None:
    """List the specifications (built-in and from --specs)."""
    from peacewatch.models.specs import load_specifications

    for s in load_specifications(extra).values():
        typer.echo(
            f"{s.name:<26}{s.label}\n    {s.formula}\n    {s.estimator}, years {s.years[0]}-{s.years[1]}, "
            f"clustered by {s.cluster}; table: {s.table}"
        )


@app.command()
def fit(
    spec: Annotated[
        list[str], typer.Option("--spec", help="Specification name, repeatable (default: those of --table).")
    ] = [],  # noqa: B006
    extra: SpecsOpt = None,
    out: Annotated[Path | None, typer.Option(help="Directory for tidy.csv, glance.csv, table.html, table.tex.")] = None,
    table: Annotated[
        list[str],
        typer.Option(
            "--table",
            help=(
                "main, alternative (fixed effects, Firth, lagged outcome, US garrison), outcomes (TIP tier, 3P, GSI) "
                "or all; repeatable (default main)."
            ),
        ),
    ] = [],  # noqa: B006
) -> None:
    """Fit deployment-risk models (clustered SEs) and print the side-by-side table."""
    from peacewatch.bounds import check_choice
    from peacewatch.models.deployment_risk import fit_all
    from peacewatch.models.errors import ModelError
    from peacewatch.models.specs import TABLES
    from peacewatch.models.tables import glance_models, regression_frame, regression_table, tidy_models

    chosen = [check_choice(t, (*TABLES, "all"), "--table") for t in table] or ["main"]
    tables = TABLES if "all" in chosen else tuple(chosen)
    from peacewatch.models.specs import load_specifications
    from peacewatch.models.supplied import SuppliedDataMissingError

    try:
        specs = load_specifications(extra)
        names = spec or [n for n, s in specs.items() if s.table in tables]
        models, skipped = [], []
        for name in names:
            try:
                models += fit_all([name], specs_path=extra)
            except SuppliedDataMissingError as exc:
                if spec:  # asked for by name: an error
                    raise
                skipped.append(f"note ({name}): not estimated: {exc}")
    except ModelError as exc:
        _fail(exc)
    for line in skipped:
        typer.echo(line)
    typer.echo(regression_frame(models).to_string())
    for m in models:
        for note in m.notes:
            typer.echo(f"note ({m.name}): {note}")
    if out:
        out.mkdir(parents=True, exist_ok=True)
        safe_csv(tidy_models(models), out / "tidy.csv", index=False)
        safe_csv(glance_models(models), out / "glance.csv", index=False)
        (out / "table.html").write_text(regression_table(models, "html"), encoding="utf-8")
        (out / "table.tex").write_text(regression_table(models, "latex"), encoding="utf-8")
        typer.echo(f"written to {out}")


@app.command()
def predict(
    personnel: Annotated[float | None, typer.Option(help="Planned mission: uniformed personnel (0-200,000).")] = None,
    duration: Annotated[
        float, typer.Option(help="Planned mission: years since the host's first UN deployment (1 = first year).")
    ] = 1,
    tccs: Annotated[int, typer.Option(help="Planned mission: number of contributing countries.")] = 20,
    control: Annotated[
        list[str],
        typer.Option(
            "--control", help="Host control NAME=VALUE (conflict 0/1, polity2 -10..10, gdppc, population), repeatable."
        ),
    ] = [],  # noqa: B006
    country: Annotated[
        str | None,
        typer.Option(help="Observed predictions for this country instead (COW code, ISO3 or name; years 2001-2011)."),
    ] = None,
    spec: Annotated[str | None, typer.Option(help="Built-in specification (default un_full).")] = None,
    method: Annotated[str, typer.Option(help="delta or simulation.")] = "delta",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (every number, the model's inputs) instead of a sentence.")
    ] = False,
) -> None:
    """Predicted probability (with CI) that a host is a sex-trafficking destination."""
    from peacewatch.bounds import PLANNED_MISSION, PREDICTION_METHODS, check_choice, parse_controls
    from peacewatch.errors import InputError

    method = check_choice(method, PREDICTION_METHODS, "--method")
    if country is not None:
        from peacewatch.countries import country_label, resolve_country

        ccode = resolve_country(country, "--country")
        from peacewatch.models.data import model_panel
        from peacewatch.models.deployment_risk import predict_observed

        obs = predict_observed(model_panel((2001, 2011)), spec=spec, method=method)
        rows = obs[(obs["ccode"] == ccode) & (obs["year"] >= 2001)]
        if rows.empty:
            raise InputError(f"--country: {country_label(ccode)} has no observed country-years in 2001-2011")
        if as_json:
            typer.echo(rows.to_json(orient="records", indent=2))
            return
        typer.echo(rows.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        return
    if personnel is None:
        raise InputError("give --personnel (a planned mission) or --country (observed predictions)")
    checked = {
        name: bound.check(value, f"--{name}")
        for (name, bound), value in zip(PLANNED_MISSION.items(), (personnel, duration, tccs))
    }
    # names are limited to CONTROLS, so they never reach predict_planned's level/n_sims
    controls: dict[str, Any] = parse_controls(control)
    from peacewatch.models.deployment_risk import predict_planned

    result = predict_planned(
        checked["personnel"], checked["duration"], int(checked["tccs"]), spec=spec, method=method, **controls
    )
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(planned_sentence(result, checked["personnel"], checked["duration"], int(checked["tccs"])))


def planned_sentence(result: dict, personnel: float, duration: float, tccs: int) -> str:
    """The planned-mission prediction in words, as the web page gives it (percentages, one decimal)."""

    def pct(x: float) -> str:
        return f"{x * 100:.1f}%"

    from peacewatch.models.specs import get_specification

    when = "first year" if duration == 1 else f"year {duration:g}"
    return (
        f"A mission of {personnel:,.0f} uniformed personnel from {tccs} contributing countries, in its {when}: "
        f"the probability that the host becomes a destination for sex trafficking is {pct(result['risk'])} "
        f"({result['level'] * 100:g}% interval {pct(result['risk_lo'])} to {pct(result['risk_hi'])}; "
        f"model: {get_specification(result['spec']).label}; {result['method']} method). "
        "Add --json for every number and the values used."
    )


@app.command()
def incidence(
    country: Annotated[str | None, typer.Option(help="COW code, ISO3 or name (default: all).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write CSV here instead of printing.")] = None,
) -> None:
    """Trafficking incidence index per country-year (2001-2011)."""
    from peacewatch.countries import resolve_country
    from peacewatch.models.incidence import incidence_index

    ccode = resolve_country(country, "--country") if country is not None else None
    t = incidence_index()
    if ccode is not None:
        t = t[t["ccode"] == ccode]
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        safe_csv(t, out, index=False)
        typer.echo(str(out))
    else:
        typer.echo(t.to_string(index=False, float_format=lambda x: f"{x:.2f}"))


@app.command()
def plot(
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/models/figures"),
    spec: Annotated[
        list[str], typer.Option("--spec", help="Specifications to draw, repeatable (default un_full).")
    ] = [],  # noqa: B006
) -> None:
    """Marginal-effect plots of size across duration and TCC counts, and predicted risk (PNG + SVG)."""
    from peacewatch.models.deployment_risk import default_model
    from peacewatch.models.plots import plot_marginal_effects, plot_predicted_risk

    models = [default_model(s) for s in (spec or ["un_full"])]
    paths = (
        plot_marginal_effects(models, out / "me_size_by_duration", by="duration")
        + plot_marginal_effects(models, out / "me_size_by_tccs", by="tccs")
        + plot_predicted_risk(models, out / "risk_by_size")
    )
    typer.echo("\n".join(str(p) for p in paths))


@app.command()
def replication(out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/replication")) -> None:
    """Write the replication package: estimation data (CSV, Parquet, Stata .dta, R .rds), codebook, estimates, \
R script and do-file."""
    from peacewatch.models.replication import write_replication
    from peacewatch.progress import working

    with working("writing the replication package"):
        paths = write_replication(out)
    typer.echo("\n".join(str(p) for p in paths))


def report(out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/models")) -> None:
    """Write the self-contained HTML report of every model (density, typology, logits, predictions, index)."""
    from peacewatch.models.report import write_report
    from peacewatch.progress import working

    with working("writing the models report"):
        path = write_report(out)
    typer.echo(str(path))


app.command("report")(report)
