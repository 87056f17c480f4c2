"""Identity x opportunity: the typology of Smith 2012 of IOs and missions and their predicted effect.

*Identity* is democratic density (:mod:`peacewatch.models.density`), split at ``density_threshold``
(Polity's democracy cut-off, 6). *Opportunity* is uniformed personnel on the ground, split at
``opportunity_threshold`` (1,000). Both thresholds and the four cells' predicted effects live in
``typology.yml``. Personnel: UN from IPI (December), NATO/EU/AU from Bara & Hultman (conflict
countries only), the OAS 0 (it deploys no uniformed personnel; its civilian missions are not in the
catalog), missions from the IPI mission file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import yaml

from peacewatch.memo import memoize
from peacewatch.models.density import io_density, mission_density_table
from peacewatch.resources import package_path

TYPOLOGY_PATH = package_path("peacewatch.models", "typology.yml")
#: Panel column with an IO's personnel in a host-year; IOs absent here deploy no uniformed personnel.
IO_PERSONNEL = {"UN": "un_personnel", "NATO": "nato_personnel", "EU": "eu_personnel", "AU": "au_personnel"}


@memoize(maxsize=1)
def typology_rules() -> dict[str, Any]:
    """Thresholds and cells from ``typology.yml``."""
    with open(TYPOLOGY_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def classify(
    density: float, personnel: float, density_threshold: float | None = None, opportunity_threshold: float | None = None
) -> dict[str, str]:
    """Cell of one unit: ``identity``, ``opportunity``, ``cell`` and ``predicted_effect``."""
    rules = typology_rules()
    dt = rules["density_threshold"] if density_threshold is None else density_threshold
    ot = rules["opportunity_threshold"] if opportunity_threshold is None else opportunity_threshold
    if pd.isna(density):
        return {"identity": "unknown", "opportunity": "", "cell": "", "predicted_effect": "density unknown"}
    key = ("democratic" if density >= dt else "nondemocratic") + "-" + ("high" if (personnel or 0) >= ot else "low")
    cell = rules["cells"][key]
    return {
        "identity": cell["identity"],
        "opportunity": cell["opportunity"],
        "cell": key,
        "predicted_effect": cell["predicted_effect"],
    }


@memoize(maxsize=8)
def _deployments(start: int, end: int) -> pd.DataFrame:
    from peacewatch.panel.store import panel_frame

    return panel_frame(start, end)


def typology_table(
    years: Iterable[int] = range(2000, 2015),
    ios: Iterable[str] = ("UN", "OAS", "NATO"),
    missions: Iterable[str] | None = ("MINUSTAH",),
    host: int | None = None,
    density_threshold: float | None = None,
    opportunity_threshold: float | None = None,
) -> pd.DataFrame:
    """Density, personnel on the ground and typology cell per IO-year and mission-year.

    Parameters
    ----------
    years
        Calendar years.
    ios
        IOs (COW names); personnel from ``IO_PERSONNEL`` (0 for IOs without uniformed deployments).
    missions
        Mission acronyms (``None``: every mission with contributor data).
    host
        COW code of a host state (e.g. 41 Haiti): personnel counted in that host only; default all hosts.

    Returns
    -------
    pandas.DataFrame
        ``unit, kind, year, density, personnel, identity, opportunity, cell, predicted_effect, note``.
    """
    years = list(years)
    dep = _deployments(min(years), max(years))
    if host is not None:
        dep = dep[dep["ccode"] == host]
    rows = []
    for io in ios:
        col = IO_PERSONNEL.get(io.upper())
        for year in years:
            d = io_density(io, year)
            if col is None:
                personnel, note = (
                    0.0,
                    f"{io.upper()} deploys no uniformed personnel (civilian missions not in the catalog)",
                )
            else:
                personnel, note = float(dep.loc[dep["year"] == year, col].sum()), ""
            rows.append(
                {"unit": d.unit, "kind": "io", "year": year, "density": d.value, "personnel": personnel, "note": note}
            )
    mt = mission_density_table(years, missions=missions)
    if host is not None:
        mt = mt[mt["host_ccode"] == host]
    for r in mt.itertuples():
        rows.append(
            {
                "unit": r.mission,
                "kind": "mission",
                "year": r.year,
                "density": r.density,
                "personnel": r.personnel,
                "note": f"contributors from {r.source}",
            }
        )
    out = pd.DataFrame(rows)
    cells = [classify(d, p, density_threshold, opportunity_threshold) for d, p in zip(out["density"], out["personnel"])]
    out = pd.concat([out, pd.DataFrame(cells)], axis=1)
    return out[
        ["unit", "kind", "year", "density", "personnel", "identity", "opportunity", "cell", "predicted_effect", "note"]
    ]
