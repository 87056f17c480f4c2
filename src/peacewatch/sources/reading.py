"""Parsing a catalogued file and checking its shape: the one place both the loaders' context
(:class:`~peacewatch.sources.context.SourceContext`, which refuses a bad file) and
``peacewatch sources verify`` (which reports every problem) use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from peacewatch.sources.errors import MalformedDataError

FORMATS = ("csv", "csv.gz", "dta", "json")


def parse_file(path: Path, fmt: str, options: dict[str, Any], key: str) -> Any:
    """Read ``path`` as catalog format ``fmt`` (``options`` go to the pandas reader).

    A file that cannot be parsed raises :class:`MalformedDataError` naming it and how to re-fetch it.
    """
    try:
        if fmt in ("csv", "csv.gz"):
            return pd.read_csv(path, low_memory=False, **options)
        if fmt == "dta":
            return pd.read_stata(path, convert_categoricals=False, **options)
        if fmt == "json":
            return json.loads(path.read_text(encoding=options.get("encoding", "utf-8")))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError, ValueError, OSError) as exc:
        raise MalformedDataError(
            f"{path}: cannot parse as {fmt} ({type(exc).__name__}: {exc}). The file may be truncated or "
            f"corrupted; re-fetch it with `peacewatch sources fetch {key}`."
        ) from exc
    raise MalformedDataError(f"{path}: format {fmt!r} is not supported ({', '.join(FORMATS)})")


@dataclass(frozen=True)
class Shape:
    """A table's row count and missing columns against the catalog's assertions."""

    rows: int
    expected_rows: int | None
    missing_columns: list[str]
    checked_columns: int

    @property
    def rows_ok(self) -> bool:
        return self.expected_rows is None or self.rows == self.expected_rows


def shape_of(table: pd.DataFrame, rows: int | None, columns: list[str]) -> Shape:
    """Compare ``table`` with the expected row count (``None``: unchecked) and ``columns``."""
    missing = [c for c in columns if c not in table.columns]
    return Shape(len(table), rows, missing, len(columns))


def require_shape(table: pd.DataFrame, path: Path, key: str, rows: int | None, columns: list[str]) -> None:
    """Raise :class:`MalformedDataError` (naming the file and the fix) when the shape is not as catalogued."""
    shape = shape_of(table, rows, columns)
    if shape.missing_columns:
        raise MalformedDataError(
            f"{path}: columns {shape.missing_columns} expected by sources/{key}.yml are missing (found "
            f"{list(table.columns)[:12]}...). Is this the right file or release?"
        )
    if not shape.rows_ok:
        hint = " The file looks truncated;" if shape.rows < (rows or 0) else ""
        raise MalformedDataError(
            f"{path}: {shape.rows} data rows, the catalog expects {rows}.{hint} re-fetch it with "
            f"`peacewatch sources fetch {key}`."
        )
