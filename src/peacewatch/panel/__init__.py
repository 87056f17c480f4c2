"""Country-year panels in the style of peacesciencer: ``create_country_years()`` and ``add_*`` verbs."""

from peacewatch.panel.core import Panel, create_country_years

__all__ = ["Panel", "create_country_years"]
