"""The input frames of the three cards, built once per year range and cached in memory.

* ``hosts``: the process's one country-year panel (:mod:`peacewatch.panel.store`), key ``ccode``, plus the
  predicted risk ``risk`` of ``peacewatch.models.deployment_risk.predict_observed``.
* ``tccs``: contributor-years. Who contributed: the union of Geo-PKO (troops per TCC from the latest
  map of each mission-year, 1994-2020, mapped missions only) and IPI contributors (all UN missions,
  troops + police + experts, 2009-11..2014-02). Personnel ``deployed``: IPI's mean monthly total over
  the months IPI covers that year where available (2009: Nov-Dec only; 2014: Jan-Feb only), else
  Geo-PKO's troop estimate; ``deployed_source`` says which. Democracy, Palermo and criminalisation
  come from the panel row of the contributor; accountability from the registry when connected.
* ``missions``: UN mission-years from IPI mission-month data: December personnel (else the last month
  reported), the most contributors in any month, years since the mission's first IPI month, the
  host; ``density`` from ``peacewatch.models.density.mission_density_table`` and the host's ``risk``.

Each builder returns ``(frame, missing)`` where ``missing`` maps an unavailable component to the reason:
only the registry (an outside database) can be unavailable; the models are imported directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.bounds import (
    HOSTS_LAST_YEAR,
    MISSIONS_LAST_YEAR,
    check_year_range,
    current_year,
    last_year,
    scorecard_years,
)
from peacewatch.bounds import SCORECARD_FIRST_YEAR as FIRST_YEAR
from peacewatch.memo import memoize
from peacewatch.models.density import mission_density_table
from peacewatch.models.deployment_risk import predict_observed
from peacewatch.panel import store
from peacewatch.panel.verbs.trafficking import PALERMO_KNOWN_UNTIL  # last year of the ratification sources
from peacewatch.registry import publication
from peacewatch.scorecards.components import REGISTRY_COMPONENTS, from_registry
from peacewatch.scorecards.indicators import CARDS

PANEL_COLS_FOR_TCCS = ["ccode", "year", "country", "polity2", "fh_pr", "fh_cl", "palermo_year", "palermo_party", "crim_level",
                       "tip_tier_label", "tip_tier_source", "tip_tier_source_url"]


def check_years(start: int, end: int, card: str = "hosts") -> None:
    """Both years inside the card's range (:func:`peacewatch.bounds.scorecard_years`), in order."""
    check_year_range(start, end, scorecard_years(card), (f"{card} scorecard start year", f"{card} scorecard end year"))


def add_evidence_marks(df: pd.DataFrame) -> pd.DataFrame:
    """Columns that date and qualify the evidence of some inputs (read by the engine).

    ``<column>__year`` is the year the value was last observed when it differs from the row's year,
    ``<column>__secondary`` marks a value from a secondary copy and ``<column>__note`` says which;
    ``<column>__source`` names the one source a value came from when the input has several.
    Palermo status rests on ratification records that end in 2011; criminalisation and the 3P index
    are only used in their own years (no carry-forward), so they need no mark.
    """
    out = df.copy()
    if "palermo_party" in out:
        out["palermo_party__year"] = out["year"].clip(upper=PALERMO_KNOWN_UNTIL).where(out["palermo_party"].notna())
    if "tip_tier_source" in out:
        recent = out["tip_tier_source"].eq("tip_tiers_recent")
        for col in ("tip_tier", "tip_tier_label"):
            out[f"{col}__source"] = out["tip_tier_source"]
            out[f"{col}__secondary"] = recent
            out[f"{col}__note"] = np.where(recent, "secondary copy of the TIP report: " + out["tip_tier_source_url"].fillna("").astype(str), "")
    return out



def panel_frame(start: int = FIRST_YEAR, end: int = HOSTS_LAST_YEAR) -> pd.DataFrame:
    """The full country-year panel for ``start..end``: a slice of the process's one panel
    (:func:`peacewatch.panel.store.panel_frame`; it starts early enough for the risk model's lags)."""
    return store.panel_frame(start, end)


@memoize(maxsize=4)
def _risk(start: int, end: int) -> pd.DataFrame:
    # the model builds lagged covariates, so it gets the year before ``start`` too
    out = predict_observed(panel_frame(start - 1, end))
    return out.loc[out["year"] >= start, ["ccode", "year", "risk"]].drop_duplicates(["ccode", "year"])


def host_frame(start: int = FIRST_YEAR, end: int = HOSTS_LAST_YEAR) -> tuple[pd.DataFrame, dict[str, str]]:
    """Country-years to grade as host states (every state in the panel; ``hosting`` marks deployments)."""
    check_years(start, end, "hosts")
    df = panel_frame(start, end)
    df = df.merge(_risk(start, end), on=["ccode", "year"], how="left", validate="one_to_one")
    df = df.assign(key=df["ccode"], name=df["country"],
                   hosting=((df["un_deployed"] == 1) | (df["nonun_deployed"] == 1)).astype(int))
    return add_evidence_marks(df).sort_values(["key", "year"]).reset_index(drop=True), {}


@memoize(maxsize=4)
def _contributors(start: int, end: int) -> pd.DataFrame:
    g = store.tcc_troops()
    g = g[g["year"].between(start, end)]
    geo = g.groupby(["tcc_ccode", "year"]).agg(
        geo_troops=("troops", lambda s: s.sum(min_count=1)), geo_missions=("mission", "nunique")).reset_index()
    c = store.contributor_months()
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


def registry_frame(registry) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """TCC statistics from the registry, one row per ``tcc_ccode, year``, and the tables missing.

    ``registry`` is a SQLAlchemy session, a DataFrame (``tcc_ccode, year`` and any of the columns the
    indicators read, e.g. :func:`peacewatch.registry.publication.staff_scorecard_frame` for staff), or
    ``None``. With a session the registry's published door is read
    (:func:`peacewatch.registry.publication.scorecard_frame`): closed years only, small cells
    suppressed, and the frozen true counts (``raw_<count>``) the grades decide on.
    """
    if registry is None:
        why = ("registry not connected: pass registry=<SQLAlchemy Session or DataFrame> (CLI: --db); "
               "registry indicators have no data")
        return None, dict.fromkeys(REGISTRY_COMPONENTS, why)
    if isinstance(registry, pd.DataFrame):
        out = registry.astype({"tcc_ccode": "int64", "year": "int64"})
        if "referrals" in out and "referrals_awaiting_outcome" not in out:  # the registry stats' shape
            out = out.assign(referrals_awaiting_outcome=out["referrals"])
        for col in SUSPENSION_RAW:  # a frame given by hand is both what is published and what is decided on
            if col in out and f"raw_{col}" not in out:
                out[f"raw_{col}"] = out[col]
        return out, {}
    out, why = from_registry(publication.scorecard_frame, registry)
    if out is None:
        return None, dict.fromkeys(REGISTRY_COMPONENTS, why)
    return out, {}


#: Registry counts the suspension rule may read (true values, kept as ``raw_<count>``).
SUSPENSION_RAW = ("allegations", "referrals_made", "referrals_overdue", "referrals_answered", "outcomes", "outcomes_due",
                  "prosecutions")


def tcc_frame(start: int = FIRST_YEAR, end: int | None = None, registry=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Contributor-years: every state with UN personnel that year per Geo-PKO (1994-2020) or IPI
    (2009-2014), and every TCC-year in which the registry recorded or awaited something (so the
    current year is graded from registry activity even before any deployment data exist)."""
    end = current_year() if end is None else end
    check_years(start, end, "tccs")
    base = _contributors(start, min(end, HOSTS_LAST_YEAR))
    acc, missing = registry_frame(registry)
    if acc is not None:
        acc = acc[acc["year"].between(start, end)]
        extra = acc.loc[:, ["tcc_ccode", "year"]].merge(base[["tcc_ccode", "year"]], how="left", indicator=True)
        extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
        base = pd.concat([base, _latest_deployment(base, extra)], ignore_index=True)
    panel = panel_frame(start, end)[PANEL_COLS_FOR_TCCS]
    df = base.merge(panel, left_on=["tcc_ccode", "year"], right_on=["ccode", "year"], how="left").drop(columns="ccode")
    df["country"] = df["country"].fillna(df["tcc_ccode"].map(_country_names()))
    df["country"] = df["country"].fillna("COW " + df["tcc_ccode"].astype(str))
    if acc is not None:
        df = df.merge(acc, on=["tcc_ccode", "year"], how="left", validate="one_to_one")
    df = df.assign(key=df["tcc_ccode"].astype("int64"), name=df["country"])
    return add_evidence_marks(df).sort_values(["key", "year"]).reset_index(drop=True), missing


def _latest_deployment(known: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Registry-only TCC-years (no deployment data that year): personnel from the TCC's latest earlier
    deployment year, kept as evidence of that older year (``deployed__year``, marked on every grade),
    so allegations can still be set against a size; none when the TCC never appeared before."""
    extra = extra.assign(in_geo_pko=False, in_ipi=False, deployed_source="none")
    past = known.dropna(subset=["deployed"]).sort_values("year")[["tcc_ccode", "year", "deployed", "deployed_source"]]
    if past.empty or extra.empty:
        return extra
    past = past.rename(columns={"year": "deployed__year", "deployed_source": "_src"})
    hit = pd.merge_asof(extra.sort_values("year"), past.sort_values("deployed__year"), left_on="year",
                        right_on="deployed__year", by="tcc_ccode", direction="backward", allow_exact_matches=False)
    has = hit["deployed"].notna()
    hit.loc[has, "deployed_source"] = hit.loc[has, "_src"] + " (latest, " + hit.loc[has, "deployed__year"].astype("Int64").astype(str) + ")"
    return hit.drop(columns="_src")


@memoize(maxsize=1)
def _country_names() -> dict[int, str]:
    """COW code -> latest panel name (for TCC-years outside the panel's membership list)."""
    df = panel_frame(FIRST_YEAR, HOSTS_LAST_YEAR)
    return df.sort_values("year").groupby("ccode")["country"].last().to_dict()


@memoize(maxsize=4)
def _missions(start: int, end: int) -> pd.DataFrame:
    m = store.mission_months()
    first = m.groupby("mission")["year"].min().rename("first_year")
    m = m[m["year"].between(start, end)].sort_values(["mission", "date"])
    last = m.groupby(["mission", "year"]).tail(1)  # December, else the last month reported
    agg = m.groupby(["mission", "year"]).agg(n_tccs=("n_contributors", "max"), months=("month", "nunique")).reset_index()
    out = last[["mission", "year", "month", "total", "ccode", "host"]].rename(
        columns={"total": "personnel", "month": "personnel_month", "ccode": "host_ccode"}).merge(agg, on=["mission", "year"])
    out = out.merge(first, on="mission")
    out["duration"] = out["year"] - out["first_year"] + 1
    return out


def mission_frame(start: int = FIRST_YEAR, end: int = MISSIONS_LAST_YEAR) -> tuple[pd.DataFrame, dict[str, str]]:
    """UN mission-years (IPI acronyms) with size, duration, contributors, host, density and risk."""
    check_years(start, end, "missions")
    df = _missions(start, end)
    dens = mission_density_table(list(range(start, end + 1)))
    dens = dens[["mission", "year", "density"]].drop_duplicates(["mission", "year"])
    df = df.merge(dens, on=["mission", "year"], how="left")
    risk = _risk(start, end).rename(columns={"ccode": "host_ccode"})
    df = df.merge(risk, on=["host_ccode", "year"], how="left")
    df = df.assign(key=df["mission"], name=df["mission"] + " (" + df["host"] + ")")
    return df.sort_values(["key", "year"]).reset_index(drop=True), {}


def card_frame(card: str, start: int = FIRST_YEAR, end: int | None = None, registry=None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The input frame of ``card`` (``start`` .. ``end``, default the card's last year) and its missing components."""
    if card not in CARDS:
        raise ValueError(f"unknown card {card!r}; use hosts, tccs or missions")
    end = last_year(card) if end is None else end
    if card == "hosts":
        return host_frame(start, end)
    if card == "tccs":
        return tcc_frame(start, end, registry)
    if card == "missions":
        return mission_frame(start, end)
    raise ValueError(f"unknown card {card!r}; use hosts, tccs or missions")
