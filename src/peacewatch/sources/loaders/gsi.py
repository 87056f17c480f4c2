"""Walk Free's Global Slavery Index (GSI), read from the publisher's workbook once the user supplies it.

The GSI cannot be shipped or fetched (``peacewatch/models/supplied_sources.yml`` has its provenance
and the paths where it is expected). Each edition is one workbook; the sheet and header row are
found by their words, not by position, because the editions lay them out differently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from peacewatch.sources.crosswalk import Crosswalk
from peacewatch.sources.errors import MalformedDataError

#: Output column -> words that must all appear in the published header (lower case).
COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gsi_prevalence": (("prevalence", "1,000"), ("prevalence", "1000")),
    "gsi_victims": (("number of people",),),
    "gsi_vulnerability": (("vulnerability",),),
    "gsi_response": (("government response",),),
}
HEADER_SCAN = 30  # rows searched for the header


def _find_header(raw: pd.DataFrame) -> int | None:
    for i in range(min(HEADER_SCAN, len(raw))):
        cells = [str(c).strip().lower() for c in raw.iloc[i].tolist()]
        if "country" in cells and any("prevalence" in c for c in cells):
            return i
    return None


def _column_map(header: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for out, alternatives in COLUMNS.items():
        for cell in header:
            text = re.sub(r"\s+", " ", str(cell).lower())
            if out not in found and any(all(w in text for w in words) for words in alternatives):
                found[out] = cell
    return found


def read_gsi_file(path: Path) -> pd.DataFrame:
    """The country rows of one published GSI file: ``country`` plus the :data:`COLUMNS` found.

    Raises :class:`MalformedDataError` naming the file when no sheet has a "Country" header with a
    prevalence column.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        sheets = {"csv": pd.read_csv(path, header=None, dtype=object)}
    else:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    for name, raw in sheets.items():
        row = _find_header(raw)
        if row is None:
            continue
        header = [str(c).strip() for c in raw.iloc[row].tolist()]
        body = raw.iloc[row + 1 :].set_axis(header, axis=1)
        cols = _column_map(header)
        if "gsi_prevalence" not in cols:
            continue
        country = next(c for c in header if c.lower() == "country")
        out = pd.DataFrame({"country": body[country]})
        for key, col in cols.items():
            out[key] = pd.to_numeric(body[col], errors="coerce")
        out = out[out["country"].notna() & out["gsi_prevalence"].notna()]
        out["country"] = out["country"].astype(str).str.strip()
        out.attrs["sheet"] = name
        return out.reset_index(drop=True)
    raise MalformedDataError(
        f"{path}: no sheet has a header row with 'Country' and an 'Estimated prevalence of modern slavery per "
        "1,000 population' column; supply the country-data workbook of the Global Slavery Index as published "
        "(or a CSV export of its summary sheet)"
    )


def gsi(files: list[dict[str, Any]], data_root: Path, crosswalk: Crosswalk) -> pd.DataFrame:
    """Every supplied GSI edition as ``ccode, year, edition, country, gsi_prevalence[, gsi_victims,
    gsi_vulnerability, gsi_response]``; ``year`` is the edition's reference year of the estimates.

    ``files`` are the entries of ``supplied_sources.yml`` (``edition``, ``reference_year``, ``path``);
    those not present in ``data_root`` are skipped. Country names go through the crosswalk; a name it
    cannot map is an error naming the file and the names.
    """
    frames = []
    for entry in files:
        path = Path(data_root) / entry["path"]
        if not path.is_file():
            continue
        rows = read_gsi_file(path)
        mapping = crosswalk.names_to_cow(rows["country"], f"Global Slavery Index {entry['edition']} ({path})")
        rows = rows.assign(
            ccode=rows["country"].map(mapping).astype("int64"),
            year=int(entry["reference_year"]),
            edition=int(entry["edition"]),
        )
        if rows.duplicated(["ccode", "year"]).any():
            dup = rows.loc[rows.duplicated(["ccode", "year"], keep=False), "country"].tolist()
            raise MalformedDataError(f"{path}: several rows map to one country: {dup}")
        frames.append(rows)
    if not frames:
        return pd.DataFrame(columns=["ccode", "year", "edition", "country", *COLUMNS])
    cols = ["ccode", "year", "edition", "country", *[c for c in COLUMNS if any(c in f for f in frames)]]
    return (
        pd.concat(frames, ignore_index=True).reindex(columns=cols).sort_values(["ccode", "year"]).reset_index(drop=True)
    )
