"""Predicted probabilities of a logit with confidence intervals: delta method and parametric simulation.

Both work on a design matrix ``X`` (rows = scenarios), coefficients ``beta`` and their (clustered)
covariance ``V``. Simulation follows King, Tomz & Wittenberg (2000): draw coefficient vectors from
N(beta, V), compute the probability for each draw and take percentiles. It is vectorised: all draws
enter one matrix product per block of rows (see BENCHMARKS.md for the per-draw loop it replaces).
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import expit

METHODS = ("delta", "simulation")
#: Rows per block in simulation, so that rows x draws floats stay within ~40 MB.
_BLOCK_CELLS = 5_000_000


def delta_ci(
    X: np.ndarray, beta: np.ndarray, V: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probability and delta-method confidence interval for each row of ``X``.

    The delta method is applied to the linear predictor, se(x'b) = sqrt(x'Vx), and the interval
    logistic(x'b +/- z se) is mapped back to the probability scale. This keeps it inside (0, 1),
    unlike the symmetric interval p +/- z p(1-p) se.

    Returns
    -------
    (p, lo, hi)
        Arrays of length ``len(X)``.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    eta = X @ beta
    se_eta = np.sqrt(np.einsum("ij,jk,ik->i", X, V, X))
    z = stats.norm.ppf(0.5 + level / 2)
    return expit(eta), expit(eta - z * se_eta), expit(eta + z * se_eta)


def draw_coefficients(beta: np.ndarray, V: np.ndarray, n_sims: int = 10_000, seed: int | None = 20240501) -> np.ndarray:
    """``n_sims`` coefficient vectors from N(beta, V), shape ``(n_sims, k)``."""
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(
        np.asarray(beta, dtype=float), np.asarray(V, dtype=float), size=n_sims, method="cholesky"
    )


def simulated_probabilities(X: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Probability of each row of ``X`` under each draw: shape ``(len(X), n_sims)``."""
    eta = np.atleast_2d(X) @ draws.T
    return expit(eta, out=eta)  # in place: one rows x draws array, not two


def _order_stat_indices(n: int, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower order-statistic index and interpolation weight of numpy's default ('linear') quantiles."""
    k = qs * (n - 1)
    lo = np.floor(k).astype(int)
    return lo, k - lo


def simulation_ci(X: np.ndarray, draws: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median simulated probability and percentile interval per row of ``X`` (vectorised, in blocks).

    The logistic function is monotone, so the order statistics of the simulated probabilities are
    the logistic of those of the linear predictor: quantiles are selected on x'b (sorted in place),
    and only the bracketing values are transformed and interpolated. The result equals
    ``np.percentile(expit(X @ draws.T), q, axis=1)`` (default 'linear' method) without computing
    the logistic of every draw.

    Returns
    -------
    (median, lo, hi)
        Arrays of length ``len(X)``.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = draws.shape[0]
    qs = np.array([(1 - level) / 2, 0.5, (1 + level) / 2])
    lo_idx, frac = _order_stat_indices(n, qs)
    block = max(1, _BLOCK_CELLS // max(1, n))
    out = np.empty((3, len(X)))
    for start in range(0, len(X), block):
        eta = X[start : start + block] @ draws.T
        # a full in-place sort is faster than a multi-kth np.partition here (numpy's SIMD sort)
        eta.sort(axis=1)
        below = expit(eta[:, lo_idx])
        above = expit(eta[:, np.minimum(lo_idx + 1, n - 1)])
        out[:, start : start + block] = (below + frac * (above - below)).T
    return out[1], out[0], out[2]


def simulated_differences(X1: np.ndarray, X0: np.ndarray, draws: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """(p(X1) - p(X0)) / scale per draw: shape ``(len(X1), n_sims)`` (finite-difference marginal effects)."""
    return (simulated_probabilities(X1, draws) - simulated_probabilities(X0, draws)) / scale
