"""Exhaustive (brute-force) screening with the same scorer as :mod:`peacewatch.registry.matching`.

Used to check that blocking loses no match and as the recall reference of the benchmark: every
roster row is compared with every record by rapidfuzz ``cdist`` on all three name views (as written,
folded, skeleton; each the best of three token alignments, as in
:func:`peacewatch.registry.matching.name_similarity`); pairs whose name score is below the minimum
are dropped before full scoring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from peacewatch.registry.matching import (
    DEFAULT_MIN_NAME_SCORE,
    DEFAULT_THRESHOLD,
    RecordIndex,
    prepare,
    score_pairs,
)


def _all_pairs_similarity(rows: np.ndarray, rows_reversed: np.ndarray, records: np.ndarray, workers: int) -> np.ndarray:
    best = process.cdist(rows, records, scorer=fuzz.ratio, dtype=np.float32, workers=workers)
    np.maximum(
        best, process.cdist(rows_reversed, records, scorer=fuzz.ratio, dtype=np.float32, workers=workers), out=best
    )
    np.maximum(
        best, process.cdist(rows, records, scorer=fuzz.token_sort_ratio, dtype=np.float32, workers=workers), out=best
    )
    return best


def brute_force_match(
    index: RecordIndex,
    roster: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    min_name_score: float = DEFAULT_MIN_NAME_SCORE,
    workers: int = 1,
    cells: int = 20_000_000,
) -> pd.DataFrame:
    """All hits of ``roster`` against ``index.records`` without blocking (``cells`` bounds the
    size of one chunk's score matrix)."""
    prepared = prepare(roster.reset_index(drop=True), reversed_forms=True)
    recs = index.records
    chunk = max(1, cells // max(1, len(recs)))
    out = []
    for start in range(0, len(prepared), chunk):
        part = prepared.iloc[start : start + chunk]
        total = sum(
            _all_pairs_similarity(part[col].to_numpy(), part[col + "_rev"].to_numpy(), recs[col].to_numpy(), workers)
            for col in ("ascii", "folded", "skeleton")
        )
        r, c = np.nonzero(total >= 3 * 100 * min_name_score - 1e-3)
        if len(r):
            out.append(score_pairs(prepared, recs, r + start, c, workers))
    if not out:
        return pd.DataFrame(columns=["roster_pos", "record_pos", "score", "record_id"])
    scored = pd.concat(out, ignore_index=True)
    hits = scored[(scored["score"] >= threshold) & (scored["name_score"] >= min_name_score)].copy()
    hits["record_id"] = recs["record_id"].to_numpy()[hits["record_pos"].to_numpy()]
    return hits.reset_index(drop=True)
