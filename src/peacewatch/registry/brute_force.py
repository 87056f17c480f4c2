"""Exhaustive (brute-force) screening with the same scorer as :mod:`peacewatch.registry.matching`.

Used to check that blocking loses no match and as the benchmark baseline: every roster row is
compared with every record by rapidfuzz ``cdist``; pairs whose folded-name score is below 50 cannot
reach the minimum name score (the mean of two scores <= 100) and are dropped before full scoring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from peacewatch.registry.matching import (
    DEFAULT_MIN_NAME_SCORE, DEFAULT_THRESHOLD, RecordIndex, prepare, score_pairs,
)


def brute_force_match(index: RecordIndex, roster: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD,
                      min_name_score: float = DEFAULT_MIN_NAME_SCORE, workers: int = 1, chunk: int = 50) -> pd.DataFrame:
    """All hits of ``roster`` against ``index.records`` without blocking."""
    prepared = prepare(roster.reset_index(drop=True))
    cutoff = max(0.0, 2 * min_name_score - 1) * 100
    rec_folded = index.records["folded"].to_numpy()
    out = []
    for start in range(0, len(prepared), chunk):
        block = prepared["folded"].to_numpy()[start:start + chunk]
        scores = process.cdist(block, rec_folded, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff,
                               dtype=np.uint8, workers=workers)
        r, c = np.nonzero(scores)
        if len(r):
            out.append(score_pairs(prepared, index.records, r + start, c, workers))
    if not out:
        return pd.DataFrame(columns=["roster_pos", "record_pos", "score", "record_id"])
    scored = pd.concat(out, ignore_index=True)
    hits = scored[(scored["score"] >= threshold) & (scored["name_score"] >= min_name_score)].copy()
    hits["record_id"] = index.records["record_id"].to_numpy()[hits["record_pos"].to_numpy()]
    return hits.reset_index(drop=True)
