"""The indicator type, the card names and the ``@indicator`` decorator that fills the registry
(the card modules import it from here; :mod:`peacewatch.scorecards.indicators` is the public face)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

CARDS = ("hosts", "tccs", "missions")


@dataclass(frozen=True)
class Indicator:
    """A registered indicator.

    Attributes
    ----------
    id
        Unique within its card; the name used in rule sets.
    card
        ``hosts``, ``tccs`` or ``missions``.
    title
        Short human title.
    func
        ``func(frame) -> pandas.Series`` of scores 0..10, NaN = no data.
    inputs
        ``{column: source}``; the columns read (evidence) and the source each comes from.
    requires
        Name of an upstream component the inputs depend on (e.g. a model function), or ``None``.
    """

    id: str
    card: str
    title: str
    func: Callable[[pd.DataFrame], pd.Series]
    inputs: dict[str, str]
    requires: str | None = None

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        """First paragraph of the docstring."""
        return self.doc.split("\n\n")[0].replace("\n", " ")

    def score(self, frame: pd.DataFrame) -> pd.Series:
        """Scores for every row of ``frame``: NaN when an input column is absent (missing component)."""
        if any(c not in frame.columns for c in self.inputs):
            return pd.Series(float("nan"), index=frame.index, dtype="float64")
        s = pd.Series(self.func(frame), index=frame.index, dtype="float64")
        return s.clip(0.0, 10.0)


REGISTRY: dict[str, dict[str, Indicator]] = {c: {} for c in CARDS}


def indicator(id: str, card: str, title: str, inputs: dict[str, str], requires: str | None = None):
    """Register ``func`` as indicator ``id`` of ``card`` (decorator)."""
    if card not in CARDS:
        raise ValueError(f"indicator {id!r}: unknown card {card!r}; use one of {CARDS}")

    def wrap(func: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.Series]:
        if id in REGISTRY[card]:
            raise ValueError(f"indicator {card}.{id} registered twice ({func.__module__})")
        if not func.__doc__:
            raise ValueError(f"indicator {card}.{id} has no docstring; the docstring is its public explanation")
        REGISTRY[card][id] = Indicator(id, card, title, func, dict(inputs), requires)
        return func

    return wrap
