"""One small loader per catalogued source.

Each loader takes an optional :class:`~peacewatch.sources.context.SourceContext` (default: a shared
one for the current environment), returns a tidy pandas DataFrame with COW ``ccode`` where the unit
is a country, and documents the source's quirks it handles. Outputs are cached as parquet.
"""

from __future__ import annotations

from peacewatch.sources.loaders.bara_hultman import bara_hultman
from peacewatch.sources.loaders.cow_igo import cow_igo_membership
from peacewatch.sources.loaders.cow_nmc import cow_nmc
from peacewatch.sources.loaders.countrycode import countrycode
from peacewatch.sources.loaders.freedom_house import freedom_house
from peacewatch.sources.loaders.geo_pko import geo_pko, geo_pko_tcc_troops
from peacewatch.sources.loaders.hti import hti
from peacewatch.sources.loaders.ipi import ipi_contributors, ipi_missions
from peacewatch.sources.loaders.kelley_tip import kelley_tiers
from peacewatch.sources.loaders.polity5 import polity5
from peacewatch.sources.loaders.pko_shortfall import pko_shortfall
from peacewatch.sources.loaders.state_lists import cow_states, gw_states
from peacewatch.sources.loaders.tip_tiers_recent import tip_tiers_recent
from peacewatch.sources.loaders.troopdata import troopdata
from peacewatch.sources.loaders.ucdp_acd import ucdp_acd
from peacewatch.sources.loaders.wdi import wdi_gdppc, wdi_population

__all__ = [
    "bara_hultman", "cow_igo_membership", "cow_nmc", "countrycode", "freedom_house", "geo_pko",
    "geo_pko_tcc_troops", "hti", "ipi_contributors", "ipi_missions", "kelley_tiers", "polity5",
    "pko_shortfall", "cow_states", "gw_states", "tip_tiers_recent", "troopdata", "ucdp_acd", "wdi_gdppc", "wdi_population",
]
