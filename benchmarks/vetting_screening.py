"""Benchmark: screen a roster against misconduct records, blocked matcher vs brute-force rapidfuzz.

Generates ``--records`` synthetic records and a ``--roster`` with 10% planted variants
(:mod:`peacewatch.registry.synthetic`), then

1. times :class:`peacewatch.registry.matching.RecordIndex` (index build + match of the full roster);
2. times brute force (rapidfuzz ``cdist`` of every roster row against every record, same scorer)
   on ``--brute-rows`` roster rows and extrapolates linearly to the full roster (running it on
   100,000 x 1,000,000 pairs would take hours);
3. measures recall of both on a labelled sample (``--sample`` rows, half planted).

Run: ``python benchmarks/vetting_screening.py`` (defaults 1,000,000 x 100,000; ~10 min, ~6 GB).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import pandas as pd

from peacewatch.registry.brute_force import brute_force_match
from peacewatch.registry.matching import RecordIndex
from peacewatch.registry.synthetic import make_records, make_roster, recall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--roster", type=int, default=100_000)
    ap.add_argument("--brute-rows", type=int, default=200)
    ap.add_argument("--sample", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()

    t = time.perf_counter()
    records = make_records(a.records, seed=11)
    roster = make_roster(records, a.roster, planted_share=0.10, seed=12)
    sample = make_roster(records, a.sample, planted_share=0.50, seed=13)
    print(f"generated {len(records):,} records, {len(roster):,} roster rows in {time.perf_counter() - t:.1f} s", flush=True)

    t = time.perf_counter()
    index = RecordIndex(records)
    t_index = time.perf_counter() - t
    print(f"index: {t_index:.1f} s, {index.n_keys:,} keys", flush=True)
    t = time.perf_counter()
    hits = index.match(roster, workers=a.workers)
    t_match = time.perf_counter() - t
    print(f"blocked match of {len(roster):,} rows: {t_match:.1f} s, {len(hits):,} hits, "
          f"recall on planted rows {recall(roster, hits):.4f}", flush=True)

    brute_rows = roster.iloc[: a.brute_rows].reset_index(drop=True)
    t = time.perf_counter()
    brute_match = brute_force_match(index, brute_rows, workers=a.workers)
    t_brute = time.perf_counter() - t
    t_brute_full = t_brute * len(roster) / len(brute_rows)
    blocked_same = index.match(brute_rows, workers=a.workers)
    b_set = set(zip(brute_match.roster_pos, brute_match.record_id))
    k_set = set(zip(blocked_same.roster_pos, blocked_same.record_id))
    print(f"brute force on {len(brute_rows)} rows: {t_brute:.1f} s -> {t_brute_full:,.0f} s extrapolated; "
          f"hits brute {len(b_set)}, blocked {len(k_set)}, only brute {len(b_set - k_set)}, only blocked {len(k_set - b_set)}",
          flush=True)
    truth = {(i, int(t)) for i, t in enumerate(brute_rows["true_record_id"]) if t}
    print(f"  of these rows' {len(truth)} planted matches: brute finds {len(truth & b_set)}, blocked {len(truth & k_set)}", flush=True)

    t = time.perf_counter()
    s_brute = brute_force_match(index, sample, workers=a.workers)
    s_blocked = index.match(sample, workers=a.workers)
    print(f"labelled sample ({len(sample)} rows, {int((sample.true_record_id > 0).sum())} planted): "
          f"recall brute force {recall(sample, s_brute):.4f}, blocked {recall(sample, s_blocked):.4f} "
          f"({time.perf_counter() - t:.1f} s)", flush=True)

    total = t_index + t_match
    print("\n| step | time |\n|---|---|")
    print(f"| blocked: build index of {len(records):,} records | {t_index:.1f} s |")
    print(f"| blocked: screen {len(roster):,} roster rows | {t_match:.1f} s |")
    print(f"| blocked total | {total:.1f} s |")
    print(f"| brute force (rapidfuzz cdist, {a.workers} workers), extrapolated from {len(brute_rows)} rows | {t_brute_full:,.0f} s |")
    print(f"| speed-up | {t_brute_full / total:.0f}x |")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; pandas {pd.__version__}")


if __name__ == "__main__":
    main()
