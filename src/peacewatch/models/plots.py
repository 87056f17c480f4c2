"""Marginal-effect and predicted-risk plots (matplotlib, Agg backend); each takes a list of models.

The marginal effect of size is d Pr(destination) / d log(personnel + 1), computed for each
simulated coefficient draw as a central finite difference at the scenario (so it works for any
formula, interactions included), with percentile intervals over ``n_sims`` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures are files
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from peacewatch.models import predict as P

SIZE = "ln_un_personnel"
#: by -> (panel variables it sets, axis label, default grid); duration sets both duration measures
AXES = {
    "duration": (("un_duration", "un_spell"), "UN deployment duration (years)", np.arange(0, 21)),
    "tccs": (("un_tccs",), "Number of troop/police-contributing countries", np.arange(0, 61, 2)),
}


DEPLOYMENT = ("un_duration", "un_spell", "un_tccs")
ACROSS = {"duration": "deployment duration", "tccs": "the number of contributing countries"}


def _scenario(model, overrides: dict[str, float | np.ndarray], n: int) -> pd.DataFrame:
    """``n`` rows of a typical *deployed* host, with ``overrides`` (current and ``lag_`` alike).

    Controls sit at their estimation-sample means; duration and TCCs at their medians among the
    sample's country-years with UN personnel (their overall means, ~2, describe no real mission).
    """
    rhs = [v for v in model.spec.variables() if v != model.spec.outcome]
    data = model.data
    size = next((v for v in rhs if v.endswith(SIZE)), None)
    deployed = data[data[size] > 0] if size is not None and (data[size] > 0).any() else data
    row = {}
    for v in rhs:
        base = v[4:] if v.startswith("lag_") else v
        src = deployed if base in DEPLOYMENT else data
        row[v] = np.full(n, float(src[v].median() if base in DEPLOYMENT else src[v].mean()))
    for base, val in overrides.items():
        for v in rhs:
            if v == base or v == "lag_" + base:
                row[v] = np.broadcast_to(np.asarray(val, dtype=float), (n,)).copy()
    return pd.DataFrame(row)


def marginal_effect_of_size(
    model,
    by: str = "duration",
    personnel: float = 5000,
    n_sims: int = 2000,
    level: float = 0.95,
    seed: int = 1,
    grid: np.ndarray | None = None,
    scale: str = "probability",
) -> pd.DataFrame:
    """Marginal effect of log UN personnel across ``by`` (``"duration"`` or ``"tccs"``).

    Size is set to ``log1p(personnel)``, controls to their estimation-sample means and the other
    deployment variable to its median among deployed country-years.

    ``scale="probability"`` gives d Pr / d log size; ``"link"`` the effect on the log-odds, which
    is where the interaction coefficients act (probabilities saturate near 1).

    Returns
    -------
    pandas.DataFrame
        ``model, by, value, effect, lo, hi``.
    """
    variables, _, default_grid = AXES[by]
    grid = default_grid if grid is None else np.asarray(grid)
    h = 1e-3
    base = float(np.log1p(personnel))
    setting = {v: grid for v in variables}
    X1 = model.design(_scenario(model, {**setting, SIZE: base + h}, len(grid)))
    X0 = model.design(_scenario(model, {**setting, SIZE: base - h}, len(grid)))
    draws = P.draw_coefficients(model.params.values, model.cov.values, n_sims, seed)
    if scale == "link":
        # log-odds scale: the effect is linear in the coefficients (b_size + b_int * value)
        G = (X1 - X0) / (2 * h)
        D, point = G @ draws.T, G @ model.params.values
    elif scale == "probability":
        D = P.simulated_differences(X1, X0, draws, 2 * h)
        point = (P.expit(X1 @ model.params.values) - P.expit(X0 @ model.params.values)) / (2 * h)
    else:
        raise ValueError(f"scale={scale!r}: use 'probability' or 'link'")
    lo, hi = np.percentile(D, [(1 - level) / 2 * 100, (1 + level) / 2 * 100], axis=1)
    return pd.DataFrame({"model": model.name, "by": by, "value": grid, "effect": point, "lo": lo, "hi": hi})


def predicted_risk_curve(
    model,
    personnel: np.ndarray | None = None,
    durations: Sequence[float] = (1, 5, 10),
    tccs: float = 20,
    level: float = 0.95,
) -> pd.DataFrame:
    """Predicted risk across personnel for several durations (delta-method intervals).

    Returns ``model, personnel, duration, risk, risk_lo, risk_hi``.
    """
    personnel = np.geomspace(100, 30000, 40) if personnel is None else np.asarray(personnel, dtype=float)
    frames = []
    for d in durations:
        X = model.design(
            _scenario(
                model, {SIZE: np.log1p(personnel), "un_duration": d, "un_spell": d, "un_tccs": tccs}, len(personnel)
            )
        )
        p, lo, hi = P.delta_ci(X, model.params.values, model.cov.values, level)
        frames.append(
            pd.DataFrame(
                {"model": model.name, "personnel": personnel, "duration": d, "risk": p, "risk_lo": lo, "risk_hi": hi}
            )
        )
    return pd.concat(frames, ignore_index=True)


def _save(fig, path: Path, formats: Sequence[str]) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in formats:
        target = path.with_suffix("." + ext)
        fig.savefig(target, dpi=150, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        out.append(target)
    plt.close(fig)
    return out


def plot_marginal_effects(
    models: Sequence,
    path: str | Path,
    by: str = "duration",
    personnel: float = 5000,
    n_sims: int = 2000,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Plot the marginal effect of log UN personnel across duration or TCC counts, one line per model.

    Two panels: the effect on the log-odds (left) and on the probability (right), each with a 95%
    simulation interval.

    Parameters
    ----------
    models
        Fitted models whose formula contains UN size (and, to vary, duration / TCCs).
    path
        Output path without extension; one file per format is written.
    by
        ``"duration"`` or ``"tccs"``.

    Returns
    -------
    list of Path
    """
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, scale, ylabel in zip(
        axes, ("link", "probability"), ("d log-odds / d log(UN personnel)", "dPr(destination) / d log(UN personnel)")
    ):
        for m in models:
            me = marginal_effect_of_size(m, by=by, personnel=personnel, n_sims=n_sims, scale=scale)
            (line,) = ax.plot(me["value"], me["effect"], label=m.spec.label or m.name)
            ax.fill_between(me["value"], me["lo"], me["hi"], alpha=0.2, color=line.get_color())
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel(AXES[by][1])
        ax.set_ylabel(ylabel)
        ax.set_title(f"{scale} scale", fontsize=10)
    other = "TCCs" if by == "duration" else "duration"
    fig.suptitle(
        f"Marginal effect of UN deployment size ({personnel:,.0f} personnel) across {ACROSS[by]}\n"
        f"{other} at its median among deployed country-years, controls at means; 95% CI from {n_sims:,} simulations",
        fontsize=9,
    )
    fig.tight_layout()
    axes[0].legend(fontsize=8, frameon=False)
    return _save(fig, Path(path), formats)


def plot_predicted_risk(
    models: Sequence,
    path: str | Path,
    durations: Sequence[float] = (1, 5, 10),
    tccs: float = 20,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Plot predicted risk against UN personnel (log axis) for several durations, one panel per model."""
    fig, axes = plt.subplots(1, len(models), figsize=(5.2 * len(models), 3.8), squeeze=False, sharey=True)
    for ax, m in zip(axes[0], models):
        curve = predicted_risk_curve(m, durations=durations, tccs=tccs)
        for d, g in curve.groupby("duration"):
            (line,) = ax.plot(g["personnel"], g["risk"], label=f"duration {d:g} y")
            ax.fill_between(g["personnel"], g["risk_lo"], g["risk_hi"], alpha=0.15, color=line.get_color())
        ax.set_xscale("log")
        ax.set_xlabel("UN uniformed personnel")
        ax.set_title(m.spec.label or m.name, fontsize=10)
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel(f"Pr(sex-trafficking destination), {tccs:g} TCCs")
    axes[0][0].legend(fontsize=8, frameon=False)
    return _save(fig, Path(path), formats)


def plot_density(
    frame: pd.DataFrame, path: str | Path, threshold: float = 6.0, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Democratic density by year, one line per unit.

    Parameters
    ----------
    frame
        Columns ``unit, year, density`` (e.g. :func:`~peacewatch.models.typology.typology_table`).
    threshold
        Democracy cut-off drawn as a dashed line.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for unit, g in frame.groupby("unit", sort=False):
        ax.plot(g["year"], g["density"], marker="o", ms=3, label=unit)
    ax.axhline(threshold, color="grey", ls="--", lw=0.8)
    ax.set_ylabel("mean Polity5 polity2")
    ax.set_xlabel("year")
    ax.set_ylim(-10, 10)
    ax.set_title("Democratic density of IOs (members) and missions (contributors)", fontsize=10)
    ax.legend(fontsize=8, frameon=False, ncol=2)
    return _save(fig, Path(path), formats)
