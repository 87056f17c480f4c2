"""Controls: population, GDP per capita and armed conflict.

Rules: ``population`` is WDI SP.POP.TOTL, and COW NMC ``tpop`` (x1000) where WDI has no value (e.g.
Taiwan, Kosovo before 2000, years after 2015); ``population_source`` says which. ``gdppc`` is WDI
NY.GDP.PCAP.KD (constant 2015 US$). Conflict (UCDP/PRIO ACD v25.1): ``conflict`` is 1 when the state is
a primary party (side A or B) to any armed conflict with 25+ battle deaths that year,
``conflict_intensity`` the highest intensity (1 minor, 2 war, 0 none), ``civil_conflict`` 1 for an
intrastate or internationalised intrastate conflict where the state is side A (the government).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.cow_nmc import cow_nmc
from peacewatch.sources.loaders.ucdp_acd import ucdp_acd
from peacewatch.sources.loaders.wdi import wdi_gdppc, wdi_population

UCDP_LAST_YEAR = 2024
COLUMNS = [
    "population",
    "population_source",
    "gdppc",
    "ln_population",
    "ln_gdppc",
    "conflict",
    "conflict_intensity",
    "civil_conflict",
]


def controls(ctx: SourceContext, years: pd.DataFrame) -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    keys = ["ccode", "year"]
    # WDI can list one COW state under two ISO3 codes (none in this release); keep the larger value
    pop = wdi_population(ctx).groupby(keys, as_index=False)["population"].max()
    gdp = wdi_gdppc(ctx).groupby(keys, as_index=False)["gdppc"].max()
    nmc = cow_nmc(ctx)[["ccode", "year", "tpop"]]
    acd = ucdp_acd(ctx)
    conflict = acd.groupby(keys).agg(conflict_intensity=("intensity_level", "max")).reset_index()
    civil = acd[acd["intrastate"] & (acd["side"] == "a")].groupby(keys).size().rename("civil").reset_index()

    out = years[keys].merge(pop, on=keys, how="left").merge(nmc, on=keys, how="left")
    out = out.merge(gdp, on=keys, how="left").merge(conflict, on=keys, how="left").merge(civil, on=keys, how="left")
    # numpy's stubs reject None as a value, which np.where takes as an object-array element
    fallback = np.where(out["tpop"].notna(), "COW NMC", None)  # type: ignore[call-overload]
    out["population_source"] = np.where(out["population"].notna(), "WDI", fallback)
    out["population"] = out["population"].fillna(out["tpop"])
    out["ln_population"] = np.log(out["population"])
    out["ln_gdppc"] = np.log(out["gdppc"])
    known = out["year"] <= UCDP_LAST_YEAR
    out["conflict_intensity"] = out["conflict_intensity"].fillna(0.0).where(known)
    out["conflict"] = (out["conflict_intensity"] > 0).astype(float).where(known)
    out["civil_conflict"] = out["civil"].notna().astype(float).where(known)
    return out[["ccode", "year", *COLUMNS]]
