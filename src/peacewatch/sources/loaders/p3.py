"""Cho's 3P Anti-trafficking Policy Index (2000-2015), read from the author's file once the user supplies it.

The panel's ``p3_*`` columns come from the Kelley & Simmons replication data (2000-2014); this loader
reads the author's own release (``peacewatch/models/supplied_sources.yml``), one row per country-year,
finding the header row by its words.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from peacewatch.sources.crosswalk import Crosswalk
from peacewatch.sources.errors import MalformedDataError

#: Output column -> a test of the lower-case header cell.
COLUMNS = {
    "cho_p3_prosecution": lambda c: "prosecution" in c,
    "cho_p3_protection": lambda c: "protection" in c,
    "cho_p3_prevention": lambda c: "prevention" in c,
    "cho_p3_overall": lambda c: (
        c in ("3p", "3p index", "overall", "index")
        or "overall" in c
        or re.fullmatch(r"3p[ _-]?(index|anti.*)?", c) is not None
    ),
}


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    if path.suffix.lower() == ".csv":
        return {"csv": pd.read_csv(path, header=None, dtype=object)}
    sheets: dict[str, pd.DataFrame] = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    return sheets


def read_p3_file(path: Path) -> pd.DataFrame:
    """``country, year`` and the :data:`COLUMNS` found in the first sheet with a matching header row."""
    path = Path(path)
    for name, raw in _sheets(path).items():
        for i in range(min(30, len(raw))):
            cells = [re.sub(r"\s+", " ", str(c).strip().lower()) for c in raw.iloc[i].tolist()]
            if "country" not in cells or "year" not in cells:
                continue
            found = {out: raw.columns[j] for out, test in COLUMNS.items() for j, c in enumerate(cells) if test(c)}
            if "cho_p3_overall" not in found:
                continue
            body = raw.iloc[i + 1 :]
            out = pd.DataFrame(
                {
                    "country": body[raw.columns[cells.index("country")]],
                    "year": pd.to_numeric(body[raw.columns[cells.index("year")]], errors="coerce"),
                }
            )
            for key, col in found.items():
                out[key] = pd.to_numeric(body[col], errors="coerce")
            out = out.dropna(subset=["country", "year"])
            out = out.assign(country=out["country"].astype(str).str.strip(), year=out["year"].astype("int64"))
            out.attrs["sheet"] = name
            return out.reset_index(drop=True)
    raise MalformedDataError(
        f"{path}: no sheet has a header row with 'country', 'year' and the overall 3P index; "
        "supply the author's country-year file of the 3P index"
    )


def p3(files: list[dict[str, Any]], data_root: Path, crosswalk: Crosswalk) -> pd.DataFrame:
    """The supplied 3P file as ``ccode, year, country, cho_p3_*``; files not present are skipped."""
    for entry in files:
        path = Path(data_root) / entry["path"]
        if not path.is_file():
            continue
        rows = read_p3_file(path)
        mapping = crosswalk.names_to_cow(rows["country"], f"3P index ({path})")
        rows = rows.assign(ccode=rows["country"].map(mapping).astype("int64"))
        dup = rows.duplicated(["ccode", "year"], keep=False)
        if dup.any():
            raise MalformedDataError(
                f"{path}: several rows for one country-year: {sorted(set(rows.loc[dup, 'country']))[:5]}"
            )
        return (
            rows[["ccode", "year", "country", *[c for c in COLUMNS if c in rows]]]
            .sort_values(["ccode", "year"])
            .reset_index(drop=True)
        )
    return pd.DataFrame(columns=["ccode", "year", "country", *COLUMNS])
