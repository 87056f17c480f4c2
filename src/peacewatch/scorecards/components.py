"""The upstream components the scorecards read: the models and the registry's statistics.

They are imported directly, so a renamed or missing function fails at import (and in every test),
never silently as "no data". Each component is named by its dotted path (:func:`name`): that name is
the key of ``missing_components`` and is shown on every grade whose indicators depend on it.

Only the registry is optional at run time: it is an outside resource (a database) that may be not
connected, empty of tables, or failing. :func:`from_registry` turns its failure into a reason that
the grades show; the models are part of the package and their errors propagate.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from peacewatch.models.density import mission_density_table
from peacewatch.models.deployment_risk import predict_observed
from peacewatch.registry.stats import (
    compliance_by_nation,
    published_compliance_by_nation,
    published_training_completion,
    training_completion,
)
from peacewatch.scorecards.registry_events import published_tcc_events, tcc_events


def name(func: Callable) -> str:
    """The component's public name: its dotted path (``peacewatch.models.deployment_risk.predict_observed``)."""
    return f"{func.__module__}.{func.__qualname__}"


#: Predicted destination risk of every country-year (host and mission cards).
RISK_MODEL = name(predict_observed)
#: Democratic density of every mission-year (mission card).
DENSITY = name(mission_density_table)
#: Registry counts by the year each event happened (TCC card).
REGISTRY_STATS = name(tcc_events)
#: Pre-deployment training completion per nation-year (TCC card).
TRAINING_STATS = name(training_completion)
#: National compliance reports per nation-year (TCC card).
COMPLIANCE_STATS = name(compliance_by_nation)

def training_true(session, as_of=None) -> pd.DataFrame:  # noqa: ARG001 - one signature for every table
    """Training completion per nation-year, true counts (completions dated within the year)."""
    return training_completion(session, at_period_end=True)


def training_published(session, as_of=None) -> pd.DataFrame:
    """Training completion as the registry publishes it (ended years, small cells suppressed)."""
    return published_training_completion(session, as_of=as_of)


def compliance_true(session, as_of=None) -> pd.DataFrame:  # noqa: ARG001 - one signature for every table
    """National compliance reports per nation-year, every year."""
    return compliance_by_nation(session)


def compliance_published(session, as_of=None) -> pd.DataFrame:
    """National compliance reports as the registry publishes them (ended years)."""
    return published_compliance_by_nation(session, as_of=as_of)


#: registry statistics the TCC card reads: (component, true-count function, published function, key
#: column, columns kept). Grades are computed on the true counts; only the published ones are shown.
REGISTRY_TABLES = (
    (REGISTRY_STATS, tcc_events, published_tcc_events, "tcc_ccode",
     ["allegations", "referrals_made", "referrals", "referrals_answered", "referrals_awaiting_outcome", "outcomes",
      "outcomes_due", "prosecutions", "referrals_overdue"]),
    (TRAINING_STATS, training_true, training_published, "nation_ccode", ["completion_rate"]),
    (COMPLIANCE_STATS, compliance_true, compliance_published, "nation_ccode", ["compliance_score", "provisions_reported"]),
)


def registry_counts(session, as_of=None) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Everything the TCC card reads from the registry, through this one function.

    Returns ``(frame, missing)``: ``frame`` has one row per ``tcc_ccode, year`` with the **true**
    counts and shares the grades are computed on (column names as in :data:`REGISTRY_TABLES`) and,
    for each, ``<column>__published``: the value as the registry publishes it (small cells
    suppressed), which is what every output shows. ``missing`` maps a table the registry could not
    give to the reason. ``as_of`` is the date the current year is evaluated at (default today).
    """
    parts, missing = [], {}
    for component, true_fn, published_fn, key, cols in REGISTRY_TABLES:
        true, why = from_registry(true_fn, session, as_of=as_of)
        shown, why_published = from_registry(published_fn, session, as_of=as_of)
        if true is None or shown is None:
            missing[component] = why or why_published or "no data"
            continue
        for df, suffix in ((true, ""), (shown, "__published")):
            df = df.rename(columns={key: "tcc_ccode"})[["tcc_ccode", "year", *cols]]
            df = df.astype({"tcc_ccode": "int64", "year": "int64"}).set_index(["tcc_ccode", "year"])
            parts.append(df.add_suffix(suffix))
    if not parts:
        return None, missing
    return pd.concat(parts, axis=1).reset_index(), missing


def from_registry(func: Callable, session, *args, **kwargs):
    """Read registry statistics: ``(result, None)``, or ``(None, reason)`` when the database fails
    (not migrated, unreachable); the reason is shown on every grade that needed the data."""
    try:
        return func(session, *args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - an outside database; the grades say why they lack its data
        return None, f"{name(func)} failed: {type(exc).__name__}: {exc}"
