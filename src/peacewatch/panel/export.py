"""Frictionless data package export of a :class:`~peacewatch.panel.core.Panel`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from peacewatch.sources.context import SourceContext


class Panel(Protocol):
    """What the export reads of a :class:`~peacewatch.panel.core.Panel` (which calls this module,
    so the type is spelled out here rather than imported)."""

    @property
    def df(self) -> pd.DataFrame: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def system(self) -> str: ...
    @property
    def ctx(self) -> SourceContext: ...
    @property
    def steps(self) -> tuple[Any, ...]: ...
    @property
    def lineage(self) -> list[dict[str, Any]]: ...

    def to_csv(self, path: str | Path) -> Path: ...

    def cite(self) -> str: ...


_TYPES = {"i": "integer", "u": "integer", "f": "number", "b": "boolean", "M": "datetime"}


def _field_type(series: pd.Series) -> str:
    if str(series.dtype) in ("Int64", "boolean"):
        return "integer" if str(series.dtype) == "Int64" else "boolean"
    return _TYPES.get(series.dtype.kind, "string")


def write_datapackage(panel: Panel, directory: Path, name: str) -> Path:
    """Write ``panel.csv`` and ``datapackage.json`` (schema, sources, licenses, lineage, verbs)."""
    directory.mkdir(parents=True, exist_ok=True)
    panel.to_csv(directory / "panel.csv")
    catalog = panel.ctx.catalog
    fields = [{"name": c, "type": _field_type(panel.df[c])} for c in panel.df.columns]
    sources = []
    for item in panel.lineage:
        src = catalog.source(item["source"])
        urls = [f.url or f.derived_from for f in src.files.values() if (f.url or f.derived_from)]
        sources.append({"title": src.title, "path": urls[0] if urls else (src.homepage or ""), "version": src.version})
    package = {
        "name": name,
        "title": f"peacewatch country-year panel {panel.start}-{panel.end} ({panel.system.upper()} system)",
        "resources": [
            {
                "name": "panel",
                "path": "panel.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": ["ccode", "year"]},
            }
        ],
        "sources": sources,
        "licenses": [
            {
                "name": "other-at",
                "title": "Each source under its own terms; see peacewatch:lineage and `peacewatch sources cite`",
            }
        ],
        "peacewatch:lineage": panel.lineage,
        "peacewatch:steps": [{"verb": s.verb, "options": s.options, "columns": s.columns} for s in panel.steps],
    }
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package, indent=2, default=str), encoding="utf-8")
    (directory / "CITATION.bib").write_text(panel.cite(), encoding="utf-8")
    return path
