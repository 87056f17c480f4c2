"""peacewatch: peace operations x human trafficking.

Data panel (:mod:`peacewatch.panel`), models (:mod:`peacewatch.models`),
scorecards (:mod:`peacewatch.scorecards`), accountability registry
(:mod:`peacewatch.registry`) and web dashboard (:mod:`peacewatch.web`).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Panel", "create_country_years", "__version__"]


def __getattr__(name: str):
    # Lazy so that `import peacewatch.registry` does not load the data stack.
    if name in ("Panel", "create_country_years"):
        from peacewatch import panel

        return getattr(panel, name)
    raise AttributeError(name)
