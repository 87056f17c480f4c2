"""The estimation data: the full country-year panel, with ``lag_<column>`` built on demand."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from peacewatch.models.errors import SpecificationError

LAG_PREFIX = "lag_"


@lru_cache(maxsize=4)
def model_panel_object(years: tuple[int, int] = (2001, 2011), agg: str = "december"):
    """The :class:`~peacewatch.panel.Panel` behind :func:`model_panel` (for ``cite()`` and ``lineage``)."""
    from peacewatch.panel import create_country_years

    return create_country_years(int(years[0]) - 1, int(years[1])).add_all(agg)


def model_panel(years: tuple[int, int] = (2001, 2011), agg: str = "december") -> pd.DataFrame:
    """The panel used for estimation: ``create_country_years(start - 1, end).add_all(agg).df``.

    One extra year before ``start`` is kept so that ``lag_`` variables exist in the first year;
    callers restrict to ``years`` after building lags. Cached in-process (treat as read-only).
    """
    return model_panel_object((int(years[0]), int(years[1])), agg).df


def with_variables(df: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """Return ``df`` with every name in ``variables`` present as a column.

    ``lag_<col>`` is ``<col>`` of the same ``ccode`` in ``year - 1`` (missing when that year is not in
    the frame). Unknown names raise :class:`SpecificationError` naming the variable and close matches.
    """
    out = df
    missing = [v for v in variables if v not in df.columns]
    for name in missing:
        base = name[len(LAG_PREFIX):] if name.startswith(LAG_PREFIX) else None
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
