"""The three scorecards (host states, TCCs, missions) as sortable, filterable tables with CSV, and
one grade explained in full (components, evidence, deciding rule).

Sorting and filtering happen on the server through query parameters, so they work without
JavaScript and every view has a link: ``/scorecards/hosts?year=2010&tier=Tier+3&sort=score&order=asc``;
``&format=csv`` downloads exactly the rows shown, ``&format=json`` returns them as JSON.
"""

from __future__ import annotations

import io

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from peacewatch.bounds import SCORECARD_YEARS
from peacewatch.web.analysis import CARDS
from peacewatch.web.data import NotFoundError, records
from peacewatch.web.errors import ModuleUnavailable
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.templating import render

router = APIRouter(prefix="/scorecards")

TITLES = {"hosts": "Host states", "tccs": "Troop-contributing countries", "missions": "UN missions"}
TIERS = ("Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3", "No data")
BASE_COLUMNS = ["key", "name", "year", "tier", "score", "coverage", "score_tier", "decided_by", "watch_list"]
#: Rank used when sorting by tier (best first).
TIER_ORDER = {t: i for i, t in enumerate(TIERS)}


def _cards(request: Request):
    return request.app.state.scorecards


def _check_card(card: str) -> None:
    if card not in CARDS:
        raise NotFoundError(f"no scorecard {card!r}; the scorecards are {', '.join(CARDS)}")


def unit_grades(request: Request, card: str, key) -> dict:
    """Tier of ``key`` in every graded year plus the latest graded year explained (country page)."""
    # Memoised with the card's current grades, so a country page stays a lookup.
    memo = _cards(request).memo(card)
    if ("unit", str(key)) not in memo:
        memo[("unit", str(key))] = _unit_grades(request, card, key, _cards(request).table(card))
    return memo[("unit", str(key))]


def _unit_grades(request: Request, card: str, key, table: pd.DataFrame) -> dict:
    rows = table[table["key"].astype(str) == str(key)].sort_values("year")
    years = records(rows[["year", "tier", "score", "decided_by"]])
    graded = rows[rows["tier"] != "No data"]
    detail = None
    if len(graded):
        detail = _cards(request).explain(card, key, int(graded["year"].iloc[-1])).to_dict()
    return {"years": years, "detail": detail}


@router.get("", summary="Scorecards index")
async def index():
    return RedirectResponse("/scorecards/hosts", status_code=303)


@router.get("/{card}", summary="A scorecard as a sortable, filterable table (HTML, JSON or CSV)")
def scorecard(request: Request, card: str, year: int | None = Query(None, ge=SCORECARD_YEARS.lo, le=SCORECARD_YEARS.hi),
              tier: str | None = None, q: str | None = Query(None, max_length=80),
              sort: str = Query("score", max_length=40), order: str = Query("desc", pattern="^(asc|desc)$")):
    """Grades of ``card`` in ``year`` (default: latest graded year), filtered by tier and name."""
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    years = sorted(int(y) for y in full["year"].unique())
    year = year or years[-1]
    table = full[full["year"] == year]
    component_cols = [c for c in table.columns if c.startswith("s_")]
    if tier:
        if tier not in TIERS:
            raise NotFoundError(f"no tier {tier!r}; use one of {', '.join(TIERS)}")
        table = table[table["tier"] == tier]
    if q:
        table = table[table["name"].str.contains(q, case=False, regex=False) | (table["key"].astype(str).str.upper() == q.upper())]
    columns = BASE_COLUMNS + component_cols
    if sort not in columns:
        sort = "score"
    key = (lambda s: s.map(TIER_ORDER)) if sort in ("tier", "score_tier") else None
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
            "filters": {"tier": tier, "q": q, "sort": sort, "order": order},
            "columns": columns, "rows": records(table), "missing_components": missing,
            "tier_counts": {t: int((full[full["year"] == year]["tier"] == t).sum()) for t in TIERS}}
    context = {"section": "scorecards", "cards": TITLES, "tiers": TIERS, "component_cols": component_cols}
    return render(request, "scorecard.html", data, context=context)


def _safe_missing(cards, card: str) -> dict[str, str]:
    try:
        return cards.missing(card)
    except ModuleUnavailable:
        return {}


@router.get("/{card}/{key}", summary="One grade explained: components, evidence, deciding rule")
def grade_detail(request: Request, card: str, key: str, year: int | None = Query(None, ge=SCORECARD_YEARS.lo, le=SCORECARD_YEARS.hi)):
    _check_card(card)
    cards = _cards(request)
    full = cards.table(card)
    mine = full[full["key"].astype(str).str.upper() == key.upper()]
    if mine.empty and card != "missions":  # a country also by ISO3 code or name (one resolver for all)
        mine = full[full["key"] == _country_or_none(key)]
    if mine.empty:
        raise NotFoundError(f"{key!r} is not graded on the {card} scorecard")
    unit_key = mine["key"].iloc[0]
    graded = mine[mine["tier"] != "No data"]
    year = year or int((graded if len(graded) else mine)["year"].max())
    grade = cards.explain(card, unit_key, year).to_dict()
    history = records(mine.sort_values("year")[["year", "tier", "score"]])
    data = {"card": card, "key": unit_key, "year": year, "grade": grade, "history": history}
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
