"""Grading: every unit-year of a card at once (vectorised), and a full explanation of one grade.

:func:`grade_frame` is the pure core: frame + rule set -> one row per unit-year with the score, the
tier, the deciding rule and every component score (columns ``s_<indicator>``). :func:`explain` turns
one row into a :class:`~peacewatch.scorecards.model.Grade` with evidence, built only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from peacewatch.bounds import SCORECARD_FIRST_YEAR, check_as_of, last_year
from peacewatch.memo import Memo
from peacewatch.registry.publication import min_cell
from peacewatch.scorecards.frames import card_frame
from peacewatch.scorecards.indicators import CARDS, Indicator, indicators
from peacewatch.scorecards.model import GRADE_RANK, Component, Evidence, Grade, Rule
from peacewatch.scorecards.rules import RuleSet, load_ruleset
from peacewatch.scorecards.tiers import WL, apply_caps, history_walk, rank_to_label, score_ranks, watch_list


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
        ``card, key, name, year, score, coverage, score_grade, grade, published_tier,
        published_tier_source, decided_by, rules, watch_list``; per primary indicator ``s_<indicator>``
        (score, NaN = no data), ``year_<indicator>`` (the year of its evidence) and
        ``mark_<indicator>`` (``secondary copy`` and/or ``older than the graded year``, else empty);
        for a rule set with a suspension rule ``suspension`` (criteria met, ";"-joined) and
        ``n_<criterion>`` (the published count behind each criterion, NaN when suppressed).
        ``decided_by`` is ``<kind>:<id>``; ``rules`` lists every rule that fired.
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
    decided = np.where(rank >= 0, "threshold:" + rank_to_label(rank).astype(str), "coverage:min_coverage").astype(
        object
    )
    rules = decided.copy()

    wl = watch_list(frame, raw, score_s, rank, rs)
    on_wl = (wl != "").to_numpy()
    rank = np.where(on_wl, WL, rank)
    first_wl = wl.str.split(";").str[0]
    decided[on_wl] = "watch_list:" + first_wl[on_wl]
    # every criterion met is a rule of its own ("watch_list:a;watch_list:b"), not "watch_list:a;b"
    rules[on_wl] = rules[on_wl] + ";" + wl[on_wl].str.replace(r"(^|;)", r"\1watch_list:", regex=True)

    rank, cap = apply_caps(raw, rank, rs)
    capped = cap != ""
    decided[capped] = "cap:" + cap[capped]
    rules[capped] = rules[capped] + ";cap:" + cap[capped]

    if rs.history.automatic_downgrade:
        rank, event = history_walk(frame["key"].to_numpy(), frame["year"].to_numpy(), rank, rs.history, apply=True)
        ev = event != ""
        decided[ev] = np.where(event[ev] == "waiver", "waiver:recorded", "history:automatic_downgrade")
        rules[ev] = rules[ev] + ";" + decided[ev]

    flagged = counts = None
    if rs.suspension is not None:
        flagged, counts = suspension_frame(frame, rs)
        if rs.suspension.max_grade is not None:  # a recommended suspension is reflected in the grade
            lim = GRADE_RANK[rs.suspension.max_grade]
            hit = (flagged != "").to_numpy() & (rank >= 0) & (rank < lim)
            rank[hit] = lim
            decided[hit] = f"suspension:{rs.suspension.id}"
            rules[hit] = rules[hit] + f";suspension:{rs.suspension.id}"

    if rs.overrides:
        idx = pd.MultiIndex.from_arrays([frame["key"].astype(str), frame["year"]])
        for o in rs.overrides:
            hit = idx.isin([(str(o.key), o.year)])
            rank[hit] = GRADE_RANK[o.grade]
            decided[hit] = f"override:{o.key}-{o.year}"
            rules[hit] = rules[hit] + f";override:{o.key}-{o.year}"

    published = (
        frame["tip_tier_label"] if "tip_tier_label" in frame else pd.Series(None, index=frame.index, dtype=object)
    )
    source = (
        frame["tip_tier_source"] if "tip_tier_source" in frame else pd.Series(None, index=frame.index, dtype=object)
    )
    out = pd.DataFrame(
        {
            "card": card,
            "key": frame["key"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "year": frame["year"].to_numpy(),
            "score": score,
            "coverage": coverage,
            "score_grade": rank_to_label(score_ranks(score_s, rs)),
            "grade": rank_to_label(rank),
            "published_tier": published.astype(object).where(published.notna(), None).to_numpy(),
            "published_tier_source": source.astype(object).where(source.notna(), None).to_numpy(),
            "decided_by": decided,
            "rules": rules,
            "watch_list": wl.to_numpy(),
        }
    )
    known = indicators(card)
    for r in rs.indicators:
        # graded on true counts; a score shown beside a suppressed count would give it away: blank it
        out[f"s_{r.id}"] = eff[r.id].where(~hidden_by_suppression(frame, known[r.id])).to_numpy()
    for r in rs.indicators:
        year, mark = evidence_marks(frame, known[r.id], [known[f] for f in r.fallback])
        has = eff[r.id].notna().to_numpy()
        out[f"year_{r.id}"] = pd.array(np.where(has, year, np.nan), dtype="Int64")
        out[f"mark_{r.id}"] = np.where(has, mark, "")
    if flagged is not None:
        assert counts is not None  # set together with flagged
        out["suspension"] = flagged.to_numpy()
        raw_cols = [c for c in frame.columns if c.startswith("raw_")]
        # whether the registry holds anything for the unit-year (else the counts are unknown, not small)
        out["registry_data"] = frame[raw_cols].notna().any(axis=1).to_numpy() if raw_cols else False
        for col, values in counts.items():
            out[col] = values.to_numpy()
    return out


def hidden_by_suppression(frame: pd.DataFrame, ind: Indicator) -> pd.Series:
    """Rows whose score of ``ind`` is computed from a true registry count that publication suppresses
    (``<column>__published`` blank while ``<column>`` is known). The grade still uses that score; the
    score itself is not shown, since with the other published figures it would reveal the small cell
    (issue 20)."""
    hidden = pd.Series(False, index=frame.index)
    for col in ind.inputs:
        if f"{col}__published" in frame:
            hidden |= frame[f"{col}__published"].isna() & frame[col].notna()
    return hidden


def evidence_marks(
    frame: pd.DataFrame, ind: Indicator, fallbacks: Sequence[Indicator] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the oldest year of the indicator's evidence and its marks ("secondary copy",
    "older than the graded year"), from the frame's ``<column>__year`` / ``<column>__secondary``."""
    year = frame["year"].to_numpy(dtype="float64")
    oldest = year.copy()
    secondary = np.zeros(len(frame), dtype=bool)
    for i in (ind, *fallbacks):
        for col in i.inputs:
            if f"{col}__year" in frame:
                oldest = np.fmin(oldest, frame[f"{col}__year"].to_numpy(dtype="float64"))
            if f"{col}__secondary" in frame:
                secondary |= frame[f"{col}__secondary"].fillna(False).to_numpy(dtype=bool)
    older = oldest < year
    mark = np.where(
        secondary & older,
        "secondary copy; older than the graded year",
        np.where(secondary, "secondary copy", np.where(older, "older than the graded year", "")),
    )
    return oldest, mark


def suspension_frame(frame: pd.DataFrame, rs: RuleSet) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The suspension rule of ``rs`` on every row of ``frame`` (sorted by key, year).

    Decides on the true registry counts (``raw_<count>``: the value of the graded year, or the sum
    over the rule's window of years when ``window`` is true) and returns, as ``n_<criterion id>``
    (and ``n_<criterion id>_<none_of>``), the same counts with small cells (1..k-1, k >= 5) blanked,
    as the registry publishes them, and blank too when the sum takes in a year whose count publication
    suppresses (differencing it against the published yearly counts would reveal the small cell). The
    rule set requires ``at_least`` >= 5, so a count that triggers a flag is shown unless it includes
    such a year. Without registry data every row is "" and the counts are NaN.
    """
    sp = rs.suspension
    assert sp is not None  # called only for rule sets with a suspension rule
    k = _min_cell()
    met = pd.Series("", index=frame.index, dtype=object)
    counts: dict[str, pd.Series] = {}

    def count(col: str, window: bool) -> pd.Series:
        name = f"raw_{col}" if f"raw_{col}" in frame else col  # deployed personnel is not a registry count
        if name not in frame or (col != "deployed" and name == col):
            return pd.Series(np.nan, index=frame.index)
        s = frame[name].astype("float64")
        return summed(s) if window else s

    def suppressed(col: str, window: bool) -> np.ndarray:
        """Rows whose count includes a year publication suppresses: a window sum over such a year, set
        beside the published yearly counts, would give the small cell away (issue 20)."""
        if f"{col}__published" not in frame:
            return np.zeros(len(frame), dtype=bool)
        small = (frame[f"{col}__published"].isna() & frame[col].notna()).astype("float64")
        return (summed(small) if window else small).fillna(0).to_numpy() > 0

    def summed(s: pd.Series) -> pd.Series:
        out = np.full(len(frame), np.nan)
        keys, years, vals = frame["key"].to_numpy(), frame["year"].to_numpy(), s.to_numpy()
        for i in range(len(frame)):  # rows sorted by key, year: look back within the same unit
            j, acc, seen = i, 0.0, False
            while j >= 0 and keys[j] == keys[i] and years[j] > years[i] - sp.window_years:
                if not np.isnan(vals[j]):
                    acc, seen = acc + vals[j], True
                j -= 1
            out[i] = acc if seen else np.nan
        return pd.Series(out, index=frame.index)

    def published(s: pd.Series) -> pd.Series:
        return s.where(~((s > 0) & (s < k)))

    every = np.ones(len(frame), dtype=bool)
    for c in sp.criteria:
        n = count(c.count, c.window)
        hit = n >= c.at_least
        shown = published(n).where(~suppressed(c.count, c.window))
        counts[f"n_{c.id}"] = shown
        if c.per_1000_deployed is not None:
            deployed = count("deployed", c.window)
            rate = (1000.0 * n / deployed.where(deployed > 0)).replace([np.inf, -np.inf], np.nan)
            hit &= rate >= c.per_1000_deployed
            counts[f"deployed_{c.id}"] = deployed
            counts[f"rate_{c.id}"] = rate.where(shown.notna())  # no rate from a suppressed count
        if c.none_of:
            other = count(c.none_of, c.window)
            hit &= other.fillna(0) == 0
            counts[f"n_{c.id}_{c.none_of}"] = published(other).where(~suppressed(c.none_of, c.window))
        hit = hit.fillna(False).to_numpy(dtype=bool)
        every &= hit
        met[hit] = met[hit] + np.where(met[hit] == "", "", ";") + c.id
    if sp.require == "all":  # the paper's rule: every criterion, else no recommendation
        met[~every] = ""
    return met, counts


def _min_cell() -> int:
    """The registry's smallest published cell (never below 5: :func:`peacewatch.registry.publication.min_cell`)."""
    return min_cell()


# --------------------------------------------------------------------------- cached public layer
#: Graded cards by (card, rule set): 3 cards x a few rule sets.
_GRADED = Memo("scorecards.engine.graded", maxsize=12)


def _graded(
    card: str, ruleset, registry, as_of: dt.date | None = None, user=None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], RuleSet, pd.DataFrame]:
    """Frame, grades (all years), missing components, rule set and raw component scores of a card.

    Cached per card and rule set when no registry is given; with a registry (whose data change) or an
    ``as_of`` date the grades are recomputed on every call (tens of milliseconds).
    """
    rs = load_ruleset(ruleset, card)
    check_as_of(as_of)

    def make():
        frame, missing = card_frame(card, SCORECARD_FIRST_YEAR, last_year(card, as_of), registry, as_of, user)
        # grade all years at once: the Watch List and history rules need the previous years
        raw = pd.DataFrame({i: ind.score(frame) for i, ind in indicators(card).items()})
        return frame, grade_frame(card, frame, rs), missing, rs, raw

    if registry is not None or as_of is not None:
        return make()
    # the rule set is itself memoised by path and modification time: a changed file is a new object
    return _GRADED.get((card, rs.path, rs.version, id(rs)), make)


def grade_table(
    card: str,
    year: int | None = None,
    ruleset: str | None = None,
    registry=None,
    as_of: dt.date | None = None,
    user=None,
) -> pd.DataFrame:
    """All grades of ``card`` (one year or all years: 2001-2025 hosts, 2001-current year TCCs,
    2001-2024 missions) as a DataFrame (see :func:`grade_frame`)."""
    _, table, _, _, _ = _graded(card, ruleset, registry, as_of, user)
    if year is None:
        return table.copy()
    _check_year(year, card)
    return table[table["year"] == year].reset_index(drop=True)


def missing_components(
    card: str, ruleset: str | None = None, registry=None, as_of: dt.date | None = None, user=None
) -> dict[str, str]:
    """Upstream components the card's indicators need that are not available, with the reason."""
    return dict(_graded(card, ruleset, registry, as_of, user)[2])


def _check_year(year: int, card: str = "hosts") -> None:
    from peacewatch.bounds import scorecard_years  # bounds reads the cards' years from frames

    scorecard_years(card if card in CARDS else "hosts").check(year, f"{card} scorecard year")


def _evidence(ind: Indicator, row: pd.Series, year: int) -> tuple[Evidence, ...]:
    out = []
    for col, source in ind.inputs.items():
        v = row.get(col, None)
        if isinstance(v, np.generic):
            v = v.item()
        seen = row.get(f"{col}__year", None)
        ev_year = int(seen) if seen is not None and not pd.isna(seen) else year
        secondary = bool(row.get(f"{col}__secondary", False) is True or row.get(f"{col}__secondary", False) == 1)
        note = row.get(f"{col}__note", "") or ""
        if ev_year < year and not note:
            note = f"last observed {ev_year}"
        if f"{col}__published" in row:  # graded on the true count; shown as the registry publishes it
            shown = row[f"{col}__published"]
            v = shown.item() if isinstance(shown, np.generic) else shown
            if pd.isna(v) and not pd.isna(row.get(col, np.nan)):
                note = note or "small count suppressed in publication (the grade uses the true count)"
        one = row.get(f"{col}__source", None)
        if isinstance(one, str) and one:
            source = one  # the one source this value came from (e.g. kelley_tip or tip_tiers_recent)
        out.append(
            Evidence(
                source=source,
                year=ev_year,
                field=col,
                value=v,
                secondary=secondary,
                older=ev_year < year,
                note=str(note),
            )
        )
    if "deployed" in ind.inputs and "deployed_source" in row:
        out.append(Evidence(source="peacewatch", year=year, field="deployed_source", value=row["deployed_source"]))
    return tuple(out)


def _component(
    ind: Indicator,
    row: pd.Series,
    raw: pd.Series,
    year: int,
    weight: float,
    missing: dict[str, str],
    title_prefix: str = "",
) -> Component:
    s = raw[ind.id]
    score = None if pd.isna(s) else round(float(s), 4)
    why = None
    if score is not None and bool(hidden_by_suppression(row.to_frame().T, ind).iloc[0]):
        score = None  # counted in the grade, not shown: it would reveal a suppressed count
        why = "not shown: computed from a registry count suppressed in publication (small cell); the grade uses it"
    elif score is None:
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
    i: int | None  # index of the rule's entry in its list (None: a waiver not found)
    if kind == "threshold":
        i = next(i for i, t in enumerate(rs.thresholds) if t.grade == rid)
        t = rs.thresholds[i]
        return Rule(
            rid,
            kind,
            f"score {row['score']:.2f} is in the {rid} band {t.min:g}..{t.max:g}",
            rs.path,
            rs.line("thresholds", i),
        )
    if kind == "coverage":
        return Rule(
            rid,
            kind,
            f"components with data carry {row['coverage']:.0%} of the weight, below the "
            f"minimum {rs.min_coverage:.0%}: no grade",
            rs.path,
            rs.line("min_coverage"),
        )
    if kind == "watch_list":
        i = next(i for i, c in enumerate(rs.watch_list.criteria) if c.id == rid)
        return Rule(rid, kind, rs.watch_list.criteria[i].text.strip(), rs.path, rs.line("watch_list", "criteria", i))
    if kind == "cap":
        i = next(i for i, c in enumerate(rs.caps) if c.id == rid)
        return Rule(rid, kind, rs.caps[i].text.strip(), rs.path, rs.line("caps", i))
    if kind == "suspension" and rs.suspension is not None:
        sp = rs.suspension
        return Rule(
            rid,
            kind,
            f"suspension of new deployments recommended ({'all' if sp.require == 'all' else 'a'} "
            f"criterion met): graded no better than {sp.max_grade}",
            rs.path,
            rs.line("suspension"),
        )
    if kind == "history":
        h = rs.history
        return Rule(
            rid,
            kind,
            f"on watch (Grade B watch) for {h.watch_list_years} consecutive years (counting from "
            f"{h.from_year}) without a recorded waiver: automatically downgraded to Grade C",
            rs.path,
            rs.line("history"),
        )
    if kind == "waiver":
        i = next(
            (i for i, w in enumerate(rs.history.waivers) if str(w.key) == str(row["key"]) and w.year == row["year"]),
            None,
        )
        text = (
            f"a recorded waiver keeps it at Grade B watch: {rs.history.waivers[i].reason}"
            if i is not None
            else "waiver"
        )
        return Rule("waiver", kind, text, rs.path, rs.line("history", "waivers", i) if i is not None else None)
    if kind == "override":
        i = next(i for i, o in enumerate(rs.overrides) if f"{o.key}-{o.year}" == rid)
        return Rule(
            rid,
            kind,
            f"grade set to {rs.overrides[i].grade}: {rs.overrides[i].reason}",
            rs.path,
            rs.line("overrides", i),
        )
    return Rule(rid, kind, token, rs.path)


def explain(
    card: str,
    key: int | str,
    year: int,
    ruleset: str | None = None,
    registry=None,
    as_of: dt.date | None = None,
    user=None,
) -> Grade:
    """The full grade of one unit-year: every component, its evidence, and the rules that decided it.

    Parameters
    ----------
    card
        ``hosts``, ``tccs`` or ``missions``.
    key
        COW code (hosts, TCCs) or IPI mission acronym (missions).
    year
        2001-2025 (hosts), 2001-next year (TCCs), 2001-2024 (missions).
    as_of
        TCCs: the date the registry is evaluated at (default today): referrals count against a
        contributor once their deadline has passed by then, so a later date previews the deadlines.
        The public card reads closed years frozen at their close, so ``as_of`` previews the open
        year's deadlines for staff (``user``) only.
    user
        TCCs with a registry session: a staff user (coordinator, investigator) reading the live
        counts of every year, the open one included (issue 20: the public card has closed years only).
    """
    _check_year(year, card)
    frame, table, missing, rs, raw = _graded(card, ruleset, registry, as_of, user)
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
            comps.append(
                Component(
                    c.indicator,
                    c.title,
                    None,
                    0.0 if have else r.weight,
                    c.evidence,
                    c.explanation,
                    (c.missing or "")
                    + (f"; replaced by the mean of {', '.join(f.indicator for f in have)}" if have else ""),
                )
            )
            comps.extend(
                Component(
                    f.indicator,
                    f.title,
                    f.score,
                    r.weight / len(have) if f.score is not None else 0.0,
                    f.evidence,
                    f.explanation,
                    f.missing,
                )
                for f in fb
            )
        else:
            comps.append(c)
    rules = tuple(_rule(t, rs, g) for t in str(g["rules"]).split(";") if t)
    decided = _rule(str(g["decided_by"]), rs, g)
    score = None if pd.isna(g["score"]) else round(float(g["score"]), 4)
    key = g["key"].item() if isinstance(g["key"], np.generic) else g["key"]
    published = g.get("published_tier")
    source = g.get("published_tier_source")
    return Grade(
        card=card,
        key=key,
        name=str(g["name"]),
        year=year,
        score=score,
        coverage=round(float(g["coverage"]), 4),
        grade=str(g["grade"]),
        score_grade=str(g["score_grade"]),
        decided_by=decided,
        rules_applied=rules,
        components=tuple(comps),
        ruleset=rs.ruleset,
        ruleset_version=rs.version,
        missing_components=dict(missing),
        published_tier=None if published is None or pd.isna(published) else str(published),
        published_tier_source=None if source is None or pd.isna(source) else str(source),
        suspension=_suspension_of(g, rs),
    )


def _suspension_of(g: pd.Series, rs: RuleSet) -> dict:
    """The suspension rule's outcome for one graded row: flag, criteria met and published counts."""
    if rs.suspension is None:
        return {}
    met = [m for m in str(g.get("suspension", "") or "").split(";") if m]
    counts: dict[str, int | float | None] = {}
    for c in rs.suspension.criteria:
        span = f" ({rs.suspension.window_years} years)" if c.window else ""
        for col, label in ((f"n_{c.id}", c.count), (f"n_{c.id}_{c.none_of}", c.none_of)):
            if label and col in g:
                v = g[col]
                counts[f"{c.id}: {label}{span}"] = None if pd.isna(v) else int(v)
        if c.per_1000_deployed is not None:  # the contingent's size and the rate the criterion compares
            d, r = g.get(f"deployed_{c.id}"), g.get(f"rate_{c.id}")
            counts[f"{c.id}: personnel deployed (person-years){span}"] = (
                None if d is None or pd.isna(d) else round(float(d))
            )
            counts[f"{c.id}: {c.count} per 1,000 deployed (threshold {c.per_1000_deployed:g})"] = (
                None if r is None or pd.isna(r) else round(float(r), 2)
            )
    return {
        "rule": rs.suspension.id,
        "flagged": bool(met),
        "criteria_met": met,
        "require": rs.suspension.require,
        "max_grade": rs.suspension.max_grade,
        "registry_data": bool(g.get("registry_data", False)),
        "texts": {c.id: " ".join(c.text.split()) for c in rs.suspension.criteria if c.id in met},
        "counts": counts,
    }


def grade(
    card: str, year: int, ruleset: str | None = None, registry=None, as_of: dt.date | None = None, user=None
) -> list[Grade]:
    """Every grade of ``card`` in ``year``, each explaining itself (see :class:`Grade`); ``as_of`` as in
    :func:`explain`."""
    _check_year(year, card)
    frame, table, missing, rs, raw = _graded(card, ruleset, registry, as_of, user)
    idx = np.flatnonzero(table["year"].to_numpy() == year)
    return [_grade_from(card, frame.iloc[i], table.iloc[i], raw.iloc[i], missing, rs) for i in idx]
