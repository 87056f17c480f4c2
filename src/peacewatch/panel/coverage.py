"""What the panel knows for each year: column groups, their source and the years they cover.

Used by ``docs/panel-columns.md`` (by hand) and by the web pages' per-year coverage note. Coverage
is measured on the panel itself (a group is known in a year when any of its columns has a value),
so the note can never claim more than the data hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Group:
    """A set of panel columns that come from one source."""

    id: str
    label: str
    columns: tuple[str, ...]
    source: str
    note: str = ""


GROUPS: tuple[Group, ...] = (
    Group("un", "UN peacekeepers", ("un_personnel",), "IPI Peacekeeping Database", "ends 2016"),
    Group("nonun", "Non-UN missions", ("nonun_personnel",), "Bara & Hultman", "1993-2016"),
    Group("us", "US troops", ("us_troops",), "troopdata (DMDC reports)", "ends 2024"),
    Group(
        "tip",
        "Published TIP tier",
        ("tip_tier",),
        "Kelley tier file; secondary copies from 2020",
        "no source for 2016-2019; 2022, 2024 and 2025 list only the Watch List and Tier 3",
    ),
    Group("hti", "Trafficking destination (HTI)", ("hti_pdest",), "Human Trafficking Indicators", "2001-2011"),
    Group("p3", "3P policy index", ("p3_overall",), "Cho 3P index", "2000-2014"),
    Group("crim", "Criminalisation", ("crim_level",), "Kelley", "ends 2014"),
    Group("democracy", "Democracy (Polity)", ("polity2",), "Polity5", "ends 2018 for nearly all states"),
    Group("freedom", "Freedom House", ("fh_pr",), "Freedom House", "ends 2023"),
    Group("population", "Population", ("population",), "WDI, COW NMC", "ends 2022"),
    Group("gdp", "GDP per capita", ("gdppc",), "WDI", "ends 2020"),
    Group("conflict", "Armed conflict", ("conflict",), "UCDP/PRIO", "ends 2024"),
)


def group_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Countries with a value per group (columns) and year (index)."""
    out = {}
    for g in GROUPS:
        cols = [c for c in g.columns if c in df.columns]
        if cols:
            out[g.id] = df[cols].notna().any(axis=1).groupby(df["year"]).sum()
    return pd.DataFrame(out).fillna(0).astype(int)


def year_coverage(df: pd.DataFrame, year: int, min_share: float = 0.1) -> dict[str, Any]:
    """What is known and not known for ``year`` in panel frame ``df``.

    A group counts as known when at least ``min_share`` of the year's countries have a value (so a
    single stray value, e.g. Polity for one state in 2019, does not make a year look covered).

    Returns
    -------
    dict
        ``year``, ``countries``, ``known`` and ``unknown`` (lists of ``{id, label, source, note,
        countries}``) and ``text``, one sentence for the page.
    """
    rows = df[df["year"] == year]
    n = len(rows)
    known: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    for g in GROUPS:
        cols = [c for c in g.columns if c in df.columns]
        if not cols:
            continue
        have = int(rows[cols].notna().any(axis=1).sum()) if n else 0
        item = {"id": g.id, "label": g.label, "source": g.source, "note": g.note, "countries": have}
        (known if n and have >= min_share * n else unknown).append(item)
    text = f"{year}: known — " + (", ".join(k["label"] for k in known) or "nothing")
    text += "; not known — " + (", ".join(u["label"] for u in unknown) or "nothing") + "."
    return {"year": year, "countries": n, "known": known, "unknown": unknown, "text": text}
