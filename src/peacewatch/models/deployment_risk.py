"""Deployment risk: logit of "the host is a destination for sex trafficking" on UN deployments.

Bell, Flynn & Martinez Machain (2018, ISQ): larger and longer UN deployments, and deployments
with more troop-contributing countries, raise the probability that the host becomes a destination
for sex trafficking (HTI ``pdest``). Specifications are data (``specifications.yml``); each is a
patsy formula over the country-year panel, estimated with statsmodels ``Logit`` and standard errors
clustered by country. A fitted model has one canonical :meth:`FittedModel.tidy` output; tables and
plots take lists of fitted models.

Public API (stable names): :func:`fit`, :func:`fit_all`, :func:`default_model`,
:func:`predict_observed`, :func:`predict_planned`, :class:`FittedModel`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

from peacewatch.memo import memoize
from peacewatch.models import predict as P
from peacewatch.models.data import model_panel, with_variables
from peacewatch.models.errors import EmptySampleError, ModelError, SeparationError
from peacewatch.models.specs import Specification, default_spec_name, get_specification


@dataclass
class FittedModel:
    """A fitted specification: the statsmodels result plus what is needed to predict and report.

    Attributes
    ----------
    spec
        The :class:`~peacewatch.models.specs.Specification` estimated.
    result
        statsmodels ``LogitResults`` (``cov_type="cluster"``).
    data
        The estimation sample (complete cases, in the order of the design matrix).
    design_info
        patsy design info of the right-hand side, to build design matrices for new data.
    """

    spec: Specification
    result: Any = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    design_info: Any = field(repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def params(self) -> pd.Series:
        return self.result.params

    @property
    def cov(self) -> pd.DataFrame:
        """Cluster-robust covariance of the coefficients."""
        return self.result.cov_params()

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per term: ``model, term, estimate, std_error, statistic (z), p_value, conf_low, conf_high``."""
        r = self.result
        ci = r.conf_int(alpha=1 - level)
        return pd.DataFrame(
            {
                "model": self.name,
                "term": r.params.index,
                "estimate": r.params.values,
                "std_error": r.bse.values,
                "statistic": r.tvalues.values,
                "p_value": r.pvalues.values,
                "conf_low": ci.iloc[:, 0].values,
                "conf_high": ci.iloc[:, 1].values,
            }
        ).reset_index(drop=True)

    @property
    def notes(self) -> list[str]:
        """What the estimator dropped or assumed (e.g. countries without within-country variation)."""
        return list(getattr(self.result, "notes", []))

    def slope_terms(self) -> list[str]:
        """Coefficients other than the intercept, cut points and fixed-effect dummies (the Wald test's)."""
        return [t for t in self.params.index if t != "Intercept" and not t.startswith(("cut: ", "C(year)"))]

    def glance(self) -> dict[str, Any]:
        """Fit statistics: N, clusters, events, log-likelihoods, McFadden pseudo-R2 (R2 for least squares), AIC,
        BIC, Wald chi2."""
        r = self.result
        slopes = self.slope_terms()
        k = len(slopes)
        # Wald test of the slopes with the clustered covariance (the LR test assumes iid errors)
        b, V = r.params[slopes].values, r.cov_params().loc[slopes, slopes].values
        try:
            wald = float(b @ np.linalg.solve(V, b))
        except np.linalg.LinAlgError:
            wald = float("nan")
        binary = self.spec.estimator in ("logit", "conditional_logit", "firth")
        return {
            "model": self.name,
            "nobs": int(r.nobs),
            "n_clusters": int(self.data[self.spec.cluster].nunique()),
            "n_events": int(r.model.endog.sum()) if binary else None,
            "loglik": float(r.llf),
            "loglik_null": float(r.llnull),
            "pseudo_r2": float(r.prsquared),
            "aic": float(r.aic),
            "bic": float(r.bic),
            "wald_chi2": wald,
            "wald_df": k,
            "wald_p": float(stats.chi2.sf(wald, k)) if k else float("nan"),
            "converged": bool(r.mle_retvals.get("converged", True)),
            "cov_type": "cluster (" + self.spec.cluster + ")",
            "years": f"{self.spec.years[0]}-{self.spec.years[1]}",
            "estimator": self.spec.estimator,
        }

    def design(self, newdata: pd.DataFrame) -> np.ndarray:
        """Design matrix of ``newdata`` (lag variables must already be columns), rows in order."""
        (X,) = patsy.build_design_matrices([self.design_info], newdata, NA_action="raise")
        return np.asarray(X)

    def predict(
        self,
        newdata: pd.DataFrame,
        method: str = "delta",
        level: float = 0.95,
        n_sims: int = 10_000,
        seed: int | None = 20240501,
    ) -> pd.DataFrame:
        """Predicted probability with a confidence interval for each row of ``newdata``.

        Parameters
        ----------
        method
            ``"delta"`` (delta method on the linear predictor, mapped to probabilities) or ``"simulation"`` (``n_sims``
            parametric draws from N(beta, V_cluster), percentile interval).

        Returns
        -------
        pandas.DataFrame
            ``risk`` (logistic(x'b)), ``risk_lo``, ``risk_hi``, indexed like ``newdata``.
        """
        if method not in P.METHODS:
            raise ValueError(f"method={method!r}: use one of {P.METHODS}")
        if self.spec.estimator not in ("logit", "firth"):
            # a conditional logit has no country intercepts to predict with; ordered and OLS outcomes are not a risk
            raise ModelError(
                f"spec {self.name!r} ({self.spec.estimator}) gives no predicted risk; "
                "use a logit specification such as un_full"
            )
        X = self.design(newdata)
        beta, V = self.params.values, self.cov.values
        if method == "delta":
            p, lo, hi = P.delta_ci(X, beta, V, level)
        else:
            p = P.expit(X @ beta)
            _, lo, hi = P.simulation_ci(X, P.draw_coefficients(beta, V, n_sims, seed), level)
        return pd.DataFrame({"risk": p, "risk_lo": lo, "risk_hi": hi}, index=newdata.index)


# ---------------------------------------------------------------------------------------- fitting
def _sample(spec: Specification, data: pd.DataFrame | None) -> pd.DataFrame:
    """Complete cases of the spec's variables in its years, with readable errors."""
    frame = model_panel(spec.years, spec.agg) if data is None else data
    variables = spec.variables()
    frame = with_variables(frame, variables + [spec.cluster])
    frame = frame[(frame["year"] >= spec.years[0]) & (frame["year"] <= spec.years[1])]
    needed = list(dict.fromkeys(variables + [spec.cluster]))
    complete = frame.dropna(subset=needed)
    if complete.empty:
        nn = frame[needed].notna().sum().sort_values()
        raise EmptySampleError(
            f"spec {spec.name!r}: no complete observations in {spec.years[0]}-{spec.years[1]} "
            f"({len(frame)} rows before dropping missing values; fewest non-missing: "
            + ", ".join(f"{k}={v}" for k, v in nn.head(3).items())
            + "); widen the years or drop those variables"
        )
    y = complete[spec.outcome]
    if spec.estimator in ("logit", "conditional_logit", "firth") and (
        not set(pd.unique(y)).issubset({0, 1}) or y.nunique() < 2
    ):
        raise ModelError(
            f"outcome {spec.outcome!r} must be 0/1 with both values in the sample; found {sorted(pd.unique(y))[:5]}"
        )
    if spec.estimator == "ordered_logit" and y.nunique() < 3:
        raise ModelError(
            f"outcome {spec.outcome!r} needs at least three ordered values for an ordered logit; "
            f"found {sorted(pd.unique(y))}"
        )
    return complete


def _informative(spec: Specification, sample: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The countries whose outcome changes (the only ones a conditional logit uses), and a note on the others."""
    varies = sample[spec.outcome].groupby(sample[spec.cluster]).transform("nunique") > 1
    kept = sample[varies]
    if kept.empty:
        raise EmptySampleError(
            f"spec {spec.name!r}: no country's {spec.outcome!r} changes in {spec.years[0]}-{spec.years[1]}; "
            "a fixed-effects logit has nothing to estimate"
        )
    always = sample[~varies].groupby(spec.cluster)[spec.outcome].first()
    note = (
        f"{len(always)} of {sample[spec.cluster].nunique()} countries dropped because their outcome never changes "
        f"({int((always == 1).sum())} always 1, {int((always == 0).sum())} always 0; "
        f"{int((~varies).sum())} country-years); "
        f"{kept[spec.cluster].nunique()} countries and {len(kept)} country-years inform the estimate"
    )
    return kept, note


def _check_separation(spec: Specification, y: np.ndarray, X: pd.DataFrame) -> None:
    """Name a binary regressor with an outcome constant in one of its levels (quasi-separation)."""
    for col in X.columns:
        x = X[col].values
        if col == "Intercept" or ":" in col:
            continue
        if np.isin(x, (0, 1)).all():
            cases = [(f"{col}={level}", x == level) for level in (0, 1)]
        elif (x >= 0).all() and (x == 0).any():
            # a count/size variable that is 0 for most units: check the units where it is present
            cases = [(f"{col}>0", x > 0)]
        else:
            continue
        for what, mask in cases:
            ys = y[mask]
            if len(ys) and ys.min() == ys.max():
                raise SeparationError(
                    f"spec {spec.name!r}: {col!r} perfectly predicts {spec.outcome!r} (every observation with "
                    f"{what} has {spec.outcome}={int(ys[0])}, n={len(ys)}); the logit estimate does not "
                    "exist: drop or recode that variable, or pool it with others"
                )


def fit(
    spec: str | Specification | None = None, data: pd.DataFrame | None = None, specs_path: str | Path | None = None
) -> FittedModel:
    """Fit one specification by maximum likelihood with standard errors clustered by country.

    Parameters
    ----------
    spec
        A name from ``specifications.yml`` (default: its ``default``, ``un_full``), a name from
        ``specs_path``, or a :class:`Specification`.
    data
        Country-year frame with the panel columns (default: ``model_panel(spec.years, spec.agg)``,
        i.e. ``create_country_years(start - 1, end).add_all()``).
    specs_path
        Optional user YAML file of specifications.

    Returns
    -------
    FittedModel

    Raises
    ------
    SpecificationError
        Unknown spec name or formula variable.
    EmptySampleError
        No complete observations.
    SeparationError
        A regressor perfectly predicts the outcome (the MLE does not exist).
    """
    spec = get_specification(spec or default_spec_name(), specs_path)
    sample = _sample(spec, data)
    notes = []
    if spec.estimator == "conditional_logit":
        sample, note = _informative(spec, sample)
        notes.append(note)
    try:
        y, X = patsy.dmatrices(spec.formula, sample, return_type="dataframe", NA_action="raise")
    except patsy.PatsyError as exc:
        raise ModelError(f"spec {spec.name!r}: cannot build the design matrix of {spec.formula!r}: {exc}") from exc
    yv = y.iloc[:, 0].values
    groups = sample[spec.cluster].values
    if spec.estimator != "logit":
        result = _fit_other(spec, sample, yv, X, groups)
        result.notes = notes + result.notes
        return FittedModel(spec=spec, result=result, data=sample.reset_index(drop=True), design_info=X.design_info)
    _check_separation(spec, yv, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            res = sm.Logit(yv, X).fit(
                disp=0, method="newton", maxiter=100, cov_type="cluster", cov_kwds={"groups": groups}
            )
        except (PerfectSeparationError, PerfectSeparationWarning) as exc:
            raise SeparationError(
                f"spec {spec.name!r}: perfect separation (some combination of {', '.join(X.columns[1:])} predicts "
                f"{spec.outcome!r} exactly); the logit estimate does not exist: drop or pool variables"
            ) from exc
        except np.linalg.LinAlgError as exc:
            raise ModelError(f"spec {spec.name!r}: singular design (collinear terms in {spec.formula!r})") from exc
    if not res.mle_retvals.get("converged", True) or not np.all(np.isfinite(res.bse)):
        raise SeparationError(
            f"spec {spec.name!r}: the likelihood did not converge (coefficients diverge: likely quasi-separation); "
            "drop or pool variables"
        )
    return FittedModel(spec=spec, result=res, data=sample.reset_index(drop=True), design_info=X.design_info)


#: Labels of ordered outcomes' values (cut points are named after them).
ORDERED_LEVELS = {"tip_tier": {1.0: "Tier 1", 2.0: "Tier 2", 2.5: "Tier 2 Watch List", 3.0: "Tier 3"}}


def _fit_other(spec: Specification, sample: pd.DataFrame, y: np.ndarray, X: pd.DataFrame, groups: np.ndarray):
    """Fit a specification whose estimator is not the ML logit (:mod:`peacewatch.models.estimators`)."""
    from peacewatch.models import estimators as E

    no_intercept = X.drop(columns=[c for c in ("Intercept",) if c in X.columns])
    try:
        if spec.estimator == "firth":
            result = E.firth_logit(y, X, groups)
        elif spec.estimator == "conditional_logit":
            result = E.conditional_logit(y, no_intercept, groups)
        elif spec.estimator == "ordered_logit":
            values = np.sort(pd.unique(y))
            names = ORDERED_LEVELS.get(spec.outcome, {})
            codes = np.searchsorted(values, y)
            result = E.ordered_logit(codes, no_intercept, groups, [names.get(float(v), f"{v:g}") for v in values])
        elif spec.estimator == "ols":
            result = E.ols(y, X, groups)
        else:  # load_specifications() checks the names; a Specification built by hand may not
            raise ModelError(f"spec {spec.name!r}: unknown estimator {spec.estimator!r}")
    except np.linalg.LinAlgError as exc:
        raise ModelError(f"spec {spec.name!r}: singular design (collinear terms in {spec.formula!r})") from exc
    if not result.converged or not np.all(np.isfinite(result.bse)):
        raise ModelError(f"spec {spec.name!r}: the {spec.estimator} estimator did not converge; drop or pool variables")
    return result


def fit_all(
    names: list[str] | None = None,
    specs_path: str | Path | None = None,
    data: pd.DataFrame | None = None,
    tables: tuple[str, ...] = ("main",),
) -> list[FittedModel]:
    """Fit several specifications in file order: ``names``, or (default) every built-in and user one
    shown in one of ``tables`` (``"main"``, ``"alternative"``, ``"outcomes"``; default the main table)."""
    from peacewatch.models.specs import load_specifications

    specs = load_specifications(specs_path)
    names = names or [n for n, s in specs.items() if s.table in tables]
    return [fit(specs.get(n, n), data=data, specs_path=specs_path) for n in names]


def fit_available(names: list[str]) -> tuple[list[FittedModel], list[str]]:
    """The fitted built-in specifications ``names`` (cached, :func:`default_model`), leaving out those
    whose data the user has not supplied (the Global Slavery Index), with one note for each left out
    (files named relative to the data directory: the notes go into the report and the web app)."""
    from peacewatch.models.supplied import SuppliedDataMissingError, missing_message

    models, notes = [], []
    for name in names:
        try:
            models.append(default_model(name))
        except SuppliedDataMissingError as exc:
            notes.append(f"{name} not estimated: {missing_message(exc.key, absolute=False)}")
    return models, notes


@memoize(maxsize=16)
def default_model(spec: str | None = None) -> FittedModel:
    """The fitted built-in specification ``spec`` (default ``un_full``) on the default panel, cached in-process."""
    return fit(spec or default_spec_name())


# ---------------------------------------------------------------------------------------- predictions
def predict_observed(
    panel_df: pd.DataFrame, spec: str | None = None, method: str = "delta", level: float = 0.95, n_sims: int = 10_000
) -> pd.DataFrame:
    """Predicted sex-trafficking-destination risk for observed country-years.

    Parameters
    ----------
    panel_df
        Country-year frame with the panel columns (e.g. ``create_country_years(2000, 2011).add_all().df``).
        ``lag_`` variables are built from it, so include the year before the first you want.
    spec
        Built-in specification name (default ``un_full``), fitted once per process.
    method
        ``"delta"`` or ``"simulation"``.

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, risk, risk_lo, risk_hi``: one row per row of ``panel_df``; NaN where a
        covariate is missing.
    """
    model = default_model(spec)
    rhs = [v for v in model.spec.variables() if v != model.spec.outcome]
    frame = with_variables(panel_df, rhs).reset_index(drop=True)
    out = frame[["ccode", "year"]].copy()
    for c in ("risk", "risk_lo", "risk_hi"):
        out[c] = np.nan
    ok = frame[rhs].notna().all(axis=1)
    if ok.any():
        pred = model.predict(frame.loc[ok], method=method, level=level, n_sims=n_sims)
        out.loc[ok, ["risk", "risk_lo", "risk_hi"]] = pred.values
    return out


def _planned_row(
    model: FittedModel, personnel: float, duration: float, tccs: float, controls: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One design row for a planned mission: inputs set current and lagged terms alike."""
    sample = model.data
    rhs_bases = {v[4:] if v.startswith("lag_") else v for v in model.spec.variables() if v != model.spec.outcome}
    allowed = rhs_bases | {"gdppc", "population"}
    unknown = [k for k in controls if (k[4:] if k.startswith("lag_") else k) not in allowed]
    if unknown:
        raise ValueError(f"control(s) {unknown} are not variables of spec {model.name!r}; use any of {sorted(allowed)}")
    values: dict[str, Any] = {
        "un_personnel": personnel,
        "ln_un_personnel": np.log1p(personnel),
        "un_duration": duration,
        "un_spell": duration,
        "un_tccs": tccs,
        "un_deployed": float(personnel > 0),
        "nonun_personnel": 0.0,
        "ln_nonun_personnel": 0.0,
        "nato_personnel": 0.0,
        "eu_personnel": 0.0,
        "au_personnel": 0.0,
    }
    raw_to_log = {"gdppc": "ln_gdppc", "population": "ln_population"}
    for key, val in controls.items():
        key = key[4:] if key.startswith("lag_") else key
        if key in raw_to_log:
            values[raw_to_log[key]] = float(np.log(val))
        values[key] = val
    rhs = [v for v in model.spec.variables() if v != model.spec.outcome]
    row: dict[str, Any] = {}
    used: dict[str, Any] = {}
    for var in rhs:
        base = var[4:] if var.startswith("lag_") else var
        if base in values:
            row[var] = values[base]
        else:
            # not given: the estimation-sample mean (binary controls: mean = share, documented)
            row[var] = float(sample[var].mean())
        used[var] = float(row[var])
    return pd.DataFrame([row]), used


def predict_planned(
    personnel: float,
    duration: float,
    tccs: int,
    spec: str | None = None,
    method: str = "delta",
    level: float = 0.95,
    n_sims: int = 10_000,
    **controls: Any,
) -> dict[str, Any]:
    """Predicted risk for a planned UN mission of a given size, duration and number of TCCs.

    Parameters
    ----------
    personnel
        Uniformed personnel (troops + police + observers).
    duration
        Years since the host's first UN deployment (1 in the first year).
    tccs
        Number of contributing countries.
    spec, method, level, n_sims
        As in :func:`predict_observed`.
    **controls
        Host characteristics by panel name: ``conflict`` (0/1), ``polity2``, ``gdppc`` or ``ln_gdppc``,
        ``population`` or ``ln_population``. Those not given are set to their estimation-sample mean.

    Returns
    -------
    dict
        ``risk, risk_lo, risk_hi, method, level, spec, inputs`` (every model variable's value used).
    """
    if personnel < 0 or duration < 0 or tccs < 0:
        raise ValueError("personnel, duration and tccs must be >= 0")
    model = default_model(spec)
    row, used = _planned_row(model, float(personnel), float(duration), float(tccs), controls)
    pred = model.predict(row, method=method, level=level, n_sims=n_sims).iloc[0]
    return {
        "risk": float(pred["risk"]),
        "risk_lo": float(pred["risk_lo"]),
        "risk_hi": float(pred["risk_hi"]),
        "method": method,
        "level": level,
        "spec": model.name,
        "inputs": used,
    }
