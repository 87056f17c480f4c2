"""The list of panel verbs, in one place: :class:`~peacewatch.panel.core.Panel` (its ``add_*``
methods and ``add_all``), :func:`~peacewatch.panel.build.build_panel` and ``peacewatch panel build
--add`` all read :data:`VERBS`.

A new verb is a module in this folder with a function ``(ctx, years, **options) -> frame`` of new
columns keyed by ``ccode, year``, plus one :class:`Verb` entry below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from peacewatch.panel.verbs.controls import controls
from peacewatch.panel.verbs.democracy import democracy
from peacewatch.panel.verbs.nonun_deployments import nonun_deployments
from peacewatch.panel.verbs.trafficking import trafficking
from peacewatch.panel.verbs.un_deployments import un_deployments
from peacewatch.panel.verbs.us_deployments import us_deployments
from peacewatch.sources.context import SourceContext


@dataclass(frozen=True)
class Verb:
    """One panel verb.

    Attributes
    ----------
    name
        Its name on the command line (``peacewatch panel build --add un``).
    method
        The :class:`~peacewatch.panel.core.Panel` method that applies it (``add_un_deployments``).
    make
        ``make(ctx, years, **options)`` returns the new columns for the ``ccode, year`` rows of ``years``.
    sources
        Catalog keys the verb reads (recorded in the panel's lineage and citations).
    monthly
        The verb takes the monthly-to-yearly rule ``agg`` (december, mean or max).
    doc
        The method's docstring.
    in_all
        Applied by ``add_all()`` (so in ``peacewatch run``, the shared panel of the pages, scorecards
        and models, and ``panel build`` without ``--add``). No default: a new verb opts in knowingly,
        since joining the full panel changes the main job and the scorecards' inputs.
    """

    name: str
    method: str
    make: Callable[..., pd.DataFrame]
    sources: tuple[str, ...]
    monthly: bool
    doc: str
    in_all: bool


VERBS: tuple[Verb, ...] = (
    Verb(
        "un",
        "add_un_deployments",
        un_deployments,
        ("ipi_missions",),
        True,
        "Add UN deployments per host country-year from IPI (troops, police, observers, personnel, "
        "number of TCCs, missions, duration); ``agg``: ``december`` (default), ``mean`` or ``max``.",
        in_all=True,
    ),
    Verb(
        "nonun",
        "add_nonun_deployments",
        nonun_deployments,
        ("bara_hultman",),
        True,
        "Add non-UN deployments (all, NATO, EU, AU) per host country-year from Bara & Hultman; "
        "``agg`` as for UN deployments.",
        in_all=True,
    ),
    Verb(
        "us",
        "add_us_deployments",
        us_deployments,
        ("troopdata",),
        False,
        "Add US active-duty personnel per host country-year from troopdata (DMDC reports, 1950-2024): "
        "``us_troops`` (United States excluded), ``us_deployed`` (0/1), ``ln_us_troops`` (log1p).",
        in_all=True,
    ),
    Verb(
        "trafficking",
        "add_trafficking",
        trafficking,
        ("hti", "kelley_tip", "tip_tiers_recent"),
        False,
        "Add HTI trafficking flows/types, TIP tiers (Watch List and special cases distinct; 2001-2015 "
        "from Kelley, 2020-2025 from secondary copies, with ``tip_tier_source``), Cho 3P, "
        "criminalisation and Palermo protocol status.",
        in_all=True,
    ),
    Verb(
        "democracy",
        "add_democracy",
        democracy,
        ("polity5", "freedom_house"),
        False,
        "Add Polity5 polity2/polity and Freedom House PR, CL and status.",
        in_all=True,
    ),
    Verb(
        "controls",
        "add_controls",
        controls,
        ("wdi_population", "wdi_gdppc", "cow_nmc", "ucdp_acd"),
        False,
        "Add population, GDP per capita (and logs) and UCDP/PRIO conflict presence/intensity.",
        in_all=True,
    ),
)

#: Verbs by command-line name.
BY_NAME: dict[str, Verb] = {verb.name: verb for verb in VERBS}
#: Command-line names of every verb, in registry order.
NAMES: tuple[str, ...] = tuple(BY_NAME)
#: The verbs ``add_all`` applies (those with ``in_all``), in that order.
ALL_NAMES: tuple[str, ...] = tuple(verb.name for verb in VERBS if verb.in_all)


def verb(name: str) -> Verb:
    """The verb called ``name`` (command-line name), or :class:`ValueError` listing the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown panel verb {name!r}; choose from {', '.join(NAMES)}") from None


def apply(ctx: SourceContext, spec: Verb, years: pd.DataFrame, agg: str) -> pd.DataFrame:
    """Run ``spec`` on ``years`` (passing ``agg`` only to verbs with a monthly rule)."""
    return spec.make(ctx, years, agg) if spec.monthly else spec.make(ctx, years)
