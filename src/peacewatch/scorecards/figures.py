"""The data behind the figures: published TIP tier counts and Palermo parties by year (Kelley 2017),
and peacewatch's own grade counts per card. Pure functions returning tidy frames."""

from __future__ import annotations

import pandas as pd

from peacewatch.bounds import SCORECARD_FIRST_YEAR
from peacewatch.panel.verbs.trafficking import PALERMO_KNOWN_UNTIL
from peacewatch.scorecards.frames import panel_frame
from peacewatch.scorecards.model import GRADES, PUBLISHED_TIERS

TIP_LABELS = list(PUBLISHED_TIERS)
#: Last report year of Kelley's tier file (the published tier counts end there).
KELLEY_LAST_YEAR = 2015


def tip_tier_counts(tiers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Countries per published TIP tier and report year, 2001-2015 (Kelley tier file).

    Returns a frame indexed by ``year`` with columns ``Tier 1, Tier 2, Tier 2 Watch List, Tier 3,
    Special Case`` (the Watch List is first published in 2004).
    """
    if tiers is None:
        from peacewatch.sources.loaders.kelley_tip import kelley_tiers

        tiers = kelley_tiers()
    t = tiers[tiers["year"].between(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR) & tiers["tier_label"].isin(TIP_LABELS)]
    out = t.groupby(["year", "tier_label"]).size().unstack(fill_value=0).reindex(columns=TIP_LABELS, fill_value=0)
    out.columns.name = None
    return out.astype(int)


def palermo_parties() -> pd.Series:
    """Number of states party to the Palermo trafficking protocol at the end of each year, 2001-2011.

    Ratification/accession years from HTI (``UNP_rat``), else Kelley & Simmons; the sources end in 2011
    (Kelley's figure 3.3 runs to 169 parties in 2015, which these data cannot show).
    """
    py = panel_frame(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR).groupby("ccode")["palermo_year"].first()
    py = py[py <= PALERMO_KNOWN_UNTIL]
    years = range(SCORECARD_FIRST_YEAR, PALERMO_KNOWN_UNTIL + 1)
    return pd.Series([int((py <= y).sum()) for y in years], index=pd.Index(years, name="year"), name="parties")


def grade_counts(table: pd.DataFrame) -> pd.DataFrame:
    """peacewatch grades per year from a :func:`~peacewatch.scorecards.engine.grade_table`."""
    cols = [*GRADES, "No data"]
    out = table.groupby(["year", "grade"]).size().unstack(fill_value=0).reindex(columns=cols, fill_value=0)
    out.columns.name = None
    return out.astype(int)


#: Older name of :func:`grade_counts`.
grade_tier_counts = grade_counts
