"""Data behind the map, country and mission pages, read once per process and kept.

The panel (the process's one panel, :mod:`peacewatch.panel.store`) and the mission tables are read
on first use under a lock and then only sliced, so a page costs a lookup. Functions here return plain
records (lists of dicts); :mod:`peacewatch.web.negotiate` makes them JSON.
"""

from __future__ import annotations

import threading
from functools import cached_property

import pandas as pd

from peacewatch.memo import per_instance
from peacewatch.web import labels
from peacewatch.web.settings import WebSettings

#: Columns of the map page (one row per country for the chosen year).
MAP_COLUMNS = [
    "ccode",
    "iso3",
    "country",
    "un_personnel",
    "un_troops",
    "un_police",
    "un_observers",
    "un_tccs",
    "un_missions",
    "un_mission_names",
    "hti_pdest",
    "tip_tier",
    "tip_tier_label",
    "tip_tier_source",
    "us_troops",
]
#: Columns of a country's time series.
COUNTRY_COLUMNS = [
    "year",
    "un_mission_names",
    "un_troops",
    "un_police",
    "un_observers",
    "un_personnel",
    "un_tccs",
    "un_duration",
    "nonun_personnel",
    "hti_pdest",
    "hti_psource",
    "hti_ptransit",
    "tip_tier",
    "tip_tier_label",
    "tip_tier_source",
    "us_troops",
    "polity2",
    "conflict",
]


def _ranges(years: list[int]) -> str:
    """``[2001, 2002, 2003, 2020, 2021]`` -> ``"2001-2003, 2020-2021"`` (``"none"`` when empty)."""
    if not years:
        return "none"
    parts, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


class NotFoundError(LookupError):
    """A country or mission that the data does not hold (HTTP 404); ``suggestions`` are COW codes of
    countries the reader may have meant."""

    def __init__(self, message: str, suggestions: list[int] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


class AmbiguousCountry(NotFoundError):
    """A name that fits several countries ("Congo"): ``choices`` are their COW codes."""

    def __init__(self, key: str, choices: list[int]):
        super().__init__(f"{key!r} fits several countries", choices)
        self.key, self.choices = key, choices


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of Python scalars with ``None`` for missing values (NaN, NA, NaT)."""
    rows = df.to_dict(orient="records")
    for row in rows:
        for k, v in row.items():
            if v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                row[k] = None
    return rows


class DataStore:
    """Panel and mission tables of one app, built lazily once and shared by all requests."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self._lock = threading.RLock()

    # -------------------------------------------------------------- sources
    @property
    def year_range(self) -> tuple[int, int]:
        """First and last year the pages show: the shared panel's first year to the sources' last."""
        from peacewatch.bounds import PANEL_YEARS
        from peacewatch.panel.store import CORE_START

        return CORE_START, int(PANEL_YEARS.hi)

    @cached_property
    def panel_df(self) -> pd.DataFrame:
        """The full country-year panel (all verbs), the years the sources cover."""
        with self._lock:
            from peacewatch.panel.store import panel_frame

            return panel_frame(*self.year_range)

    @cached_property
    def missions(self) -> pd.DataFrame:
        """IPI mission-month table (mission, host, personnel, number of contributors)."""
        with self._lock:
            from peacewatch.panel.store import mission_months

            return mission_months()

    @cached_property
    def tcc_troops(self) -> pd.DataFrame:
        """Geo-PKO mission x year x TCC troops."""
        with self._lock:
            from peacewatch.panel.store import tcc_troops

            return tcc_troops()

    @cached_property
    def contributors(self) -> pd.DataFrame:
        """IPI contributor x mission x month (2009-11..2014-02 only)."""
        with self._lock:
            from peacewatch.panel.store import contributor_months

            return contributor_months()

    def warm(self) -> None:
        """Build everything now (called at start-up so the first visitor does not wait)."""
        _ = self.panel_df, self.missions, self.tcc_troops, self.contributors, self.country_names

    # -------------------------------------------------------------- lookups
    @cached_property
    def country_names(self) -> dict[int, str]:
        """COW code -> the country's display name today (:func:`labels.country_name`)."""
        df = self.panel_df.sort_values("year").drop_duplicates("ccode", keep="last")
        return {int(c): labels.country_name(int(c), n) for c, n in zip(df["ccode"], df["country"])}

    def country_name(self, ccode: int, year: int | None = None) -> str:
        """The display name of ``ccode`` in ``year`` (the same on every page)."""
        return labels.country_name(ccode, self.country_names.get(int(ccode)), year)

    @cached_property
    def _country_keys(self) -> list[tuple[int, set[str]]]:
        """Every name a country is found by (display names of all years, panel names, aliases), folded."""
        df = self.panel_df.drop_duplicates(["ccode", "country"])
        keys: dict[int, set[str]] = {}
        for c, n in zip(df["ccode"].astype(int), df["country"]):
            keys.setdefault(c, set()).add(labels.fold(n))
        for c in keys:
            keys[c] |= {labels.fold(n) for _, n in labels.COUNTRY_NAMES.get(c, [])}
            keys[c] |= {labels.fold(n) for n in labels.COUNTRY_ALIASES.get(c, [])}
            keys[c].add(labels.fold(self.country_names[c]))
        return sorted(keys.items())

    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.panel_df["year"].unique())

    @cached_property
    def default_year(self) -> int:
        """Latest year with deployments, destination status and tiers all present."""
        df = self.panel_df
        full = df[df["un_personnel"].notna() & df["hti_pdest"].notna() & df["tip_tier"].notna()]
        return int(full["year"].max()) if len(full) else int(df["year"].max())

    def resolve_country(self, key: str) -> int:
        """Accept a COW code (``41``), ISO3 (``HTI``) or a name (``Haiti``, ``côte d'ivoire``,
        ``Yugoslavia``; accents and case do not matter) and return the COW code.

        Codes and names go through the project's one resolver (:func:`peacewatch.countries.resolve_country`);
        what it does not know is then matched against the panel's display names, accent-blind, so the
        search box also finds a country by the start of its name.
        """
        from peacewatch.countries import country_label, resolve_country
        from peacewatch.errors import InputError

        key = key.strip()
        ambiguous = [c for c in labels.AMBIGUOUS_NAMES.get(labels.fold(key), ()) if c in self.country_names]
        if len(ambiguous) > 1:
            raise AmbiguousCountry(key, ambiguous)
        try:
            ccode = resolve_country(key)
        except InputError as exc:
            problem = str(exc)
        else:
            if ccode in self.country_names:
                return ccode
            problem = f"{country_label(ccode)} is not in the panel ({self.years[0]}-{self.years[-1]})"
        needle = labels.fold(key)
        if needle:
            exact = [c for c, names in self._country_keys if needle in names]
            if len(exact) == 1:
                return exact[0]
            partial = [
                c for c, names in self._country_keys if any(n.startswith(needle) or f" {needle}" in n for n in names)
            ]
            if len(partial) == 1:
                return partial[0]
            if len(partial) > 1:
                raise AmbiguousCountry(key, sorted(partial, key=lambda c: labels.fold(self.country_names[c])))
        first = problem.split("; did you mean")[0].split(" (give a")[0]
        raise NotFoundError(
            first[:1].upper() + first[1:] + ". Give a name, an ISO3 code (HTI) or a COW code (41).",
            self.close_countries(key),
        )

    def close_countries(self, key: str, n: int = 5) -> list[int]:
        """Countries whose names or aliases look like ``key`` (for a not-found page), best first."""
        import difflib

        names = {name: c for c, folded in self._country_keys for name in folded}
        hits = difflib.get_close_matches(labels.fold(key), list(names), n=n * 2, cutoff=0.6)
        out: list[int] = []
        for h in hits:
            if names[h] not in out:
                out.append(names[h])
        return out[:n]

    @cached_property
    def finder_options(self) -> list[dict]:
        """What the country finder suggests as one types: every display name and every alias (an
        alias shows the name it opens), plus the ambiguous names that open a choice."""
        opts = [{"value": n, "label": ""} for n in sorted(self.country_names.values(), key=labels.fold)]
        for c, aliases in labels.COUNTRY_ALIASES.items():
            if c in self.country_names:
                opts += [
                    {"value": a, "label": self.country_names[c]}
                    for a in aliases
                    if a.lower() != self.country_names[c].lower()
                ]  # "Cote" must find "Côte" too
        for name, codes in labels.AMBIGUOUS_NAMES.items():
            opts.append(
                {
                    "value": name.title(),
                    "label": " or ".join(self.country_names[c] for c in codes if c in self.country_names),
                }
            )
        return opts

    # -------------------------------------------------------------- coverage
    @per_instance  # the data never change while the app runs: a page costs a lookup, not pandas filtering
    def year_note(self, year: int) -> dict:
        """What the panel knows for ``year`` and what it does not (:func:`panel.coverage.year_coverage`)."""
        from peacewatch.panel.coverage import year_coverage

        return year_coverage(self.panel_df, year)

    @cached_property
    def coverage_ranges(self) -> list[dict]:
        """Per data group: the years with values in the panel (first-last, and gaps), for the country page."""
        from peacewatch.panel.coverage import GROUPS, group_counts

        counts = group_counts(self.panel_df)
        out = []
        for g in GROUPS:
            if g.id not in counts:
                continue
            years = [
                int(y) for y, n in counts[g.id].items() if n >= 0.1 * len(self.panel_df[self.panel_df["year"] == y])
            ]
            out.append({"id": g.id, "label": g.label, "source": g.source, "years": _ranges(years)})
        return out

    # -------------------------------------------------------------- pages
    @per_instance
    def map_year(self, year: int) -> list[dict]:
        """One record per country in ``year`` with deployments, destination status and tier."""
        if year not in self.years:
            raise NotFoundError(f"year {year} is outside the panel ({self.years[0]}-{self.years[-1]})")
        df = self.panel_df
        rows = records(df.loc[df["year"] == year, MAP_COLUMNS])
        for r in rows:
            r["country"] = labels.country_name(r["ccode"], r["country"], year)
        return sorted(rows, key=lambda r: labels.fold(r["country"]))

    @cached_property
    def host_values(self) -> dict[int, dict]:
        """Each country's latest known GDP per capita, population, Polity2 and conflict, with the year
        of each value (what the planned-mission form fills in for a chosen host)."""
        df = self.panel_df.sort_values("year")
        out: dict[int, dict] = {int(c): {"country": n} for c, n in self.country_names.items()}
        for col in ("gdppc", "population", "polity2", "conflict"):
            known = df[df[col].notna()].drop_duplicates("ccode", keep="last")
            for c, v, y in zip(known["ccode"].astype(int), known[col], known["year"].astype(int)):
                if c in out:
                    out[c][col] = round(float(v), 1) if col == "gdppc" else int(round(float(v)))
                    out[c][col + "_year"] = y
        return out

    @per_instance
    def host_ccodes(self, year: int) -> frozenset[int]:
        """COW codes of the states with UN personnel on their soil in ``year``."""
        df = self.panel_df
        return frozenset(int(c) for c in df.loc[(df["year"] == year) & (df["un_personnel"] > 0), "ccode"])

    @per_instance
    def country_series(self, ccode: int) -> list[dict]:
        """The country's year-by-year deployments, TCCs, trafficking status, tier and democracy."""
        df = self.panel_df
        rows = df.loc[df["ccode"] == ccode, COUNTRY_COLUMNS].sort_values("year")
        if rows.empty:
            raise NotFoundError(f"no country with COW code {ccode} in the panel")
        return records(rows)

    @per_instance
    def country_info(self, ccode: int) -> dict:
        df = self.panel_df
        row = df.loc[df["ccode"] == ccode].iloc[-1]
        return {
            "ccode": int(ccode),
            "country": self.country_names.get(int(ccode), row["country"]),
            "iso3": None if pd.isna(row["iso3"]) else row["iso3"],
        }

    @per_instance
    def host_missions(self, ccode: int) -> list[dict]:
        """UN missions hosted by ``ccode`` (IPI), with first and last month."""
        m = self.missions
        m = m[m["ccode"] == ccode]
        if m.empty:
            return []
        g = m.groupby("mission").agg(first=("date", "min"), last=("date", "max"), peak=("total", "max"))
        g = g.reset_index().sort_values("first")
        g["first"] = g["first"].dt.strftime("%Y-%m")
        g["last"] = g["last"].dt.strftime("%Y-%m")
        return records(g)

    @cached_property
    def mission_index(self) -> list[dict]:
        """All IPI missions: hosts, first/last month, peak size, most contributors."""
        m = self.missions
        # Host names from the panel (by COW code): IPI spells some hosts two ways ("South Sudan'").
        names = self.country_names
        m = m.assign(host_name=[names.get(int(c), h) for c, h in zip(m["ccode"], m["host"])])
        g = (
            m.groupby("mission")
            .agg(
                hosts=("host_name", lambda s: "; ".join(sorted(set(s)))),
                first=("date", "min"),
                last=("date", "max"),
                peak_personnel=("total", "max"),
                max_contributors=("n_contributors", "max"),
            )
            .reset_index()
        )
        g["months"] = m.groupby("mission").size().values
        g = g.sort_values(["first", "mission"], ascending=[False, True])
        g["first"] = g["first"].dt.strftime("%Y-%m")
        g["last"] = g["last"].dt.strftime("%Y-%m")
        return records(g)

    @per_instance
    def mission_host_codes(self, mission: str) -> tuple[int, ...]:
        """COW codes of a mission's hosts (for finding it by a host's other names)."""
        m = self.missions
        return tuple(sorted({int(c) for c in m.loc[m["mission"] == mission, "ccode"]}))

    @per_instance
    def mission_months(self, mission: str) -> pd.DataFrame:
        """Mission-month rows (summed over hosts, for the few missions with several)."""
        m = self.missions
        m = m[m["mission"].str.upper() == mission.upper()]
        if m.empty:
            raise NotFoundError(f"no UN mission {mission!r} in the IPI data; see /missions for the list")
        return (
            m.groupby("date", as_index=False)
            .agg(
                year=("year", "first"),
                troops=("troops", "sum"),
                police=("police", "sum"),
                observers=("observers", "sum"),
                total=("total", "sum"),
                n_contributors=("n_contributors", "max"),
            )
            .sort_values("date")
        )

    @per_instance
    def mission_name(self, mission: str) -> str:
        """The IPI spelling of a mission acronym given in any case."""
        m = self.missions
        hit = m.loc[m["mission"].str.upper() == mission.upper(), "mission"]
        if hit.empty:
            raise NotFoundError(f"no UN mission {mission!r} in the IPI data; see /missions for the list")
        return str(hit.iloc[0])

    @per_instance
    def mission_month_rows(self, mission: str) -> list[dict]:
        """Mission-months as records with a ``YYYY-MM`` month label."""
        months = self.mission_months(mission)
        cols = ("troops", "police", "observers", "total", "n_contributors")
        return [
            {"month": d.strftime("%Y-%m"), **{k: r[k] for k in cols}} for d, r in zip(months["date"], records(months))
        ]

    @per_instance
    def mission_hosts(self, mission: str) -> list[dict]:
        m = self.missions
        m = m[m["mission"].str.upper() == mission.upper()].drop_duplicates("ccode")
        hosts = [
            {"ccode": int(c), "host": self.country_names.get(int(c), h), "host_iso3": i}
            for c, h, i in zip(m["ccode"], m["host"], m["host_iso3"])
        ]
        return sorted(hosts, key=lambda h: h["host"])

    @per_instance
    def mission_contributors(self, mission: str) -> list[dict]:
        """Troops by TCC and year (Geo-PKO), largest first within each year."""
        t = self.tcc_troops
        t = t[t["mission"].str.upper() == mission.upper()]
        if t.empty:
            return []
        g = (
            t.groupby(["year", "tcc_ccode", "tcc_name"], as_index=False)["troops"]
            .max(min_count=1)
            .sort_values(["year", "troops"], ascending=[True, False])
        )
        return records(g)

    @per_instance
    def mission_contributors_ipi(self, mission: str) -> list[dict]:
        """Mean monthly personnel by contributor (IPI, 2009-11..2014-02), largest first."""
        c = self.contributors
        c = c[c["mission"].str.upper() == mission.upper()]
        if c.empty:
            return []
        # Group by code only: IPI spells some contributors two ways ("United States" / "... of America").
        monthly = c.groupby(["tcc_ccode", "date"], as_index=False).agg(
            total=("total", "sum"), contributor=("contributor", "first")
        )
        g = (
            monthly.groupby("tcc_ccode", as_index=False)
            .agg(
                contributor=("contributor", "first"),
                mean_total=("total", "mean"),
                months=("date", "nunique"),
                first=("date", "min"),
                last=("date", "max"),
            )
            .sort_values("mean_total", ascending=False)
        )
        g["mean_total"] = g["mean_total"].round(0)
        g["first"] = g["first"].dt.strftime("%Y-%m")
        g["last"] = g["last"].dt.strftime("%Y-%m")
        return records(g)
