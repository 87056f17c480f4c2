"""Benchmark: screen a roster against misconduct records - peacewatch's kept index against the
plain rapidfuzz ``cdist`` script a user would write, with brute force as the recall reference.

Generates ``--records`` synthetic records and a ``--roster`` with 10% planted variants
(``tests/support/synthetic.py``), plus labelled samples whose planted rows combine two and
three variations at once. Then, side by side in one run:

1. peacewatch, once per database: preparing every record's name (done at import and stored with
   the record) and assembling the index from the stored forms (what a new process does once);
2. peacewatch, per screening: :meth:`RecordIndex.match` of the roster on the kept index;
3. the plain script (``benchmarks/simple_cdist_screen.py``): rapidfuzz ``cdist`` blocked on any
   token's first letter and birth year +-1, all of it per screening;
4. brute force (every row against every record, same scorer as peacewatch) on ``--brute-rows``
   rows, extrapolated, and its recall on the labelled samples.

Run: ``python benchmarks/vetting_screening.py`` (100,000 x 5,000) or
``python benchmarks/vetting_screening.py --records 1000000 --roster 10000``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # support: generated people, brute force

from simple_cdist_screen import simple_screen  # noqa: E402

from support.brute_force import brute_force_match  # noqa: E402
from peacewatch.registry.matching import RecordIndex, record_forms  # noqa: E402
from support.synthetic import make_records, make_roster, recall  # noqa: E402


def timed(fn, repeat: int = 1):
    """(result of the last run, median seconds over ``repeat`` runs)."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--roster", type=int, default=5_000)
    ap.add_argument("--sample", type=int, default=2_000, help="rows of each combined-variation sample (half planted)")
    ap.add_argument("--brute-rows", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    w = a.workers

    t = time.perf_counter()
    records = make_records(a.records, seed=11)
    roster = make_roster(records, a.roster, planted_share=0.10, seed=12)
    samples = {v: make_roster(records, a.sample, planted_share=0.50, seed=20 + v, variations=v) for v in (2, 3)}
    print(f"generated {len(records):,} records, {len(roster):,} roster rows in {time.perf_counter() - t:.1f} s", flush=True)

    # Once per database: name forms at import (stored), then the index from the stored forms.
    forms, t_forms = timed(lambda: pd.DataFrame([record_forms(n) for n in records["name"]]))
    stored = pd.concat([records, forms], axis=1)
    index, t_assemble = timed(lambda: RecordIndex(stored))
    print(f"name forms of {len(records):,} records (at import): {t_forms:.1f} s; index from stored forms: "
          f"{t_assemble:.1f} s, {index.n_keys:,} keys", flush=True)
    index.match(roster.head(50), workers=w)  # warm-up (pandas caches the key index's hash table)

    hits, t_screen = timed(lambda: index.match(roster, workers=w), a.repeat)
    simple, t_simple = timed(lambda: simple_screen(records, roster, workers=w), a.repeat)
    def false_hits(h):  # hits that are not the planted record (new people, or another record)
        return int((roster["true_record_id"].to_numpy()[h["roster_pos"].to_numpy().astype(int)] != h["record_id"].to_numpy()).sum())

    print(f"screen {len(roster):,} rows: peacewatch {t_screen:.2f} s ({len(hits):,} hits, {false_hits(hits)} not planted, recall "
          f"{recall(roster, hits):.4f}); plain cdist script {t_simple:.2f} s ({len(simple):,} hits, {false_hits(simple)} not planted, recall "
          f"{recall(roster, simple):.4f})", flush=True)

    rec_multi = {}
    for v, sample in samples.items():
        pw = index.match(sample, workers=w)
        sc = simple_screen(records, sample, workers=w)
        rec_multi[v] = (recall(sample, pw), recall(sample, sc), len(pw[sample["true_record_id"].to_numpy()[pw["roster_pos"]] != pw["record_id"]]))
        print(f"{v} variations at once ({int((sample.true_record_id > 0).sum())} planted): recall peacewatch "
              f"{rec_multi[v][0]:.4f}, plain script {rec_multi[v][1]:.4f}", flush=True)

    brute_rows = roster.iloc[: a.brute_rows].reset_index(drop=True)
    _, t_brute = timed(lambda: brute_force_match(index, brute_rows, workers=w))
    t_brute_full = t_brute * len(roster) / len(brute_rows)
    brute_recall = {v: recall(s.head(a.brute_rows * 4), brute_force_match(index, s.head(a.brute_rows * 4), workers=w))
                    for v, s in samples.items()}
    pw_recall_small = {v: recall(s.head(a.brute_rows * 4), index.match(s.head(a.brute_rows * 4), workers=w))
                       for v, s in samples.items()}
    print(f"brute force: {t_brute:.1f} s for {len(brute_rows)} rows -> {t_brute_full:,.0f} s extrapolated; "
          f"recall on the first {a.brute_rows * 4} sample rows: " + ", ".join(
              f"{v} variations brute {brute_recall[v]:.4f} / peacewatch {pw_recall_small[v]:.4f}" for v in samples), flush=True)

    print(f"\n| {a.records:,} records x {a.roster:,} roster rows | time | recall (10% planted, 1 variation) | hits not planted |")
    print("|---|---|---|---|")
    print(f"| peacewatch, once per database: name forms at import | {t_forms:.1f} s | | |")
    print(f"| peacewatch, once per process: index from stored forms | {t_assemble:.1f} s | | |")
    print(f"| **peacewatch, per screening** | **{t_screen:.2f} s** | {recall(roster, hits):.4f} | {false_hits(hits)} |")
    print(f"| plain rapidfuzz cdist script, per screening | {t_simple:.2f} s | {recall(roster, simple):.4f} | {false_hits(simple)} |")
    print(f"| brute force, extrapolated from {len(brute_rows)} rows | {t_brute_full:,.0f} s | | |")
    for v in samples:
        print(f"| recall, {v} variations at once: peacewatch / plain script | | {rec_multi[v][0]:.4f} / {rec_multi[v][1]:.4f} | |")
    print(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} (shared); {w} workers; pandas {pd.__version__}")


if __name__ == "__main__":
    main()
