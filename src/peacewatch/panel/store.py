"""The one country-year panel of a process: one year range, built once, shared by every reader.

The web pages, the scorecards, the models and the main job all take their panel from here, so a
process applies every verb once (``create_country_years(CORE_START, core_end()).add_all()``) and
each reader gets a slice of that one panel. A range outside the core range (a user's own panel, or
years before 1990) is built on its own and kept next to it.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from peacewatch.bounds import check_year_range, frame_years
from peacewatch.memo import memoize
from peacewatch.panel.core import Panel, create_country_years
from peacewatch.sources.defaults import default_context

#: First year of the shared panel: IPI's first year of UN deployments, the earliest year a page,
#: a model (one lag year before 2001) or a scorecard reads.
CORE_START = 1990


def core_end() -> int:
    """Last year of the shared panel: the sources' last year or, when later, the current year (the
    TCC scorecard grades the current year; years after the sources end are left missing)."""
    return int(frame_years().hi)


@memoize(maxsize=4)
def _built(start: int, end: int, agg: str) -> Panel:
    return create_country_years(start, end).add_all(agg)


def core_panel(agg: str = "december") -> Panel:
    """The shared panel over ``CORE_START..core_end()`` with every verb (built once per ``agg``)."""
    return _built(CORE_START, core_end(), agg)


def panel(start: int = CORE_START, end: int | None = None, agg: str = "december") -> Panel:
    """The full panel restricted to ``start..end`` (default: the whole core range).

    Inside the core range this is a slice of :func:`core_panel` (the same steps, lineage and
    citations); a range reaching outside it is built once on its own.
    """
    end = core_end() if end is None else end
    check_year_range(start, end, frame_years(), ("start", "end"))
    if start < CORE_START or end > core_end():
        return _built(start, end, agg)
    full = core_panel(agg)
    if (start, end) == (full.start, full.end):
        return full
    df = full.df[full.df["year"].between(start, end)].reset_index(drop=True)
    return replace(full, df=df, start=start, end=end)


def panel_frame(start: int = CORE_START, end: int | None = None, agg: str = "december") -> pd.DataFrame:
    """The rows of :func:`panel` (shared: treat as read-only)."""
    return panel(start, end, agg).df


# ----------------------------------------------------------------------------- deployment tables
# The finer deployment records behind the panel's UN columns (per mission, contributor and month),
# read once per process for every reader (the web pages, the TCC and mission scorecards).
@memoize(maxsize=1)
def mission_months() -> pd.DataFrame:
    """IPI mission-months: mission, host, personnel by type, number of contributors."""
    from peacewatch.sources.loaders.ipi import ipi_missions

    return ipi_missions(default_context())


@memoize(maxsize=1)
def contributor_months() -> pd.DataFrame:
    """IPI contributor x mission x month (2009-11..2014-02 only)."""
    from peacewatch.sources.loaders.ipi import ipi_contributors

    return ipi_contributors(default_context())


@memoize(maxsize=1)
def tcc_troops() -> pd.DataFrame:
    """Geo-PKO troops per mission, year and TCC (the latest map of each mission-year, 1994-2020)."""
    from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_troops

    return geo_pko_tcc_troops(default_context())


@memoize(maxsize=1)
def tcc_map() -> pd.DataFrame:
    """The Geo-PKO dashboard's TCCMap: troops per mission, year and contributor (to 2024)."""
    from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_map

    return geo_pko_tcc_map(default_context())
