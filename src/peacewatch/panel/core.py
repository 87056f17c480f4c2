"""The :class:`Panel`: a country-year frame with chainable ``add_*`` verbs, lineage and citations.

Every verb adds columns and never rows; the merge is checked (the added frame must have one row per
country-year and the row count must not change), and the sources each verb read are recorded so that
``panel.lineage`` names each source version and file hash and ``panel.cite()`` returns their BibTeX.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from peacewatch.bounds import check_year_range, frame_years
from peacewatch.csvsafe import to_csv as safe_csv
from peacewatch.panel.universe import country_years
from peacewatch.panel.verbs.monthly import check_rule
from peacewatch.panel.verbs.registry import ALL_NAMES, VERBS, Verb, apply, verb
from peacewatch.panel.verbs.un_deployments import STARTS
from peacewatch.resources import package_path
from peacewatch.sources.context import SourceContext
from peacewatch.sources.crosswalk import OVERRIDES
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import DuplicateKeyError
from peacewatch.sources.loaders.bara_hultman import FAMILIES

KEYS = ["ccode", "year"]
#: Columns naming, per row, the public copy a value was transcribed from, and the source they belong
#: to: the lineage of that source lists the copies the panel actually uses.
COPY_COLUMNS = {"tip_tier_source_url": "tip_tiers_recent"}
#: Bump when any verb's logic changes, so cached verb outputs are rebuilt.
CACHE_VERSION = 3
#: Data files holding merge rules: editing one invalidates cached verb outputs.
RULE_FILES = tuple(package_path(*rule) for rule in (OVERRIDES, FAMILIES, STARTS))


@dataclass(frozen=True)
class Step:
    """One verb applied to the panel: its name, options, added columns and sources read."""

    verb: str
    options: dict[str, Any]
    columns: list[str]
    sources: list[str]


@dataclass(frozen=True)
class Panel:
    """A country-year panel. Build with :func:`create_country_years`, then chain ``add_*`` verbs.

    Attributes
    ----------
    df
        One row per ``ccode`` (COW) and ``year``.
    steps
        The verbs applied, in order, with the columns they added and the sources they read.
    """

    df: pd.DataFrame
    start: int
    end: int
    system: str
    ctx: SourceContext = field(repr=False)
    steps: tuple[Step, ...] = ()

    # ------------------------------------------------------------------ verbs
    # One ``add_*`` method per entry of peacewatch.panel.verbs.registry.VERBS is attached below the
    # class (``add_un_deployments``, ``add_trafficking``, ...), so the registry is the only list.
    def add(self, name: str, agg: str = "december") -> Panel:
        """Apply the verb called ``name`` in the registry (``un``, ``trafficking``, ...); ``agg`` is the
        monthly-to-yearly rule of the verbs that have one (december, mean or max)."""
        spec = verb(name)
        if spec.monthly:
            check_rule(agg)
        options = {"agg": agg} if spec.monthly else {}
        return self._add(spec.method, options, list(spec.sources), lambda ctx, years: apply(ctx, spec, years, agg))

    def add_all(self, agg: str = "december") -> Panel:
        """Apply every verb of the registry marked ``in_all``, in its order (the full panel)."""
        panel = self
        for name in ALL_NAMES:
            panel = panel.add(name, agg)
        return panel

    def _add(
        self,
        verb: str,
        options: dict[str, Any],
        sources: list[str],
        make: Callable[[SourceContext, pd.DataFrame], pd.DataFrame],
    ) -> Panel:
        params = {
            "verb": verb,
            "options": options,
            "start": self.start,
            "end": self.end,
            "system": self.system,
            "v": CACHE_VERSION,
        }
        added = self.ctx.cached_derived(
            verb, [*sources, "countrycode", "state_lists"], params, lambda: make(self.ctx, self.df[KEYS]), RULE_FILES
        )
        new_cols = [c for c in added.columns if c not in KEYS]
        clash = [c for c in new_cols if c in self.df.columns]
        if clash:
            raise ValueError(f"{verb}: columns {clash} are already in the panel (was {verb} applied twice?)")
        dup = added[added.duplicated(KEYS, keep=False)]
        if len(dup):
            raise DuplicateKeyError(
                f"{verb}: the data to merge has duplicate country-years "
                f"{dup[KEYS].drop_duplicates().values.tolist()[:10]}; "
                "a source maps two units onto one COW code (see country_overrides.yml)"
            )
        merged = self.df.merge(added, on=KEYS, how="left", validate="one_to_one")
        if len(merged) != len(self.df):  # validate= makes this unreachable; kept as the invariant
            raise AssertionError(f"{verb} changed the number of rows")
        step = Step(verb, options, new_cols, [*sources, "countrycode"])
        return replace(self, df=merged, steps=(*self.steps, step))

    # ------------------------------------------------------------------ provenance
    @property
    def sources_used(self) -> list[str]:
        """Catalog keys of every source the panel read (state list and crosswalk included)."""
        keys = {"state_lists", "countrycode"}
        for step in self.steps:
            keys.update(step.sources)
        return sorted(keys)

    @property
    def lineage(self) -> list[dict[str, Any]]:
        """Source key, title, version and the sha256 of each file read, per source used; for a source
        transcribed from public copies (``tip_tiers_recent``) also the ``copies`` (URLs) in the panel."""
        out = self.ctx.lineage(self.sources_used)
        for col, key in COPY_COLUMNS.items():
            if col in self.df.columns:
                urls = sorted(str(u) for u in self.df[col].dropna().unique())
                for entry in out:
                    if entry["source"] == key:
                        entry["copies"] = urls
        return out

    def cite(self) -> str:
        """BibTeX entries of every source the panel used."""
        entries = [self.ctx.catalog.source(k).citation.strip() for k in self.sources_used]
        return "\n\n".join(entries) + "\n"

    # ------------------------------------------------------------------ output
    def to_csv(self, path: str | Path) -> Path:
        """Write the panel as CSV; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        safe_csv(self.df, path, index=False)
        return path

    def to_parquet(self, path: str | Path) -> Path:
        """Write the panel as Parquet; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.df.to_parquet(path, index=False)
        return path

    def to_datapackage(self, directory: str | Path, name: str = "peacewatch-panel") -> Path:
        """Write a Frictionless data package (CSV + ``datapackage.json`` with provenance)."""
        from peacewatch.panel.export import write_datapackage

        return write_datapackage(self, Path(directory), name)

    def summary(self) -> dict[str, Any]:
        """Short description: shape, years, verbs and non-missing counts per added column."""
        added = [c for s in self.steps for c in s.columns]
        return {
            "rows": len(self.df),
            "countries": int(self.df["ccode"].nunique()),
            "years": [self.start, self.end],
            "system": self.system,
            "verbs": [s.verb for s in self.steps],
            "non_missing": {c: int(self.df[c].notna().sum()) for c in added},
            "sources": [f"{x['source']} {x['version']}" for x in self.lineage],
        }


def _verb_method(spec: Verb) -> Callable[..., Panel]:
    """The ``Panel.add_*`` method of one registry entry (with ``agg`` for verbs with a monthly rule)."""

    def monthly(self: Panel, agg: str = "december") -> Panel:
        return self.add(spec.name, agg)

    def yearly(self: Panel) -> Panel:
        return self.add(spec.name)

    method = monthly if spec.monthly else yearly
    method.__name__ = method.__qualname__ = spec.method
    method.__doc__ = spec.doc
    return method


for _spec in VERBS:
    setattr(Panel, _spec.method, _verb_method(_spec))


def create_country_years(
    start: int = 1990, end: int = 2025, system: str = "cow", ctx: SourceContext | None = None
) -> Panel:
    """Start a panel: every member of the state system ``system`` ("cow" or "gw") in each year.

    Parameters
    ----------
    start, end
        First and last calendar year (inclusive).
    system
        ``"cow"`` (Correlates of War, default) or ``"gw"`` (Gleditsch-Ward); the key is always the COW
        code ``ccode`` so that every source can be merged.
    ctx
        Source context (catalog, data dir, cache); default: the environment's.

    Examples
    --------
    >>> panel = create_country_years(2001, 2011).add_un_deployments().add_trafficking()  # doctest: +SKIP
    """
    check_year_range(start, end, frame_years(), ("start", "end"))  # before the cache is consulted
    ctx = ctx or default_context()
    params = {"start": start, "end": end, "system": system, "v": CACHE_VERSION}
    frame = ctx.cached_derived(
        "country_years",
        ["state_lists", "countrycode"],
        params,
        lambda: country_years(ctx, start, end, system),
        RULE_FILES,
    )
    return Panel(df=frame, start=start, end=end, system=system, ctx=ctx)
