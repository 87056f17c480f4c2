"""Outcome datasets the user supplies (``supplied_sources.yml``): the Global Slavery Index and Cho's
own release of the 3P index (to 2015).

A formula that names one of their columns (``gsi_prevalence`` ...) gets them merged onto the panel by
``ccode, year`` (:func:`peacewatch.models.data.with_variables`); when no file is in the data
directory the error says where to put which file and where to download it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from peacewatch.memo import memoize
from peacewatch.models.errors import ModelError
from peacewatch.resources import load_yaml

SUPPLIED = ("peacewatch.models", "supplied_sources.yml")
#: Column -> key of its source in ``supplied_sources.yml``.
SUPPLIED_COLUMNS = {
    "gsi_prevalence": "gsi",
    "gsi_victims": "gsi",
    "gsi_vulnerability": "gsi",
    "gsi_response": "gsi",
    "cho_p3_overall": "p3",
    "cho_p3_prosecution": "p3",
    "cho_p3_protection": "p3",
    "cho_p3_prevention": "p3",
}


class SuppliedDataMissingError(ModelError):
    """A specification needs a dataset the user has not supplied yet (``key`` names it in ``supplied_sources.yml``)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def supplied_sources() -> dict[str, dict[str, Any]]:
    """The provenance entries of ``supplied_sources.yml`` by key."""
    return dict(load_yaml(*SUPPLIED))


def missing_message(key: str, *, absolute: bool = True) -> str:
    """Where to put which file of ``key`` and where to get it (one line).

    ``absolute=False`` names the files relative to the data directory: the form for pages others read
    (the models report, the web app), which must not show where the server keeps its data."""
    from peacewatch.sources.catalog import data_dir

    src = supplied_sources()[key]
    paths = ", ".join(str(data_dir() / f["path"]) if absolute else str(f["path"]) for f in src["files"])
    where = "as one of" if absolute else "in the data directory as one of"
    return (
        f"{src['title']} is not in the data directory: download it from {src['homepage']} "
        f"({src['publisher']}; {src['license'].strip()}) and save it {where} {paths}"
    )


@memoize(maxsize=4)
def supplied_frame(key: str) -> pd.DataFrame:
    """The supplied dataset ``key`` by ``ccode, year`` (cached in-process); raises
    :class:`SuppliedDataMissingError` when none of its files is there."""
    from peacewatch.sources.catalog import data_dir, resolve_loader
    from peacewatch.sources.defaults import default_context

    src = supplied_sources()[key]
    loader = resolve_loader(src["loader"], Path(str(SUPPLIED[1])))
    frame = loader(src["files"], data_dir(), default_context().crosswalk)
    if frame.empty:
        raise SuppliedDataMissingError(missing_message(key), key)
    return frame


def with_supplied(df: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """``df`` with the supplied columns that ``variables`` name (or their ``lag_``) merged by ``ccode, year``."""
    bases = {v.removeprefix("lag_") for v in variables}
    keys = sorted({SUPPLIED_COLUMNS[b] for b in bases if b in SUPPLIED_COLUMNS and b not in df.columns})
    for key in keys:
        frame = supplied_frame(key)
        cols = [c for c, k in SUPPLIED_COLUMNS.items() if k == key and c in frame.columns and c not in df.columns]
        df = df.merge(frame[["ccode", "year", *cols]], on=["ccode", "year"], how="left", validate="many_to_one")
    return df
