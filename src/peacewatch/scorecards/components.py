"""The upstream components the scorecards read: the models and the registry's published statistics.

They are imported directly, so a renamed or missing function fails at import (and in every test),
never silently as "no data". Each component is named by its dotted path (:func:`name`): that name is
the key of ``missing_components`` and is shown on every grade whose indicators depend on it.

The registry is read only through its published door, :mod:`peacewatch.registry.publication`
(closed years, small cells suppressed, plus the frozen true counts the grades decide on).

Only the registry is optional at run time: it is an outside resource (a database) that may be not
connected, empty of tables, or failing. :func:`from_registry` turns its failure into a reason that
the grades show; the models are part of the package and their errors propagate.
"""

from __future__ import annotations

from collections.abc import Callable

from peacewatch.models.density import mission_density_table
from peacewatch.models.deployment_risk import predict_observed
from peacewatch.registry import publication


def name(func: Callable) -> str:
    """The component's public name: its dotted path (``peacewatch.models.deployment_risk.predict_observed``)."""
    return f"{func.__module__}.{func.__qualname__}"


#: Predicted destination risk of every country-year (host and mission cards).
RISK_MODEL = name(predict_observed)
#: Democratic density of every mission-year (mission card).
DENSITY = name(mission_density_table)


def published_table(table: str) -> str:
    """The component name of one of the registry's published tables."""
    return f"{name(publication.published)}({table!r})"


#: Registry counts by the year each event happened (TCC card).
REGISTRY_STATS = published_table("tcc_events")
#: Pre-deployment training completion per nation-year (TCC card).
TRAINING_STATS = published_table("training")
#: National compliance reports per nation-year (TCC card).
COMPLIANCE_STATS = published_table("compliance")
#: Every registry component of the TCC card (all come from one read of the published door).
REGISTRY_COMPONENTS = (REGISTRY_STATS, TRAINING_STATS, COMPLIANCE_STATS)


def from_registry(func: Callable, session, *args, **kwargs):
    """Read registry statistics: ``(result, None)``, or ``(None, reason)`` when the database fails
    (not migrated, unreachable); the reason is shown on every grade that needed the data."""
    try:
        return func(session, *args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - an outside database; the grades say why they lack its data
        return None, f"{name(func)} failed: {type(exc).__name__}: {exc}"
