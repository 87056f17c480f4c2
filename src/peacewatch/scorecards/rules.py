"""Rule sets: weights, thresholds, Watch List criteria, caps, tier-history rules, waivers, overrides.

A rule set is a versioned YAML file (``rulesets/<name>.yml``) validated with pydantic. The YAML is
parsed keeping the line of every key and list item, so a refusal names the file, the line, the field
and how to fix it, e.g.::

    hosts.yml:14: indicators[2].weight: 'high' is not a number. Give the weight as a number, e.g. 2 or 0.5

Refused: unknown keys, unknown indicators (for the card), weights that are not positive numbers,
thresholds that overlap or leave gaps in 0..10, grades that do not exist (peacewatch's grades are
``Grade A``, ``Grade B``, ``Grade B watch``, ``Grade C``; TIP tier names are refused), fallbacks that are also
primary indicators, duplicate waivers or overrides.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peacewatch.errors import PeacewatchError
from peacewatch.memo import memoize
from peacewatch.resources import package_path
from peacewatch.scorecards.indicators import CARDS, indicators
from peacewatch.scorecards.model import GRADE_RANK, GRADES

RULESET_DIR = package_path("peacewatch.scorecards", "rulesets")
Score = Annotated[float, Field(ge=0.0, le=10.0)]


class RuleSetError(PeacewatchError, ValueError):
    """A rule-set file was refused; the message names the file, line and field and says how to fix it."""

    def __init__(self, path: str, line: int | None, field: str, problem: str, fix: str = ""):
        self.path, self.line, self.field, self.problem, self.fix = path, line, field, problem, fix
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {problem}" + (f". {fix}" if fix else ""))


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class IndicatorRule(_Strict):
    id: str
    weight: Annotated[float, Field(gt=0.0)]
    fallback: list[str] = []


GradeName = Literal["Grade A", "Grade B", "Grade B watch", "Grade C"]


class Threshold(_Strict):
    grade: Literal["Grade A", "Grade B", "Grade C"]
    min: Score
    max: Score


class WatchListCriterion(_Strict):
    id: str
    text: str
    indicator: str | None = None
    change_below: float | None = None
    score_below: Score | None = None


class WatchList(_Strict):
    applies_to: Literal["Grade B"] = "Grade B"
    criteria: list[WatchListCriterion] = []


class Cap(_Strict):
    id: str
    text: str
    indicator: str
    score_below: Score
    max_grade: GradeName


class Waiver(_Strict):
    key: int | str
    year: int
    name: str = ""
    reason: str = ""


class History(_Strict):
    """Automatic downgrade: a unit on watch (Grade B watch; on the TIP Report's Watch List when replaying
    published tiers) for ``watch_list_years`` consecutive years (counting from ``from_year``) goes to
    the lowest level unless a waiver is recorded; at most ``max_waivers`` consecutive waivers (TVPRA
    2008, applied from the 2009 TIP report)."""

    automatic_downgrade: bool = True
    from_year: int = 2009
    watch_list_years: Annotated[int, Field(ge=1)] = 2
    max_waivers: Annotated[int, Field(ge=0)] = 2
    waivers: list[Waiver] = []


class Override(_Strict):
    key: int | str
    year: int
    grade: GradeName
    reason: str


#: Registry counts a suspension criterion may read (see peacewatch.registry.events).
SUSPENSION_COUNTS = (
    "allegations",
    "referrals_made",
    "referrals_overdue",
    "referrals_answered",
    "outcomes",
    "outcomes_due",
    "prosecutions",
)
_Count = Literal[
    "allegations",
    "referrals_made",
    "referrals_overdue",
    "referrals_answered",
    "outcomes",
    "outcomes_due",
    "prosecutions",
]


class SuspensionCriterion(_Strict):
    """Met when ``count`` (summed over the window when ``window`` is true, else the value at the end
    of the graded year) is at least ``at_least``; if ``per_1000_deployed`` is given, the count per 1,000
    personnel deployed (the contributor's personnel summed over the same years: person-years) is also at
    least that rate; and, if ``none_of`` is given, that count is 0."""

    id: str
    text: str
    count: _Count
    at_least: Annotated[int, Field(ge=5)]  # >= the smallest published cell, so the counts behind a flag are shown
    window: bool = False
    per_1000_deployed: Annotated[float, Field(gt=0)] | None = None
    none_of: _Count | None = None


class Suspension(_Strict):
    """Recommend suspending new deployments of a contributor (the remedy J. Kelley 2022 proposes).

    ``require``: ``all`` criteria (the paper's rule: significant allegations *and* failure to
    prosecute) or ``any`` one of them. ``max_grade``: a flagged contributor is graded no better.
    """

    id: str = "suspend_new_deployments"
    text: str
    window_years: Annotated[int, Field(ge=1)] = 3
    require: Literal["all", "any"] = "any"
    max_grade: GradeName | None = None
    criteria: list[SuspensionCriterion]


class RuleSet(_Strict):
    """A validated rule set. ``lines`` maps field paths to YAML line numbers (for messages)."""

    ruleset: str
    version: str
    card: Literal["hosts", "tccs", "missions"]
    description: str = ""
    min_coverage: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    indicators: list[IndicatorRule]
    thresholds: list[Threshold]
    watch_list: WatchList = WatchList()
    caps: list[Cap] = []
    history: History = History()
    overrides: list[Override] = []
    suspension: Suspension | None = None
    path: str = ""
    lines: dict[str, int] = {}

    def line(self, *path: object) -> int | None:
        """YAML line of a field path such as ``("indicators", 2, "weight")``."""
        return _line_of(self.lines, path)

    @property
    def weights(self) -> dict[str, float]:
        return {r.id: r.weight for r in self.indicators}

    def score_tier_bounds(self) -> list[Threshold]:
        return sorted(self.thresholds, key=lambda t: t.min)


# --------------------------------------------------------------------------- YAML with line numbers
def _key(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def _walk(node: yaml.Node, path: tuple, lines: dict[str, int]) -> None:
    lines[_key(path)] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            lines[_key((*path, k.value))] = k.start_mark.line + 1
            _walk(v, (*path, k.value), lines)
            lines[_key((*path, k.value))] = k.start_mark.line + 1  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), lines)


def _line_of(lines: dict[str, int], path: tuple) -> int | None:
    path = tuple(path)
    while path:
        if _key(path) in lines:
            return lines[_key(path)]
        path = path[:-1]
    return lines.get("")


def _field(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(file)"


_FIXES = {
    "float_type": "Give it as a number, e.g. 2 or 0.5 (no quotes)",
    "int_type": "Give it as a whole number (no quotes)",
    "string_type": 'Quote it as text, e.g. "1.0.0"',
    "extra_forbidden": "Remove it or check its spelling against docs/scorecards.md",
    "missing": "Add it",
    "greater_than": "Use a number above 0",
    "literal_error": "Use one of the allowed values",
}


def parse_ruleset(text: str, path: str = "<string>") -> RuleSet:
    """Parse and validate rule-set YAML ``text``; raise :class:`RuleSetError` naming the line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleSetError(
            path, mark.line + 1 if mark else None, "(yaml)", str(exc).replace("\n", " "), "Fix the YAML syntax"
        ) from None
    if not isinstance(data, dict):
        raise RuleSetError(path, 1, "(file)", "a rule set must be a YAML mapping", "Start with 'ruleset: <name>'")
    assert node is not None  # a mapping was loaded, so the document has a node
    lines: dict[str, int] = {}
    _walk(node, (), lines)
    for reserved in ("path", "lines"):
        if reserved in data:
            raise RuleSetError(path, lines.get(reserved), reserved, "is set by the loader", "Remove it")
    try:
        rs = RuleSet.model_validate({**data, "path": path, "lines": lines})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        value = err.get("input")
        problem = err["msg"]
        if err["type"] == "float_type":
            problem = f"{value!r} is not a number"
        elif err["type"] != "missing" and not isinstance(value, dict | list):
            problem = f"{value!r}: {problem}"
        raise RuleSetError(path, _line_of(lines, loc), _field(loc), problem, _FIXES.get(err["type"], "")) from None
    _check_semantics(rs)
    return rs


def _check_semantics(rs: RuleSet) -> None:
    known = indicators(rs.card)

    def unknown(name: str, *loc: object) -> None:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise RuleSetError(
                rs.path,
                rs.line(*loc),
                _field(loc),
                f"unknown indicator {name!r} for card {rs.card!r}",
                f"{hint}Known: {', '.join(sorted(known))}",
            )

    primary = set()
    for i, r in enumerate(rs.indicators):
        unknown(r.id, "indicators", i, "id")
        if r.id in primary:
            raise RuleSetError(
                rs.path,
                rs.line("indicators", i, "id"),
                _field(("indicators", i, "id")),
                f"indicator {r.id!r} listed twice",
                "List each indicator once",
            )
        primary.add(r.id)
    for i, r in enumerate(rs.indicators):
        for j, f in enumerate(r.fallback):
            unknown(f, "indicators", i, "fallback", j)
            if f in primary:
                raise RuleSetError(
                    rs.path,
                    rs.line("indicators", i, "fallback", j),
                    _field(("indicators", i, "fallback", j)),
                    f"fallback {f!r} is also a primary indicator",
                    "Use it either as primary or as fallback",
                )
    if not rs.indicators:
        raise RuleSetError(rs.path, rs.line("indicators"), "indicators", "no indicators", "List at least one")
    _check_thresholds(rs)
    for i, c in enumerate(rs.watch_list.criteria):
        if c.indicator is not None:
            unknown(c.indicator, "watch_list", "criteria", i, "indicator")
        if (c.change_below is None) == (c.score_below is None):
            raise RuleSetError(
                rs.path,
                rs.line("watch_list", "criteria", i),
                _field(("watch_list", "criteria", i)),
                "give exactly one of change_below (with indicator) or score_below",
                "",
            )
        if c.change_below is not None and c.indicator is None:
            raise RuleSetError(
                rs.path,
                rs.line("watch_list", "criteria", i),
                _field(("watch_list", "criteria", i)),
                "change_below needs an indicator",
                "Add 'indicator: <id>'",
            )
    for i, cap in enumerate(rs.caps):
        unknown(cap.indicator, "caps", i, "indicator")
    keyed: tuple[tuple[str, Sequence[Waiver | Override]], ...] = (
        ("history.waivers", rs.history.waivers),
        ("overrides", rs.overrides),
    )
    for what, items in keyed:
        seen: set = set()
        for i, w in enumerate(items):
            if (w.key, w.year) in seen:
                loc = (*what.split("."), i)
                raise RuleSetError(
                    rs.path,
                    rs.line(*loc),
                    _field(loc),
                    f"duplicate entry for {w.key} {w.year}",
                    "Keep one entry per unit-year",
                )
            seen.add((w.key, w.year))


def _check_thresholds(rs: RuleSet) -> None:
    ths = list(enumerate(rs.thresholds))
    if not ths:
        raise RuleSetError(
            rs.path, rs.line("thresholds"), "thresholds", "no thresholds", "Give score bands for the grades"
        )
    for i, t in ths:
        if t.min >= t.max:
            raise RuleSetError(
                rs.path,
                rs.line("thresholds", i),
                f"thresholds[{i}]",
                f"min {t.min:g} is not below max {t.max:g}",
                "Give each band as min < max",
            )
    ths.sort(key=lambda it: it[1].min)
    if ths[0][1].min != 0.0 or ths[-1][1].max != 10.0:
        raise RuleSetError(
            rs.path,
            rs.line("thresholds"),
            "thresholds",
            "the bands must cover the whole score range 0..10",
            "Start the lowest band at 0 and end the highest at 10",
        )
    for (i, a), (j, b) in zip(ths, ths[1:], strict=False):
        if b.min < a.max:
            raise RuleSetError(
                rs.path,
                rs.line("thresholds", j),
                f"thresholds[{j}]",
                f"{b.grade} band {b.min:g}..{b.max:g} overlaps {a.grade} band {a.min:g}..{a.max:g} "
                f"(line {rs.line('thresholds', i)})",
                f"Make the bands meet without overlapping, e.g. min: {a.max:g}",
            )
        if b.min > a.max:
            raise RuleSetError(
                rs.path,
                rs.line("thresholds", j),
                f"thresholds[{j}]",
                f"gap between {a.grade} (max {a.max:g}) and {b.grade} (min {b.min:g})",
                f"Set min: {a.max:g}",
            )
    ranks = [GRADE_RANK[t.grade] for _, t in ths]
    if ranks != sorted(ranks, reverse=True):
        raise RuleSetError(
            rs.path,
            rs.line("thresholds"),
            "thresholds",
            "better grades must have higher scores",
            f"Order the bands {', '.join(reversed(GRADES))} from low to high scores",
        )


def ruleset_path(name_or_path: str | Path | None, card: str) -> Path:
    """Resolve a rule-set name (``hosts``) or a path; ``None`` means the card's default rule set."""
    if card not in CARDS:
        raise ValueError(f"unknown card {card!r}; use one of {', '.join(CARDS)}")
    if name_or_path is None:
        return RULESET_DIR / f"{card}.yml"
    p = Path(name_or_path)
    if p.suffix in (".yml", ".yaml") and p.exists():
        return p
    named = RULESET_DIR / f"{name_or_path}.yml"
    if named.exists():
        return named
    avail = ", ".join(sorted(x.stem for x in RULESET_DIR.glob("*.yml")))
    raise RuleSetError(str(name_or_path), None, "ruleset", "not found", f"Give a .yml file or one of: {avail}")


def load_ruleset(name_or_path: str | Path | None = None, card: str = "hosts") -> RuleSet:
    """Load and validate a rule set (cached by path and modification time)."""
    p = ruleset_path(name_or_path, card)
    rs = _load_cached(str(p.resolve()), p.stat().st_mtime_ns)
    if rs.card != card:
        raise RuleSetError(
            str(p), rs.line("card"), "card", f"rule set is for card {rs.card!r}, not {card!r}", f"Use a {card} rule set"
        )
    return rs


@memoize(maxsize=32)
def _load_cached(path: str, mtime: int) -> RuleSet:
    return parse_ruleset(
        Path(path).read_text(encoding="utf-8"), Path(path).name if Path(path).parent == RULESET_DIR else path
    )
