"""How monthly deployment figures become one value per year.

Three rules are available on every deployment verb, ``december`` being the default:

* ``december``: the value in December of the year (a mission that left before December counts 0) —
  the convention of the IPI/UN year-end snapshots and of Bell et al. (2018);
* ``mean``: the annual mean over the twelve months, months without deployment counting 0 (so a
  mission arriving in June weighs about half);
* ``max``: the largest monthly value in the year.

Years outside the source's coverage are missing, never 0.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.bounds import AGGREGATIONS as AGG_RULES  # one list, also checked by the CLI


def check_rule(agg: str) -> None:
    """Refuse an unknown aggregation rule with the list of valid ones."""
    if agg not in AGG_RULES:
        raise ValueError(f"unknown monthly-to-yearly rule {agg!r}; use one of {AGG_RULES} (default 'december')")


def to_yearly(host_month: pd.DataFrame, value_cols: list[str], agg: str) -> pd.DataFrame:
    """Collapse ``ccode, year, month, *value_cols`` to ``ccode, year`` with rule ``agg``."""
    check_rule(agg)
    keys = ["ccode", "year"]
    if agg == "december":
        dec = host_month[host_month["month"] == 12]
        out = dec.groupby(keys)[value_cols].sum()
        present = host_month[keys].drop_duplicates().set_index(keys)
        return out.reindex(present.index, fill_value=0.0).reset_index()
    if agg == "mean":
        return (host_month.groupby(keys)[value_cols].sum() / 12.0).reset_index()
    return host_month.groupby(keys)[value_cols].max().reset_index()
