"""Benchmark: fitting the default deployment-risk logit and 10,000 parametric simulations for predictions.

Compared side by side in one run, on the same coefficient draws:
  * peacewatch: ``predict.simulation_ci`` — one matrix product per block of rows for all draws;
  * per-draw loop: what a user would otherwise write (King-Tomz-Wittenberg style), one
    ``expit(X @ b)`` per draw into a preallocated matrix, then the same percentiles.
Scenarios: every country-year of the estimation sample (its row count is printed) and one planned mission (1 row).
Also timed: the model fit (statsmodels Logit, clustered SEs) on the warm in-process panel, and the
delta method for the same rows. Results are checked equal before timing. Median and min of REPEAT
runs. Writes the table to stdout and, with ``--write``, into the Models section of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from peacewatch.models import predict as P
from peacewatch.models.data import model_panel
from peacewatch.models.deployment_risk import _planned_row, fit

REPEAT = int(os.environ.get("PEACEWATCH_BENCH_REPEAT", "5"))
N_SIMS = 10_000
LEVEL = 0.95


def timed(fn, repeat: int = REPEAT) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), out


def loop_probabilities(X: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """The per-draw loop a user would write: one probability vector per coefficient draw."""
    sims = np.empty((X.shape[0], draws.shape[0]))
    for j in range(draws.shape[0]):
        sims[:, j] = 1.0 / (1.0 + np.exp(-(X @ draws[j])))
    return sims


def loop_ci(X: np.ndarray, draws: np.ndarray, level: float = LEVEL):
    """The per-draw loop, then the same mean and percentiles."""
    sims = loop_probabilities(X, draws)
    lo, med, hi = np.percentile(sims, [(1 - level) / 2 * 100, 50, (1 + level) / 2 * 100], axis=1)
    return med, lo, hi


def main() -> list[str]:
    model_panel((2001, 2011))  # build/load the panel once: the fit is timed on the warm frame
    fit_med, fit_min, model = timed(lambda: fit("un_full"))
    beta, V = model.params.values, model.cov.values
    X_obs = model.design(model.data)
    row, _ = _planned_row(model, 7000.0, 3.0, 40.0, {})
    X_one = model.design(row)
    draws_med, draws_min, draws = timed(lambda: P.draw_coefficients(beta, V, N_SIMS, seed=1))

    rows = [("model fit (un_full, clustered SEs)", fit_med, fit_min, "")]
    rows.append((f"draw {N_SIMS:,} coefficient vectors", draws_med, draws_min, ""))
    for label, X in ((f"{len(X_obs):,} observed country-years", X_obs), ("1 planned mission", X_one)):
        vec = P.simulation_ci(X, draws, LEVEL)
        ref = loop_ci(X, draws, LEVEL)
        for a, b in zip(vec, ref):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
        v_med, v_min, _ = timed(lambda: P.simulation_ci(X, draws, LEVEL))
        l_med, l_min, _ = timed(lambda: loop_ci(X, draws, LEVEL))
        d_med, d_min, _ = timed(lambda: P.delta_ci(X, beta, V, LEVEL))
        pv_med, pv_min, _ = timed(lambda: P.simulated_probabilities(X, draws))
        pl_med, pl_min, _ = timed(lambda: loop_probabilities(X, draws))
        rows.append((f"{label}: simulation + CI, vectorised (peacewatch)", v_med, v_min, f"{l_med / v_med:.1f}x faster"))
        rows.append((f"{label}: simulation + CI, per-draw loop", l_med, l_min, ""))
        rows.append((f"{label}: probabilities only, vectorised", pv_med, pv_min, f"{pl_med / pv_med:.1f}x faster"))
        rows.append((f"{label}: probabilities only, per-draw loop", pl_med, pl_min, ""))
        rows.append((f"{label}: delta method", d_med, d_min, ""))
    lines = [f"| step ({N_SIMS:,} draws, {X_obs.shape[1]} coefficients) | median s | min s | vs loop |", "|---|---:|---:|---|"]
    lines += [f"| {a} | {b:.4f} | {c:.4f} | {d} |" for a, b, c, d in rows]
    global N_OBSERVED
    N_OBSERVED = len(X_obs)
    return lines


def write(lines: list[str]) -> None:
    path = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    body = (f"Script: `benchmarks/models_simulation.py` ({REPEAT} runs each, in one process; panel already built).\n\n"
            + "\n".join(lines) + "\n\n" + note() + "\n")
    new = re.sub(r"(## Models\n\n).*?(?=\n## )", lambda m: m.group(1) + body, text, count=1, flags=re.S)
    path.write_text(new, encoding="utf-8")


N_OBSERVED = 0  # set by main()


def note() -> str:
    """The notes under the table (with this run's row count and load)."""
    return NOTE.format(n=f"{N_OBSERVED:,}", load=f"{os.getloadavg()[0]:.1f}")


NOTE = ("Same draws in both; intervals checked equal to 1e-12 before timing. Vectorised: one BLAS product per block of "
        "rows for all draws, and the quantiles are read off the linear predictor sorted in place (numpy's SIMD sort beats a "
        "multi-kth `np.partition` here), so only the bracketing values go through the logistic; the loop computes 10,000 probability vectors, then "
        "`np.percentile`. For one planned mission (the CLI/web case) the loop's 10,000 interpreter round trips dominate. "
        "For all {n} observed rows both are bound by memory traffic over 14 million simulated values, so the gain is "
        "smaller. The delta method (default of `predict_observed`/`predict_planned`) needs no draws. The fit is timed "
        "on the warm in-process panel (building the panel: see Panel). Timings come from a shared 2-core machine "
        "(load average {load} at the end of the run): absolute times are noisy, ratios come from the same run.")


if __name__ == "__main__":
    out = main()
    print("\n".join(out))
    if "--write" in sys.argv:
        write(out)
