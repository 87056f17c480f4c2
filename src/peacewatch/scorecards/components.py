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

#: registry statistics the TCC card reads: (component, published function, key column, columns kept)
REGISTRY_TABLES = (
    (REGISTRY_STATS, published_tcc_events, "tcc_ccode",
     ["allegations", "referrals_made", "referrals", "referrals_answered", "referrals_awaiting_outcome", "outcomes",
      "outcomes_due", "prosecutions", "referrals_overdue"]),
    (TRAINING_STATS, published_training_completion, "nation_ccode", ["completion_rate"]),
    (COMPLIANCE_STATS, published_compliance_by_nation, "nation_ccode", ["compliance_score", "provisions_reported"]),
)


def from_registry(func: Callable, session, *args, **kwargs):
    """Read registry statistics: ``(result, None)``, or ``(None, reason)`` when the database fails
    (not migrated, unreachable); the reason is shown on every grade that needed the data."""
    try:
        return func(session, *args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - an outside database; the grades say why they lack its data
        return None, f"{name(func)} failed: {type(exc).__name__}: {exc}"
