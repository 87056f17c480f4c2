"""The indicator registry: small pure functions over a card's frame, registered by a decorator.

An indicator maps a DataFrame (one row per unit-year of its card) to a Series of scores 0..10
(10 = best) with NaN where the inputs are missing. Its docstring is the public explanation printed on
the methods page and in every grade; its ``inputs`` name the columns read and the source each comes
from, which become the evidence ``(source, year, value)`` of a grade. An indicator that needs an
upstream component (a model, the registry) names it in ``requires``; while that component is not
available the frame builder records why and the indicator reports "no data" for every row (never 0).
"""

from __future__ import annotations

from peacewatch.scorecards.indicators.base import CARDS, REGISTRY, Indicator, indicator

__all__ = ["CARDS", "REGISTRY", "Indicator", "indicator", "indicators"]


def indicators(card: str) -> dict[str, Indicator]:
    """All indicators of ``card`` by id (importing the card's module registers them)."""
    _load()
    if card not in REGISTRY:
        raise ValueError(f"unknown card {card!r}; use one of {', '.join(CARDS)}")
    return REGISTRY[card]


def _load() -> None:
    from peacewatch.scorecards.indicators import hosts, missions, tccs  # noqa: F401  (registers)
