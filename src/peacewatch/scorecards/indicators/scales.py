"""Shared score scales (pure, vectorised). Each maps a value to 0..10, NaN stays NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd


def linear(x: pd.Series, lo: float, hi: float) -> pd.Series:
    """0 at ``lo``, 10 at ``hi`` (either order), clipped."""
    return ((x.astype("float64") - lo) / (hi - lo) * 10.0).clip(0.0, 10.0)


def log_decreasing(x: pd.Series, zero_at: float) -> pd.Series:
    """10 at 0, 0 at ``zero_at`` and above, linear in log(1 + x) in between."""
    return (10.0 - 10.0 * np.log1p(x.astype("float64").clip(lower=0)) / np.log1p(zero_at)).clip(0.0, 10.0)


def mapped(x: pd.Series, table: dict[float, float]) -> pd.Series:
    """Look up each value in ``table``; values not in it are NaN."""
    return x.astype("float64").map(table).astype("float64")
