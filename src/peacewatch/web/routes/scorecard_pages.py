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

from peacewatch.web.analysis import CARDS
from peacewatch.web.data import NotFoundError, records
from peacewatch.web.errors import ModuleUnavailable
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.templating import render

router = APIRouter(prefix="/scorecards")

TITLES = {"hosts": "Host states", "tccs": "Troop-contributing countries", "missions": "UN missions"}
GRADES = ("Grade A", "Grade B", "Grade B watch", "Grade C", "No data")
BASE_COLUMNS = ["key", "name", "year", "grade", "published_tier", "published_tier_source", "score", "coverage",
                "score_grade", "decided_by", "watch_list"]
#: Rank used when sorting by grade (best first).
GRADE_ORDER = {t: i for i, t in enumerate(GRADES)}
#: Older names (kept for importers).
TIERS, TIER_ORDER = GRADES, GRADE_ORDER


def year_note(card: str, full: pd.DataFrame, year: int) -> dict:
    """What the ``card`` knows for ``year``: units graded, components with and without data, and
    whether the published tiers of that year come from a secondary copy (or only in part)."""
    rows = full[full["year"] == year]
    comps = [c for c in full.columns if c.startswith("s_")]
    counts = {c[2:]: int(rows[c].notna().sum()) for c in comps}
    known = [k.replace("_", " ") for k, n in counts.items() if n]
    unknown = [k.replace("_", " ") for k, n in counts.items() if not n]
    graded = int((rows["grade"] != "No data").sum())
    parts = [f"{year}: {graded} of {len(rows)} units graded",
             "data for " + (", ".join(known) or "no component"),
             "no data for " + (", ".join(unknown) or "no component")]
    notes = []
    if "published_tier_source" in rows and rows["published_tier_source"].eq("tip_tiers_recent").any():
        from peacewatch.sources.loaders.tip_tiers_recent import PARTIAL_YEARS

        notes.append("published TIP tiers of this year come from a secondary copy of the report"
                     + ("; it lists only the Tier 2 Watch List and Tier 3, so other states have no tier and no grade"
                        if year in PARTIAL_YEARS else ""))
    if card == "hosts" and 2016 <= year <= 2019:
        notes.append("no source gives the TIP tiers of the 2016-2019 reports, so no host state is graded")
    if card == "tccs" and not len(rows):
        notes.append("no deployment data and no registry activity for this year")
    text = "; ".join(parts) + "." + ("".join(f" Note: {n}." for n in notes))
    return {"year": year, "graded": graded, "units": len(rows), "known": known, "unknown": unknown,
            "notes": notes, "text": text}


def _cards(request: Request):
    return request.app.state.scorecards


def _check_card(card: str) -> None:
    if card not in CARDS:
        raise NotFoundError(f"no scorecard {card!r}; the scorecards are {', '.join(CARDS)}")


def unit_grades(request: Request, card: str, key) -> dict:
    """Grade of ``key`` in every graded year plus the latest graded year explained (country page)."""
    # Memoised with the card's current grades, so a country page stays a lookup.
    memo = _cards(request).memo(card)
    if ("unit", str(key)) not in memo:
        memo[("unit", str(key))] = _unit_grades(request, card, key, _cards(request).table(card))
    return memo[("unit", str(key))]


def _unit_grades(request: Request, card: str, key, table: pd.DataFrame) -> dict:
    rows = table[table["key"].astype(str) == str(key)].sort_values("year")
    years = records(rows[["year", "grade", "published_tier", "score", "decided_by"]])
    graded = rows[rows["grade"] != "No data"]
    detail = None
    if len(graded):
        detail = _cards(request).explain(card, key, int(graded["year"].iloc[-1])).to_dict()
    return {"years": years, "detail": detail}


@router.get("", summary="Scorecards index")
async def index():
    return RedirectResponse("/scorecards/hosts", status_code=303)


@router.get("/{card}", summary="A scorecard as a sortable, filterable table (HTML, JSON or CSV)")
def scorecard(request: Request, card: str, year: int | None = Query(None, ge=2001, le=2100),
              grade: str | None = None, q: str | None = Query(None, max_length=80),
              sort: str = Query("score", max_length=40), order: str = Query("desc", pattern="^(asc|desc)$")):
    """Grades of ``card`` in ``year`` (default: latest graded year), filtered by grade and name."""
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    years = sorted(int(y) for y in full["year"].unique())
    graded_years = sorted(int(y) for y in full.loc[full["grade"] != "No data", "year"].unique())
    year = year or (graded_years or years)[-1]
    if year not in years:
        raise NotFoundError(f"the {card} scorecard has no units in {year}; its years are {years[0]}-{years[-1]}")
    table = full[full["year"] == year]
    component_cols = [c for c in table.columns if c.startswith("s_")]
    if grade:
        if grade not in GRADES:
            raise NotFoundError(f"no grade {grade!r}; use one of {', '.join(GRADES)}")
        table = table[table["grade"] == grade]
    if q:
        table = table[table["name"].str.contains(q, case=False, regex=False) | (table["key"].astype(str).str.upper() == q.upper())]
    extra = [c for c in table.columns if c in ("suspension", "registry_data") or c.startswith(("n_", "year_", "mark_"))]
    columns = BASE_COLUMNS + component_cols + extra
    if sort not in columns:
        sort = "score"
    key = (lambda s: s.map(GRADE_ORDER)) if sort in ("grade", "score_grade") else None
    table = table.sort_values(sort, ascending=(order == "asc"), na_position="last", key=key, kind="stable")
    table = table[columns]
    fmt = wanted_format(request, ("html", "json", "csv"))
    if fmt == "csv":
        buf = io.StringIO()
        table.to_csv(buf, index=False)
        name = f"peacewatch-{card}-{year}.csv"
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    missing = _safe_missing(cards, card)
    data = {"card": card, "title": TITLES[card], "year": year, "years": years,
            "filters": {"grade": grade, "q": q, "sort": sort, "order": order},
            "columns": columns, "rows": records(table), "missing_components": missing,
            "grade_counts": {t: int((full[full["year"] == year]["grade"] == t).sum()) for t in GRADES},
            "coverage": year_note(card, full, year)}
    context = {"section": "scorecards", "cards": TITLES, "grades": GRADES, "component_cols": component_cols,
               "has_suspension": "suspension" in table.columns}
    return render(request, "scorecard.html", data, context=context)


def _safe_missing(cards, card: str) -> dict[str, str]:
    try:
        return cards.missing(card)
    except ModuleUnavailable:
        return {}


@router.get("/{card}/{key}", summary="One grade explained: components, evidence, deciding rule")
def grade_detail(request: Request, card: str, key: str, year: int | None = Query(None, ge=2001, le=2100)):
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    mine = full[full["key"].astype(str).str.upper() == key.upper()]
    if mine.empty and card != "missions":  # a country also by ISO3 code or name (one resolver for all)
        mine = full[full["key"] == _country_or_none(key)]
    if mine.empty:
        raise NotFoundError(f"{key!r} is not graded on the {card} scorecard")
    unit_key = mine["key"].iloc[0]
    graded = mine[mine["grade"] != "No data"]
    year = year or int((graded if len(graded) else mine)["year"].max())
    if year not in set(int(y) for y in mine["year"]):
        raise NotFoundError(f"{key!r} is not on the {card} scorecard in {year}")
    grade = cards.explain(card, unit_key, year).to_dict()
    history = records(mine.sort_values("year")[["year", "grade", "score"]])
    data = {"card": card, "key": unit_key, "year": year, "grade": grade, "history": history,
            "coverage": year_note(card, full, year)}
    context = {"section": "scorecards", "title": TITLES[card]}
    return render(request, "grade.html", data, context=context)


def _country_or_none(key: str) -> int | None:
    from peacewatch.countries import resolve_country
    from peacewatch.errors import InputError

    try:
        return resolve_country(key)
    except InputError:
        return None


__all__ = ["router", "unit_grades"]
