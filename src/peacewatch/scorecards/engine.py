"""Grading: every unit-year of a card at once (vectorised), and a full explanation of one grade.

:func:`grade_frame` is the pure core: frame + rule set -> one row per unit-year with the score, the
tier, the deciding rule and every component score (columns ``s_<indicator>``). :func:`explain` turns
one row into a :class:`~peacewatch.scorecards.model.Grade` with evidence, built only when asked for.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd

from peacewatch.scorecards.frames import FIRST_YEAR, LAST_YEAR, card_frame
from peacewatch.scorecards.indicators import Indicator, indicators
from peacewatch.scorecards.model import TIER_RANK, Component, Evidence, Grade, Rule
from peacewatch.scorecards.rules import RuleSet, load_ruleset
from peacewatch.scorecards.tiers import WL, apply_caps, history_walk, rank_to_label, score_ranks, watch_list

BASE_COLS = ["card", "key", "name", "year", "score", "coverage", "score_tier", "tier", "decided_by", "rules", "watch_list"]


def component_scores(frame: pd.DataFrame, rs: RuleSet) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """Raw scores of every indicator the rule set uses, and the effective score of each primary
    indicator (its fallbacks' mean where it has no data)."""
    known = indicators(rs.card)
    needed = {r.id for r in rs.indicators} | {f for r in rs.indicators for f in r.fallback}
    needed |= {c.indicator for c in rs.watch_list.criteria if c.indicator} | {c.indicator for c in rs.caps}
    raw = {i: known[i].score(frame) for i in sorted(needed)}
    eff = {}
    for r in rs.indicators:
        s = raw[r.id]
        if r.fallback:
            s = s.fillna(pd.concat([raw[f] for f in r.fallback], axis=1).mean(axis=1, skipna=True))
        eff[r.id] = s
    return raw, eff


def grade_frame(card: str, frame: pd.DataFrame, rs: RuleSet) -> pd.DataFrame:
    """Grade every row of ``frame`` (sorted by ``key, year``) with rule set ``rs``.

    Returns
    -------
    pandas.DataFrame
        ``card, key, name, year, score, coverage, score_tier, tier, decided_by, rules, watch_list``
        and ``s_<indicator>`` per primary indicator (NaN = no data). ``decided_by`` is
        ``<kind>:<id>``; ``rules`` lists every rule that fired.
    """
    raw, eff = component_scores(frame, rs)
    w = np.array([r.weight for r in rs.indicators])
    S = np.column_stack([eff[r.id].to_numpy(dtype="float64") for r in rs.indicators])
    have = ~np.isnan(S)
    wsum = (have * w).sum(axis=1)
    coverage = wsum / w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(have, S, 0.0) @ w / wsum
    score = np.where(coverage >= rs.min_coverage, score, np.nan)
    score_s = pd.Series(score, index=frame.index)

    rank = score_ranks(score_s, rs)
    decided = np.where(rank >= 0, "threshold:" + rank_to_label(rank).astype(str), "coverage:min_coverage").astype(object)
    rules = decided.copy()

    wl = watch_list(frame, raw, score_s, rank, rs)
    on_wl = (wl != "").to_numpy()
    rank = np.where(on_wl, WL, rank)
    first_wl = wl.str.split(";").str[0]
    decided[on_wl] = "watch_list:" + first_wl[on_wl]
    rules[on_wl] = rules[on_wl] + ";watch_list:" + wl[on_wl]

    rank, cap = apply_caps(raw, rank, rs)
    capped = cap != ""
    decided[capped] = "cap:" + cap[capped]
    rules[capped] = rules[capped] + ";cap:" + cap[capped]

    if rs.history.automatic_downgrade:
        rank, event = history_walk(frame["key"].to_numpy(), frame["year"].to_numpy(), rank, rs.history, apply=True)
        ev = event != ""
        decided[ev] = np.where(event[ev] == "waiver", "waiver:recorded", "history:automatic_downgrade")
        rules[ev] = rules[ev] + ";" + decided[ev]

    if rs.overrides:
        idx = pd.MultiIndex.from_arrays([frame["key"].astype(str), frame["year"]])
        for o in rs.overrides:
            hit = idx.isin([(str(o.key), o.year)])
            rank[hit] = TIER_RANK[o.tier]
            decided[hit] = f"override:{o.key}-{o.year}"
            rules[hit] = rules[hit] + f";override:{o.key}-{o.year}"

    out = pd.DataFrame({
        "card": card, "key": frame["key"].to_numpy(), "name": frame["name"].to_numpy(), "year": frame["year"].to_numpy(),
        "score": score, "coverage": coverage, "score_tier": rank_to_label(score_ranks(score_s, rs)),
        "tier": rank_to_label(rank), "decided_by": decided, "rules": rules, "watch_list": wl.to_numpy(),
    })
    for r in rs.indicators:
        out[f"s_{r.id}"] = eff[r.id].to_numpy()
    return out


# --------------------------------------------------------------------------- cached public layer
_CACHE: OrderedDict[tuple, tuple[pd.DataFrame, pd.DataFrame, dict[str, str], RuleSet, pd.DataFrame]] = OrderedDict()
_CACHE_SIZE = 12


def _graded(card: str, ruleset, registry) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], RuleSet, pd.DataFrame]:
    """Frame, grades (all years), missing components, rule set and raw component scores of a card.

    Cached per card and rule set when no registry is given; with a registry (whose data change) the
    grades are recomputed on every call (tens of milliseconds).
    """
    rs = load_ruleset(ruleset, card)
    cache_key = (card, rs.path, rs.version, id(rs))
    if registry is None and cache_key in _CACHE:
        _CACHE.move_to_end(cache_key)
        return _CACHE[cache_key]
    frame, missing = card_frame(card, FIRST_YEAR, LAST_YEAR, registry)
    # grade all years at once: the Watch List and history rules need the previous years
    raw = pd.DataFrame({i: ind.score(frame) for i, ind in indicators(card).items()})
    result = (frame, grade_frame(card, frame, rs), missing, rs, raw)
    if registry is None:
        _CACHE[cache_key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def grade_table(card: str, year: int | None = None, ruleset: str | None = None, registry=None) -> pd.DataFrame:
    """All grades of ``card`` (one year or all of 2001-2015) as a DataFrame (see :func:`grade_frame`)."""
    _, table, _, _, _ = _graded(card, ruleset, registry)
    if year is None:
        return table.copy()
    _check_year(year)
    return table[table["year"] == year].reset_index(drop=True)


def missing_components(card: str, ruleset: str | None = None, registry=None) -> dict[str, str]:
    """Upstream components the card's indicators need that are not available, with the reason."""
    return dict(_graded(card, ruleset, registry)[2])


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"scorecards cover {FIRST_YEAR}-{LAST_YEAR} (TIP tiers end 2015); got {year}")


def _evidence(ind: Indicator, row: pd.Series, year: int) -> tuple[Evidence, ...]:
    out = []
    for col, source in ind.inputs.items():
        v = row.get(col, None)
        if isinstance(v, np.generic):
            v = v.item()
        out.append(Evidence(source=source, year=year, field=col, value=v))
    if "deployed" in ind.inputs and "deployed_source" in row:
        out.append(Evidence(source="peacewatch", year=year, field="deployed_source", value=row["deployed_source"]))
    return tuple(out)


def _component(ind: Indicator, row: pd.Series, raw: pd.Series, year: int, weight: float, missing: dict[str, str],
               title_prefix: str = "") -> Component:
    s = raw[ind.id]
    score = None if pd.isna(s) else round(float(s), 4)
    why = None
    if score is None:
        if ind.requires and ind.requires in missing:
            why = f"no data: missing component {ind.requires} ({missing[ind.requires]})"
        else:
            empty = [c for c in ind.inputs if c not in row or pd.isna(row[c])]
            if not empty:  # inputs present but outside the indicator's domain (see its explanation)
                why = f"not scored for these inputs in {year} (see the explanation)"
            elif all(ind.inputs[c] == "registry" for c in empty):
                why = f"no data: the registry has no {', '.join(empty)} for this unit in {year}"
            else:
                why = f"no data: {', '.join(empty)} missing for {year}"
    return Component(ind.id, title_prefix + ind.title, score, weight, _evidence(ind, row, year), ind.summary, why)


def _rule(token: str, rs: RuleSet, row: pd.Series) -> Rule:
    kind, _, rid = token.partition(":")
    if kind == "threshold":
        i = next(i for i, t in enumerate(rs.thresholds) if t.tier == rid)
        t = rs.thresholds[i]
        return Rule(rid, kind, f"score {row['score']:.2f} is in the {rid} band {t.min:g}..{t.max:g}", rs.path, rs.line("thresholds", i))
    if kind == "coverage":
        return Rule(rid, kind, f"components with data carry {row['coverage']:.0%} of the weight, below the "
                    f"minimum {rs.min_coverage:.0%}: no grade", rs.path, rs.line("min_coverage"))
    if kind == "watch_list":
        i = next(i for i, c in enumerate(rs.watch_list.criteria) if c.id == rid)
        return Rule(rid, kind, rs.watch_list.criteria[i].text.strip(), rs.path, rs.line("watch_list", "criteria", i))
    if kind == "cap":
        i = next(i for i, c in enumerate(rs.caps) if c.id == rid)
        return Rule(rid, kind, rs.caps[i].text.strip(), rs.path, rs.line("caps", i))
    if kind == "history":
        h = rs.history
        return Rule(rid, kind, f"on the Watch List for {h.watch_list_years} consecutive years (counting from "
                    f"{h.from_year}) without a recorded waiver: automatically downgraded to Tier 3", rs.path, rs.line("history"))
    if kind == "waiver":
        i = next((i for i, w in enumerate(rs.history.waivers) if str(w.key) == str(row["key"]) and w.year == row["year"]), None)
        text = f"a recorded waiver keeps it on the Watch List: {rs.history.waivers[i].reason}" if i is not None else "waiver"
        return Rule("waiver", kind, text, rs.path, rs.line("history", "waivers", i) if i is not None else None)
    if kind == "override":
        i = next(i for i, o in enumerate(rs.overrides) if f"{o.key}-{o.year}" == rid)
        return Rule(rid, kind, f"tier set to {rs.overrides[i].tier}: {rs.overrides[i].reason}", rs.path, rs.line("overrides", i))
    return Rule(rid, kind, token, rs.path)


def explain(card: str, key: int | str, year: int, ruleset: str | None = None, registry=None) -> Grade:
    """The full grade of one unit-year: every component, its evidence, and the rules that decided it.

    Parameters
    ----------
    card
        ``hosts``, ``tccs`` or ``missions``.
    key
        COW code (hosts, TCCs) or IPI mission acronym (missions).
    year
        2001-2015.
    """
    _check_year(year)
    frame, table, missing, rs, raw = _graded(card, ruleset, registry)
    k = type(frame["key"].iloc[0])(key) if not isinstance(key, str) or card == "missions" else int(key)
    hit = np.flatnonzero((frame["key"] == k).to_numpy() & (frame["year"] == year).to_numpy())
    if not len(hit):
        raise KeyError(f"no {card} unit {key!r} in {year}; list the units with grade_table({card!r}, {year})")
    return _grade_from(card, frame.iloc[hit[0]], table.iloc[hit[0]], raw.iloc[hit[0]], missing, rs)


def _grade_from(card: str, row: pd.Series, g: pd.Series, raw: pd.Series, missing: dict[str, str], rs: RuleSet) -> Grade:
    known = indicators(card)
    year = int(row["year"])
    comps: list[Component] = []
    for r in rs.indicators:
        c = _component(known[r.id], row, raw, year, r.weight, missing)
        if c.score is None and r.fallback:
            fb = [_component(known[f], row, raw, year, 0.0, missing, "fallback: ") for f in r.fallback]
            have = [f for f in fb if f.score is not None]
            comps.append(Component(c.indicator, c.title, None, 0.0 if have else r.weight, c.evidence, c.explanation,
                                   (c.missing or "") + (f"; replaced by the mean of {', '.join(f.indicator for f in have)}" if have else "")))
            comps.extend(Component(f.indicator, f.title, f.score, r.weight / len(have) if f.score is not None else 0.0,
                                   f.evidence, f.explanation, f.missing) for f in fb)
        else:
            comps.append(c)
    rules = tuple(_rule(t, rs, g) for t in str(g["rules"]).split(";") if t)
    decided = _rule(str(g["decided_by"]), rs, g)
    score = None if pd.isna(g["score"]) else round(float(g["score"]), 4)
    key = g["key"].item() if isinstance(g["key"], np.generic) else g["key"]
    return Grade(card=card, key=key, name=str(g["name"]), year=year, score=score, coverage=round(float(g["coverage"]), 4),
                 tier=str(g["tier"]), score_tier=str(g["score_tier"]), decided_by=decided, rules_applied=rules,
                 components=tuple(comps), ruleset=rs.ruleset, ruleset_version=rs.version,
                 missing_components=dict(missing))


def grade(card: str, year: int, ruleset: str | None = None, registry=None) -> list[Grade]:
    """Every grade of ``card`` in ``year``, each explaining itself (see :class:`Grade`)."""
    _check_year(year)
    frame, table, missing, rs, raw = _graded(card, ruleset, registry)
    idx = np.flatnonzero(table["year"].to_numpy() == year)
    return [_grade_from(card, frame.iloc[i], table.iloc[i], raw.iloc[i], missing, rs) for i in idx]
