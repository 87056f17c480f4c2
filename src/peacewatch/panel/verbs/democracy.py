"""Democracy: Polity5 (``polity2`` for analysis, ``polity`` with its special codes) and Freedom House
political rights, civil liberties and status. Merged on COW code and calendar year; Polity successor
codes are mapped to COW in the loader."""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.freedom_house import freedom_house
from peacewatch.sources.loaders.polity5 import polity5

COLUMNS = ["polity2", "polity", "fh_pr", "fh_cl", "fh_status"]


def democracy(ctx: SourceContext, years: pd.DataFrame) -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    p = polity5(ctx)[["ccode", "year", "polity2", "polity"]]
    f = freedom_house(ctx)[["ccode", "year", "fh_pr", "fh_cl", "fh_status"]]
    out = years[["ccode", "year"]].merge(p, on=["ccode", "year"], how="left").merge(f, on=["ccode", "year"], how="left")
    return out[["ccode", "year", *COLUMNS]]
