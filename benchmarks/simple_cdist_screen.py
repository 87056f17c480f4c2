"""What a user would write instead of peacewatch's matcher: plain rapidfuzz ``cdist`` with blocking.

Names are transliterated (``text_unidecode``) and lower-cased; a roster row is compared only with
records that share the first letter of any name token and whose birth year is within one year of
the row's, using ``token_sort_ratio`` with a cut-off. Rows or records without a date of birth are
never compared (the script has no other block). Used by ``benchmarks/vetting_screening.py``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from text_unidecode import unidecode


def simple_screen(records: pd.DataFrame, roster: pd.DataFrame, cutoff: float = 85, workers: int = 1) -> pd.DataFrame:
    """Hits (``roster_pos``, ``record_id``, ``score``) of ``roster`` against ``records``."""
    rec_names = np.array([unidecode(n).lower() for n in records["name"]], dtype=object)
    ros_names = np.array([unidecode(n).lower() for n in roster["name"]], dtype=object)
    rec_blocks: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, (name, dob) in enumerate(zip(rec_names, records["dob"])):
        if dob:
            for letter in {t[0] for t in name.split()}:
                rec_blocks[(letter, int(dob[:4]))].append(i)
    ros_blocks: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, (name, dob) in enumerate(zip(ros_names, roster["dob"])):
        if dob:
            for letter in {t[0] for t in name.split()}:
                ros_blocks[(letter, int(dob[:4]))].append(i)
    pairs: dict[tuple[int, int], float] = {}
    for (letter, year), rows in ros_blocks.items():
        cand = [c for y in (year - 1, year, year + 1) for c in rec_blocks.get((letter, y), ())]
        if not cand:
            continue
        cand = np.asarray(cand)
        scores = process.cdist(ros_names[rows], rec_names[cand], scorer=fuzz.token_sort_ratio,
                               score_cutoff=cutoff, workers=workers)
        for r, c in zip(*np.nonzero(scores)):
            pairs[(rows[r], int(cand[c]))] = float(scores[r, c])
    ids = records["record_id"].to_numpy()
    return pd.DataFrame({"roster_pos": [p[0] for p in pairs], "record_id": [int(ids[p[1]]) for p in pairs],
                         "score": list(pairs.values())})
