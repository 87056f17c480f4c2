"""Scorecard grades in plain words: why a row has its grade (or none), what a year's grades rest on,
and the TCC suspension rule, all read from the rule set and the graded rows (never hard-coded).

Presentation only: the grades themselves come from :mod:`peacewatch.scorecards.engine`.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pandas as pd

from peacewatch.scorecards.rules import RuleSet, load_ruleset
from peacewatch.web import labels

#: Units sharing one score and the same component scores before a page says so.
SAME_SCORE_GROUP = 3


def ruleset(card: str) -> RuleSet:
    """The rule set the web app grades ``card`` with (the default one)."""
    return load_ruleset(None, card=card)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def component_header(col: str, card: str) -> str:
    """A component column's heading: its title and what the number is (never the bare title, which
    can equal another column's, e.g. the published TIP tier)."""
    return f"{labels.component(col[2:], card)}: score (0-10)"


def row_reason(row: dict, card: str, rs: RuleSet, tier_relabelled: bool = False) -> str:
    """Why ``row`` (a scorecard record with ``s_...`` columns) has its grade, in one or two sentences;
    ``tier_relabelled``: the year's grades are the published TIP tier relabelled (:func:`tier_relabelled`)."""
    comps = [c for c in row if c.startswith("s_")]
    have = [labels.component(c[2:], card) for c in comps if not _missing(row[c])]
    lack = [labels.component(c[2:], card) for c in comps if _missing(row[c])]
    coverage = row.get("coverage") or 0.0
    if row.get("grade") == "No data":
        if not have:
            return f"No grade: no component has data for this unit in {row['year']}."
        return (
            f"No grade: only {_joined(have)} {'has' if len(have) == 1 else 'have'} data, "
            f"{coverage:.0%} of the weight; a grade needs at least {rs.min_coverage:.0%}. "
            f"No data for {_joined(lack)}."
        )
    text = f"Score {labels.number(row.get('score'), 2)} from {_joined(have)}"
    text += f" (no data for {_joined(lack)})." if lack else "."
    decided = str(row.get("decided_by") or "")
    kind, _, rid = decided.partition(":")
    if kind == "threshold":
        band = next((t for t in rs.thresholds if t.grade == rid), None)
        if band is not None:
            text += f" {rid}: the score is in its band {band.min:g} to {band.max:g}."
    elif kind == "cap":
        cap = next((c for c in rs.caps if c.id == rid), None)
        if cap is not None:
            text += f" {row['grade']} because of a cap: {cap.text.strip()}"
    elif kind == "watch_list":
        crit = next((c for c in rs.watch_list.criteria if c.id == rid), None)
        if crit is not None:
            text += f" On watch: {crit.text.strip()}"
    elif kind == "history":
        text += f" Downgraded: on watch for {rs.history.watch_list_years} years in a row without a recorded waiver."
    elif kind == "override":
        text += " The grade was set by hand; the detail page gives the reason."
    elif kind == "waiver":
        text += " A recorded waiver keeps it on watch; the detail page gives the reason."
    if tier_relabelled and row.get("published_tier"):
        text += f" In effect this is the published {row['published_tier']} relabelled."
    return text


def tier_relabelled(card: str, rows: pd.DataFrame) -> dict[str, str] | None:
    """Published tier -> grade when every graded host of one year has the grade its tier alone
    gives (each tier one grade): the grades then add nothing to the tier. None otherwise."""
    graded = rows[rows["grade"] != "No data"]
    if card != "hosts" or not len(graded) or "published_tier" not in graded or graded["published_tier"].isna().any():
        return None
    pairs = graded.groupby("published_tier")["grade"].agg(lambda g: sorted(set(g)))
    if not all(len(g) == 1 for g in pairs):
        return None
    return {tier: g[0] for tier, g in pairs.items()}


def year_findings(card: str, rows: pd.DataFrame) -> list[str]:
    """Plain-word findings about one year's grades: a grade that is just the published TIP tier
    relabelled, and groups of units with identical scores because their components are identical."""
    out: list[str] = []
    graded = rows[rows["grade"] != "No data"]
    if not len(graded):
        return out
    comps = [c for c in rows.columns if c.startswith("s_")]
    with_data = [c for c in comps if graded[c].notna().any()]
    relabel = tier_relabelled(card, rows)
    if relabel:
        mapping = "; ".join(f"{tier} is {grade}" for tier, grade in relabel.items())
        others = [labels.component(c[2:], card) for c in with_data if c != "s_tip_tier"]
        out.append(
            f"Every grade of {int(rows['year'].iloc[0])} is the published TIP tier relabelled ({mapping})"
            + (
                f": the other components with data ({_joined(others)}) do not change any grade"
                if others
                else ": no other component has data"
            )
            + "."
        )
    keys = [
        tuple(None if _missing(v) else round(float(v), 4) for v in r) for r in graded[with_data].itertuples(index=False)
    ]
    scores = graded["score"].round(4).tolist()
    groups = Counter(zip(scores, keys))
    for (score, key), n in sorted(groups.items(), key=lambda kv: -kv[1]):
        if n < SAME_SCORE_GROUP:
            break
        parts = [
            f"{labels.component(c[2:], card)} {labels.number(v, 1)}" for c, v in zip(with_data, key) if v is not None
        ]
        out.append(
            f"{n} units have the identical score {labels.number(score, 2)} because their component scores "
            f"are identical ({', '.join(parts)})."
        )
    return out


def suspension_rule(rs: RuleSet) -> dict | None:
    """The TCC suspension recommendation as readers read it: what it recommends and when."""
    if rs.suspension is None:
        return None
    rule = rs.suspension
    when = (
        "It is recommended when all of these hold:"
        if rule.require == "all" and len(rule.criteria) > 1
        else "It is recommended when any of these holds:"
    )
    cap = getattr(rule, "max_grade", None)
    note = (
        f"A contributor it is recommended for is graded no better than {cap}."
        if cap
        else "The recommendation sits beside the grade; it does not change the grade."
    )
    return {
        "text": " ".join(rule.text.split()),
        "when": when,
        "criteria": [" ".join(c.text.split()) for c in rule.criteria],
        "note": note,
    }


def suspension_parts(row: dict, rs: RuleSet) -> list[dict]:
    """The counts behind a TCC row's suspension cell, one item per count, in words."""
    out = []
    for k, v in row.items():
        if k.startswith("n_"):
            out.append(
                {
                    "label": labels.suspension_count(k[2:], rs),
                    "value": labels.number(v) if v is not None else "small count, not published (fewer than 5)",
                }
            )
    return out


def suspension_reasons(value: Any, rs: RuleSet) -> list[str]:
    """The criteria a flagged row meets (the ``suspension`` cell holds their ids, ``;``-separated)."""
    if not value:
        return []
    texts = {c.id: " ".join(c.text.split()) for c in (rs.suspension.criteria if rs.suspension else [])}
    return [texts.get(i.strip(), labels.suspension_count(i.strip(), rs)) for i in str(value).split(";") if i.strip()]
