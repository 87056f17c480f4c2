"""Optional upstream components (models, registry), looked up at call time: one that is missing or broken is reported, never fatal.

A component that is absent or fails is never silently replaced by zeros: the caller gets the reason,
which every grade shows next to the indicators that depend on it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def optional(dotted: str) -> tuple[Callable | None, str | None]:
    """Return ``(function, None)`` for ``"package.module.function"`` or ``(None, reason)``."""
    module, _, name = dotted.rpartition(".")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None, f"{module} is not installed"
        return None, f"{module} cannot be imported: {exc}"
    except Exception as exc:  # a half-built module must not break grading; say why
        return None, f"{module} failed to import: {type(exc).__name__}: {exc}"
    func = getattr(mod, name, None)
    if func is None:
        return None, f"{dotted} does not exist"
    return func, None


def call(dotted: str, *args, **kwargs):
    """Call an optional component: ``(result, None)`` or ``(None, reason)`` if absent or failing."""
    func, why = optional(dotted)
    if func is None:
        return None, why
    try:
        return func(*args, **kwargs), None
    except Exception as exc:
        return None, f"{dotted} failed: {type(exc).__name__}: {exc}"
