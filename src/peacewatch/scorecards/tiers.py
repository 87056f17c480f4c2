"""Tier rules: score bands, Watch List criteria, caps, tier history (automatic downgrade, waivers).

All rules except the history are vectorised over the whole frame. The history walks each unit's
years in order (a few thousand rows: microseconds per row), because a downgrade resets the count.

TIP tier history (Trafficking Victims Protection Reauthorization Act of 2008, from the 2009 report
on): a country on Tier 2 Watch List for two consecutive reports that would be placed there a third
time is automatically downgraded to Tier 3 unless the President waives the downgrade; the waiver can
be used for at most two consecutive years. :func:`replay_history` applies this to published tiers and
returns every year where the published tier needed a waiver (and any beyond the waiver limit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from peacewatch.scorecards.model import GRADE_RANK, GRADES
from peacewatch.scorecards.rules import RULESET_DIR, History, RuleSet, RuleSetError

#: Ranks 0..3 are the same positions in peacewatch's grades and the TIP Report's tiers:
#: A / Tier 1, B / Tier 2, B watch / Tier 2 Watch List, C / Tier 3.
WL = GRADE_RANK["Grade B watch"]
T2 = GRADE_RANK["Grade B"]
T3 = GRADE_RANK["Grade C"]
NONE = -1  # no data


def rank_to_label(rank: np.ndarray) -> np.ndarray:
    """Grade labels of ranks (``No data`` for -1)."""
    labels = np.array([*GRADES, "No data"], dtype=object)
    return labels[np.where(rank < 0, len(GRADES), rank)]


def score_ranks(score: pd.Series, rs: RuleSet) -> np.ndarray:
    """Tier rank from the score bands (``min <= score < max``; the top band includes 10)."""
    s = score.to_numpy(dtype="float64")
    bands = rs.score_tier_bounds()
    conds, choices = [], []
    for i, t in enumerate(bands):
        upper = s <= t.max if i == len(bands) - 1 else s < t.max
        conds.append((s >= t.min) & upper)
        choices.append(GRADE_RANK[t.grade])
    return np.select(conds, choices, default=NONE)


def watch_list(
    frame: pd.DataFrame, comp: dict[str, pd.Series], score: pd.Series, rank: np.ndarray, rs: RuleSet
) -> pd.Series:
    """Ids of the watch criteria met by each Grade B row (``""`` when none); ``frame`` sorted by key, year."""
    fired = pd.Series("", index=frame.index, dtype=object)
    if not rs.watch_list.criteria:
        return fired
    same_unit_prev = (frame["key"].eq(frame["key"].shift())) & (frame["year"].eq(frame["year"].shift() + 1))
    tier2 = rank == T2
    for c in rs.watch_list.criteria:
        if c.score_below is not None:
            hit = score < c.score_below
        else:
            assert c.indicator is not None  # the rule-set check refuses change_below without an indicator
            s = comp[c.indicator]
            hit = same_unit_prev & ((s - s.shift()) < c.change_below)
        hit = hit.fillna(False).to_numpy(dtype=bool) & tier2
        fired[hit] = fired[hit] + np.where(fired[hit] == "", "", ";") + c.id
    return fired


def history_walk(
    keys: np.ndarray, years: np.ndarray, rank: np.ndarray, h: History, apply: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Walk each unit's years (rows sorted by key, year).

    Returns ``(new_rank, event)`` where ``event`` is ``""``, ``"waiver"`` (a Watch List year after
    ``watch_list_years`` consecutive ones, allowed by a waiver), ``"waiver_limit_exceeded"`` or
    ``"automatic_downgrade"``. With ``apply=False`` (replaying published tiers) ranks are not changed
    and every Watch List year that needed a waiver is reported as ``"waiver"``; with ``apply=True``
    only recorded waivers keep a unit on the Watch List, others are downgraded to Tier 3.
    """
    waived = {(str(w.key), int(w.year)) for w in h.waivers}
    out = rank.copy()
    event = np.full(len(rank), "", dtype=object)
    run = 0
    for i in range(len(rank)):
        if i == 0 or keys[i] != keys[i - 1] or years[i] != years[i - 1] + 1:
            run = 0
        if out[i] != WL or years[i] < h.from_year:
            run = 0
            continue
        if run >= h.watch_list_years:
            n_waiver = run - h.watch_list_years + 1
            if not apply:
                event[i] = "waiver" if n_waiver <= h.max_waivers else "waiver_limit_exceeded"
            elif (str(keys[i]), int(years[i])) in waived and n_waiver <= h.max_waivers:
                event[i] = "waiver"
            else:
                out[i] = T3
                event[i] = "automatic_downgrade"
                run = 0
                continue
        run += 1
    return out, event


def apply_caps(comp: dict[str, pd.Series], rank: np.ndarray, rs: RuleSet) -> tuple[np.ndarray, np.ndarray]:
    """Caps: a component below a level limits the best grade. Returns new ranks and the cap id per row."""
    out = rank.copy()
    which = np.full(len(rank), "", dtype=object)
    for c in rs.caps:
        lim = GRADE_RANK[c.max_grade]
        hit = (comp[c.indicator] < c.score_below).fillna(False).to_numpy(dtype=bool) & (out >= 0) & (out < lim)
        out[hit] = lim
        which[hit] = c.id
    return out, which


# --------------------------------------------------------------------------- TIP replay
class TipHistory(BaseModel):
    """``rulesets/tip_history.yml``: the TIP tier-history rule and the waivers it implies."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    ruleset: str
    version: str
    description: str = ""
    history: History


TIP_HISTORY = RULESET_DIR / "tip_history.yml"


def load_tip_history(path: Path = TIP_HISTORY) -> TipHistory:
    """The TIP history rules and recorded waivers (keys are COW codes)."""
    from pydantic import ValidationError

    from peacewatch.scorecards.rules import _line_of, _walk

    text = path.read_text(encoding="utf-8")
    lines: dict[str, int] = {}
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None  # the packaged tip_history.yml is a mapping, never an empty document
    _walk(node, (), lines)
    try:
        return TipHistory.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RuleSetError(
            path.name, _line_of(lines, tuple(err["loc"])), ".".join(map(str, err["loc"])), err["msg"]
        ) from None


def replay_history(tiers: pd.DataFrame | None = None, history: History | None = None) -> pd.DataFrame:
    """Replay published TIP tiers through the automatic-downgrade rule.

    Parameters
    ----------
    tiers
        ``ccode, year, tier_code`` (default: :func:`peacewatch.sources.loaders.kelley_tiers`).
    history
        The rule (default: ``rulesets/tip_history.yml``).

    Returns
    -------
    pandas.DataFrame
        One row per Watch List year that broke the rule: ``ccode, name, year, consecutive_before``
        (Watch List years counted before it), ``waiver_number`` (1st or 2nd consecutive waiver),
        ``event`` (``waiver`` or ``waiver_limit_exceeded``) and ``waiver_recorded`` (listed in the
        history's waivers).
    """
    if tiers is None:
        from peacewatch.sources.loaders.kelley_tip import kelley_tiers

        tiers = kelley_tiers()
    h = history or load_tip_history().history
    t = tiers.sort_values(["ccode", "year"]).reset_index(drop=True)
    rank = np.where(t["tier_code"].eq(2.5), WL, NONE)  # only Watch List membership matters here
    keys, years = t["ccode"].to_numpy(), t["year"].to_numpy()
    _, event = history_walk(keys, years, rank, h, apply=False)
    hit = event != ""
    out = t.loc[hit, ["ccode", "name", "year"]].copy()
    out["event"] = event[hit]
    # consecutive Watch List years before this one (run length), from the rule's first year
    run = np.zeros(len(t), dtype=int)
    for i in range(1, len(t)):
        if (
            keys[i] == keys[i - 1]
            and years[i] == years[i - 1] + 1
            and rank[i - 1] == WL
            and years[i - 1] >= h.from_year
        ):
            run[i] = run[i - 1] + 1
    out["consecutive_before"] = run[hit]
    out["waiver_number"] = out["consecutive_before"] - h.watch_list_years + 1
    waived = {(int(w.key), int(w.year)) for w in h.waivers}
    out["waiver_recorded"] = [(int(k), int(y)) in waived for k, y in zip(out["ccode"], out["year"], strict=True)]
    return out.reset_index(drop=True)


def observed_downgrades(tiers: pd.DataFrame | None = None, history: History | None = None) -> pd.DataFrame:
    """Report years where a country went to Tier 3 after at least ``watch_list_years`` consecutive
    Watch List years (counted from ``from_year``): the automatic downgrade as published.

    Returns ``ccode, name, year, consecutive_before``.
    """
    if tiers is None:
        from peacewatch.sources.loaders.kelley_tip import kelley_tiers

        tiers = kelley_tiers()
    h = history or load_tip_history().history
    t = tiers.sort_values(["ccode", "year"]).reset_index(drop=True)
    keys, years, code = t["ccode"].to_numpy(), t["year"].to_numpy(), t["tier_code"].to_numpy()
    run = np.zeros(len(t), dtype=int)
    for i in range(1, len(t)):
        if (
            keys[i] == keys[i - 1]
            and years[i] == years[i - 1] + 1
            and code[i - 1] == 2.5
            and years[i - 1] >= h.from_year
        ):
            run[i] = run[i - 1] + 1
    hit = (code == 3.0) & (run >= h.watch_list_years)
    out = t.loc[hit, ["ccode", "name", "year"]].copy()
    out["consecutive_before"] = run[hit]
    return out.reset_index(drop=True)
