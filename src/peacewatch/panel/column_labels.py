"""Readers' names of the panel's and the models' columns (``un_troops`` -> "UN troops"): the panel's
exports (Stata and R labels), the replication codebook and the web pages all read them here."""

from __future__ import annotations

#: Panel and model variables -> words (units in parentheses where a number has one).
VARIABLE_LABELS: dict[str, str] = {
    "ccode": "COW code",
    "iso3": "ISO3",
    "country": "Country",
    "year": "Year",
    "un_troops": "UN troops",
    "un_police": "UN police",
    "un_observers": "UN observers",
    "un_personnel": "UN personnel",
    "un_tccs": "Troop-contributing countries",
    "un_missions": "UN missions",
    "un_mission_names": "UN missions",
    "un_duration": "Years of UN deployment",
    "nonun_personnel": "Non-UN personnel",
    "hti_pdest": "Sex-trafficking destination (HTI)",
    "hti_psource": "Source of trafficking (HTI)",
    "hti_ptransit": "Transit country (HTI)",
    "tip_tier": "TIP tier (number)",
    "tip_tier_label": "TIP tier",
    "polity2": "Polity2 score (-10 to 10)",
    "conflict": "Armed conflict (1 yes, 0 no)",
    "p3_overall": "3P anti-trafficking policy index (3-15)",
    "p3_prosecution": "3P prosecution score",
    "p3_protection": "3P protection score",
    "p3_prevention": "3P prevention score",
    "crim_level": "Criminalisation level (Kelley)",
    "palermo_party": "Party to the Palermo Protocol",
    "palermo_year": "Year joined the Palermo Protocol",
    "fh_pr": "Freedom House political rights (1-7)",
    "fh_cl": "Freedom House civil liberties (1-7)",
    "gdppc": "GDP per capita (constant 2015 US$)",
    "population": "Population",
    "personnel": "UN personnel",
    "duration": "Years deployed",
    "n_tccs": "Contributing countries",
    "tccs": "Troop- and police-contributing countries",
    "risk": "Predicted risk",
    # model terms (deployment-risk specifications)
    "const": "Intercept",
    "Intercept": "Intercept",
    "lag_ln_un_personnel": "UN personnel, log (previous year)",
    "ln_un_personnel": "UN personnel, log",
    "lag_un_duration": "Years of UN deployment (previous year)",
    "lag_un_tccs": "Troop-contributing countries (previous year)",
    "lag_polity2": "Polity2 score (previous year)",
    "lag_conflict": "Armed conflict (previous year)",
    "lag_ln_gdppc": "GDP per capita, log (previous year)",
    "lag_ln_population": "Population, log (previous year)",
    "ln_gdppc": "GDP per capita, log",
    "ln_population": "Population, log",
    # scorecard evidence from the registry and the deployment counts
    "referrals_answered": "Referrals answered",
    "referrals_awaiting_outcome": "Referrals awaiting outcome",
    "completion_rate": "Completion rate",
    "compliance_score": "Compliance score",
    "provisions_reported": "Provisions reported",
    "deployed_source": "Source of the deployed count",
    "referrals_overdue": "Referrals unanswered past their deadline",
    "outcomes_due": "Outcomes due",
    "density_weighted": "Density weighted by personnel",
}

#: Data sources as readers know them (catalog keys and the density functions' source codes).
SOURCE_LABELS: dict[str, str] = {
    "kelley_tip": "Kelley TIP data",
    "hti": "Human Trafficking Indicators",
    "ipi_missions": "IPI Peacekeeping Database",
    "ipi": "IPI Peacekeeping Database",
    "geo_pko": "Geo-PKO",
    "polity5": "Polity5",
    "fh": "Freedom House",
    "freedom_house": "Freedom House",
    "wdi": "World Bank WDI",
    "ucdp": "UCDP/PRIO",
    "models.deployment_risk": "peacewatch risk model",
    "registry": "peacewatch registry",
    "geo_pko (TCCMap)": "Geo-PKO contributor maps",
    "tip_tiers_recent": "TIP Report tiers 2020-2025 (secondary copy)",
    "ipi_contributors": "IPI contributors data",
    "peacewatch": "peacewatch",
    "usdos_tip": "US State Department TIP Report",
    "cow_igo": "COW intergovernmental organisations",
    "models.density": "peacewatch democratic density",
    "cow_igo+overrides": "COW intergovernmental organisations, with peacewatch's membership corrections",
}

#: Model specifications in plain words (key: the specification's label without its number): the
#: prediction form and the models report say what a model contains, not its label's shorthand.
SPEC_WORDS: dict[str, str] = {
    "Size": "deployment size only",
    "Size, duration, TCCs": "deployment size, years deployed and number of contributing countries",
    "Size x duration": (
        "deployment size, years deployed and contributing countries, where the effect of size depends on years deployed"
    ),
    "Size x TCCs": (
        "deployment size, years deployed and contributing countries, where the effect of size depends on "
        "the number of contributors"
    ),
    "Both interactions": (
        "deployment size, years deployed and contributing countries, where the effect of size depends on "
        "both years deployed and the number of contributors"
    ),
}


#: Interval methods of the risk predictions in plain words.
METHOD_WORDS: dict[str, str] = {
    "delta": "from the model's standard errors",
    "simulation": "from many simulated versions of the model",
}

#: Column headings of the models report's tables (``peacewatch report``, /methods/models) where the
#: column is not a panel variable above: fit statistics, estimates, density and typology tables.
REPORT_COLUMNS: dict[str, str] = {
    "model": "Model",
    "nobs": "Country-years",
    "n_clusters": "Countries (clusters)",
    "n_events": "Destinations (outcome = 1)",
    "pseudo_r2": "McFadden pseudo-R²",
    "loglik": "Log-likelihood",
    "aic": "AIC",
    "bic": "BIC",
    "wald_chi2": "Wald χ² (all terms)",
    "wald_p": "Wald test p-value",
    "term": "Term",
    "estimate": "Coefficient",
    "std_error": "Standard error (clustered)",
    "statistic": "z",
    "p_value": "p-value",
    "conf_low": "95% interval, low",
    "conf_high": "95% interval, high",
    "unit": "Organisation or mission",
    "mission": "Mission",
    "kind": "Kind",
    "density": "Democratic density (mean Polity2)",
    "density_weighted": "Density weighted by personnel",
    "scored": "Members with a Polity2 score",
    "unscored": "Members without a score",
    "n_scored": "Contributors with a Polity2 score",
    "n_unscored": "Contributors without a score",
    "unscored members": "Members without a Polity2 score",
    "personnel": "Uniformed personnel",
    "source": "Source",
    "identity": "Identity",
    "opportunity": "Opportunity",
    "predicted_effect": "Predicted effect",
    "duration": "Years deployed",
    "tccs": "Contributing countries",
    "method": "Interval",
    "risk": "Predicted risk",
    "risk_lo": "Risk, 95% interval low",
    "risk_hi": "Risk, 95% interval high",
    "un_spell": "Years of the current UN spell",
    "tip_mention": "Named in the TIP report",
    "destination": "Destination",
    "sex_destination": "Sex-trafficking destination",
    "child_sex_destination": "Child sex-trafficking destination",
    "internal_sex": "Internal sex trafficking",
    "index": "Incidence index (0-1)",
    "mean_index": "Mean incidence index (0-1)",
    "in_report": "States named in the TIP report",
}


def column_label(name: str) -> str:
    """A column's heading for readers: a report column, else a panel variable, else the name in words."""
    if name in REPORT_COLUMNS:
        return REPORT_COLUMNS[name]
    if name in VARIABLE_LABELS:
        return VARIABLE_LABELS[name]
    return name.replace("_", " ").strip().capitalize()
