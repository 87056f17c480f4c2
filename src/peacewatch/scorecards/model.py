"""The objects a grade is made of: evidence, components, the deciding rule and the grade itself.

They are plain frozen dataclasses so that the web app can serialise them (``to_dict``) and tests can
compare them. They are built lazily by :func:`peacewatch.scorecards.engine.explain`; the vectorised
grading itself works on DataFrames.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

#: Tier labels from best to worst, as in the TIP Report.
TIERS = ("Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3")
#: Rank of each tier (0 best); used for caps and comparisons.
TIER_RANK = {t: i for i, t in enumerate(TIERS)}
NO_DATA = "No data"


@dataclass(frozen=True)
class Evidence:
    """One observed value a component rests on: where it comes from, for which year, what it is."""

    source: str
    year: int | None
    field: str
    value: object

    def __str__(self) -> str:
        return f"{self.source} {self.year}: {self.field} = {_fmt(self.value)}"


@dataclass(frozen=True)
class Component:
    """The score of one indicator for one unit-year.

    ``score`` is 0..10 (10 best) or ``None`` for no data; ``missing`` then says why (a missing input
    value or a missing upstream component such as a model that is not installed).
    """

    indicator: str
    title: str
    score: float | None
    weight: float
    evidence: tuple[Evidence, ...]
    explanation: str
    missing: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    """The rule that decided a grade: its id, kind, a sentence, and where it is written down."""

    id: str
    kind: str  # threshold | watch_list | cap | history | waiver | override | coverage
    text: str
    ruleset: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" ({self.ruleset}" + (f", line {self.line})" if self.line else ")")
        return f"[{self.kind}:{self.id}] {self.text}{where}"


@dataclass(frozen=True)
class Grade:
    """A grade of one unit (host state, TCC or mission) in one year, explaining itself in full.

    Attributes
    ----------
    card
        ``hosts``, ``tccs`` or ``missions``.
    key
        COW code (hosts, TCCs) or mission acronym (missions).
    score
        Weighted mean of the components with data (0..10), ``None`` below the coverage floor.
    coverage
        Share of the total weight carried by components with data.
    tier
        Final tier label (``Tier 1`` .. ``Tier 3``) or ``No data``.
    score_tier
        The tier the score alone gives (before Watch List, caps, history and overrides).
    decided_by
        The rule that fixed ``tier``.
    rules_applied
        Every rule that fired, in order (threshold first, the deciding rule last).
    """

    card: str
    key: str | int
    name: str
    year: int
    score: float | None
    coverage: float
    tier: str
    score_tier: str
    decided_by: Rule
    rules_applied: tuple[Rule, ...]
    components: tuple[Component, ...]
    ruleset: str
    ruleset_version: str
    missing_components: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def explain(self) -> str:
        """A plain-text explanation: score, tier, deciding rule, every component and its evidence."""
        score = "no data" if self.score is None else f"{self.score:.2f}"
        lines = [
            f"{self.name} ({self.key}), {self.year}: {self.tier} [score {score} / 10, coverage {self.coverage:.0%}]",
            f"ruleset {self.ruleset} v{self.ruleset_version}",
            f"decided by: {self.decided_by}",
        ]
        for r in self.rules_applied:
            if r != self.decided_by:
                lines.append(f"  also applied: {r}")
        lines.append("components:")
        for c in self.components:
            s = "no data" if c.score is None else f"{c.score:.2f}"
            lines.append(f"  - {c.indicator} (weight {c.weight:g}): {s}" + (f" — {c.missing}" if c.missing else ""))
            for e in c.evidence:
                lines.append(f"      evidence: {e}")
        for name, why in self.missing_components.items():
            lines.append(f"missing component {name}: {why}")
        return "\n".join(lines)


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "missing"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
