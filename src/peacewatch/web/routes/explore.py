"""Map, country and mission pages (panel and mission loaders, plus model results where ready)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup

from peacewatch.bounds import PANEL_YEARS
from peacewatch.web import charts, labels, svgcharts
from peacewatch.web.data import COUNTRY_COLUMNS, MAP_COLUMNS, AmbiguousCountry, records
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.templating import csv_response, render, templates

router = APIRouter()


def _store(request: Request):
    return request.app.state.store


def _analysis(request: Request):
    return request.app.state.analysis


#: Sortable columns of the map's host table (query value -> row key).
HOST_SORTS = {
    "country": "country",
    "missions": "un_mission_names",
    "personnel": "un_personnel",
    "troops": "un_troops",
    "tccs": "un_tccs",
    "destination": "hti_pdest",
    "tier": "tip_tier",
}


@router.get("/", summary="World map of host countries by year")
def world_map(
    request: Request,
    year: int | None = Query(None, ge=PANEL_YEARS.lo, le=PANEL_YEARS.hi),
    metric: str = Query("deployments", pattern="^(deployments|destination|tier)$"),
    q: str | None = Query(None, max_length=80),
    destination: str = Query("any", pattern="^(any|yes|no)$"),
    sort: str = Query("personnel", pattern="^(" + "|".join(HOST_SORTS) + ")$"),
    order: str = Query("desc", pattern="^(asc|desc)$"),
):
    """Host countries in ``year``: UN deployments, sex-trafficking destination status, TIP tier.

    The host table is filtered by name or mission (``q``) and destination status (``destination``)
    and sorted by ``sort``/``order``; the map always shows every country.
    """
    store = _store(request)
    year = year or store.default_year
    rows = store.map_year(year)
    if wanted_format(request, ("html", "json", "csv")) == "csv":
        return csv_response(
            [{"year": year, **r} for r in rows], ["year", *MAP_COLUMNS], f"peacewatch-countries-{year}.csv"
        )
    hosts = [r for r in rows if (r["un_personnel"] or 0) > 0]
    all_hosts = len(hosts)
    if q:
        hosts = [
            r
            for r in hosts
            if labels.search_matches(q, r["country"], r["un_mission_names"], r["iso3"], ccode=r["ccode"])
        ]
    if destination != "any":
        hosts = [r for r in hosts if r["hti_pdest"] is not None and (r["hti_pdest"] >= 0.5) == (destination == "yes")]
    col = HOST_SORTS[sort]
    text = col in ("country", "un_mission_names")
    hosts = sorted(hosts, key=lambda r: (r[col] is None, labels.fold(r[col]) if text else (r[col] or 0)))
    if order == "desc":
        present = [r for r in hosts if r[col] is not None][::-1]
        hosts = present + [r for r in hosts if r[col] is None]  # missing values last either way
    data = {
        "year": year,
        "metric": metric,
        "metric_label": charts.MAP_METRICS[metric]["label"],
        "years": store.years,
        "countries": rows,
        "hosts": [r["ccode"] for r in hosts],
        "coverage": store.year_note(year),
        "filters": {"q": q, "destination": destination, "sort": sort, "order": order},
    }
    context = {
        "hosts": hosts,
        "all_hosts": all_hosts,
        "option": charts.world_map(rows, metric),
        "metrics": charts.MAP_METRICS,
        "finder_options": store.finder_options,
        "coloured": charts.coloured_states(rows, metric),
        # the legend's swatches: the same fill patterns as the map's (charts.PATTERNS)
        "legend_patterns": {
            p["label"]: charts.svg_pattern(p, f"map-pattern-{i}")
            for i, p in enumerate(charts.MAP_METRICS[metric]["pieces"])
            if p.get("pattern")
        },
    }
    return render(request, "map.html", data, context=context)


@router.get("/country", summary="Country index, or jump to ?key=<COW code or ISO3>")
def country_index(request: Request, key: str | None = Query(None, max_length=60)):
    """Every country of the panel with a link; ``?key=`` (from the finder form) opens one."""
    store = _store(request)
    if key:
        try:
            return RedirectResponse(f"/country/{store.resolve_country(key)}", status_code=303)
        except AmbiguousCountry as choice:
            return _country_choice(request, key, choice.choices)
    countries = [
        {"ccode": c, "country": n} for c, n in sorted(store.country_names.items(), key=lambda kv: labels.fold(kv[1]))
    ]
    return render(request, "countries.html", {"countries": countries})


def _country_choice(request: Request, key: str, choices: list[int]):
    """The page that asks which of several countries a name meant ("Congo")."""
    store = _store(request)
    options = [{"ccode": c, "country": store.country_name(c)} for c in choices]
    return render(request, "country_choice.html", {"key": key, "choices": options})


@router.get("/country/{key}", summary="Country page")
def country(request: Request, key: str):
    """Deployments, TCCs, tiers and trafficking status by year; predicted risk and grade where ready."""
    store = _store(request)
    try:
        ccode = store.resolve_country(key)
    except AmbiguousCountry as choice:
        return _country_choice(request, key, choice.choices)
    series = store.country_series(ccode)
    info = store.country_info(ccode)
    if wanted_format(request, ("html", "json", "csv")) == "csv":
        rows = [{"ccode": ccode, "country": info["country"], **r} for r in series]
        return csv_response(rows, ["ccode", "country", *COUNTRY_COLUMNS], f"peacewatch-{info['iso3'] or ccode}.csv")
    risk = _analysis(request).country_risk(ccode)
    grade = _host_grades(request, ccode)
    data = {
        **info,
        "series": series,
        "missions": store.host_missions(ccode),
        "risk": risk,
        "grades": grade,
        "graded_as_tcc": _graded_on(request, "tccs", ccode),
        "coverage": store.coverage_ranges,
    }
    if wanted_format(request) == "json":
        return render(request, "country.html", data)

    def main_part() -> Markup:
        # The same for every visitor: rendered once per country (the year table alone formats ~400
        # numbers, most of a request's time under load), then only the page frame is rendered.
        context = {
            "data": data,
            "risk_option": bool(risk),
            "deployed": [r for r in series if (r["un_personnel"] or 0) > 0],
            "svg": _country_charts(ccode, info["country"], series, risk),
        }
        return Markup(templates.get_template("_country_main.html").render(context))

    return render(
        request, "country.html", data, context={"main": _analysis(request).memo.get(("country_page", ccode), main_part)}
    )


def _country_charts(ccode: int, name: str, series: list[dict], risk: list[dict]) -> dict:
    """The country page's three charts as inline SVG (:mod:`peacewatch.web.svgcharts`): the page runs
    no chart library, so it is drawn with its first paint."""
    return {
        "deployments": svgcharts.deployments(
            series,
            "deployments",
            f"UN troops, police and observers (December) and number of TCCs per year in {name}",
            "Source: IPI Peacekeeping Database. Units: people (bars, left axis); countries contributing troops or "
            "police (line, right axis).",
        ),
        "tiers": svgcharts.tiers(
            series,
            "tiers",
            "US TIP Report tier (Tier 1 best, Tier 3 worst; Special Case and Not rated are published "
            f"statuses without a tier) and HTI destination status per year in {name}",
            "Sources: US TIP Report as coded by Kelley (tier), Human Trafficking Indicators (destination). Units: tier "
            "or status; destination yes or no.",
        ),
        "risk": svgcharts.risk(
            risk,
            "risk",
            f"Predicted probability with its 95% interval per year in {name} (the model is "
            "estimated on the 2001-2011 HTI reports; other years are out-of-sample predictions)",
            "Source: peacewatch deployment-risk model (logit) on the panel. Unit: probability from 0 to 1.",
        )
        if risk
        else None,
    }


def _graded_on(request: Request, card: str, key) -> bool:
    """Whether ``key`` has a grade on ``card`` (for a link)."""
    return str(key).upper() in request.app.state.scorecards.keys(card)


def _host_grades(request: Request, ccode: int) -> dict:
    from peacewatch.web.routes.scorecard_pages import unit_grades

    return unit_grades(request, "hosts", ccode)


MISSION_SORTS = ("mission", "hosts", "first", "last", "months", "peak_personnel", "max_contributors")


@router.get("/missions", summary="List of UN missions (sortable, filterable)")
def missions(
    request: Request,
    q: str | None = Query(None, max_length=80),
    sort: str = Query("first", pattern="^(" + "|".join(MISSION_SORTS) + ")$"),
    order: str = Query("desc", pattern="^(asc|desc)$"),
):
    """Every UN mission in the IPI data with hosts, dates, peak size and contributors.

    ``q`` keeps missions whose acronym or host contains it; ``sort``/``order`` order the table.
    """
    store = _store(request)
    rows = store.mission_index
    if q:
        rows = [
            m
            for m in rows
            if labels.search_matches(q, m["mission"], m["hosts"])
            or any(labels.search_matches(q, ccode=c) for c in store.mission_host_codes(m["mission"]))
        ]
    text = sort in ("mission", "hosts")
    rows = sorted(
        rows, key=lambda m: (m[sort] is None, labels.fold(m[sort]) if text else m[sort]), reverse=(order == "desc")
    )
    data = {"missions": rows, "filters": {"q": q, "sort": sort, "order": order}}
    return render(request, "missions.html", data)


@router.get("/mission/{name}", summary="Mission page")
def mission(request: Request, name: str):
    """Contributors, democratic density over time, size, duration and host risk of one mission."""
    store = _store(request)
    months = store.mission_months(name)
    hosts = store.mission_hosts(name)
    canonical = store.mission_name(name)
    month_rows = store.mission_month_rows(name)
    first, last = month_rows[0]["month"], month_rows[-1]["month"]
    years = sorted(set(int(y) for y in months["year"]))
    density = records(_analysis(request).mission_density(canonical))
    host_ccodes = [h["ccode"] for h in hosts]

    def host_risk():
        r = _analysis(request).risk_observed()
        r = r[r["ccode"].isin(host_ccodes) & r["year"].isin(years)].sort_values(["ccode", "year"])
        host_names = {h["ccode"]: h["host"] for h in hosts}
        return [{**row, "host": host_names.get(row["ccode"])} for row in records(r)]

    risk = host_risk()
    peak = max(month_rows, key=lambda m: m["total"] or 0)
    data = {
        "mission": canonical,
        "hosts": hosts,
        "first_month": first,
        "last_month": last,
        "months_deployed": len(month_rows),
        "duration_years": round(len(month_rows) / 12, 1),
        "peak": peak,
        "months": month_rows,
        "contributors_by_year": store.mission_contributors(canonical),
        "contributors_ipi": store.mission_contributors_ipi(canonical),
        "density": density,
        "risk": risk,
        "graded": _graded_on(request, "missions", canonical),
    }
    density_years = [r["year"] for r in density]
    context = {
        "size_option": charts.mission_size(month_rows),
        "density_option": charts.simple_lines(
            density_years,
            {
                "mean Polity2 of contributors": [r["density"] for r in density],
                "weighted by troops": [r["density_weighted"] for r in density],
            },
            "Polity2 score",
            digits=2,
        )
        if density
        else None,
        "risk_option": charts.risk_band(risk) if risk and len(host_ccodes) == 1 else None,
        "tcc_years": _group_by_year(data["contributors_by_year"]),
    }
    return render(request, "mission.html", data, context=context)


def _group_by_year(rows: list[dict]) -> list[tuple[int, list[dict]]]:
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r["year"], []).append(r)
    return sorted(out.items())
