"""Democratic density: the mean Polity5 ``polity2`` of an IO's members or of a mission's contributors.

Smith (2012, on the UN and the OAS in Haiti) calls the democratic density of an IO its
*identity*: the mean Polity score of its member states (UN 3.4, OAS 7.1 in 2004) or of the states
contributing troops to a mission (MINUSTAH 4.6). This module computes it for any IO-year and any
mission-year from real data, with the members that had no Polity score counted and named.

Data
----
* IO membership: COW IGO v3 (full members, ``status == 1``; ends 2014) corrected and extended by
  ``membership_overrides.yml`` (e.g. Cuba, suspended but never expelled from the OAS 1962-2009;
  NATO accessions after 2014). ``overrides=False`` gives COW as published.
* Mission contributors: the IPI contributor x mission x month file where it covers the year
  (2009-11..2014-02: troops, police and experts, December or the latest month of the year), else
  Geo-PKO (troops only, latest UN deployment map of the mission-year, 1994-2020).
* Polity5 ``polity2`` (interpolated, -10..10; ends 2018). States without a score in the year
  (microstates, -66 interruption years, years after 2018) are *unscored*: counted, listed, and left
  out of the mean.

Coverage floor: a density is a mean over the *scored* members only, so it stands for the IO or mission
only when most of them are scored. :data:`COVERAGE_FLOOR` (50%) of the members (for a weighted
mission density: of the personnel with a known size) must be scored; below it ``Density.below_floor``
is true, ``to_dict()`` gives no value and the command line refuses to print one (the UN in 2020: 1
of 193 members scored), and :func:`mission_density_table` leaves the density missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import yaml

from peacewatch.memo import attached, memoize
from peacewatch.models.errors import UnknownIOError, UnknownMissionError
from peacewatch.resources import package_path
from peacewatch.sources.context import SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.loaders.cow_igo import cow_igo_membership
from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_troops
from peacewatch.sources.loaders.ipi import ipi_contributors, ipi_missions
from peacewatch.sources.loaders.polity5 import polity5
from peacewatch.sources.loaders.state_lists import cow_states

OVERRIDES_PATH = package_path("peacewatch.models", "membership_overrides.yml")
#: What Smith (2012) reports for 2004 (Polity IV at the time), for comparison in reports and docs.
SEED_2004 = {"UN": 3.4, "OAS": 7.1, "MINUSTAH": 4.6}
SOURCES = ("auto", "ipi", "geo_pko")
#: Share of members (or of known personnel, weighted) that must have a Polity5 score for a density.
COVERAGE_FLOOR = 0.5
#: Last year Polity5 scores every state (p5v2018; 2019-2020 rows exist for the United States only).
POLITY_LAST = 2018


@dataclass(frozen=True)
class Density:
    """Democratic density of one IO-year or mission-year.

    Attributes
    ----------
    unit
        IO (upper case, e.g. ``"UN"``) or mission name (e.g. ``"MINUSTAH"``).
    kind
        ``"io"`` or ``"mission"``.
    year
        Calendar year.
    value
        Mean ``polity2`` of the scored members (weighted by personnel when ``weighted``); NaN when
        no member is scored.
    n_scored, n_unscored
        Members with / without a Polity5 ``polity2`` that year.
    members
        One row per member: ``ccode``, ``country``, ``polity2`` (NaN if unscored) and, for
        missions, ``personnel``.
    weighted
        Whether ``value`` weights contributors by personnel.
    source
        Membership source: ``"cow_igo"``, ``"cow_igo+overrides"``, ``"ipi"`` or ``"geo_pko"``.
    notes
        Overrides applied and caveats (e.g. carried forward beyond 2014).
    """

    unit: str
    kind: str
    year: int
    value: float
    n_scored: int
    n_unscored: int
    members: pd.DataFrame = field(repr=False)
    weighted: bool = False
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def unscored(self) -> list[str]:
        """Names of the members without a Polity5 score."""
        return self.members.loc[self.members["polity2"].isna(), "country"].tolist()

    @property
    def coverage(self) -> float:
        """Share of the members with a Polity5 score (weighted: of the personnel of known size)."""
        return coverage_share(self.members, self.weighted)

    @property
    def below_floor(self) -> bool:
        """True when fewer than :data:`COVERAGE_FLOOR` of the members (or personnel) are scored."""
        return not self.coverage >= COVERAGE_FLOOR

    def coverage_text(self) -> str:
        """ "1 of 193 members scored (1%; floor 50%)" (weighted: the personnel share as well)."""
        total = self.n_scored + self.n_unscored
        share = f"{self.coverage:.0%} of known personnel" if self.weighted else f"{self.coverage:.0%}"
        return f"{self.n_scored} of {total} members scored ({share}; floor {COVERAGE_FLOOR:.0%})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (members as a list of records); ``value`` is null below the coverage floor."""
        members = self.members.astype(object).where(self.members.notna(), None).to_dict("records")
        return {
            "unit": self.unit,
            "kind": self.kind,
            "year": self.year,
            "value": None if np.isnan(self.value) or self.below_floor else round(float(self.value), 4),
            "coverage": round(float(self.coverage), 4),
            "coverage_floor": COVERAGE_FLOOR,
            "below_floor": self.below_floor,
            "coverage_text": self.coverage_text(),
            "n_scored": self.n_scored,
            "n_unscored": self.n_unscored,
            "weighted": self.weighted,
            "source": self.source,
            "notes": list(self.notes),
            "unscored": self.unscored,
            "members": members,
        }


# ---------------------------------------------------------------------------------------- helpers
@memoize(maxsize=4)
def load_overrides(path: str | None = None) -> dict[str, Any]:
    """The membership override file (default: the package's ``membership_overrides.yml``)."""
    with open(path or OVERRIDES_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _in_span(year: int, entry: dict[str, Any]) -> bool:
    end = entry.get("to")
    return entry["from"] <= year and (end is None or year <= end)


def _memo(ctx: SourceContext, key: str, make) -> Any:
    """Loader results kept with their source context (the parquet cache is re-read otherwise)."""
    return attached(ctx, "density").get(key, make)


def _membership(ctx: SourceContext) -> pd.DataFrame:
    return _memo(ctx, "igo", lambda: cow_igo_membership(ctx))


def _names(ctx: SourceContext) -> pd.Series:
    return _memo(
        ctx, "names", lambda: cow_states(ctx).drop_duplicates("ccode", keep="last").set_index("ccode")["statenme"]
    )


def _polity(ctx: SourceContext, year: int) -> pd.Series:
    p = _memo(ctx, "polity", lambda: polity5(ctx))
    return p.loc[p["year"] == year].set_index("ccode")["polity2"]


def _with_polity(ctx: SourceContext, members: pd.DataFrame, year: int) -> pd.DataFrame:
    out = members.copy()
    out["country"] = out["ccode"].map(_names(ctx)).fillna(out.get("country"))
    out["polity2"] = out["ccode"].map(_polity(ctx, year))
    return out


def density_means(members: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Democratic density of each group of ``members`` (rows ``polity2`` and, optionally, ``personnel``).

    The one implementation of the mean, used for one unit (:func:`mission_density`, :func:`io_density`)
    and for every mission-year at once (:func:`mission_density_table`). Returns, indexed by ``by``:
    ``density``, the mean ``polity2`` over the scored members, and ``density_weighted``, weighted by
    personnel over the scored members with known positive personnel (NaN when there are none).
    """
    personnel = members["personnel"] if "personnel" in members else pd.Series(np.nan, index=members.index)
    w = personnel.where(members["polity2"].notna() & (personnel > 0))
    g = members.assign(_w=w, _wp=w * members["polity2"]).groupby(by, sort=True)
    return pd.DataFrame({"density": g["polity2"].mean(), "density_weighted": g["_wp"].sum() / g["_w"].sum(min_count=1)})


def coverage_share(members: pd.DataFrame, weighted: bool = False) -> float:
    """Share of ``members`` with a ``polity2``; weighted: share of the known positive ``personnel``
    that belongs to scored members (0 when there are no members or no known personnel)."""
    if members.empty:
        return 0.0
    scored = members["polity2"].notna()
    if not weighted:
        return float(scored.mean())
    personnel = members["personnel"].where(members["personnel"] > 0)
    total = personnel.sum(min_count=1)
    return 0.0 if pd.isna(total) else float(personnel[scored].sum() / total)


def _mean(members: pd.DataFrame, weighted: bool) -> float:
    """Density of one unit's members (see :func:`density_means`)."""
    if members.empty:
        return float("nan")
    one = density_means(members.assign(_unit=0), ["_unit"]).iloc[0]
    return float(one["density_weighted" if weighted else "density"])


# ---------------------------------------------------------------------------------------- IOs
def io_members(
    io: str, year: int, overrides: bool = True, ctx: SourceContext | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Full members of ``io`` in ``year``: ``(frame[ccode, country], notes)``.

    Parameters
    ----------
    io
        COW IGO ``ioname`` in any case (``"UN"``, ``"OAS"``, ``"NATO"``, ``"AU"``, ``"EU"`` ...).
    year
        Calendar year; after 2014 the 2014 membership is carried forward, then overrides apply.
    overrides
        Apply ``membership_overrides.yml`` (default True).
    """
    ctx = ctx or default_context()
    key = io.lower()
    all_m = _membership(ctx)
    known = all_m["io"].unique()
    if key not in set(known):
        near = sorted(k for k in known if k.startswith(key[:2]))[:8]
        raise UnknownIOError(
            f"io={io!r} is not a COW IGO ioname; use the lower-case COW name (e.g. 'un', 'oas', 'nato', 'au', 'eu')"
            f"{'; close: ' + ', '.join(near) if near else ''}"
        )
    m = all_m[(all_m["io"] == key) & (all_m["status"] == 1)]
    cfg: dict[str, Any] = load_overrides() if overrides else {"ios": {}, "last_cow_year": 2014}
    last = int(cfg.get("last_cow_year", 2014))
    notes: list[str] = []
    src_year = year
    if year > last:
        src_year = last
        notes.append(f"COW IGO ends {last}: {last} membership carried forward to {year}")
    members = set(m.loc[m["year"] == src_year, "ccode"].astype(int))
    if not members:
        years = sorted(m["year"].unique())
        near = [int(y) for y in years if abs(y - year) <= 5]
        raise UnknownIOError(
            f"io={io!r}, year={year}: no members in COW IGO that year (not founded yet, or a year "
            f"COW does not code; "
            f"{io.upper()} has data {int(years[0])}-{int(years[-1])}{', nearest: ' + str(near) if near else ''})"
        )
    rules = (cfg.get("ios") or {}).get(key) or {}
    for entry in rules.get("add") or []:
        if _in_span(year, entry) and entry["ccode"] not in members:
            members.add(int(entry["ccode"]))
            notes.append(f"added {entry['name']} ({entry['ccode']}): {' '.join(str(entry['reason']).split())}")
    for entry in rules.get("remove") or []:
        if _in_span(year, entry) and entry["ccode"] in members:
            members.discard(int(entry["ccode"]))
            notes.append(f"removed {entry['name']} ({entry['ccode']}): {' '.join(str(entry['reason']).split())}")
    frame = pd.DataFrame({"ccode": sorted(members)})
    frame["country"] = frame["ccode"].map(_names(ctx))
    return frame, notes


def io_density(io: str, year: int, overrides: bool = True, ctx: SourceContext | None = None) -> Density:
    """Democratic density of an IO in a year: mean Polity5 ``polity2`` of its full members.

    Parameters
    ----------
    io
        COW IGO ``ioname``, any case (``"UN"``, ``"OAS"``, ``"NATO"``).
    year
        Calendar year (Polity5 scores end 2018; membership after 2014 from the override file).
    overrides
        Apply ``membership_overrides.yml`` (e.g. Cuba in the OAS 1963-2008). Default True.
    ctx
        Source context; default: the environment's.

    Returns
    -------
    Density
        ``value``, ``n_scored``, ``n_unscored``, ``members`` (ccode, country, polity2), ``notes``.

    Examples
    --------
    >>> round(io_density("UN", 2004).value, 2)  # doctest: +SKIP
    3.43
    """
    ctx = ctx or default_context()
    members, notes = io_members(io, year, overrides, ctx)
    if year > POLITY_LAST:
        notes.append(f"Polity5 scores end {POLITY_LAST} (later rows only for the United States)")
    members = _with_polity(ctx, members, year)
    n_scored = int(members["polity2"].notna().sum())
    return Density(
        unit=io.upper(),
        kind="io",
        year=int(year),
        value=_mean(members, False),
        n_scored=n_scored,
        n_unscored=len(members) - n_scored,
        members=members.reset_index(drop=True),
        weighted=False,
        source="cow_igo+overrides" if overrides else "cow_igo",
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------- missions
def _ipi_contributors_year(ctx: SourceContext) -> pd.DataFrame:
    """Contributors per mission-year from IPI: December, or the latest month of the year covered."""
    c = ipi_contributors(ctx)
    c = c[c["total"] > 0]
    last = c.groupby(["mission", "year"])["month"].transform("max")
    c = c[c["month"] == last]
    out = c.groupby(["mission", "year", "tcc_ccode"], as_index=False).agg(
        country=("contributor", "first"), personnel=("total", "sum"), troops=("troops", "sum"), month=("month", "first")
    )
    return out.rename(columns={"tcc_ccode": "ccode"})


def _geo_contributors_year(ctx: SourceContext) -> pd.DataFrame:
    g = geo_pko_tcc_troops(ctx)
    out = g.groupby(["mission", "year", "tcc_ccode"], as_index=False).agg(
        country=("tcc_name", "first"), personnel=("troops", lambda s: s.sum(min_count=1)), month=("month", "first")
    )
    out["troops"] = out["personnel"]
    return out.rename(columns={"tcc_ccode": "ccode"})


def mission_contributors(
    mission: str, year: int, source: str = "auto", ctx: SourceContext | None = None
) -> tuple[pd.DataFrame, str]:
    """Contributing countries of a mission-year: ``(frame[ccode, country, personnel], source_used)``.

    ``source``: ``"ipi"`` (troops+police+experts, 2009-2014), ``"geo_pko"`` (troops, 1994-2020) or
    ``"auto"`` (IPI where it has the mission-year, else Geo-PKO).
    """
    ctx = ctx or default_context()
    if source not in SOURCES:
        raise ValueError(f"source={source!r}: use one of {SOURCES}")
    name = mission.upper()
    tried = []
    order = {"auto": ["ipi", "geo_pko"], "ipi": ["ipi"], "geo_pko": ["geo_pko"]}[source]
    for src in order:
        frame = _memo(
            ctx, src, (lambda: _ipi_contributors_year(ctx)) if src == "ipi" else (lambda: _geo_contributors_year(ctx))
        )
        rows = frame[(frame["mission"].str.upper() == name) & (frame["year"] == year)]
        tried.append(src)
        if len(rows):
            return rows[["ccode", "country", "personnel"]].reset_index(drop=True), src
    geo = _memo(ctx, "geo_pko", lambda: _geo_contributors_year(ctx))
    years = sorted(geo.loc[geo["mission"].str.upper() == name, "year"].unique().tolist())
    raise UnknownMissionError(
        f"mission={mission!r}, year={year}: no contributor data in {' or '.join(tried)} "
        f"(IPI covers 2009-11..2014-02; Geo-PKO years for this mission: {years or 'none'}); "
        "use the UN acronym, e.g. 'MINUSTAH', 'MONUSCO', 'UNMIL'"
    )


def mission_density(
    mission: str, year: int, weighted: bool = False, source: str = "auto", ctx: SourceContext | None = None
) -> Density:
    """Democratic density of a mission-year: mean Polity5 ``polity2`` of its contributing countries.

    Parameters
    ----------
    mission
        UN mission acronym (``"MINUSTAH"``).
    year
        Calendar year.
    weighted
        Weight each contributor by its personnel (contributors whose size is unknown on the Geo-PKO
        map are left out of the weighted mean, but still counted as members).
    source
        ``"auto"`` (default: IPI 2009-2014, else Geo-PKO), ``"ipi"`` or ``"geo_pko"``.

    Returns
    -------
    Density
        ``members`` has ``ccode, country, personnel, polity2``.
    """
    ctx = ctx or default_context()
    members, src = mission_contributors(mission, year, source, ctx)
    members = _with_polity(ctx, members, year)
    n_scored = int(members["polity2"].notna().sum())
    notes = []
    if weighted and members["personnel"].isna().any():
        unknown = members.loc[members["personnel"].isna(), "country"].tolist()
        notes.append(f"personnel unknown on the map for {', '.join(unknown)}: left out of the weighted mean")
    return Density(
        unit=mission.upper(),
        kind="mission",
        year=int(year),
        value=_mean(members, weighted),
        n_scored=n_scored,
        n_unscored=len(members) - n_scored,
        members=members[["ccode", "country", "personnel", "polity2"]],
        weighted=weighted,
        source=src,
        notes=tuple(notes),
    )


def _mission_personnel(ctx: SourceContext) -> pd.DataFrame:
    """Uniformed personnel on the ground per mission-year (IPI mission file, December or last month)."""
    m = ipi_missions(ctx)
    last = m.groupby(["mission", "year"])["month"].transform("max")
    m = m[m["month"] == last]
    return m.groupby(["mission", "year"], as_index=False).agg(personnel=("total", "sum"), host_ccode=("ccode", "first"))


def mission_density_table(
    years: Iterable[int] = range(1994, 2018),
    missions: Iterable[str] | None = None,
    source: str = "auto",
    ctx: SourceContext | None = None,
) -> pd.DataFrame:
    """Density of every mission-year with contributor data, in one frame.

    Parameters
    ----------
    years
        Calendar years to include.
    missions
        Mission acronyms (default: all with contributor data).
    source
        As in :func:`mission_density`.

    Returns
    -------
    pandas.DataFrame
        ``mission, year, density, density_weighted, n_scored, n_unscored, n_tccs, coverage,
        coverage_weighted, personnel, host_ccode, source`` where ``personnel`` is the mission's
        uniformed personnel (IPI, December or latest month; NaN outside IPI's 1990-2017 mission
        file); ``density`` (``density_weighted``) is missing below :data:`COVERAGE_FLOOR` of the
        contributors (of their known personnel) scored.
    """
    ctx = ctx or default_context()
    years = list(years)
    ipi = _memo(ctx, "ipi", lambda: _ipi_contributors_year(ctx)).assign(source="ipi")
    geo = _memo(ctx, "geo_pko", lambda: _geo_contributors_year(ctx)).assign(source="geo_pko")
    if source == "ipi":
        both = ipi
    elif source == "geo_pko":
        both = geo
    else:
        have = set(zip(ipi["mission"], ipi["year"]))
        both = pd.concat([ipi, geo[[k not in have for k in zip(geo["mission"], geo["year"])]]], ignore_index=True)
    both = both[both["year"].isin(years)]
    if missions is not None:
        both = both[both["mission"].str.upper().isin([m.upper() for m in missions])]
    pol = _memo(ctx, "polity", lambda: polity5(ctx))[["ccode", "year", "polity2"]]
    both = both.merge(pol, on=["ccode", "year"], how="left")
    g = both.groupby(["mission", "year"], sort=True)
    out = density_means(both, ["mission", "year"]).assign(
        n_scored=g["polity2"].count(), n_tccs=g.size(), source=g["source"].first()
    )
    out["n_unscored"] = out["n_tccs"] - out["n_scored"]
    out["coverage"] = out["n_scored"] / out["n_tccs"]
    w = both["personnel"].where(both["personnel"] > 0)
    known = both.assign(_w=w, _ws=w.where(both["polity2"].notna())).groupby(["mission", "year"], sort=True)
    out["coverage_weighted"] = (known["_ws"].sum() / known["_w"].sum(min_count=1)).fillna(0.0)
    # below the floor the mean of the few scored contributors does not stand for the mission
    out["density"] = out["density"].where(out["coverage"] >= COVERAGE_FLOOR)
    out["density_weighted"] = out["density_weighted"].where(out["coverage_weighted"] >= COVERAGE_FLOOR)
    out = out.reset_index().astype({"year": "int64", "n_scored": "int64", "n_unscored": "int64", "n_tccs": "int64"})
    out = out.merge(_mission_personnel(ctx), on=["mission", "year"], how="left")
    return out[
        [
            "mission",
            "year",
            "density",
            "density_weighted",
            "n_scored",
            "n_unscored",
            "n_tccs",
            "coverage",
            "coverage_weighted",
            "personnel",
            "host_ccode",
            "source",
        ]
    ]
