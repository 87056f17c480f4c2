"""Troop-contributing country (TCC) indicators: democratic identity, law, and accountability.

Rows are contributor-years (``tcc_ccode, year``) for every state with personnel in a UN mission that
year (Geo-PKO troops 1994-2020; IPI contributors 2009-11..2014-02) and every TCC-year with registry
activity. Accountability indicators read the registry's true counts by the year each event happened
(:mod:`peacewatch.registry.events`, through the published door
:func:`peacewatch.scorecards.components.registry_counts`; the published counts, small cells suppressed,
are what the grades show); without a registry they have no data (never 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.scorecards.components import COMPLIANCE_STATS, REGISTRY_STATS, TRAINING_STATS
from peacewatch.scorecards.indicators.base import indicator
from peacewatch.scorecards.indicators.scales import linear, mapped


@indicator("polity", "tccs", "Democracy (Polity)", {"polity2": "polity5"})
def polity(df: pd.DataFrame) -> pd.Series:
    """The contributor's Polity2 score (-10 full autocracy .. +10 full democracy).

    Democratic contributors bring democratic identity to a mission (Smith 2012). Rescaled linearly:
    -10 scores 0, +10 scores 10.
    """
    return linear(df["polity2"], -10.0, 10.0)


@indicator(
    "freedom",
    "tccs",
    "Political rights and civil liberties (Freedom House)",
    {"fh_pr": "freedom_house", "fh_cl": "freedom_house"},
)
def freedom(df: pd.DataFrame) -> pd.Series:
    """Freedom House political rights plus civil liberties (each 1 best .. 7 worst).

    The sum (2..14) is rescaled: 14 scores 0, 2 scores 10.
    """
    return linear(df["fh_pr"] + df["fh_cl"], 14.0, 2.0)


@indicator("palermo", "tccs", "Party to the Palermo Protocol", {"palermo_party": "hti, kelley_tip"})
def palermo(df: pd.DataFrame) -> pd.Series:
    """Whether the contributor had ratified or acceded to the UN Palermo trafficking protocol.

    Party scores 10, non-party 0; ratifications are known through 2011 (HTI, Kelley & Simmons), so a
    state not yet party by 2011 has no data afterwards.
    """
    return df["palermo_party"].astype("float64") * 10.0


@indicator("criminalisation", "tccs", "Anti-trafficking criminalisation", {"crim_level": "kelley_tip"})
def criminalisation(df: pd.DataFrame) -> pd.Series:
    """How far the contributor's law criminalises trafficking: none 0, partial 5, full 10.

    A TCC that has not criminalised trafficking cannot prosecute its peacekeepers for it (J. Kelley 2022).
    """
    return mapped(df["crim_level"], {0.0: 0.0, 1.0: 5.0, 2.0: 10.0})


@indicator(
    "referrals_answered",
    "tccs",
    "Referrals answered",
    {"referrals_answered": "registry", "referrals": "registry"},
    requires=REGISTRY_STATS,
)
def referrals_answered(df: pd.DataFrame) -> pd.Series:
    """Share of the UN's referrals held against the TCC during the year that it answered that year
    (named a national investigation officer or reported an outcome).

    A referral counts once the deadline for an answer has passed (or when it is answered), and then in
    every year until it is answered: a referral made today is not held against the TCC before its
    deadline. All answered scores 10, none 0. Nothing due is no data. Graded on the true counts; the
    published counts suppress small cells.
    """
    return 10.0 * df["referrals_answered"] / df["referrals"].where(df["referrals"] > 0)


@indicator(
    "prosecutions",
    "tccs",
    "Referrals prosecuted",
    {"prosecutions": "registry", "referrals_awaiting_outcome": "registry"},
    requires=REGISTRY_STATS,
)
def prosecutions(df: pd.DataFrame) -> pd.Series:
    """Share of the referrals awaiting an outcome during the year that the TCC closed that year with a
    prosecution (prosecuted, convicted or acquitted).

    A referral counts once its outcome deadline has passed (or when an outcome is reported). TCCs rarely
    prosecute (J. Kelley 2022). All prosecuted scores 10, none 0; nothing due is no data. Graded on the
    true counts; the published counts suppress small cells.
    """
    pending = df["referrals_awaiting_outcome"]
    return 10.0 * df["prosecutions"] / pending.where(pending > 0)


@indicator(
    "allegations_rate",
    "tccs",
    "Allegations per 1,000 deployed",
    {"allegations": "registry", "deployed": "geo_pko, ipi_contributors"},
    requires=REGISTRY_STATS,
)
def allegations_rate(df: pd.DataFrame) -> pd.Series:
    """Allegations of sexual exploitation or trafficking recorded against the TCC's personnel per
    1,000 of its personnel deployed that year.

    Zero scores 10, 5 or more per 1,000 score 0, linear in between. A contributor-year the registry
    has no record for is no data, never zero allegations.
    """
    rate = 1000.0 * df["allegations"] / df["deployed"].where(df["deployed"] > 0)
    return linear(rate.replace([np.inf, -np.inf], np.nan), 5.0, 0.0)


@indicator(
    "training_completion",
    "tccs",
    "Pre-deployment anti-trafficking training",
    {"completion_rate": "registry"},
    requires=TRAINING_STATS,
)
def training_completion(df: pd.DataFrame) -> pd.Series:
    """Share of the contributor's registered personnel deploying that year who completed every
    required anti-trafficking module (Ballesteros 2007: NATO pre-deployment training).

    All trained scores 10, none 0. No personnel registered, no module defined, or a suppressed small
    cell is no data.
    """
    return 10.0 * df["completion_rate"].astype("float64")


@indicator(
    "national_compliance",
    "tccs",
    "National THB compliance report",
    {"compliance_score": "registry", "provisions_reported": "registry"},
    requires=COMPLIANCE_STATS,
)
def national_compliance(df: pd.DataFrame) -> pd.Series:
    """The contributor's own annual report on the NATO 2004 policy on combating trafficking in human
    beings (Ballesteros 2007): mean over the provisions it reported on, met 1, partial 0.5, not met 0.

    Rescaled to 0..10. No report that year is no data.
    """
    return 10.0 * df["compliance_score"].astype("float64")
