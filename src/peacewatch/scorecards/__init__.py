"""TIP-style scorecards for host states, troop-contributing countries (TCCs) and UN missions.

A runnable, transparent version of the US Trafficking in Persons Report's tiers (Kelley 2017,
*Scorecard Diplomacy*). Indicators are small pure functions whose docstrings are their public
explanation (:mod:`peacewatch.scorecards.indicators`); weights, score bands, Watch List criteria,
caps, tier-history rules, waivers and overrides are data in versioned YAML rule sets
(``rulesets/{hosts,tccs,missions}.yml``, ``rulesets/tip_history.yml``). Every grade carries each
component score, its evidence ``(source, year, value)`` and the rule that decided it.

Stable API (for the web app and the CLI)
----------------------------------------
``grade(card, year, ruleset=None, registry=None) -> list[Grade]``
    Every grade of ``card`` (``"hosts"``, ``"tccs"``, ``"missions"``) in ``year`` (2001-2025 hosts,
    2001-current year TCCs, 2001-2016 missions).
    ``ruleset`` is a rule-set name (``"hosts"``) or a path to a ``.yml`` file; ``None`` = default.
    ``registry`` is a SQLAlchemy ``Session`` of the accountability registry, read through its
    published door (``peacewatch.registry.publication.scorecard_frame``: closed years only, small
    cells suppressed), or a DataFrame of that shape (e.g. ``publication.staff_scorecard_frame`` for
    staff, with the open year's live counts); without it the TCC accountability indicators report
    "no data" (never 0).
``grade_table(card, year=None, ruleset=None, registry=None) -> pandas.DataFrame``
    The same grades as one table: ``card, key, name, year, score, coverage, score_grade, grade,
    published_tier, published_tier_source, decided_by, rules, watch_list, s_<indicator>...,
    year_<indicator>..., mark_<indicator>...`` (TCCs also ``suspension, n_<criterion>...``). Fast
    (vectorised); use it for lists and maps.
``explain(card, key, year, ruleset=None, registry=None) -> Grade``
    One grade in full; ``key`` is a COW code (hosts, TCCs) or an IPI mission acronym (missions).
    ``Grade.explain()`` renders it as text, ``Grade.to_dict()`` as JSON-ready data.
``missing_components(card, ruleset=None, registry=None) -> dict[str, str]``
    Upstream components (models, registry) not available, with the reason shown on every grade.
``replay_history(tiers=None, history=None) -> pandas.DataFrame``
    The published TIP tiers replayed through the automatic-downgrade rule: every Watch List year that
    needed a waiver.
``observed_downgrades(tiers=None, history=None) -> pandas.DataFrame``
    Report years where a country went to Tier 3 after two or more consecutive Watch List years.
``load_ruleset(name_or_path=None, card="hosts") -> RuleSet``
    Load and validate a rule set; a bad file raises :class:`RuleSetError` naming file, line and field.
``report.write_scorecards(out_dir) -> list[Path]``
    Figures (PNG + SVG: TIP tier counts, Palermo parties, peacewatch tiers per card) and the methods
    page (Markdown + HTML) generated from the rule sets and the indicator docstrings.

Grading, in order: component scores (0..10, 10 best; a primary indicator without data is replaced
by the mean of its fallbacks) -> weighted mean over the components with data (no grade when they
carry less than ``min_coverage`` of the weight) -> score band (Grade A/B/C; peacewatch's own names,
never the TIP Report's tier labels) -> watch criteria (Grade B only; met: Grade B watch) -> caps ->
grade history (automatic downgrade to Grade C after ``watch_list_years``
consecutive Watch List years from ``from_year`` unless a waiver is recorded) -> overrides.
CLI: ``peacewatch score hosts|tccs|missions --year Y [--format table|csv|json] [--explain KEY]``.
"""

from __future__ import annotations

__all__ = [
    "Component",
    "Evidence",
    "Grade",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "explain",
    "grade",
    "grade_table",
    "load_ruleset",
    "missing_components",
    "observed_downgrades",
    "replay_history",
]

_LAZY = {
    "Component": "model",
    "Evidence": "model",
    "Grade": "model",
    "Rule": "model",
    "RuleSet": "rules",
    "RuleSetError": "rules",
    "load_ruleset": "rules",
    "explain": "engine",
    "grade": "engine",
    "grade_table": "engine",
    "missing_components": "engine",
    "replay_history": "tiers",
    "observed_downgrades": "tiers",
}


def __getattr__(name: str):
    # Lazy so that importing the package (e.g. for the CLI) does not load pandas-heavy modules; the
    # imports are written out (not looked up by name) so that tools and readers see them.
    if name in _LAZY:
        from peacewatch.scorecards import engine, model, rules, tiers

        return getattr({"model": model, "rules": rules, "engine": engine, "tiers": tiers}[_LAZY[name]], name)
    raise AttributeError(name)
