"""The input frames of the three cards, built once per year range and cached in memory.

* ``hosts``: the process's one country-year panel (:mod:`peacewatch.panel.store`), key ``ccode``, plus the
  predicted risk ``risk`` of ``peacewatch.models.deployment_risk.predict_observed``.
* ``tccs``: contributor-years. Who contributed: the union of Geo-PKO (troops per TCC from the latest
  map of each mission-year, 1994-2020, then the dashboard's TCCMap to 2024, mapped missions only) and
  IPI contributors (all UN missions,
  troops + police + experts, 2009-11..2014-02). Personnel ``deployed``: IPI's mean monthly total over
  the months IPI covers that year where available (2009: Nov-Dec only; 2014: Jan-Feb only), else
  Geo-PKO's troop estimate; ``deployed_source`` says which. Democracy, Palermo and criminalisation
  come from the panel row of the contributor; accountability from the registry when connected.
* ``missions``: UN mission-years from IPI mission-month data: December personnel (else the last month
  reported), the most contributors in any month, years since the mission's first IPI month, the
  host; ``density`` from ``peacewatch.models.density.mission_density_table`` and the host's ``risk``.
  After IPI's last full year (2016) to 2024: troops and troop contributors from the Geo-PKO
  dashboard's TCCMap (marked as its evidence), the host from the Geo-PKO maps.

Each builder returns ``(frame, missing)`` where ``missing`` maps an unavailable component to the reason:
only the registry (an outside database) can be unavailable; the models are imported directly.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from peacewatch.bounds import (
    GEO_RAW_LAST_YEAR,
    HOSTS_LAST_YEAR,
    IPI_MISSIONS_LAST_YEAR,
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
from peacewatch.scorecards.components import REGISTRY_COMPONENTS, registry_counts, true_and_published
from peacewatch.scorecards.indicators import CARDS

PANEL_COLS_FOR_TCCS = [
    "ccode",
    "year",
    "country",
    "polity2",
    "fh_pr",
    "fh_cl",
    "palermo_year",
    "palermo_party",
    "crim_level",
    "tip_tier_label",
    "tip_tier_source",
    "tip_tier_source_url",
]


def check_years(start: int, end: int, card: str = "hosts") -> None:
    """Both years inside the card's range (:func:`peacewatch.bounds.scorecard_years`), in order."""
    check_year_range(start, end, scorecard_years(card), (f"{card} scorecard start year", f"{card} scorecard end year"))


def add_evidence_marks(df: pd.DataFrame) -> pd.DataFrame:
    """Columns that date and qualify the evidence of some inputs (read by the engine).

    ``<column>__year`` is the year the value was last observed when it differs from the row's year,
    ``<column>__secondary`` marks a value from a secondary copy and ``<column>__note`` says which;
    ``<column>__source`` names the one source a value came from when the input has several.
    Palermo status rests on ratification records that end in 2011: after 2011 a state with no
    ratification recorded takes its latest known status (not party at the end of 2011), marked as
    evidence of 2011 ("older than the graded year"), instead of no data. Criminalisation and the 3P
    index are only used in their own years (no carry-forward), so they need no mark.
    """
    out = df.copy()
    if "palermo_party" in out:
        later = out["year"].gt(PALERMO_KNOWN_UNTIL) & out["palermo_party"].isna() & out["palermo_year"].isna()
        known_2011 = set(panel_frame(PALERMO_KNOWN_UNTIL, PALERMO_KNOWN_UNTIL)["ccode"])
        key = out["tcc_ccode"] if "tcc_ccode" in out else out["ccode"]
        out.loc[later & key.isin(known_2011), "palermo_party"] = 0.0
        out["palermo_party__year"] = out["year"].clip(upper=PALERMO_KNOWN_UNTIL).where(out["palermo_party"].notna())
        out["palermo_party__note"] = np.where(
            out["year"].gt(PALERMO_KNOWN_UNTIL) & out["palermo_party"].notna(),
            f"status at the end of {PALERMO_KNOWN_UNTIL} (ratification records end then)",
            "",
        )
    if "tip_tier_source" in out:
        recent = out["tip_tier_source"].eq("tip_tiers_recent")
        for col in ("tip_tier", "tip_tier_label"):
            out[f"{col}__source"] = out["tip_tier_source"]
            out[f"{col}__secondary"] = recent
            out[f"{col}__note"] = np.where(
                recent, "secondary copy of the TIP report: " + out["tip_tier_source_url"].fillna("").astype(str), ""
            )
    return out


def panel_frame(start: int = FIRST_YEAR, end: int = HOSTS_LAST_YEAR) -> pd.DataFrame:
    """The full country-year panel for ``start..end``: a slice of the process's one panel
    (:func:`peacewatch.panel.store.panel_frame`; it starts early enough for the risk model's lags)."""
    return store.panel_frame(start, end)


@memoize(maxsize=4)
def _risk(start: int, end: int) -> pd.DataFrame:
    """Predicted destination risk of each country-year's own deployment.

    The model's deployment terms are lagged (report year t from the deployment of t - 1), so the risk
    of year Y's deployment is the model's prediction for Y + 1: Haiti 2004 is scored on MINUSTAH's 7,406
    personnel of December 2004, not on 2003 (before the mission). ``risk__note`` says so.
    """
    out = predict_observed(panel_frame(start, end + 1))
    out = out.assign(year=out["year"] - 1)
    out = out.loc[out["year"].between(start, end), ["ccode", "year", "risk"]].drop_duplicates(["ccode", "year"])
    return out.assign(
        risk__note=np.where(
            out["risk"].notna(), "predicted from this year's deployment and controls (the model's t-1 terms)", ""
        )
    )


def _mapped_hosts(start: int, end: int) -> set[tuple[int, int]]:
    """(host, year) of the UN missions on the Geo-PKO TCCMap after IPI's last full year (2017-2024)."""
    if end <= IPI_MISSIONS_LAST_YEAR:
        return set()
    m = _missions(max(start, IPI_MISSIONS_LAST_YEAR + 1), min(end, MISSIONS_LAST_YEAR))
    return set(zip(m["host_ccode"].astype(int), m["year"].astype(int), strict=True))


def hosting_note(year: int) -> str | None:
    """Why the list of states hosting peacekeepers in ``year`` is incomplete or empty (None when the
    deployment sources cover the year)."""
    if year <= IPI_MISSIONS_LAST_YEAR:
        return None
    if year <= MISSIONS_LAST_YEAR:
        return (
            f"{year}: UN and non-UN deployment data (IPI, Bara & Hultman) end {IPI_MISSIONS_LAST_YEAR}; hosts are "
            "those of the UN missions on the Geo-PKO maps (TCCMap), so non-UN missions and unmapped UN missions "
            "are not counted"
        )
    return (
        f"{year}: no deployment data (UN and non-UN deployments end {IPI_MISSIONS_LAST_YEAR}, the Geo-PKO "
        f"maps {MISSIONS_LAST_YEAR}), so no state is known to host peacekeepers"
    )


def contributor_note(card: str, year: int) -> str | None:
    """What the contributor data lack in ``year`` for the TCC card (after the raw Geo-PKO maps, 2021-)
    and the mission card (after IPI, 2017-), from the TCCMap's coverage; None for other years."""
    from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_map_coverage

    first = {"tccs": GEO_RAW_LAST_YEAR + 1, "missions": IPI_MISSIONS_LAST_YEAR + 1}.get(card)
    if first is None or year < first:
        return None
    cov = geo_pko_tcc_map_coverage().set_index("year")
    if year not in cov.index:
        return f"{year}: no contributor data (the Geo-PKO TCCMap ends {int(cov.index.max())})"
    return f"{year}: contributors from the Geo-PKO TCCMap: {cov.loc[year, 'note']}"


def host_frame(start: int = FIRST_YEAR, end: int = HOSTS_LAST_YEAR) -> tuple[pd.DataFrame, dict[str, str]]:
    """Country-years to grade as host states (every state in the panel; ``hosting`` marks deployments)."""
    check_years(start, end, "hosts")
    df = panel_frame(start, end)
    df = df.merge(_risk(start, end), on=["ccode", "year"], how="left", validate="one_to_one")
    mapped = _mapped_hosts(start, end)
    on_map = pd.Series(list(zip(df["ccode"], df["year"], strict=True)), index=df.index).isin(mapped)
    df = df.assign(
        key=df["ccode"],
        name=df["country"],
        hosting=((df["un_deployed"] == 1) | (df["nonun_deployed"] == 1) | on_map).astype(int),
    )
    return add_evidence_marks(df).sort_values(["key", "year"]).reset_index(drop=True), {}


@memoize(maxsize=4)
def _contributors(start: int, end: int) -> pd.DataFrame:
    g = store.tcc_troops()
    # after the raw maps (1994-2020) the dashboard's TCCMap lists contributors per mission-year (to 2024)
    g = pd.concat([g, store.tcc_map().loc[lambda m: m["year"] > GEO_RAW_LAST_YEAR]], ignore_index=True)
    g = g[g["year"].between(start, end)]
    geo = (
        g.groupby(["tcc_ccode", "year"])
        .agg(geo_troops=("troops", lambda s: s.sum(min_count=1)), geo_missions=("mission", "nunique"))
        .reset_index()
    )
    c = store.contributor_months()
    c = c[c["year"].between(start, end)]
    months = c.groupby("year")["date"].nunique().rename("ipi_months")
    ipi = (
        c.groupby(["tcc_ccode", "year"])
        .agg(ipi_total=("total", "sum"), ipi_missions=("mission", "nunique"))
        .reset_index()
    )
    ipi = ipi.merge(months, on="year")
    # mean monthly personnel over the months IPI covers (a TCC absent in a month had none there)
    ipi["ipi_deployed"] = ipi["ipi_total"] / ipi["ipi_months"]
    out = geo.merge(ipi[["tcc_ccode", "year", "ipi_deployed", "ipi_missions"]], on=["tcc_ccode", "year"], how="outer")
    out["deployed"] = out["ipi_deployed"].combine_first(out["geo_troops"])
    out["deployed_source"] = np.where(
        out["ipi_deployed"].notna(), "ipi_contributors", np.where(out["geo_troops"].notna(), "geo_pko", "none")
    )
    out["in_geo_pko"] = out["geo_missions"].notna()
    out["in_ipi"] = out["ipi_missions"].notna()
    return out


def registry_frame(registry, as_of: dt.date | None = None, user=None) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """TCC statistics from the registry, one row per ``tcc_ccode, year``, and the tables missing.

    ``registry`` is a SQLAlchemy session, a DataFrame (``tcc_ccode, year`` and any of the columns the
    indicators read), or ``None``. The grades are computed on the true counts; each count also comes
    as ``<column>__published``, which is what the grades show. With a session everything is read
    through :func:`peacewatch.scorecards.components.registry_counts` (the registry's published door:
    closed years, small cells suppressed, frozen true counts; with a staff ``user`` the live counts of
    every year at ``as_of``). A DataFrame in the door's shape
    (:func:`peacewatch.registry.publication.scorecard_frame`: published counts plus ``raw_<count>``)
    is graded on its ``raw_`` counts; other frames are taken as both true and published counts.
    """
    if registry is None:
        why = (
            "registry not connected: pass registry=<SQLAlchemy Session or DataFrame> (CLI: --db); "
            "registry indicators have no data"
        )
        return None, dict.fromkeys(REGISTRY_COMPONENTS, why)
    missing: dict[str, str] = {}
    if isinstance(registry, pd.DataFrame):
        out = registry.astype({"tcc_ccode": "int64", "year": "int64"})
        if "referrals" in out and "referrals_awaiting_outcome" not in out:  # the registry stats' shape
            out = out.assign(referrals_awaiting_outcome=out["referrals"])
        out = true_and_published(out)
    else:
        out, missing = registry_counts(registry, as_of, user)
        if out is None:
            return None, missing
    for col in SUSPENSION_RAW:  # the suspension rule reads the true counts as raw_<count>
        if col in out and f"raw_{col}" not in out:
            out[f"raw_{col}"] = out[col]
    return out, missing


#: Registry counts the suspension rule may read (true values, kept as ``raw_<count>``).
SUSPENSION_RAW = (
    "allegations",
    "referrals_made",
    "referrals_overdue",
    "referrals_answered",
    "outcomes",
    "outcomes_due",
    "prosecutions",
)


def tcc_frame(
    start: int = FIRST_YEAR, end: int | None = None, registry=None, as_of: dt.date | None = None, user=None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Contributor-years: every state with UN personnel that year per Geo-PKO (1994-2024) or IPI
    (2009-2014), and every TCC-year in which the registry recorded or awaited something (so the
    current year is graded from registry activity even before any deployment data exist; the open
    year's registry activity reaches staff ``user`` only, see :func:`registry_frame`)."""
    end = (as_of.year if as_of else current_year()) if end is None else end
    check_years(start, end, "tccs")
    base = _contributors(start, min(end, HOSTS_LAST_YEAR))
    acc, missing = registry_frame(registry, as_of, user)
    if acc is not None:
        acc = acc[acc["year"].between(start, end)]
        extra = acc.loc[:, ["tcc_ccode", "year"]].merge(base[["tcc_ccode", "year"]], how="left", indicator=True)
        extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
        base = pd.concat([base, _latest_deployment(base, extra)], ignore_index=True)
    panel = panel_frame(start, min(end, current_year()))[PANEL_COLS_FOR_TCCS]  # a preview year has no panel row
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
    hit = pd.merge_asof(
        extra.sort_values("year"),
        past.sort_values("deployed__year"),
        left_on="year",
        right_on="deployed__year",
        by="tcc_ccode",
        direction="backward",
        allow_exact_matches=False,
    )
    has = hit["deployed"].notna()
    hit.loc[has, "deployed_source"] = (
        hit.loc[has, "_src"] + " (latest, " + hit.loc[has, "deployed__year"].astype("Int64").astype(str) + ")"
    )
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
    agg = (
        m.groupby(["mission", "year"]).agg(n_tccs=("n_contributors", "max"), months=("month", "nunique")).reset_index()
    )
    out = (
        last[["mission", "year", "month", "total", "ccode", "host"]]
        .rename(columns={"total": "personnel", "month": "personnel_month", "ccode": "host_ccode"})
        .merge(agg, on=["mission", "year"])
    )
    out = out.merge(first, on="mission").assign(personnel_source="ipi_missions")
    if end > IPI_MISSIONS_LAST_YEAR:
        out = pd.concat(
            [out[out["year"] <= IPI_MISSIONS_LAST_YEAR], _missions_from_tcc_map(first, start, end)], ignore_index=True
        )
    out["duration"] = out["year"] - out["first_year"] + 1
    return out


def _missions_from_tcc_map(ipi_first: pd.Series, start: int, end: int) -> pd.DataFrame:
    """Mission-years after IPI's last full year from the Geo-PKO dashboard's TCCMap: personnel is the
    troops on its maps (troops only, map estimates; ``personnel_source`` says so), contributors the
    states it lists; the host is the mission's last host in IPI (MINURSO: Morocco, which administers
    Western Sahara), else on the Geo-PKO maps (missions that began after IPI's data)."""
    from peacewatch.sources.loaders.geo_pko import geo_pko

    t = store.tcc_map()
    first = t.groupby("mission")["year"].min().rename("first_year")
    first = ipi_first.combine(first, min, fill_value=10_000).astype("int64")
    lo = max(start, IPI_MISSIONS_LAST_YEAR + 1)
    t = t[t["year"].between(lo, end)]
    out = (
        t.groupby(["mission", "year"])
        .agg(personnel=("troops", lambda s: s.sum(min_count=1)), n_tccs=("tcc_ccode", "nunique"))
        .reset_index()
    )
    raw = geo_pko().dropna(subset=["ccode"]).sort_values(["year", "month"])
    hosts = raw.groupby("mission").agg(host_ccode=("ccode", "last"), host=("country", "last"))
    ipi = (
        store.mission_months()
        .sort_values("date")
        .groupby("mission")
        .agg(host_ccode=("ccode", "last"), host=("host", "last"))
    )
    hosts = pd.concat([ipi, hosts[~hosts.index.isin(ipi.index)]])
    out = out.join(hosts, on="mission").join(first, on="mission")
    return (
        out.assign(personnel_month=np.nan, months=np.nan, personnel_source="geo_pko_tcc_map")
        .dropna(subset=["host_ccode"])
        .astype({"host_ccode": "int64"})
    )


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
    # after 2016 size and contributors are the TCCMap's troops and troop contributors, not IPI's personnel
    tcc_map = df["personnel_source"].eq("geo_pko_tcc_map")
    for col in ("personnel", "n_tccs"):
        df[f"{col}__source"] = np.where(tcc_map, "geo_pko (TCCMap)", "ipi_missions")
        df[f"{col}__note"] = np.where(tcc_map, "troops only, map estimates (Geo-PKO dashboard TCCMap v2.3)", "")
    return df.sort_values(["key", "year"]).reset_index(drop=True), {}


def card_frame(
    card: str, start: int = FIRST_YEAR, end: int | None = None, registry=None, as_of: dt.date | None = None, user=None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The input frame of ``card`` (``start`` .. ``end``, default the card's last year) and its missing
    components; ``as_of`` (TCCs) is the date the registry's current year is evaluated at, ``user`` a
    staff user reading the live registry counts (:func:`registry_frame`)."""
    if card not in CARDS:
        raise ValueError(f"unknown card {card!r}; use hosts, tccs or missions")
    end = last_year(card, as_of) if end is None else end
    if card == "hosts":
        return host_frame(start, end)
    if card == "tccs":
        return tcc_frame(start, end, registry, as_of, user)
    if card == "missions":
        return mission_frame(start, end)
    raise ValueError(f"unknown card {card!r}; use hosts, tccs or missions")
