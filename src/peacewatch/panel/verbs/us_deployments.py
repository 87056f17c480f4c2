"""US military deployments per host country-year, from troopdata (DMDC reports).

Merge rules: ``us_troops`` is active-duty US personnel in the country (the United States itself
excluded; spellings of one country summed). troopdata covers 1950-2024: within those years a state
the reports do not list has 0 US personnel; after 2024 every value is missing (never carried
forward). ``us_deployed`` is 1 when at least one US service member is there, ``ln_us_troops`` is
log(1 + us_troops). Values are a yearly snapshot, not an annual mean. Personnel in a territory
before it joined the COW system are credited to the state it was part of (Kosovo 1999-2007: 345,
like UNMIK; ``part_of_before_membership`` in ``country_overrides.yml``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.troopdata import troopdata

FIRST_YEAR, LAST_YEAR = 1950, 2024
COLUMNS = ["us_troops", "us_deployed", "ln_us_troops"]


def us_deployments(ctx: SourceContext, years: pd.DataFrame) -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    t = ctx.crosswalk.credit_before_membership(troopdata(ctx)[["ccode", "year", "us_troops"]])
    t = t.groupby(["ccode", "year"], as_index=False)["us_troops"].sum()
    out = years[["ccode", "year"]].merge(t, on=["ccode", "year"], how="left")
    covered = out["year"].between(FIRST_YEAR, LAST_YEAR)
    out["us_troops"] = out["us_troops"].astype(float).fillna(0.0).where(covered)
    out["us_deployed"] = (out["us_troops"] > 0).astype(float).where(covered)
    out["ln_us_troops"] = np.log1p(out["us_troops"])
    return out[["ccode", "year", *COLUMNS]]
