"""Benchmark: grade every unit-year with all three cards (hosts 2001-2025, TCCs 2001-now, missions 2001-2016).

Compares, in one run, peacewatch's vectorised grading (:func:`peacewatch.scorecards.engine.grade_frame`:
components, coverage, score bands, watch criteria, caps, grade history, overrides) with what a user would
otherwise write: a per-row Python loop over the frames that calls the same indicator functions on
each row and applies the weights and score bands (no Watch List, caps or history, so it does less).
Both give identical scores and score grades (checked). Loading the input frames (panel, contributors,
missions, model fit and predictions, density) is timed separately. Run from the repository root:
``python benchmarks/scorecards_grading.py`` (about 2.5 minutes, nearly all of it the naive loop); the
figures go to standard output and ``out/benchmarks/scorecards_grading.json``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from peacewatch.scorecards.engine import explain, grade_frame
from peacewatch.scorecards.frames import card_frame
from peacewatch.scorecards.indicators import CARDS, indicators
from peacewatch.scorecards.rules import load_ruleset


def naive(card: str, frame: pd.DataFrame, rs) -> pd.DataFrame:
    """Per-row loop: one-row frame per unit-year, each indicator, weighted mean, score band."""
    known = indicators(card)
    bands = rs.score_tier_bounds()
    rows = []
    for i in range(len(frame)):
        row = frame.iloc[[i]]
        total = wsum = 0.0
        for r in rs.indicators:
            s = known[r.id].score(row).iloc[0]
            if np.isnan(s) and r.fallback:
                fb = [known[f].score(row).iloc[0] for f in r.fallback]
                fb = [x for x in fb if not np.isnan(x)]
                s = sum(fb) / len(fb) if fb else np.nan
            if not np.isnan(s):
                total += r.weight * s
                wsum += r.weight
        coverage = wsum / sum(x.weight for x in rs.indicators)
        score = total / wsum if wsum and coverage >= rs.min_coverage else np.nan
        grade = "No data"
        for j, b in enumerate(bands):
            if not np.isnan(score) and b.min <= score and (score < b.max or (j == len(bands) - 1 and score <= b.max)):
                grade = b.grade
        rows.append((score, grade))
    return pd.DataFrame(rows, columns=["score", "score_grade"])


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), out


def main() -> dict:
    t = time.perf_counter()
    frames = {c: card_frame(c)[0] for c in CARDS}
    load_s = time.perf_counter() - t
    rulesets = {c: load_ruleset(None, c) for c in CARDS}
    n = {c: len(frames[c]) for c in CARDS}

    def all_vectorised():
        return {c: grade_frame(c, frames[c], rulesets[c]) for c in CARDS}

    vec_med, vec_min, vec = timed(all_vectorised, 7)
    per_card = {c: timed(lambda c=c: grade_frame(c, frames[c], rulesets[c]), 7)[0] for c in CARDS}
    t = time.perf_counter()
    slow = {c: naive(c, frames[c], rulesets[c]) for c in CARDS}
    naive_s = time.perf_counter() - t
    for c in CARDS:  # same numbers both ways
        np.testing.assert_allclose(vec[c]["score"].to_numpy(dtype=float), slow[c]["score"].to_numpy(dtype=float), rtol=1e-9)
        assert (vec[c]["score_grade"].to_numpy() == slow[c]["score_grade"].to_numpy()).all()
    ex_med, _, _ = timed(lambda: explain("hosts", 41, 2010), 20)
    result = {
        "rows": n, "rows_total": sum(n.values()), "load_frames_s": round(load_s, 3),
        "vectorised_all_cards_median_s": round(vec_med, 4), "vectorised_all_cards_min_s": round(vec_min, 4),
        "vectorised_per_card_median_s": {c: round(v, 4) for c, v in per_card.items()},
        "naive_per_row_loop_s": round(naive_s, 2), "speedup": round(naive_s / vec_med, 1),
        "explain_one_grade_median_s": round(ex_med, 5),
    }
    return result


if __name__ == "__main__":
    res = main()
    out = Path("out/benchmarks/scorecards_grading.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    json.dump(res, sys.stdout, indent=2)
    print()
