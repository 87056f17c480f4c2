"""Results of :mod:`peacewatch.models` and :mod:`peacewatch.scorecards`, computed once and kept.

The web app only calls those modules (imported directly: a renamed function fails at start-up and in
the tests, never as a page without data); nothing is computed here.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

import pandas as pd

from peacewatch.memo import Memo
from peacewatch.models.density import mission_density_table
from peacewatch.models.deployment_risk import default_model, fit_all, predict_observed, predict_planned
from peacewatch.models.plots import marginal_effect_of_size, predicted_risk_curve
from peacewatch.models.specs import term_labels
from peacewatch.models.tables import glance_models, regression_frame, tidy_models
from peacewatch.scorecards.engine import explain, grade_table, missing_components
from peacewatch.web.data import DataStore

if TYPE_CHECKING:  # the registry (and SQLAlchemy) load only when a scorecard needs its statistics
    from peacewatch.registry.service import Registry


class AnalysisCache:
    """Lazily computed model and scorecard results shared by all requests of one app."""

    def __init__(self, store: DataStore):
        self.store = store
        #: Everything computed here, by key (one lock per key: a slow table being built does not
        #: block pages needing another one).
        self.memo = Memo("web.analysis")
        #: Slow computations run by :meth:`warm_in_background` (the app adds the scorecards and models).
        self.warmers: list = [self.risk_observed, self.density_table]

    def warm_in_background(self) -> threading.Thread:
        """Compute the slow tables (mission density, observed risk) without blocking start-up."""

        def work():
            for fn in self.warmers:
                with contextlib.suppress(Exception):  # a page shows the error when it asks again
                    fn()

        t = threading.Thread(target=work, name="peacewatch-warm", daemon=True)
        t.start()
        return t

    # ----------------------------------------------------------------- density
    def density_table(self) -> pd.DataFrame:
        """Democratic density of every mission-year (:func:`models.density.mission_density_table`)."""
        years = range(self.store.year_range[0], self.store.year_range[1] + 1)
        return self.memo.get("density", lambda: mission_density_table(years))

    def mission_density(self, mission: str) -> pd.DataFrame:
        """Density rows of one mission; uses the full table when it is ready, else computes one."""
        full = self.memo.peek("density")
        if full is None:
            years = range(self.store.year_range[0], self.store.year_range[1] + 1)
            return self.memo.get(("density", mission.upper()), lambda: mission_density_table(years, missions=[mission]))
        return full[full["mission"].str.upper() == mission.upper()]

    # ----------------------------------------------------------------- risk
    def risk_observed(self) -> pd.DataFrame:
        """Predicted destination risk of every country-year with its interval."""
        return self.memo.get("risk", lambda: predict_observed(self.store.panel_df))

    def country_risk(self, ccode: int) -> list[dict]:
        """Records ``ccode, year, risk, risk_lo, risk_hi`` of one country (memoised)."""
        from peacewatch.web.data import records

        r = self.risk_observed()
        return self.memo.get(("risk", ccode), lambda: records(r[r["ccode"] == ccode].sort_values("year")))


# ---------------------------------------------------------------------------------- scorecards
class ScorecardCache:
    """Calls :mod:`peacewatch.scorecards` with the registry's published TCC statistics (closed years).

    The scorecard engine caches by the identity of the ``registry`` argument, so the same
    DataFrame object is passed again for as long as the registry's statistics do not change.
    """

    #: Seconds the registry's published TCC statistics are reused before asking the database again:
    #: the query costs tens of milliseconds and every TCC scorecard request needs it; published
    #: aggregates a few seconds old are fine for a public scorecard.
    REGISTRY_TTL = 5.0

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._accountability: pd.DataFrame | None = None
        self._checked_at = float("-inf")
        #: card -> (registry frame the table was graded with, full table, memo of derived page data)
        self._tables: dict[str, tuple[Any, pd.DataFrame, Memo]] = {}

    def _registry_frame(self, card: str):
        if card != "tccs":
            return None
        import time

        from peacewatch.registry.publication import scorecard_frame

        with self._lock:
            if self._accountability is not None and time.monotonic() - self._checked_at < self.REGISTRY_TTL:
                return self._accountability
        with self.registry.session(read_only=True) as s:  # a year due to close is closed in its own write
            # the registry's published door: closed years only, small cells suppressed, and their
            # frozen true counts for the grades (the open year is for staff: see publication.live)
            fresh = scorecard_frame(s)
        with self._lock:
            self._checked_at = time.monotonic()
            if self._accountability is None or not self._accountability.equals(fresh):
                self._accountability = fresh
            return self._accountability

    def _entry(self, card: str) -> tuple[Any, pd.DataFrame, Memo]:
        frame = self._registry_frame(card)
        with self._lock:
            entry = self._tables.get(card)
        if entry is None or entry[0] is not frame:
            entry = (frame, grade_table(card, None, registry=frame), Memo(f"web.scorecards.{card}"))
            with self._lock:
                self._tables[card] = entry
        return entry

    def table(self, card: str, year: int | None = None) -> pd.DataFrame:
        """``scorecards.grade_table`` of ``card`` (all years, or one); do not modify the result."""
        table = self._entry(card)[1]
        return table if year is None else table[table["year"] == year]

    def keys(self, card: str) -> set[str]:
        """Upper-case keys graded on ``card`` in any year. Which units a card grades does not depend
        on the registry, so the last table serves (no registry query: this feeds links on pages)."""
        with self._lock:
            entry = self._tables.get(card)
        entry = entry or self._entry(card)
        return entry[2].get("keys", lambda: set(entry[1]["key"].astype(str).str.upper()))

    def memo(self, card: str) -> Memo:
        """A memo that lives as long as the card's current grades (for derived page data)."""
        return self._entry(card)[2]

    def explain(self, card: str, key, year: int):
        """``scorecards.explain``: one grade with components and evidence."""
        return explain(card, key, year, registry=self._registry_frame(card))

    def missing(self, card: str) -> dict[str, str]:
        return missing_components(card, registry=self._registry_frame(card))


# ---------------------------------------------------------------------------------- risk model
class ModelCache:
    """Fitted deployment-risk specifications, their tables and effect curves (computed once)."""

    def __init__(self, analysis: AnalysisCache):
        self.memo = analysis.memo

    def models(self) -> list:
        return self.memo.get("models", fit_all)

    def default(self):
        return self.memo.get("default_model", default_model)

    def regression(self) -> pd.DataFrame:
        """Side-by-side coefficient table of all specifications (``models.tables.regression_frame``)."""
        return self.memo.get(
            "regression", lambda: regression_frame(self.models(), labels=_unique_labels(term_labels(), self.models()))
        )

    def tidy(self) -> pd.DataFrame:
        return self.memo.get("tidy", lambda: tidy_models(self.models()))

    def glance(self) -> pd.DataFrame:
        return self.memo.get("glance", lambda: glance_models(self.models()))

    def marginal_effect(self, by: str) -> pd.DataFrame:
        return self.memo.get(("me", by), lambda: marginal_effect_of_size(self.default(), by=by))

    def risk_curve(self) -> pd.DataFrame:
        return self.memo.get("curve", lambda: predicted_risk_curve(self.default()))

    def base_rate(self) -> dict:
        """Share of the default model's estimation country-years that are destinations (computed from
        the sample the model was fitted on): ``share``, ``events``, ``n``, ``years``."""

        def make():
            m = self.default()
            y = m.data[m.spec.outcome]
            return {
                "share": float(y.mean()),
                "events": int(y.sum()),
                "n": int(len(y)),
                "years": f"{m.spec.years[0]}-{m.spec.years[1]}",
            }

        return self.memo.get("base_rate", make)

    def predict_planned(self, personnel: float, duration: float, tccs: int, **controls) -> dict:
        return predict_planned(personnel, duration, tccs, **controls)


def _unique_labels(labels: dict[str, str], models: list) -> dict[str, str]:
    """Term labels with the term appended where two terms in the table share a label.

    ``regression_frame`` keys its rows by label, so two terms with one label (the lagged and the
    contemporaneous interaction are both "UN personnel x duration") would overwrite each other.
    """
    terms = {t for m in models for t in m.params.index}
    seen: dict[str, list[str]] = {}
    for t in terms:
        seen.setdefault(labels.get(t, t), []).append(t)
    out = dict(labels)
    for label, ts in seen.items():
        if len(ts) > 1:
            for t in ts:
                out[t] = f"{label} ({'t-1' if 'lag_' in t else 't'})"
    return out
