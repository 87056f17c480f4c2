"""``peacewatch sources verify``: check every catalogued file's hash and the catalog's assertions."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from peacewatch.sources.catalog import Catalog
from peacewatch.sources.context import sha256_of
from peacewatch.sources.errors import PeacewatchDataError
from peacewatch.sources.reading import parse_file, shape_of


@dataclass
class FileCheck:
    """Outcome of verifying one file: ``problems`` is empty when everything holds."""

    source: str
    name: str
    path: str
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_file(catalog: Catalog, key: str, name: str) -> FileCheck:
    """Check one file: present, sha256, row count, columns, year bounds and unique keys."""
    record = catalog.file(key, name)
    path = catalog.data_root / record.path
    check = FileCheck(key, name, str(path))
    if not path.is_file():
        check.problems.append(f"missing: run `peacewatch sources fetch {key}` or set PEACEWATCH_DATA_DIR")
        return check
    actual = sha256_of(path)
    if actual != record.sha256:
        check.problems.append(f"sha256 {actual[:12]}... != catalog {record.sha256[:12]}...")
    else:
        check.checks.append("sha256")
    try:
        table = parse_file(path, record.format, record.read, key)
    except PeacewatchDataError as exc:
        check.problems.append(str(exc))
        return check
    if not isinstance(table, pd.DataFrame):
        return check
    a = record.assertions
    shape = shape_of(table, a.rows, a.columns)
    if a.rows is not None:
        (check.checks if shape.rows_ok else check.problems).append(f"rows {shape.rows} (expected {a.rows})")
    if shape.missing_columns:
        check.problems.append(f"missing columns {shape.missing_columns}")
    elif a.columns:
        check.checks.append(f"{shape.checked_columns} columns")
    if a.year is not None and a.year.column in table.columns:
        col = table[a.year.column]
        years = pd.to_datetime(col, errors="coerce").dt.year if a.year.date else pd.to_numeric(col, errors="coerce")
        lo, hi = years.min(), years.max()
        if lo == a.year.min and hi == a.year.max:
            check.checks.append(f"years {int(lo)}-{int(hi)}")
        else:
            check.problems.append(f"years {lo}-{hi} (expected {a.year.min}-{a.year.max})")
    if a.unique:
        dups = int(table.duplicated(a.unique).sum())
        (check.problems if dups else check.checks).append(
            f"{dups} duplicate {'+'.join(a.unique)}" if dups else f"unique {'+'.join(a.unique)}"
        )
    return check


def verify(catalog: Catalog, keys: list[str] | None = None) -> list[FileCheck]:
    """Verify every file of the given sources (default: all)."""
    keys = keys or sorted(catalog.sources)
    return [verify_file(catalog, key, name) for key in keys for name in catalog.source(key).files]
