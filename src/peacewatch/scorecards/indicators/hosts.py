"""Host-state indicators: the trafficking situation and response, and peacekeeping exposure.

Rows are country-years of the panel (``ccode, year``). Scores run 0..10 with 10 the best position
(strong response, no observed trafficking destination, little exposure to peacekeeping risk).
"""

from __future__ import annotations

import pandas as pd

from peacewatch.scorecards.components import RISK_MODEL
from peacewatch.scorecards.indicators.base import indicator
from peacewatch.scorecards.indicators.scales import linear, log_decreasing, mapped


@indicator(
    "tip_tier",
    "hosts",
    "Published TIP tier",
    {"tip_tier": "kelley_tip, tip_tiers_recent", "tip_tier_label": "kelley_tip, tip_tiers_recent"},
)
def tip_tier(df: pd.DataFrame) -> pd.Series:
    """The tier the US State Department's Trafficking in Persons Report gave the state that year.

    Tier 1 scores 10, Tier 2 scores 6.5, Tier 2 Watch List 3.5 and Tier 3 scores 0. Special cases
    (e.g. Haiti 2006-2011, Somalia) and years the state was not rated have no data. Sources: Kelley
    (Scorecard Diplomacy) tier file for the 2001-2015 reports; public secondary copies of the 2020-2025
    reports (marked "secondary copy"; 2022, 2024 and 2025 list only the Watch List and Tier 3, so other
    states have no data those years). No source covers 2016-2019.
    """
    return mapped(df["tip_tier"], {1.0: 10.0, 2.0: 6.5, 2.5: 3.5, 3.0: 0.0})


@indicator("p3_response", "hosts", "Anti-trafficking policy (3P index)", {"p3_overall": "kelley_tip"})
def p3_response(df: pd.DataFrame) -> pd.Series:
    """Cho's 3P anti-trafficking policy index: prosecution, protection and prevention, each 1-5.

    The overall index (3..15) is rescaled linearly: 3 scores 0, 15 scores 10. Coverage 2000-2013;
    later years have no data.
    """
    return linear(df["p3_overall"], 3.0, 15.0)


@indicator("criminalisation", "hosts", "Anti-trafficking criminalisation", {"crim_level": "kelley_tip"})
def criminalisation(df: pd.DataFrame) -> pd.Series:
    """How far national law criminalises trafficking (Kelley's ``crimlevel``).

    No criminalisation scores 0, partial 5, full 10.
    """
    return mapped(df["crim_level"], {0.0: 0.0, 1.0: 5.0, 2.0: 10.0})


@indicator("palermo", "hosts", "Party to the Palermo Protocol", {"palermo_party": "hti, kelley_tip"})
def palermo(df: pd.DataFrame) -> pd.Series:
    """Whether the state had ratified or acceded to the UN Palermo trafficking protocol by that year.

    Party scores 10, non-party 0. Ratification dates come from HTI's ratification year, else Kelley &
    Simmons; they are known through 2011, so a state not yet party by 2011 has no data afterwards.
    """
    return df["palermo_party"].astype("float64") * 10.0


@indicator("hti_destination", "hosts", "Sex-trafficking destination (HTI)", {"hti_pdest": "hti"})
def hti_destination(df: pd.DataFrame) -> pd.Series:
    """Whether the TIP report narrative names the state a destination of trafficking for prostitution.

    Coded by the Human Trafficking Indicators (Frank 2013), 2001-2011: named scores 0, not named 10.
    This is the outcome studied by Bell et al. (2018).
    """
    return (1.0 - df["hti_pdest"].astype("float64")) * 10.0


@indicator(
    "deployment_risk",
    "hosts",
    "Predicted sex-trafficking destination risk",
    {"risk": "models.deployment_risk", "un_personnel": "ipi_missions"},
    requires=RISK_MODEL,
)
def deployment_risk(df: pd.DataFrame) -> pd.Series:
    """Predicted probability that a state hosting UN peacekeepers is a sex-trafficking destination.

    From peacewatch's deployment-risk logit (Bell et al. 2018), predicted for the observed
    country-year: score = 10 x (1 - probability). Scored only for states with UN personnel that
    year: for other states the model's prediction is the base rate of being a destination, not
    exposure to peacekeeping, so they take the fallback (size, duration, TCC count), which scores a
    state without deployment 10. Without the model every state takes the fallback.
    """
    hosting = df["un_personnel"].astype("float64") > 0
    return ((1.0 - df["risk"].astype("float64")) * 10.0).where(hosting)


@indicator("pko_size", "hosts", "UN peacekeepers present", {"un_personnel": "ipi_missions"})
def pko_size(df: pd.DataFrame) -> pd.Series:
    """UN personnel (troops, police, observers) in the state in December (IPI).

    Larger deployments raise the risk of becoming a sex-trafficking destination (Bell et al. 2018). None
    present scores 10, 20,000 or more score 0, linear in log(1 + personnel) in between.
    """
    return log_decreasing(df["un_personnel"], 20_000)


@indicator("pko_duration", "hosts", "Years of UN deployment", {"un_duration": "ipi_missions"})
def pko_duration(df: pd.DataFrame) -> pd.Series:
    """Years the state has hosted UN peacekeepers (counting years with presence, IPI).

    Longer deployments raise the risk (Bell et al. 2018). No deployment scores 10, each year takes off 0.5,
    20 years or more score 0.
    """
    return linear(df["un_duration"], 20.0, 0.0)


@indicator("pko_tccs", "hosts", "Troop-contributing countries present", {"un_tccs": "ipi_missions"})
def pko_tccs(df: pd.DataFrame) -> pd.Series:
    """Number of countries contributing to the UN missions in the state (IPI, largest mission).

    More contributors mean more chains of command and less accountability (Bell et al. 2018). None scores 10,
    50 or more score 0, linear in between.
    """
    return linear(df["un_tccs"], 50.0, 0.0)
