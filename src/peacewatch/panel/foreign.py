"""Stata ``.dta`` (pyreadstat) and R ``.rds`` (pyreadr) copies of a country-year frame.

Both formats carry what a researcher expects of them: in Stata, variable names of at most 32
characters, variable labels (at most 80 characters) and the ordered text columns (TIP tier,
Freedom House status, HTI tier) as labelled integers, the way ``encode`` would store them; in R,
the same columns as factors with their levels in order. Nullable integers and booleans become
numbers with missing values (Stata and R have no nullable integer of pandas' kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Ordered categories of the panel's text columns (codes 1..n in Stata, factor levels in R).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "tip_tier_label": ("Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3", "Special Case", "Not rated"),
    "hti_tier": ("Tier 1", "Tier 2/2 Watch List", "Tier 3", "Special Case"),
    "fh_status": ("Free", "Partially Free", "Not Free"),
}
STATA_NAME_MAX = 32
STATA_LABEL_MAX = 80


@dataclass
class StataFrame:
    """A frame ready for ``pyreadstat.write_dta`` with its labels and the renames applied."""

    df: pd.DataFrame
    column_labels: dict[str, str | None]
    value_labels: dict[str, dict[int | float, str]]
    renamed: dict[str, str] = field(default_factory=dict)


def stata_name(name: str, taken: set[str]) -> str:
    """A valid Stata variable name for ``name``: letters, digits and ``_``, not starting with a digit,
    at most 32 characters, unique among ``taken`` (a numeric suffix replaces the tail if needed)."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not base or base[0].isdigit():
        base = "v" + base
    base = base[:STATA_NAME_MAX]
    out, i = base, 1
    while out in taken:
        suffix = f"_{i}"
        out = base[: STATA_NAME_MAX - len(suffix)] + suffix
        i += 1
    return out


def _undo_nullable(series: pd.Series) -> pd.Series:
    if str(series.dtype) in ("Int64", "Int32", "boolean") or series.dtype == bool:
        return series.astype("float64")
    return series


def _unknown_values(df: pd.DataFrame, col: str) -> list[str]:
    return sorted(set(df[col].dropna().unique()) - set(CATEGORIES[col]))


def to_stata_frame(df: pd.DataFrame, labels: dict[str, str] | None = None) -> StataFrame:
    """Prepare ``df`` for Stata: names, labelled integer codes for :data:`CATEGORIES`, no nullable dtypes.

    Parameters
    ----------
    df
        Country-year frame.
    labels
        Column -> variable label (cut to 80 characters); columns without one get none.
    """
    labels = labels or {}
    out = pd.DataFrame(index=df.index)
    column_labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for col in df.columns:
        name = stata_name(str(col), taken)
        taken.add(name)
        if name != col:
            renamed[str(col)] = name
        s = df[col]
        if col in CATEGORIES and not _unknown_values(df, col):
            codes = {label: i for i, label in enumerate(CATEGORIES[col], start=1)}
            out[name] = s.map(codes).astype("float64")
            value_labels[name] = {i: label for label, i in codes.items()}
        else:
            out[name] = _undo_nullable(s)
        label = labels.get(str(col))
        if label:
            column_labels[name] = label[:STATA_LABEL_MAX]
    return StataFrame(out, column_labels, value_labels, renamed)


def write_dta(df: pd.DataFrame, path: str | Path, labels: dict[str, str] | None = None, file_label: str = "") -> Path:
    """Write ``df`` as a Stata 15 ``.dta`` file (see :func:`to_stata_frame`); returns the path."""
    import pyreadstat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf = to_stata_frame(df, labels)
    pyreadstat.write_dta(
        sf.df.reset_index(drop=True),
        str(path),
        file_label=file_label[:STATA_LABEL_MAX],
        column_labels=sf.column_labels,
        variable_value_labels=sf.value_labels,
        version=15,
    )
    return path


def to_r_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` for R: :data:`CATEGORIES` as factors (levels in order), nullable integers/booleans as numbers."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if col in CATEGORIES and not _unknown_values(df, col):
            out[col] = pd.Categorical(s, categories=list(CATEGORIES[col]))
        else:
            out[col] = _undo_nullable(s)
    return out.reset_index(drop=True)


def write_rds(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as an R ``.rds`` data frame (pyreadr; ``readRDS()`` opens it); returns the path."""
    import pyreadr

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadr.write_rds(str(path), to_r_frame(df), compress="gzip")
    return path
