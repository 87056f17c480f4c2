"""Readers' names of the panel's and the models' columns (``un_troops`` -> "UN troops"): the panel's
exports (Stata and R labels), the replication codebook and the web pages all read them here."""

from __future__ import annotations

#: Panel and model variables -> words (units in parentheses where a number has one).
VARIABLE_LABELS: dict[str, str] = {
    "ccode": "COW code", "iso3": "ISO3", "country": "Country", "year": "Year",
    "un_troops": "UN troops", "un_police": "UN police", "un_observers": "UN observers",
    "un_personnel": "UN personnel", "un_tccs": "Troop-contributing countries", "un_missions": "UN missions",
    "un_mission_names": "UN missions", "un_duration": "Years of UN deployment", "nonun_personnel": "Non-UN personnel",
    "hti_pdest": "Sex-trafficking destination (HTI)", "hti_psource": "Source of trafficking (HTI)",
    "hti_ptransit": "Transit country (HTI)", "tip_tier": "TIP tier (number)", "tip_tier_label": "TIP tier",
    "polity2": "Polity2 score (-10 to 10)", "conflict": "Armed conflict (1 yes, 0 no)",
    "p3_overall": "3P anti-trafficking policy index (3-15)", "p3_prosecution": "3P prosecution score",
    "p3_protection": "3P protection score", "p3_prevention": "3P prevention score",
    "crim_level": "Criminalisation level (Kelley)", "palermo_party": "Party to the Palermo Protocol",
    "palermo_year": "Year joined the Palermo Protocol", "fh_pr": "Freedom House political rights (1-7)",
    "fh_cl": "Freedom House civil liberties (1-7)", "gdppc": "GDP per capita (constant 2015 US$)",
    "population": "Population", "personnel": "UN personnel", "duration": "Years deployed",
    "n_tccs": "Contributing countries", "tccs": "Troop- and police-contributing countries", "risk": "Predicted risk",
    # model terms (deployment-risk specifications)
    "const": "Intercept", "Intercept": "Intercept",
    "lag_ln_un_personnel": "UN personnel, log (previous year)", "ln_un_personnel": "UN personnel, log",
    "lag_un_duration": "Years of UN deployment (previous year)", "lag_un_tccs": "Troop-contributing countries (previous year)",
    "lag_polity2": "Polity2 score (previous year)", "lag_conflict": "Armed conflict (previous year)",
    "lag_ln_gdppc": "GDP per capita, log (previous year)", "lag_ln_population": "Population, log (previous year)",
    "ln_gdppc": "GDP per capita, log", "ln_population": "Population, log",
    # scorecard evidence from the registry and the deployment counts
    "referrals_answered": "Referrals answered", "referrals_awaiting_outcome": "Referrals awaiting outcome",
    "completion_rate": "Completion rate", "compliance_score": "Compliance score",
    "provisions_reported": "Provisions reported", "deployed_source": "Source of the deployed count",
    "referrals_overdue": "Referrals unanswered past their deadline", "outcomes_due": "Outcomes due",
    "density_weighted": "Density weighted by personnel",
}
