"""Trafficking incidence index (Smith 2012): several indicators of trafficking *into* a country combined.

Smith (2012) measured trafficking from NGO reports, US State Department reports and IOM victims
assisted. The catalog has the State Department side, coded by the Human Trafficking Indicators
(HTI, 2001-2011, one row per country in that year's TIP report); NGO report counts and IOM victims
assisted are not public as country-year data and are left out. Indicators (0/1, per report year):

``tip_mention``
    The country is in that year's TIP report at all. Until 2008 the report covered only countries
    with a "significant number" (100+) of victims, so a mention is itself a signal of incidence.
``destination``
    The report names the country a destination of trafficking of any type (HTI ``destination``).
``sex_destination``
    Destination of trafficking for prostitution (HTI ``pdest``; the deployment-risk outcome).
``child_sex_destination``
    Destination of child prostitution (HTI ``cpdest``).
``internal_sex``
    Internal trafficking for prostitution (HTI ``pinternal``).

The index is the weighted mean of the indicators (equal weights by default), in [0, 1]. A country
not in the report scores 0 on every indicator (the State Department reported nothing): ``index`` is
0 and ``tip_mention`` 0, so users can drop those rows. Years outside 2001-2011 are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.bounds import MODEL_YEARS
from peacewatch.sources.context import SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.loaders.hti import hti

INDICATORS = {
    "destination": "destination",
    "sex_destination": "pdest",
    "child_sex_destination": "cpdest",
    "internal_sex": "pinternal",
}
#: The years of the Human Trafficking Indicators (the models' years, peacewatch.bounds.MODEL_YEARS).
HTI_YEARS = (int(MODEL_YEARS.lo), int(MODEL_YEARS.hi))


def incidence_index(
    years: range | list[int] = range(2001, 2012),
    weights: dict[str, float] | None = None,
    ctx: SourceContext | None = None,
) -> pd.DataFrame:
    """Trafficking incidence index per country-year (COW state system members).

    Parameters
    ----------
    years
        Calendar (TIP report) years; only 2001-2011 have data.
    weights
        Indicator -> weight (default 1 each for ``tip_mention`` and the four HTI indicators).

    Returns
    -------
    pandas.DataFrame
        ``ccode, year, country, tip_mention, destination, sex_destination, child_sex_destination,
        internal_sex, index, n_indicators``.
    """
    ctx = ctx or default_context()
    from peacewatch.panel import create_country_years

    years = [y for y in years if HTI_YEARS[0] <= y <= HTI_YEARS[1]]
    if not years:
        raise ValueError(f"years: HTI covers {HTI_YEARS[0]}-{HTI_YEARS[1]}; no year requested is inside it")
    base = create_country_years(min(years), max(years), ctx=ctx).df[["ccode", "year", "country"]]
    base = base[base["year"].isin(years)]
    h = hti(ctx)[["ccode", "year", *INDICATORS.values()]].rename(columns={v: k for k, v in INDICATORS.items()})
    h["tip_mention"] = 1.0
    out = base.merge(h, on=["ccode", "year"], how="left")
    names = ["tip_mention", *INDICATORS]
    out[names] = out[names].fillna(0.0)
    w = {k: 1.0 for k in names} if weights is None else {k: float(weights.get(k, 0.0)) for k in names}
    unknown = set(weights or {}) - set(names)
    if unknown:
        raise ValueError(f"weights: unknown indicators {sorted(unknown)}; use {names}")
    wv = np.array([w[k] for k in names])
    if wv.sum() <= 0:
        raise ValueError("weights: at least one indicator needs a positive weight")
    out["index"] = out[names].values @ wv / wv.sum()
    out["n_indicators"] = int((wv > 0).sum())
    return out[["ccode", "year", "country", *names, "index", "n_indicators"]].reset_index(drop=True)
