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

import pandas as pd

from peacewatch.models.density import mission_density_table
from peacewatch.models.deployment_risk import predict_observed
from peacewatch.registry import operations, publication


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


def true_and_published(frame: pd.DataFrame) -> pd.DataFrame:
    """A registry frame in the door's shape (published ``<column>`` beside its true ``raw_<column>``)
    turned into the shape the grades read: the true value in ``<column>``, what is published in
    ``<column>__published``; ``raw_<column>`` is kept (the suspension rule reads it)."""
    out = frame.astype({"tcc_ccode": "int64", "year": "int64"})
    shown = [c for c in out.columns if not c.startswith("raw_") and "__" not in c and c not in ("tcc_ccode", "year")]
    for col in shown:
        if f"raw_{col}" in out:
            out[f"{col}__published"] = out[col]
            out[col] = out[f"raw_{col}"]
    return out


def registry_counts(session, as_of=None, user=None) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Everything the TCC card reads from the registry, through this one function (and through the
    registry's published door, :mod:`peacewatch.registry.publication`).

    Returns ``(frame, missing)``: ``frame`` has one row per ``tcc_ccode, year`` with the **true**
    counts and shares the grades are computed on and, for each count, ``<column>__published``: the
    value as it may be shown. Without ``user`` (the public card) these are the closed years only:
    true counts as frozen at each year's close (:func:`~peacewatch.registry.publication.scorecard_frame`'s
    ``raw_`` columns), shown small-cell suppressed. With ``user``, an acting staff member (a
    :class:`peacewatch.registry.policy.Actor` of a coordinator or investigator, whose role the
    registry's policy checks: anyone else is refused with ``Forbidden``),
    they are the live counts of every year, the open one included, evaluated at ``as_of`` (default
    today: referrals count once their deadline has passed by then) and shown as they are
    (:func:`~peacewatch.registry.publication.staff_scorecard_frame`). A closed year is frozen at its
    close, so ``as_of`` does not change the public card (and never closes a year early).
    ``missing`` maps every registry component to the reason when the registry could not be read.
    """
    if user is None:
        out, why = from_registry(publication.scorecard_frame, session)
    else:
        user.require(operations.aggregates.tcc_scorecard_live)  # refused here, not shown as a reason

        def staff_scorecard_frame(_session):
            return user(operations.aggregates.tcc_scorecard_live, as_of=as_of)

        out, why = from_registry(staff_scorecard_frame, session)
    if out is None:
        return None, dict.fromkeys(REGISTRY_COMPONENTS, why)
    return true_and_published(out), {}


def from_registry(func: Callable, session, *args, **kwargs):
    """Read registry statistics: ``(result, None)``, or ``(None, reason)`` when the database fails
    (not migrated, unreachable); the reason is shown on every grade that needed the data."""
    try:
        return func(session, *args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - an outside database; the grades say why they lack its data
        return None, f"{name(func)} failed: {type(exc).__name__}: {exc}"
