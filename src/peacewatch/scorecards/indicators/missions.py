"""Mission indicators: democratic density of contributors, size, duration, contributors, host risk.

Rows are UN mission-years (``mission`` = IPI acronym, ``year``), from the IPI mission-month file.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.scorecards.components import DENSITY, RISK_MODEL
from peacewatch.scorecards.indicators.base import indicator
from peacewatch.scorecards.indicators.scales import linear, log_decreasing


@indicator(
    "democratic_density",
    "missions",
    "Democratic density of contributors",
    {"density": "models.density"},
    requires=DENSITY,
)
def democratic_density(df: pd.DataFrame) -> pd.Series:
    """Mean Polity2 score of the mission's troop contributors (Smith 2012: MINUSTAH 4.6 in 2004).

    From ``peacewatch.models.density``; -10 scores 0, +10 scores 10.
    """
    return linear(df["density"], -10.0, 10.0)


@indicator("mission_size", "missions", "Personnel deployed", {"personnel": "ipi_missions"})
def mission_size(df: pd.DataFrame) -> pd.Series:
    """Mission personnel (troops, police, observers) in December, or the last month reported (IPI).

    Larger missions raise the host's risk (Bell et al. 2018): 0 scores 10, 20,000 or more score 0, linear in
    log(1 + personnel).
    """
    return log_decreasing(df["personnel"], 20_000)


@indicator("mission_duration", "missions", "Years deployed", {"duration": "ipi_missions"})
def mission_duration(df: pd.DataFrame) -> pd.Series:
    """Years since the mission's first month in IPI (1 in its first year; IPI starts 1990-11).

    Longer missions raise the risk (Bell et al. 2018): 1 year scores 10, each further year takes off 0.5,
    21 years or more score 0.
    """
    return linear(df["duration"], 21.0, 1.0)


@indicator("mission_tccs", "missions", "Contributing countries", {"n_tccs": "ipi_missions"})
def mission_tccs(df: pd.DataFrame) -> pd.Series:
    """Largest number of contributing countries in any month of the year (IPI).

    More contributors dilute accountability (Bell et al. 2018): 1 scores 10, 50 or more score 0.
    """
    return linear(df["n_tccs"], 50.0, 1.0)


@indicator(
    "host_risk", "missions", "Predicted risk in the host", {"risk": "models.deployment_risk"}, requires=RISK_MODEL
)
def host_risk(df: pd.DataFrame) -> pd.Series:
    """Predicted probability that the mission's host is a sex-trafficking destination that year.

    From peacewatch's deployment-risk model (Bell et al. 2018): score = 10 x (1 - probability).
    """
    return (1.0 - df["risk"].astype("float64")) * 10.0
