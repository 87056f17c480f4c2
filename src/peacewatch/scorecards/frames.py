"""The input frames of the three cards, built once per year range and cached in memory.

* ``hosts``: the country-year panel (``create_country_years(...).add_all()``), key ``ccode``, plus the
  predicted risk ``risk`` when ``peacewatch.models.deployment_risk.predict_observed`` exists.
* ``tccs``: contributor-years. Who contributed: the union of Geo-PKO (troops per TCC from the latest
  map of each mission-year, 1994-2020, mapped missions only) and IPI contributors (all UN missions,
  troops + police + experts, 2009-11..2014-02). Personnel ``deployed``: IPI's mean monthly total over
  the months IPI covers that year where available (2009: Nov-Dec only; 2014: Jan-Feb only), else
  Geo-PKO's troop estimate; ``deployed_source`` says which. Democracy, Palermo and criminalisation
  come from the panel row of the contributor; accountability from the registry when connected.
* ``missions``: UN mission-years from IPI mission-month data: December personnel (else the last month
  reported), the most contributors in any month, years since the mission's first IPI month, the
  host; ``density`` from ``peacewatch.models.density.mission_density_table`` and the host's ``risk``
  when those exist.

Each builder returns ``(frame, missing)`` where ``missing`` maps an unavailable component to the reason.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from peacewatch.scorecards.components import call
from peacewatch.scorecards.indicators.hosts import RISK_MODEL
from peacewatch.scorecards.indicators.missions import DENSITY
from peacewatch.scorecards.indicators.tccs import COMPLIANCE_STATS, REGISTRY_STATS, TRAINING_STATS

FIRST_YEAR, LAST_YEAR = 2001, 2015  # first TIP report .. last year of the Kelley tier file
PALERMO_KNOWN_UNTIL = 2011  # last year of the ratification sources (HTI, Kelley & Simmons)
PANEL_COLS_FOR_TCCS = ["ccode", "year", "country", "polity2", "fh_pr", "fh_cl", "palermo_year", "palermo_party", "crim_level"]


def check_years(start: int, end: int) -> None:
    if start < FIRST_YEAR or end > LAST_YEAR or start > end:
        raise ValueError(f"scorecards cover {FIRST_YEAR}-{LAST_YEAR} (first TIP report .. last Kelley tier year); got {start}-{end}")



@lru_cache(maxsize=2)
def _panel(start: int, end: int) -> pd.DataFrame:
    import peacewatch

    return peacewatch.create_country_years(start, end).add_all().df.copy()


def panel_frame(start: int = FIRST_YEAR, end: int = LAST_YEAR) -> pd.DataFrame:
    """The full country-year panel for ``start..end``.

    Built once from the year before ``FIRST_YEAR`` (the risk model needs lagged covariates) and sliced.
    """
    lo = min(start, FIRST_YEAR - 1)
    df = _panel(lo, max(end, LAST_YEAR))
    return df[df["year"].between(start, end)].reset_index(drop=True)


@lru_cache(maxsize=4)
def _risk(start: int, end: int) -> tuple[pd.DataFrame | None, str | None]:
    # the model builds lagged covariates, so it gets the year before ``start`` too
    out, why = call(RISK_MODEL, panel_frame(start - 1, end))
    if out is not None:
        missing = {"ccode", "year", "risk"} - set(out.columns)
        if missing:
            return None, f"{RISK_MODEL} returned no columns {sorted(missing)}"
        out = out.loc[out["year"] >= start, ["ccode", "year", "risk"]].drop_duplicates(["ccode", "year"])
    return out, why


def host_frame(start: int = FIRST_YEAR, end: int = LAST_YEAR) -> tuple[pd.DataFrame, dict[str, str]]:
    """Country-years to grade as host states (every state in the panel; ``hosting`` marks deployments)."""
    check_years(start, end)
    df = panel_frame(start, end)
    missing: dict[str, str] = {}
    risk, why = _risk(start, end)
    if risk is None:
        missing[RISK_MODEL] = why
    else:
        df = df.merge(risk, on=["ccode", "year"], how="left", validate="one_to_one")
    df = df.assign(key=df["ccode"], name=df["country"],
                   hosting=((df["un_deployed"] == 1) | (df["nonun_deployed"] == 1)).astype(int))
    return df.sort_values(["key", "year"]).reset_index(drop=True), missing


@lru_cache(maxsize=4)
def _contributors(start: int, end: int) -> pd.DataFrame:
    from peacewatch.sources.loaders import geo_pko_tcc_troops, ipi_contributors

    g = geo_pko_tcc_troops()
    g = g[g["year"].between(start, end)]
    geo = g.groupby(["tcc_ccode", "year"]).agg(
        geo_troops=("troops", lambda s: s.sum(min_count=1)), geo_missions=("mission", "nunique")).reset_index()
    c = ipi_contributors()
    c = c[c["year"].between(start, end)]
    months = c.groupby("year")["date"].nunique().rename("ipi_months")
    ipi = c.groupby(["tcc_ccode", "year"]).agg(ipi_total=("total", "sum"), ipi_missions=("mission", "nunique")).reset_index()
    ipi = ipi.merge(months, on="year")
    # mean monthly personnel over the months IPI covers (a TCC absent in a month had none there)
    ipi["ipi_deployed"] = ipi["ipi_total"] / ipi["ipi_months"]
    out = geo.merge(ipi[["tcc_ccode", "year", "ipi_deployed", "ipi_missions"]], on=["tcc_ccode", "year"], how="outer")
    out["deployed"] = out["ipi_deployed"].combine_first(out["geo_troops"])
    out["deployed_source"] = np.where(out["ipi_deployed"].notna(), "ipi_contributors",
                                      np.where(out["geo_troops"].notna(), "geo_pko", "none"))
    out["in_geo_pko"] = out["geo_missions"].notna()
    out["in_ipi"] = out["ipi_missions"].notna()
    return out


#: registry statistics the TCC card reads: (component, published variant, key column, columns kept)
REGISTRY_TABLES = (
    (REGISTRY_STATS, "peacewatch.registry.stats.published_tcc_accountability", "tcc_ccode",
     ["allegations", "referrals", "referrals_answered", "prosecutions"]),
    (TRAINING_STATS, "peacewatch.registry.stats.published_training_completion", "nation_ccode", ["completion_rate"]),
    (COMPLIANCE_STATS, "peacewatch.registry.stats.published_compliance_by_nation", "nation_ccode",
     ["compliance_score", "provisions_reported"]),
)


def registry_frame(registry) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """TCC statistics from the registry, one row per ``tcc_ccode, year``, and the tables missing.

    ``registry`` is a SQLAlchemy session, a DataFrame (``tcc_ccode, year`` and any of the columns the
    indicators read), or ``None``. With a session the published (small-cell suppressed) statistics are
    used where the registry offers them, since scorecards are published.
    """
    if registry is None:
        why = ("registry not connected: pass registry=<SQLAlchemy Session or DataFrame> (CLI: --db-url); "
               "registry indicators have no data")
        return None, {name: why for name, *_ in REGISTRY_TABLES}
    if isinstance(registry, pd.DataFrame):
        return registry.astype({"tcc_ccode": "int64", "year": "int64"}), {}
    parts, missing = [], {}
    for name, published, key, cols in REGISTRY_TABLES:
        out, why = call(published, registry) if published else (None, None)
        if out is None:
            out, why = call(name, registry)
        if out is None:
            missing[name] = why
            continue
        out = out.rename(columns={key: "tcc_ccode"})[["tcc_ccode", "year", *cols]]
        parts.append(out.astype({"tcc_ccode": "int64", "year": "int64"}).set_index(["tcc_ccode", "year"]))
    if not parts:
        return None, missing
    return pd.concat(parts, axis=1).reset_index(), missing


def tcc_frame(start: int = FIRST_YEAR, end: int = LAST_YEAR, registry=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Contributor-years (every state with UN personnel that year per Geo-PKO or IPI)."""
    check_years(start, end)
    base = _contributors(start, end)
    panel = panel_frame(start, end)[PANEL_COLS_FOR_TCCS]
    df = base.merge(panel, left_on=["tcc_ccode", "year"], right_on=["ccode", "year"], how="left").drop(columns="ccode")
    df["country"] = df["country"].fillna("COW " + df["tcc_ccode"].astype(str))
    acc, missing = registry_frame(registry)
    if acc is not None:
        df = df.merge(acc, on=["tcc_ccode", "year"], how="left", validate="one_to_one")
    df = df.assign(key=df["tcc_ccode"].astype("int64"), name=df["country"])
    return df.sort_values(["key", "year"]).reset_index(drop=True), missing


@lru_cache(maxsize=4)
def _missions(start: int, end: int) -> pd.DataFrame:
    from peacewatch.sources.loaders import ipi_missions

    m = ipi_missions()
    first = m.groupby("mission")["year"].min().rename("first_year")
    m = m[m["year"].between(start, end)].sort_values(["mission", "date"])
    last = m.groupby(["mission", "year"]).tail(1)  # December, else the last month reported
    agg = m.groupby(["mission", "year"]).agg(n_tccs=("n_contributors", "max"), months=("month", "nunique")).reset_index()
    out = last[["mission", "year", "month", "total", "ccode", "host"]].rename(
        columns={"total": "personnel", "month": "personnel_month", "ccode": "host_ccode"}).merge(agg, on=["mission", "year"])
    out = out.merge(first, on="mission")
    out["duration"] = out["year"] - out["first_year"] + 1
    return out


def mission_frame(start: int = FIRST_YEAR, end: int = LAST_YEAR) -> tuple[pd.DataFrame, dict[str, str]]:
    """UN mission-years (IPI acronyms) with size, duration, contributors, host, density and risk."""
    check_years(start, end)
    df = _missions(start, end)
    missing: dict[str, str] = {}
    dens, why = call(DENSITY, list(range(start, end + 1)))
    if dens is None:
        missing[DENSITY] = why
    else:
        dens = dens[["mission", "year", "density"]].drop_duplicates(["mission", "year"])
        df = df.merge(dens, on=["mission", "year"], how="left")
    risk, why = _risk(start, end)
    if risk is None:
        missing[RISK_MODEL] = why
    else:
        df = df.merge(risk.rename(columns={"ccode": "host_ccode"}), on=["host_ccode", "year"], how="left")
    df = df.assign(key=df["mission"], name=df["mission"] + " (" + df["host"] + ")")
    return df.sort_values(["key", "year"]).reset_index(drop=True), missing


def card_frame(card: str, start: int = FIRST_YEAR, end: int = LAST_YEAR, registry=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The input frame of ``card`` and its missing components."""
    if card == "hosts":
        return host_frame(start, end)
    if card == "tccs":
        return tcc_frame(start, end, registry)
    if card == "missions":
        return mission_frame(start, end)
    raise ValueError(f"unknown card {card!r}; use hosts, tccs or missions")
