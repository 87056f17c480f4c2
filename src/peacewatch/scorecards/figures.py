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


def tip_tier_counts(panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """States per published TIP tier and report year, 2001-2015, counted in the country-year panel.

    The figure counts the panel's ``tip_tier_label`` (states of the COW system that year), so it
    cannot disagree with the panel or the host scorecards. Units the Kelley file rates that are not
    states of the system that year (Hong Kong, Macau, Montenegro before 2006, territories in 2015)
    are listed by :func:`tip_tier_units_outside_panel`.

    Returns a frame indexed by ``year`` with columns ``Tier 1, Tier 2, Tier 2 Watch List, Tier 3,
    Special Case`` (the Watch List is first published in 2004).
    """
    df = panel_frame(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR) if panel is None else panel
    t = df[df["year"].between(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR) & df["tip_tier_label"].isin(TIP_LABELS)]
    out = (
        t.groupby(["year", "tip_tier_label"])
        .size()
        .unstack(fill_value=0)
        .reindex(
            index=pd.RangeIndex(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR + 1, name="year"),
            columns=TIP_LABELS,
            fill_value=0,
        )
    )
    out.columns.name = None
    return out.astype(int)


def tip_tier_units_outside_panel(panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published tiers 2001-2015 of units the Kelley file rates that are not states of the COW system
    that year, so not in the panel or :func:`tip_tier_counts`: ``ccode, year, name, tier_label``."""
    from peacewatch.sources.loaders.kelley_tip import kelley_tiers

    df = panel_frame(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR) if panel is None else panel
    k = kelley_tiers()
    k = k[k["year"].between(SCORECARD_FIRST_YEAR, KELLEY_LAST_YEAR) & k["tier_label"].isin(TIP_LABELS)]
    inside = k.merge(df[["ccode", "year"]], on=["ccode", "year"], how="left", indicator=True)["_merge"].eq("both")
    out = k.loc[~inside.to_numpy(), ["ccode", "year", "name", "tier_label"]]
    return out.sort_values(["year", "ccode"]).reset_index(drop=True)


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
