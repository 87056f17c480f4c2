"""Estimators beside the maximum-likelihood logit, each with standard errors clustered by country.

* :func:`firth_logit` — Firth's (1993) penalised likelihood (Heinze & Schemper 2002): finite estimates
  where a regressor separates the outcome (NATO personnel: every host is a destination).
* :func:`conditional_logit` — Chamberlain's conditional (country fixed-effects) logit: the country
  intercepts are conditioned out, so there is no incidental-parameter bias with 11 years per country
  (a dummy-variable logit with 150 country intercepts is biased away from zero at T = 11). Countries
  whose outcome never changes carry no information and are dropped (reported in ``notes``).
* :func:`ordered_logit` — proportional-odds logit of an ordered outcome (TIP tier), statsmodels
  ``OrderedModel``; the cut points are reported on their own scale (not statsmodels' increments).
* :func:`ols` — least squares (continuous outcomes: the 3P index, the Global Slavery Index).

All return an :class:`Estimate` with the attributes :class:`~peacewatch.models.deployment_risk.FittedModel`
reads from a statsmodels result (``params``, ``bse``, ``pvalues``, ``conf_int``, ``cov_params``, ``llf``,
``llnull``, ``prsquared``, ``aic``, ``bic``, ``nobs``). The clustered covariance is
c · H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ with c = G/(G−1) · (N−1)/(N−K), as statsmodels' ``cov_type="cluster"``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from peacewatch.models.errors import ModelError


@dataclass
class Estimate:
    """Coefficients with a clustered covariance and the fit statistics the tables print."""

    params: pd.Series
    cov: pd.DataFrame
    llf: float
    llnull: float
    nobs: int
    endog: np.ndarray = field(repr=False)
    converged: bool = True
    notes: list[str] = field(default_factory=list)
    r2: float | None = None  # least squares only

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov.values)), index=self.params.index)

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * stats.norm.sf(np.abs(self.tvalues.values)), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({0: self.params - z * self.bse, 1: self.params + z * self.bse})

    def cov_params(self) -> pd.DataFrame:
        return self.cov

    @property
    def prsquared(self) -> float:
        return float(self.r2) if self.r2 is not None else 1 - self.llf / self.llnull

    @property
    def aic(self) -> float:
        return -2 * self.llf + 2 * len(self.params)

    @property
    def bic(self) -> float:
        return -2 * self.llf + np.log(self.nobs) * len(self.params)

    @property
    def mle_retvals(self) -> dict:
        return {"converged": self.converged}

    @property
    def model(self) -> SimpleNamespace:
        return SimpleNamespace(endog=self.endog)


def cluster_cov(h_inv: np.ndarray, scores: np.ndarray, groups: np.ndarray, n: int | None = None) -> np.ndarray:
    """c · H⁻¹ M H⁻¹ with M the outer products of per-cluster score sums and c = G/(G−1)·(N−1)/(N−K)."""
    n = len(scores) if n is None else n
    k = scores.shape[1]
    summed = pd.DataFrame(scores).groupby(np.asarray(groups)).sum().to_numpy()
    g = len(summed)
    if g < 2:
        raise ModelError("clustered standard errors need at least two clusters")
    c = g / (g - 1) * (n - 1) / (n - k)
    return c * h_inv @ (summed.T @ summed) @ h_inv


def _loglik(y: np.ndarray, eta: np.ndarray) -> float:
    return float(np.sum(y * eta - np.logaddexp(0, eta)))


def firth_logit(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, maxiter: int = 200, tol: float = 1e-10) -> Estimate:
    """Firth's penalised-likelihood logit: maximise l(b) + ½ log|I(b)| by Newton steps with step halving.

    The modified score is Xᵀ(y − p + h(½ − p)), h the diagonal of the hat matrix W^½X(XᵀWX)⁻¹XᵀW^½;
    the clustered covariance uses the modified scores (they sum to zero at the estimate) and I(b)⁻¹.
    ``llf`` is the ordinary log-likelihood at the Firth estimate (for AIC and pseudo-R²).
    """
    Xv, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    b = np.zeros(Xv.shape[1])

    def penalised(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        eta = Xv @ beta
        p = expit(eta)
        w = p * (1 - p)
        info = Xv.T @ (Xv * w[:, None])
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0:
            raise ModelError("Firth logit: the information matrix is singular (collinear terms)")
        return _loglik(y, eta) + 0.5 * logdet, p, w, info

    value, p, w, info = penalised(b)
    converged = False
    for _ in range(maxiter):
        info_inv = np.linalg.inv(info)
        h = w * np.einsum("ij,jk,ik->i", Xv, info_inv, Xv)
        step = info_inv @ (Xv.T @ (y - p + h * (0.5 - p)))
        step *= min(1.0, 5.0 / max(np.abs(step).max(), 1e-300))  # at most 5 on the log-odds per step
        for _half in range(30):
            new_value, new_p, new_w, new_info = penalised(b + step)
            if new_value >= value - 1e-12:
                break
            step /= 2
        b, value, p, w, info = b + step, new_value, new_p, new_w, new_info
        if np.abs(step).max() < tol:
            converged = True
            break
    info_inv = np.linalg.inv(info)
    h = w * np.einsum("ij,jk,ik->i", Xv, info_inv, Xv)
    scores = Xv * (y - p + h * (0.5 - p))[:, None]
    cov = cluster_cov(info_inv, scores, groups)
    names = list(X.columns)
    p0 = y.mean()
    llnull = float(np.sum(y * np.log(p0) + (1 - y) * np.log(1 - p0)))
    return Estimate(
        pd.Series(b, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        _loglik(y, Xv @ b),
        llnull,
        len(y),
        y,
        converged,
    )


#: Most subsets of a group enumerated by the conditional logit (C(11, 5) = 462 for 11 report years).
MAX_SUBSETS = 200_000


def _group_subsets(Xg: np.ndarray, k: int) -> np.ndarray:
    """Sums of the rows of ``Xg`` over every subset of size ``k`` (the conditional likelihood's denominator)."""
    n = len(Xg)
    if math.comb(n, k) > MAX_SUBSETS:
        raise ModelError(
            f"conditional logit: a group with {n} observations and {k} events has {math.comb(n, k):,} "
            "outcome patterns; too many to enumerate (use shorter periods per group)"
        )
    idx = np.array(list(combinations(range(n), k)), dtype=int).reshape(-1, k)
    return Xg[idx].sum(axis=1)


def conditional_logit(
    y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, maxiter: int = 100, tol: float = 1e-10
) -> Estimate:
    """Conditional (fixed-effects) logit with strata = ``groups``, clustered by the same groups.

    The conditional likelihood of group g is exp(b'Σ_{y=1} x) / Σ_S exp(b'Σ_{i∈S} x), S over every set of
    as many observations as the group has events; it is maximised by Newton's method with the exact
    gradient and Hessian (enumerating the sets). ``X`` has no intercept. Groups with a constant outcome
    are dropped (``notes``); ``nobs`` counts the observations of the groups kept.
    """
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    varies = pd.Series(y).groupby(groups).transform("std").fillna(0).to_numpy() > 0
    kept = pd.unique(groups[varies])
    n_dropped = len(pd.unique(groups)) - len(kept)
    Xk, yk, gk = X.loc[varies].reset_index(drop=True), y[varies], groups[varies]
    # columns constant within every kept group (e.g. a year no kept country is observed in) are not identified
    within = Xk.groupby(gk).transform(lambda c: c - c.mean()).abs().sum()
    Xk = Xk.loc[:, within > 1e-12]
    Xv = Xk.to_numpy(dtype=float)
    parts = []
    for g in kept:
        rows = gk == g
        parts.append((Xv[rows].T @ yk[rows], _group_subsets(Xv[rows], int(yk[rows].sum()))))

    def evaluate(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        ll, grad, hess, scores = 0.0, np.zeros_like(beta), np.zeros((len(beta), len(beta))), []
        for xy, S in parts:
            eta = S @ beta
            top = eta.max()
            w = np.exp(eta - top)
            total = w.sum()
            w /= total
            mean = w @ S
            ll += xy @ beta - (top + np.log(total))
            score = xy - mean
            scores.append(score)
            grad += score
            centred = S - mean
            hess -= centred.T @ (centred * w[:, None])
        return ll, grad, hess, np.vstack(scores)

    b = np.zeros(Xv.shape[1])
    ll, grad, hess, scores = evaluate(b)
    ll0, converged = ll, False
    for _ in range(maxiter):
        step = np.linalg.solve(-hess, grad)
        for _half in range(30):
            new = evaluate(b + step)
            if new[0] >= ll - 1e-12:
                break
            step /= 2
        b = b + step
        ll, grad, hess, scores = new
        if np.abs(step).max() < tol:
            converged = True
            break
    cov = cluster_cov(np.linalg.inv(-hess), scores, np.arange(len(scores)), n=len(yk))
    names = list(Xk.columns)
    notes = (
        [
            f"{n_dropped} groups dropped because their outcome never changes; "
            f"{len(kept)} groups, {len(yk)} observations kept"
        ]
        if n_dropped
        else []
    )
    dropped_cols = [c for c in X.columns if c not in Xk.columns]
    if dropped_cols:
        notes.append(f"not identified within groups, left out: {', '.join(map(str, dropped_cols))}")
    return Estimate(
        pd.Series(b, index=names),
        pd.DataFrame(cov, index=names, columns=names),
        float(ll),
        float(ll0),
        len(yk),
        yk,
        converged,
        notes,
    )


def ordered_logit(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, level_names: list[str]) -> Estimate:
    """Proportional-odds logit of ``y`` (codes 0..J−1, ``level_names`` in order); ``X`` without intercept.

    The cut points are reported as ``cut: A | B`` with delta-method clustered SEs.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    y = np.asarray(y)
    model = OrderedModel(y, X.to_numpy(dtype=float), distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = model.fit(method="bfgs", maxiter=5000, gtol=1e-9, disp=False).params
        # BFGS stops at a tiny gradient but may flag "precision loss"; Newton steps finish and judge convergence
        res = model.fit(start_params=start, method="newton", maxiter=50, disp=False)
        params = res.params
    k = X.shape[1]
    hess = model.hessian(params)
    h_inv = np.linalg.inv(-hess)
    scores = model.score_obs(params)
    raw = cluster_cov(h_inv, scores, groups)
    # statsmodels' thresholds: c_1, log(c_2 - c_1), ...: map to the cut points themselves
    inc = params[k:]
    cuts = inc[0] + np.concatenate([[0.0], np.cumsum(np.exp(inc[1:]))])
    J = np.zeros((len(params), len(params)))
    J[:k, :k] = np.eye(k)
    for j in range(len(cuts)):
        J[k + j, k] = 1.0
        for m in range(1, j + 1):
            J[k + j, k + m] = np.exp(inc[m])
    cov = J @ raw @ J.T
    names = list(X.columns) + [f"cut: {level_names[j]} | {level_names[j + 1]}" for j in range(len(cuts))]
    counts = np.bincount(y.astype(int), minlength=len(level_names))
    shares = counts[counts > 0] / len(y)
    llnull = float(np.sum(counts[counts > 0] * np.log(shares)))  # thresholds-only model, in closed form
    return Estimate(
        pd.Series(np.concatenate([params[:k], cuts]), index=names),
        pd.DataFrame(cov, index=names, columns=names),
        float(model.loglike(params)),
        llnull,
        len(y),
        y.astype(float),
        bool(res.mle_retvals.get("converged", True)),
    )


def ols(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray) -> Estimate:
    """Least squares with the clustered covariance (statsmodels ``OLS``, ``cov_type="cluster"``)."""
    import statsmodels.api as sm

    y = np.asarray(y, dtype=float)
    res = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": np.asarray(groups)})
    names = list(X.columns)
    null = sm.OLS(y, np.ones(len(y))).fit()
    return Estimate(
        pd.Series(res.params.values, index=names),
        pd.DataFrame(res.cov_params().values, index=names, columns=names),
        float(res.llf),
        float(null.llf),
        len(y),
        y,
        True,
        r2=float(res.rsquared),
    )
