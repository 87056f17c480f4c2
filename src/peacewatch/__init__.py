"""peacewatch: peace operations x human trafficking.

Data panel (:mod:`peacewatch.panel`), models (:mod:`peacewatch.models`),
scorecards (:mod:`peacewatch.scorecards`), accountability registry
(:mod:`peacewatch.registry`) and web dashboard (:mod:`peacewatch.web`).
"""

__version__ = "0.1.0"

from peacewatch.panel import Panel, create_country_years  # noqa: E402

__all__ = ["Panel", "create_country_years", "__version__"]
