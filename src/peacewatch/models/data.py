"""The estimation data: the full country-year panel, with ``lag_<column>`` built on demand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from peacewatch.memo import memoize
from peacewatch.models.errors import SpecificationError

LAG_PREFIX = "lag_"


@memoize(maxsize=4)
def model_panel_object(years: tuple[int, int] = (2001, 2011), agg: str = "december"):
    """The :class:`~peacewatch.panel.Panel` behind :func:`model_panel` (for ``cite()`` and ``lineage``):
    the years ``start - 1 .. end`` of the process's one panel (:mod:`peacewatch.panel.store`)."""
    from peacewatch.panel.store import panel

    return panel(int(years[0]) - 1, int(years[1]), agg)


@memoize(maxsize=4)
def model_panel(years: tuple[int, int] = (2001, 2011), agg: str = "december") -> pd.DataFrame:
    """The panel used for estimation: the full panel of ``start - 1 .. end`` plus
    the derived ``un_spell`` (see :func:`un_spell`).

    One extra year before ``start`` is kept so that ``lag_`` variables exist in the first year;
    callers restrict to ``years`` after building lags. Cached in-process (treat as read-only).
    """
    df = model_panel_object((int(years[0]), int(years[1])), agg).df
    return df.merge(un_spell(int(years[1]), agg), on=["ccode", "year"], how="left", validate="one_to_one")


@memoize(maxsize=4)
def un_spell(end: int, agg: str = "december") -> pd.DataFrame:
    """Years of the host's *current, uninterrupted* UN presence: ``ccode, year, un_spell``.

    The panel's ``un_duration`` counts years since the host's first UN deployment ever (Haiti 2004:
    11, from UNMIH in 1994), so a new mission in a former host starts "old". ``un_spell`` restarts
    at 1 when UN presence (``un_deployed``) resumes after a year without it (Haiti 2004: 1) and is 0
    without presence. Spells running since 1990, where IPI begins, are counted from the host's
    first deployment year (``un_first_year``, e.g. Cyprus 1964), i.e. assumed uninterrupted before.
    """
    from peacewatch.panel.store import CORE_START, panel_frame

    df = panel_frame(CORE_START, end, agg)[["ccode", "year", "un_deployed", "un_first_year"]]
    df = df.sort_values(["ccode", "year"]).reset_index(drop=True)
    on = df["un_deployed"].fillna(0).eq(1)
    # a new run starts where presence switches on, or at a state's first panel year
    new_run = on & ~(on.groupby(df["ccode"]).shift(1, fill_value=False) & df["year"].diff().eq(1))
    run_id = new_run.groupby(df["ccode"]).cumsum()
    start = df["year"].where(new_run).groupby([df["ccode"], run_id]).transform("first")
    censored = start.eq(CORE_START) & df["un_first_year"].notna()
    start = start.where(~censored, df["un_first_year"].astype(float))
    spell = (df["year"] - start + 1).where(on, 0.0)
    return pd.DataFrame({"ccode": df["ccode"], "year": df["year"], "un_spell": spell.where(df["un_deployed"].notna())})


#: US garrison threshold (personnel) of ``us_garrison``.
US_GARRISON_MIN = 1000


def _log1p(col: str):
    return lambda df: np.log1p(df[col])


#: Columns the model layer derives from panel columns when a formula names them (or their lag):
#: name -> (panel columns needed, function of the frame).
DERIVED: dict[str, tuple[tuple[str, ...], Callable[[pd.DataFrame], pd.Series]]] = {
    "us_garrison": (
        ("us_troops",),
        lambda df: (df["us_troops"] >= US_GARRISON_MIN).astype(float).where(df["us_troops"].notna()),
    ),
    "ln_nato_personnel": (("nato_personnel",), _log1p("nato_personnel")),
    "ln_eu_personnel": (("eu_personnel",), _log1p("eu_personnel")),
    "ln_au_personnel": (("au_personnel",), _log1p("au_personnel")),
}


def with_derived(df: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """``df`` with the :data:`DERIVED` columns that ``variables`` name (directly or as ``lag_``) added."""
    bases = {v.removeprefix(LAG_PREFIX) for v in variables}
    todo = [
        name
        for name in DERIVED
        if name in bases and name not in df.columns and all(c in df.columns for c in DERIVED[name][0])
    ]
    if not todo:
        return df
    return df.assign(**{name: DERIVED[name][1](df) for name in todo})


def with_variables(df: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """Return ``df`` with every name in ``variables`` present as a column.

    ``lag_<col>`` is ``<col>`` of the same ``ccode`` in ``year - 1`` (missing when that year is not in
    the frame); ``un_spell`` is derived (:func:`un_spell`) when the frame lacks it. Unknown names raise
    :class:`SpecificationError` naming the variable and close matches.
    """
    from peacewatch.models.supplied import with_supplied

    out = df = with_derived(with_supplied(df, variables), variables)
    needs_spell = any(v in ("un_spell", LAG_PREFIX + "un_spell") for v in variables) and "un_spell" not in df.columns
    if needs_spell:  # derived here, not a panel column: add it for frames built without model_panel()
        out = df = df.merge(un_spell(int(df["year"].max())), on=["ccode", "year"], how="left")
    missing = [v for v in variables if v not in df.columns]
    for name in missing:
        base = name[len(LAG_PREFIX) :] if name.startswith(LAG_PREFIX) else None
        if base is not None and base in df.columns:
            if out is df:
                out = df.copy()
            prev = df[["ccode", "year", base]].assign(year=df["year"] + 1).rename(columns={base: name})
            out = out.merge(prev, on=["ccode", "year"], how="left")
            continue
        import difflib

        cols = [c for c in df.columns]
        close = difflib.get_close_matches(base or name, cols, n=4, cutoff=0.5)
        raise SpecificationError(
            f"unknown variable {name!r} in the formula: not a panel column"
            + (f" (did you mean {', '.join(close)}?)" if close else "")
            + "; see docs/panel-columns.md, or prefix a column with 'lag_' for its one-year lag"
        )
    return out
