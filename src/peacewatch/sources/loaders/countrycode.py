"""countrycode codelist (Arel-Bundock et al.): one row per country/territory with its codes."""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.defaults import default_context


def countrycode(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``name, regex, iso3, cown, gwn, p5n`` (the columns peacewatch's crosswalk uses)."""
    ctx = ctx or default_context()
    return ctx.crosswalk.codelist
