"""The objects a grade is made of: evidence, components, the deciding rule and the grade itself.

They are plain frozen dataclasses so that the web app can serialise them (``to_dict``) and tests can
compare them. They are built lazily by :func:`peacewatch.scorecards.engine.explain`; the vectorised
grading itself works on DataFrames.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

#: peacewatch's own grades, best to worst. They mirror the TIP Report's four levels (Tier 1, Tier 2,
#: Tier 2 Watch List, Tier 3) but carry their own names, so that a grade computed here is never
#: mistaken for a tier the State Department published.
GRADES = ("Grade A", "Grade B", "Grade B watch", "Grade C")
#: Rank of each grade (0 best); used for caps and comparisons.
GRADE_RANK = {g: i for i, g in enumerate(GRADES)}
#: The TIP Report's published labels, for showing the published tier beside a grade.
PUBLISHED_TIERS = ("Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3", "Special Case")


@dataclass(frozen=True)
class Evidence:
    """One observed value a component rests on: where it comes from, for which year, what it is."""

    source: str
    year: int | None
    field: str
    value: object
    #: True when the value comes from a secondary copy of the source (e.g. TIP tiers after 2015).
    secondary: bool = False
    #: True when the evidence is older than the graded year (e.g. a ratification known up to 2011).
    older: bool = False
    note: str = ""

    @property
    def flags(self) -> list[str]:
        """Marks a reader must see: ``secondary copy``, ``older than the graded year``."""
        return [m for m, on in (("secondary copy", self.secondary), ("older than the graded year", self.older)) if on]

    def __str__(self) -> str:
        marks = "".join(f" [{m}]" for m in self.flags)
        note = f" ({self.note})" if self.note else ""
        return f"{self.source} {self.year}: {self.field} = {_fmt(self.value)}{marks}{note}"


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
    grade
        Final grade (``Grade A``, ``Grade B``, ``Grade B watch``, ``Grade C``) or ``No data``.
    score_grade
        The grade the score alone gives (before watch criteria, caps, history and overrides).
    published_tier
        The tier the TIP Report published for the country that year (hosts and TCCs), or ``None``.
    published_tier_source
        Where ``published_tier`` comes from (``kelley_tip`` or ``tip_tiers_recent``, a secondary copy).
    decided_by
        The rule that fixed ``grade``.
    suspension
        TCCs: the suspension-recommendation criteria met (ids), with the counts behind them.
    rules_applied
        Every rule that fired, in order (threshold first, the deciding rule last).
    """

    card: str
    key: str | int
    name: str
    year: int
    score: float | None
    coverage: float
    grade: str
    score_grade: str
    decided_by: Rule
    rules_applied: tuple[Rule, ...]
    components: tuple[Component, ...]
    ruleset: str
    ruleset_version: str
    missing_components: dict[str, str] = field(default_factory=dict)
    published_tier: str | None = None
    published_tier_source: str | None = None
    suspension: dict = field(default_factory=dict)

    @property
    def tier(self) -> str:
        """Older name of :attr:`grade`."""
        return self.grade

    @property
    def score_tier(self) -> str:
        """Older name of :attr:`score_grade`."""
        return self.score_grade

    def to_dict(self) -> dict:
        return asdict(self)

    def explain(self) -> str:
        """A plain-text explanation: score, tier, deciding rule, every component and its evidence."""
        score = "no data" if self.score is None else f"{self.score:.2f}"
        lines = [
            f"{self.name} ({self.key}), {self.year}: {self.grade} [score {score} / 10, coverage {self.coverage:.0%}]"
            + (
                f"; published TIP tier: {self.published_tier}"
                + (" (secondary copy)" if self.published_tier_source == "tip_tiers_recent" else "")
                if self.published_tier
                else ""
            ),
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
        if self.suspension and not self.suspension.get("registry_data", True):
            lines.append("suspension of new deployments: no registry data for this unit-year")
        elif self.suspension:
            flagged = self.suspension.get("flagged")
            lines.append(
                f"suspension of new deployments: {'RECOMMENDED' if flagged else 'not recommended'}"
                + (f" ({', '.join(self.suspension.get('criteria_met', []))})" if flagged else "")
            )
            for k, v in self.suspension.get("counts", {}).items():
                lines.append(f"  {k}: {'small count, suppressed' if v is None else v}")
        for name, why in self.missing_components.items():
            lines.append(f"missing component {name}: {why}")
        return "\n".join(lines)


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "missing"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
