"""The three scorecards (host states, TCCs, missions) as sortable, filterable tables with CSV, and
one grade explained in full (components, evidence, deciding rule).

Sorting and filtering happen on the server through query parameters, so they work without
JavaScript and every view has a link: ``/scorecards/hosts?year=2010&grade=Grade+C&sort=score&order=asc``;
``&format=csv`` downloads exactly the rows shown, ``&format=json`` returns them as JSON. Grades are
peacewatch's own (Grade A, B, B watch, C), shown beside the published TIP tier where one exists; each
year carries a coverage note saying which components have data that year and which do not.
"""

from __future__ import annotations

import io

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from peacewatch.csvsafe import to_csv as safe_csv
from peacewatch.memo import Memo
from peacewatch.scorecards.indicators import CARDS
from peacewatch.scorecards.model import GRADE_RANK
from peacewatch.scorecards.model import GRADES as _GRADES
from peacewatch.web import grade_words, labels
from peacewatch.web.data import NotFoundError, records
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.templating import render

router = APIRouter(prefix="/scorecards")

TITLES = labels.CARD_TITLES
IN_SENTENCE = labels.CARD_IN_SENTENCE
#: Every value of a grade column, best first ("No data": too few components with data).
GRADES = (*_GRADES, "No data")
BASE_COLUMNS = [
    "key",
    "name",
    "year",
    "grade",
    "published_tier",
    "published_tier_source",
    "score",
    "coverage",
    "score_grade",
    "decided_by",
    "watch_list",
]
#: Rank used when sorting by grade (best first; "No data" last).
GRADE_ORDER = {**GRADE_RANK, "No data": len(GRADE_RANK)}


def year_note(card: str, full: pd.DataFrame, year: int) -> dict:
    """What the ``card`` knows for ``year``: units graded, components with and without data, and
    whether the published tiers of that year come from a secondary copy (or only in part)."""
    rows = full[full["year"] == year]
    comps = [c for c in full.columns if c.startswith("s_")]
    counts = {c[2:]: int(rows[c].notna().sum()) for c in comps}
    known = [labels.component(k, card) for k, n in counts.items() if n]
    unknown = [labels.component(k, card) for k, n in counts.items() if not n]
    graded = int((rows["grade"] != "No data").sum())
    parts = [
        f"{year}: {graded} of {len(rows)} units graded",
        ("data for " + ", ".join(known)) if known else "no component has data",
        ("no data for " + ", ".join(unknown)) if unknown else "every component has data",
    ]
    notes = []
    if "published_tier_source" in rows and rows["published_tier_source"].eq("tip_tiers_recent").any():
        from peacewatch.sources.loaders.tip_tiers_recent import PARTIAL_YEARS

        notes.append(
            "published TIP tiers of this year come from a secondary copy of the report"
            + (
                "; it lists only the Tier 2 Watch List and Tier 3, so other states have no tier and no grade"
                if year in PARTIAL_YEARS
                else ""
            )
        )
    if card == "hosts" and 2016 <= year <= 2019:
        notes.append("no source gives the TIP tiers of the 2016-2019 reports, so no host state is graded")
    if card == "tccs" and not len(rows):
        notes.append("no deployment data and no registry activity for this year")
    text = "; ".join(parts) + "." + ("".join(f" Note: {n}." for n in notes))
    return {
        "year": year,
        "graded": graded,
        "units": len(rows),
        "known": known,
        "unknown": unknown,
        "notes": notes,
        "text": text,
    }


def _cards(request: Request):
    return request.app.state.scorecards


def _memo(request: Request, card: str) -> Memo:
    """The card's memo, looked up once per request (for the TCC card the lookup asks the registry
    whether its published statistics changed)."""
    per_request = request.state.__dict__.setdefault("scorecard_memos", {})
    if card not in per_request:
        per_request[card] = _cards(request).memo(card)
    return per_request[card]


def _check_card(card: str) -> None:
    if card not in CARDS:
        raise NotFoundError(
            f"There is no scorecard called {card!r}. The scorecards are: "
            + ", ".join(TITLES[c] for c in CARDS)
            + " (see the Scorecards menu)."
        )


def nearest_year(years: list[int], year: int) -> int:
    """The year of ``years`` closest to ``year`` (the later one on a tie: newer data)."""
    return min(years, key=lambda y: (abs(y - year), -y))


def year_ranges(years: list[int]) -> str:
    """``[2001, 2002, 2020, 2026]`` -> ``"2001-2002, 2020, 2026"``: the years a card has, gaps shown."""
    from peacewatch.web.data import _ranges

    return _ranges(sorted(years))


def year_gaps(years: list[int]) -> list[str]:
    """The runs of missing years between the first and last of ``years`` (``["2021-2025"]``)."""
    have = set(years)
    missing = [y for y in range(min(years), max(years) + 1) if y not in have] if years else []
    return year_ranges(missing).split(", ") if missing else []


def _missing_year_page(request: Request, card: str, year: int, years: list[int]):
    """A 404 for a year the card does not have, in readers' words, linking the nearest year."""
    from peacewatch.web.errors import error_page

    near = nearest_year(years, year)
    latest = _graded_years(request, card)[-1]
    message = f"The {IN_SENTENCE[card]} scorecard has no data for {year}. It has data for {year_ranges(years)}."
    links = [{"href": f"/scorecards/{card}?year={near}", "text": f"Open {near}, the nearest year with data"}]
    if latest != near:
        links.append(
            {"href": f"/scorecards/{card}?year={latest}", "text": f"Open {latest}, the latest year with grades"}
        )
    return error_page(
        request, 404, "No scorecard for this year", message, links=links, extra={"years": years, "nearest": near}
    )


def _tabs(request: Request, card: str, year: int) -> list[dict]:
    """One tab per card: it keeps ``year`` where that card has it, else goes to its nearest year and
    says so on arrival (``asked=``)."""
    tabs = []
    for c, title in TITLES.items():
        years = _years(request, c)
        target = year if year in years else nearest_year(years, year)
        href = f"/scorecards/{c}?year={target}" + ("" if target == year else f"&asked={year}")
        tabs.append({"card": c, "title": title, "year": target, "href": href, "current": c == card})
    return tabs


def default_year_note(request: Request, card: str) -> str:
    """Why a card opens on the year it does (each card's latest graded year; they differ)."""
    latest = {c: _graded_years(request, c)[-1] for c in CARDS}
    others = "; ".join(f"{IN_SENTENCE[c]} {y}" for c, y in latest.items())
    if not _has_grades(request, card):
        return (
            f"Opened on {latest[card]}, the latest year on this card. No year on it has enough data for a "
            "grade yet: see the coverage note of the year for what is missing."
        )
    text = (
        f"Opened on {latest[card]}, the latest year with grades on this card. Each scorecard opens on its own "
        f"latest graded year ({others}) because the data behind them end in different years."
    )
    later = [y for y in _years(request, card) if y > latest[card]]
    if later:
        text += (
            f" Later years on this card ({year_ranges(later)}) have too little data for a grade: "
            "see the coverage note of each year."
        )
    return text


def unit_grades(request: Request, card: str, key) -> dict:
    """Grade of ``key`` in every graded year plus the latest graded year explained (country page)."""
    # Memoised with the card's current grades, so a country page stays a lookup.
    return (
        _cards(request)
        .memo(card)
        .get(("unit", str(key)), lambda: _unit_grades(request, card, key, _cards(request).table(card)))
    )


def _unit_grades(request: Request, card: str, key, table: pd.DataFrame) -> dict:
    rows = table[table["key"].astype(str) == str(key)].sort_values("year")
    years = records(rows[["year", "grade", "published_tier", "score", "decided_by"]])
    graded = rows[rows["grade"] != "No data"]
    detail = None
    if len(graded):
        detail = _cards(request).explain(card, key, int(graded["year"].iloc[-1])).to_dict()
        detail["name"] = _display_name(request, card, key, detail["name"], detail["year"])
    return {"years": years, "detail": detail}


def _display_name(request: Request, card: str, key, name: str, year: int) -> str:
    """The unit's name as every page shows it in ``year`` (see :func:`labels.country_name`)."""
    store = request.app.state.store
    if card in ("hosts", "tccs"):
        return store.country_name(int(key), year) if str(key).isdigit() else name
    return _mission_name(store, key, name, year)


@router.get("", summary="Scorecards index")
async def index():
    return RedirectResponse("/scorecards/hosts", status_code=303)


#: Rows per page of a scorecard table (the CSV always has every filtered row).
PAGE_SIZE = 50
#: Filtered, sorted views kept per card (their inputs are few: year, scope, grade, name, sort).
VIEW_CACHE_SIZE = 512


def _year_table(request: Request, card: str, year: int) -> pd.DataFrame:
    """The card's grades of ``year`` with display names and a folded search column (memoised with
    the card's grades: names and search keys never change between requests)."""
    return _memo(request, card).get(("year", year), lambda: _name_year_table(request, card, year))


def _name_year_table(request: Request, card: str, year: int) -> pd.DataFrame:
    store = request.app.state.store
    full = _cards(request).table(card)
    table = full[full["year"] == year].copy()
    if card in ("hosts", "tccs"):
        table["name"] = [
            store.country_name(int(k), year) if str(k).isdigit() else n for k, n in zip(table["key"], table["name"])
        ]
        aliases = [" ".join(labels.COUNTRY_ALIASES.get(int(k), [])) if str(k).isdigit() else "" for k in table["key"]]
        hosted = store.host_ccodes(year)
        table["_hosted"] = [str(k).isdigit() and int(k) in hosted for k in table["key"]]
    else:
        table["name"] = [_mission_name(store, k, n, year) for k, n in zip(table["key"], table["name"])]
        aliases = [""] * len(table)
        table["_hosted"] = True
    table["_search"] = [labels.fold(f"{n} {k} {a}") for n, k, a in zip(table["name"], table["key"], aliases)]
    table["_name_key"] = [labels.fold(n) for n in table["name"]]
    return table


def _mission_name(store, key, name, year: int) -> str:
    """A mission's name on the card: acronym and the display names of its hosts in that year."""
    try:
        hosts = store.mission_hosts(str(key))
    except NotFoundError:
        return name
    return f"{key} ({'; '.join(store.country_name(h['ccode'], year) for h in hosts)})" if hosts else str(key)


def _view(
    request: Request, card: str, year: int, scope: str, grade: str | None, q: str | None, sort: str, order: str
) -> pd.DataFrame:
    """The filtered and sorted rows of a scorecard view, kept for the next request asking for it."""
    key = (year, scope, grade, labels.fold(q) if q else None, sort, order)
    return _views(request, card).get(key, lambda: _filtered(request, card, year, scope, grade, q, sort, order))


def _views(request: Request, card: str) -> Memo:
    """Views of the card and the rows of their pages, bounded whatever users type."""
    return _memo(request, card).get("views", lambda: Memo(f"scorecard views of {card}", VIEW_CACHE_SIZE))


def _filtered(
    request: Request, card: str, year: int, scope: str, grade: str | None, q: str | None, sort: str, order: str
) -> pd.DataFrame:
    table = _year_table(request, card, year)
    if scope == "hosts":
        table = table[table["_hosted"]]
    if grade:
        table = table[table["grade"] == grade]
    if q:
        needle = labels.fold(q)
        table = table[
            table["_search"].str.contains(needle, regex=False)
            | (table["key"].astype(str).str.upper() == q.strip().upper())
        ]
    if sort == "name":
        return table.sort_values("_name_key", ascending=(order == "asc"), kind="stable")

    def sort_key(s: pd.Series) -> pd.Series:
        return s.map(GRADE_ORDER) if s.name in ("grade", "score_grade") else s

    # Ties (and rows without a value, e.g. a year with no grades) in name order, never in code order.
    return table.sort_values(
        [sort, "_name_key"], ascending=[order == "asc", True], na_position="last", key=sort_key, kind="stable"
    )


@router.get("/{card}", summary="A scorecard as a sortable, filterable table (HTML, JSON or CSV)")
def scorecard(
    request: Request,
    card: str,
    year: int | None = Query(None, ge=2001, le=2100),
    asked: int | None = Query(None, ge=1900, le=2100),
    grade: str | None = None,
    q: str | None = Query(None, max_length=80),
    sort: str = Query("score", max_length=40),
    order: str = Query("desc", pattern="^(asc|desc)$"),
    scope: str = Query("hosts", pattern="^(hosts|all)$"),
    page: int = Query(1, ge=1, le=10000),
):
    """Grades of ``card`` in ``year`` (default: latest graded year), filtered by grade and name.

    On the host-state card ``scope=hosts`` (the default) keeps the states that hosted UN personnel
    that year and ``scope=all`` shows every state. HTML and JSON show page ``page`` of
    :data:`PAGE_SIZE` rows; the CSV has every filtered row.
    """
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    years = _years(request, card)
    opened_by_default = year is None
    year = year or _graded_years(request, card)[-1]
    if year not in years:
        return _missing_year_page(request, card, year, years)
    hosts_known = card == "hosts" and bool(request.app.state.store.host_ccodes(year))
    if not hosts_known:
        scope = "all"  # other cards, or a year without deployment data: no host list to narrow to
    year_table = _year_table(request, card, year)
    component_cols = [c for c in year_table.columns if c.startswith("s_")]
    if grade and grade not in GRADES:
        raise NotFoundError(f"no grade {grade!r}; use one of {', '.join(GRADES)}")
    extra = [
        c for c in year_table.columns if c in ("suspension", "registry_data") or c.startswith(("n_", "year_", "mark_"))
    ]
    columns = BASE_COLUMNS + component_cols + extra
    if sort not in columns:
        sort = "score"
    table = _view(request, card, year, scope, grade, q, sort, order)
    fmt = wanted_format(request, ("html", "json", "csv"))
    if fmt == "csv":
        buf = io.StringIO()
        safe_csv(_readable_csv(table[columns], card), buf, index=False)
        name = f"peacewatch-{card}-{year}.csv"
        return Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    pages = max(1, -(-len(table) // PAGE_SIZE))
    page = min(page, pages)
    view_key = (year, scope, grade, labels.fold(q) if q else None, sort, order)
    rows = _views(request, card).get(
        ("rows", view_key, page), lambda: records(table.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE][columns])
    )
    rs = grade_words.ruleset(card)
    relabelled = _memo(request, card).get(
        ("relabelled", year), lambda: grade_words.tier_relabelled(card, full[full["year"] == year])
    )
    for r in rows:
        if "why" not in r:
            r["why"] = grade_words.row_reason(r, card, rs, tier_relabelled=bool(relabelled))
            if "suspension" in r:
                r["suspension_reasons"] = grade_words.suspension_reasons(r["suspension"], rs)
                r["suspension_counts"] = grade_words.suspension_parts(r, rs)
    missing = _memo(request, card).get("missing", lambda: cards.missing(card))
    data = {
        "card": card,
        "title": TITLES[card],
        "year": year,
        "years": years,
        "filters": {"grade": grade, "q": q, "sort": sort, "order": order, "scope": scope},
        "hosts_known": hosts_known,
        "year_ranges": year_ranges(years),
        "year_gaps": year_gaps(years),
        "default_note": default_year_note(request, card) if opened_by_default else None,
        "asked_note": (
            f"The {IN_SENTENCE[card]} scorecard has no data for {asked}; showing {year}, the nearest year it has."
        )
        if asked and asked not in years
        else None,
        "tabs": _tabs(request, card, year),
        "findings": _memo(request, card).get(
            ("findings", year), lambda: grade_words.year_findings(card, full[full["year"] == year])
        ),
        "suspension_rule": grade_words.suspension_rule(rs),
        "total": len(table),
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "columns": columns,
        "rows": rows,
        "missing_components": missing,
        "grade_counts": _grade_counts(request, card, year, scope),
        "coverage": _memo(request, card).get(("note", year), lambda: year_note(card, full, year)),
    }
    context = {
        "section": "scorecards",
        "cards": TITLES,
        "grades": GRADES,
        "component_cols": component_cols,
        "column_labels": {
            **labels.SCORECARD_COLUMNS,
            **{c: grade_words.component_header(c, card) for c in component_cols},
        },
        "has_suspension": "suspension" in columns,
    }
    return render(request, "scorecard.html", data, context=context)


def _years(request: Request, card: str) -> list[int]:
    return _memo(request, card).get(
        "years", lambda: sorted(int(y) for y in _cards(request).table(card)["year"].unique())
    )


def _has_grades(request: Request, card: str) -> bool:
    """Whether any year of the card has a grade (a contributor needs registry data for one)."""
    full = _cards(request).table(card)
    return bool((full["grade"] != "No data").any())


def _graded_years(request: Request, card: str) -> list[int]:
    """Years with at least one grade (the default year is the latest of them)."""

    def make():
        full = _cards(request).table(card)
        graded = sorted(int(y) for y in full.loc[full["grade"] != "No data", "year"].unique())
        return graded or _years(request, card)

    return _memo(request, card).get("graded_years", make)


def _grade_counts(request: Request, card: str, year: int, scope: str) -> dict[str, int]:
    def make():
        table = _year_table(request, card, year)
        if scope == "hosts":
            table = table[table["_hosted"]]
        return {t: int((table["grade"] == t).sum()) for t in GRADES}

    return _memo(request, card).get(("counts", year, scope), make)


#: CSV headers of the base columns (component columns get their indicator's title).
CSV_HEADERS = labels.SCORECARD_CSV_HEADERS


def _csv_header(column: str, card: str) -> str:
    """A readable CSV header: base columns by name, components by their indicator's title."""
    if column in CSV_HEADERS:
        return CSV_HEADERS[column]
    prefix, _, rest = column.partition("_")
    if prefix == "s":
        return f"{labels.component(rest, card)} (score 0-10)"
    if prefix == "year":
        return f"{labels.component(rest, card)}: year of evidence"
    if prefix == "mark":
        return f"{labels.component(rest, card)}: evidence mark"
    if prefix == "n":
        return f"{rest.replace('_', ' ')} (registry count)"
    return column.replace("_", " ")


def _readable_csv(table: pd.DataFrame, card: str) -> pd.DataFrame:
    """The rows shown, with readable headers and scores rounded to 3 decimals (not 16)."""
    out = table.copy()
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(3)
    if "suspension" in out:  # criterion ids -> their counts in words
        rs = grade_words.ruleset(card)
        out["suspension"] = [
            "; ".join(labels.suspension_count(i.strip(), rs) for i in str(v).split(";") if i.strip()) if v else v
            for v in out["suspension"]
        ]
    return out.rename(columns=lambda c: _csv_header(c, card))


@router.get("/{card}/{key}", summary="One grade explained: components, evidence, deciding rule")
def grade_detail(request: Request, card: str, key: str, year: int | None = Query(None, ge=2001, le=2100)):
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    mine = full[full["key"].astype(str).str.upper() == key.upper()]
    if mine.empty and card != "missions":  # a country also by ISO3 code or name (one resolver for all)
        mine = full[full["key"] == _country_or_none(key)]
    if mine.empty:
        raise NotFoundError(
            f"{key!r} is not graded on the {IN_SENTENCE[card]} scorecard; find the units it grades in its table"
        )
    unit_key = mine["key"].iloc[0]
    graded = mine[mine["grade"] != "No data"]
    year = year or int((graded if len(graded) else mine)["year"].max())
    unit_years = sorted(int(y) for y in mine["year"])
    if year not in unit_years:
        from peacewatch.web.errors import error_page

        near = nearest_year(unit_years, year)
        name = _display_name(request, card, unit_key, str(mine["name"].iloc[0]), near)
        return error_page(
            request,
            404,
            "Not on the scorecard this year",
            f"{name} is not on the {IN_SENTENCE[card]} scorecard in {year}. It is on it in {year_ranges(unit_years)}.",
            links=[{"href": f"/scorecards/{card}/{unit_key}?year={near}", "text": f"Open {near}, the nearest year"}],
            extra={"years": unit_years, "nearest": near},
        )
    grade = cards.explain(card, unit_key, year).to_dict()
    grade["name"] = _display_name(request, card, unit_key, grade["name"], year)
    mission_page = None
    if card == "missions":  # graded from Geo-PKO after 2016: not every mission has a page (IPI data)
        try:
            mission_page = f"/mission/{request.app.state.store.mission_name(str(unit_key))}"
        except NotFoundError:
            mission_page = None
    history = records(mine.sort_values("year")[["year", "grade", "score"]])
    data = {
        "card": card,
        "key": unit_key,
        "year": year,
        "grade": grade,
        "history": history,
        "suspension_rule": grade_words.suspension_rule(grade_words.ruleset(card)),
        "coverage": year_note(card, full, year),
    }
    context = {"section": "scorecards", "title": TITLES[card], "mission_page": mission_page}
    return render(request, "grade.html", data, context=context)


def _country_or_none(key: str) -> int | None:
    from peacewatch.countries import resolve_country
    from peacewatch.errors import InputError

    try:
        return resolve_country(key)
    except InputError:
        return None


__all__ = ["router", "unit_grades"]
