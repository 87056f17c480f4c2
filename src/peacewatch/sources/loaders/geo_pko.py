"""Geo-PKO v2.x: UN deployment locations per source map and month, with troops per TCC.

Quirks handled: several maps can cover the same mission-month, so per-TCC troops are taken from the
latest map of each mission-year (never summed across maps); troop counts per TCC are text and may be
"unknown" (kept as missing); non-state contributors ("Multinational", "CARICOM", "unknown") are
dropped. Troop numbers are map-based estimates (standard unit sizes).

The dashboard's TCCMap v2.3 (:func:`geo_pko_tcc_map`) extends the contributor lists to 2024: one
"Country (troops), ..." string per mission-year-location, parsed here; "size unknown" is kept as missing.
"""

from __future__ import annotations

import re

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context

NON_STATE_CONTRIBUTORS = ("Multinational", "Mutinational", "CARICOM", "unknown", "nan")
MAX_TCC_SLOTS = 17


def geo_pko(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Location-level rows: ``source, mission, year, month, location, country, latitude, longitude,
    troops, n_tcc, ccode`` (host COW code)."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("raw")
        out = pd.DataFrame(
            {
                "source": raw["source"].astype(str),
                "mission": raw["mission"].astype(str).str.strip(),
                "year": raw["year"].astype("int64"),
                "month": pd.to_numeric(raw["month"], errors="coerce"),
                "location": raw["location"].astype(str),
                "country": raw["country"].astype(str),
                "latitude": pd.to_numeric(raw["latitude"], errors="coerce"),
                "longitude": pd.to_numeric(raw["longitude"], errors="coerce"),
                "troops": pd.to_numeric(raw["no.troops"], errors="coerce"),
                "n_tcc": pd.to_numeric(raw["no.tcc"], errors="coerce"),
                "ccode": pd.to_numeric(raw["cow_code"], errors="coerce"),
            }
        )
        return out

    return ctx.cached("geo_pko", ["raw"], "locations-v1", build)


def geo_pko_tcc_troops(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Troops per contributing country per mission-year, from the latest map of that year.

    Returns ``mission, year, source, month, tcc_name, tcc_ccode, troops`` (troops missing when the
    map says "unknown").
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("raw")
        raw = raw.assign(
            mission=raw["mission"].astype(str).str.strip(), month=pd.to_numeric(raw["month"], errors="coerce")
        )
        long = []
        for i in range(1, MAX_TCC_SLOTS + 1):
            part = raw[["mission", "year", "month", "source", f"nameoftcc_{i}", f"notroopspertcc_{i}"]]
            part.columns = ["mission", "year", "month", "source", "tcc_name", "troops"]
            long.append(part.dropna(subset=["tcc_name"]))
        tcc = pd.concat(long, ignore_index=True)
        tcc["tcc_name"] = tcc["tcc_name"].astype(str).str.strip()
        tcc = tcc[~tcc["tcc_name"].isin(NON_STATE_CONTRIBUTORS)]
        tcc["troops"] = pd.to_numeric(tcc["troops"], errors="coerce")
        # the latest map (by month, then source) of each mission-year stands for that year
        latest = (
            tcc.sort_values(["mission", "year", "month", "source"])
            .groupby(["mission", "year"])[["month", "source"]]
            .last()
            .reset_index()
        )
        tcc = tcc.merge(latest, on=["mission", "year", "month", "source"])
        mapping = cw.names_to_cow(tcc["tcc_name"], "geo_pko (nameoftcc_*)")
        tcc["tcc_ccode"] = tcc["tcc_name"].map(mapping).astype("int64")
        out = tcc.groupby(["mission", "year", "source", "month", "tcc_ccode"], as_index=False).agg(
            tcc_name=("tcc_name", "first"), troops=("troops", lambda s: s.sum(min_count=1))
        )
        out["year"] = out["year"].astype("int64")
        return out

    return ctx.cached("geo_pko", ["raw"], "tcc-troops-v1", build)


#: Contributor names of the dashboard's TCCMap that are not one state: dropped and counted per year.
TCC_MAP_NON_STATE = ("Multinational", "CARICOM", "TCC name unknown", "Un")
#: One contributor with its troops, as the TCCMap lists it: "Brazil (1950)", "Korea (ROK) (150)",
#: "Nepal (size unknown)".
_TCC_ITEM = re.compile(r"\s*(.+?)\s*\(([^()]*)\)\s*(?:,|$)")


def parse_tcc_overview(text: str) -> list[tuple[str, float | None]]:
    """Split one TCCMap ``year.overview`` cell into ``(contributor, troops)`` pairs (troops ``None`` for
    "size unknown"); raises ``ValueError`` naming the cell when it does not parse completely."""
    items = _TCC_ITEM.findall(text)
    if "".join(f"{n}({v})" for n, v in items).replace(" ", "") != text.replace(",", "").replace(" ", ""):
        raise ValueError(f"cannot parse the contributor list {text!r} (expected 'Country (troops), ...')")
    return [(name, float(v) if v.strip().isdigit() else None) for name, v in items]


def geo_pko_tcc_map(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Troops per contributor per mission-year from the Geo-PKO dashboard's TCCMap v2.3, 1994-2024.

    The file lists, per mission-year and deployment location, the contributors there with their troops
    ("Brazil (1950), Jordan (150)"; "size unknown" where the map gives no number). Troops are summed over
    a contributor's locations in the mission-year (missing when every one of them is unknown).

    Returns ``mission, year, tcc_name, tcc_ccode, troops, locations, locations_unknown`` (the number of
    the contributor's locations in the mission-year, and of those without a troop number). Non-state
    entries (``TCC_MAP_NON_STATE``: "Multinational", "CARICOM", "TCC name unknown", "Un") are left
    out; :func:`geo_pko_tcc_map_coverage` counts them per year.
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        long = _tcc_map_long(read("tcc_map"))
        long = long[~long["tcc_name"].isin(TCC_MAP_NON_STATE)]
        mapping = cw.names_to_cow(long["tcc_name"], "geo_pko (TCCMap_v.2.3.csv year.overview)")
        long = long.assign(tcc_ccode=long["tcc_name"].map(mapping).astype("int64"))
        out = long.groupby(["mission", "year", "tcc_ccode"], as_index=False).agg(
            tcc_name=("tcc_name", "first"),
            troops=("troops", lambda s: s.sum(min_count=1)),
            locations=("location", "size"),
            locations_unknown=("troops", lambda s: int(s.isna().sum())),
        )
        return out.astype({"year": "int64", "locations": "int64", "locations_unknown": "int64"})

    return ctx.cached("geo_pko", ["tcc_map"], "tcc-map-v1", build)


def geo_pko_tcc_map_coverage(ctx: SourceContext | None = None) -> pd.DataFrame:
    """What the TCCMap holds and lacks per year.

    Returns ``year, missions`` (count), ``mission_names`` (";"-joined), ``contributors`` (states),
    ``troops`` (known numbers summed), ``contributors_unknown_size`` (contributor-missions without any
    troop number), ``entries_not_a_state`` (contributor-locations named "Multinational", "CARICOM",
    "TCC name unknown" or "Un") and ``note``, one sentence saying what is missing that year.
    """
    ctx = ctx or default_context()
    per = geo_pko_tcc_map(ctx)

    def build(read: Reader) -> pd.DataFrame:
        long = _tcc_map_long(read("tcc_map"))
        return (
            long.assign(not_state=long["tcc_name"].isin(TCC_MAP_NON_STATE))
            .groupby("year")["not_state"]
            .sum()
            .reset_index()
        )

    not_state = ctx.cached("geo_pko", ["tcc_map"], "tcc-map-nonstate-v1", build).set_index("year")["not_state"]
    out = (
        per.groupby("year")
        .agg(
            missions=("mission", "nunique"),
            mission_names=("mission", lambda s: ";".join(sorted(s.unique()))),
            contributors=("tcc_ccode", "nunique"),
            troops=("troops", "sum"),
            contributors_unknown_size=("troops", lambda s: int(s.isna().sum())),
        )
        .reset_index()
    )
    out["entries_not_a_state"] = out["year"].map(not_state).fillna(0).astype("int64")
    out["note"] = [
        f"troops only (no police or experts) in the {m} missions Geo-PKO maps ({n.replace(';', ', ')}); "
        f"{u} contributor-mission pairs without a troop number; {x} entries not a state left out"
        for m, n, u, x in zip(
            out["missions"],
            out["mission_names"],
            out["contributors_unknown_size"],
            out["entries_not_a_state"],
            strict=True,
        )
    ]
    return out


def _tcc_map_long(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per mission-year-location-contributor of the TCCMap file."""
    rows = []
    for mission, year, location, text in zip(
        raw["mission"], raw["year"], raw["location"], raw["year.overview"], strict=True
    ):
        for name, troops in parse_tcc_overview(str(text)):
            rows.append((str(mission).strip(), int(year), str(location), name, troops))
    return pd.DataFrame(rows, columns=["mission", "year", "location", "tcc_name", "troops"]).astype(
        {"troops": "float64"}
    )
