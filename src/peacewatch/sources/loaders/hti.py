"""Human Trafficking Indicators (Frank 2013), country-year 2001-2011 (year = TIP report year).

Quirks handled: the file is MacRoman-encoded (set in the catalog) and date cells carry non-breaking
spaces; treaty dates come in several spellings ("13 Dec 2000", "2-Dec-99", "25-Sep-91") and an "a"
suffix marking accession; "Yes"/"No"/"No mention" become 1/0/0; Tier 2 and Tier 2 Watch List are
not separated in HTI ("Tier 2/2 Watch List"): use the Kelley file for that distinction.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import DuplicateKeyError

YES_NO = {"Yes": 1.0, "No": 0.0, "No mention": 0.0}
FLOW_COLUMNS = ["source", "transit", "destination", "internal"]
TYPE_PREFIXES = ["p", "l", "d", "ds", "cp", "cl", "cs"]
TREATY_COLUMNS = ["UNP_sign", "UNP_rat"]


def parse_treaty_dates(values: pd.Series) -> pd.Series:
    """Parse HTI treaty date cells ("13 Dec 2000", " 3 Nov 2005a", "2-Dec-99") to timestamps; NaT when
    empty or unreadable."""
    text = (
        values.astype("string")
        .str.replace("\u00a0", " ")
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
        .str.rstrip("a")
        .str.strip()
    )
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in ("%d %b %Y", "%d-%b-%y", "%d-%b-%Y", "%d %B %Y"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return parsed


def hti(ctx: SourceContext | None = None) -> pd.DataFrame:
    """HTI country-years: ``ccode, year, country, tier`` (HTI label), flows (``source`` ...), trafficking
    types as 0/1 (``pdest`` = sex-trafficking destination, ``psource``, ``ptransit``, ``pinternal``, and
    the labour/debt/domestic/child types), ``unp_sign``, ``unp_rat`` (dates) and ``unp_accession``."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        dup = raw[raw.duplicated(["ccode", "year"], keep=False)]
        if len(dup):
            raise DuplicateKeyError(
                "hti: duplicate country-years "
                f"{dup[['country', 'ccode', 'year']].drop_duplicates().values.tolist()[:10]}"
            )
        out = raw[["country", "ccode", "year", "tier"]].copy()
        out["country"] = out["country"].str.strip()
        out["ccode"] = out["ccode"].astype("int64")
        out["year"] = out["year"].astype("int64")
        for col in FLOW_COLUMNS:
            out[col] = raw[col].map(YES_NO)
        for prefix in TYPE_PREFIXES:
            for kind in ("source", "transit", "dest", "internal"):
                col = f"{prefix}{kind}"
                out[col] = raw[col].map(YES_NO)
        for col in TREATY_COLUMNS:
            out[col.lower()] = parse_treaty_dates(raw[col])
        out["unp_accession"] = raw["UNP_rat"].astype(str).str.replace("\u00a0", "").str.strip().str.endswith("a")
        for col in (
            "minstand",
            "efforts",
            "domesticlaws",
            "enforcement",
            "convictinfo",
            "victimid",
            "victimservices",
            "victimpunish",
            "protectprogress",
            "preventprogress",
        ):
            out[col] = raw[col]
        return out

    return ctx.cached("hti", ["main"], "hti-v1", build)
