"""Build a panel from verb names and write it in several formats (used by the CLI and the main job)."""

from __future__ import annotations

import json
from pathlib import Path

from peacewatch.panel.core import Panel, create_country_years
from peacewatch.panel.foreign import write_dta, write_rds
from peacewatch.panel.verbs.registry import ALL_NAMES


def build_panel(
    start: int, end: int, system: str = "cow", agg: str = "december", verbs: list[str] | None = None
) -> Panel:
    """``create_country_years(start, end, system)`` followed by the named verbs (default: those
    ``add_all`` applies, :data:`peacewatch.panel.verbs.registry.ALL_NAMES`), in order."""
    panel = create_country_years(start, end, system)
    for name in verbs or ALL_NAMES:
        panel = panel.add(name, agg)
    return panel


def variable_labels() -> dict[str, str]:
    """Column -> words for the Stata variable labels (the dashboard's labels, one vocabulary)."""
    from peacewatch.panel.column_labels import VARIABLE_LABELS

    return dict(VARIABLE_LABELS)


def write_panel(panel: Panel, out: Path, formats: list[str]) -> list[Path]:
    """Write the panel as csv / parquet / datapackage / dta (Stata) / rds (R) plus ``lineage.json`` and
    ``CITATION.bib``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in formats:
        if fmt == "csv":
            written.append(panel.to_csv(out / "panel.csv"))
        elif fmt == "parquet":
            written.append(panel.to_parquet(out / "panel.parquet"))
        elif fmt == "datapackage":
            written.append(panel.to_datapackage(out / "datapackage"))
        elif fmt == "dta":
            written.append(
                write_dta(panel.df, out / "panel.dta", variable_labels(), f"peacewatch panel {panel.start}-{panel.end}")
            )
        elif fmt == "rds":
            written.append(write_rds(panel.df, out / "panel.rds"))
        else:
            raise ValueError(f"unknown format {fmt!r}; use csv, parquet, datapackage, dta or rds")
    lineage = out / "lineage.json"
    lineage.write_text(json.dumps(panel.lineage, indent=2), encoding="utf-8")
    cite = out / "CITATION.bib"
    cite.write_text(panel.cite(), encoding="utf-8")
    return [*written, lineage, cite]
