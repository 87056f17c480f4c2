"""troopdata (US personnel abroad) and tip_tiers_recent (TIP tiers 2020-2025): values from PROVENANCE.md."""

from __future__ import annotations

import pandas as pd
import pytest

from peacewatch.sources.catalog import Catalog
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import UnmappedCountryError
from peacewatch.sources.loaders.tip_tiers_recent import tip_tiers_recent
from peacewatch.sources.loaders.troopdata import troopdata
from peacewatch.sources.verify import verify


def _value(frame: pd.DataFrame, ccode: int, year: int, col: str):
    hit = frame[(frame["ccode"] == ccode) & (frame["year"] == year)]
    assert len(hit) == 1, f"{ccode} {year}: {len(hit)} rows"
    return hit.iloc[0][col]


def test_catalog_entries_verify():
    results = verify(Catalog(), ["troopdata", "tip_tiers_recent"])
    assert len(results) == 3 and all(r.ok for r in results), [r.detail for r in results]


def test_troopdata_sanity_values():
    t = troopdata()
    assert _value(t, 255, 2004, "us_troops") == 76058  # Germany
    assert _value(t, 41, 1994, "us_troops") == 17495  # Haiti, Operation Uphold Democracy
    assert _value(t, 41, 1995, "us_troops") == 1616
    assert _value(t, 645, 2004, "us_troops") == 134000  # Iraq
    assert _value(t, 347, 2000, "us_troops") == 5427  # Kosovo
    assert not (t["ccode"] == 2).any()  # the United States itself is not "abroad"
    assert not t.duplicated(["ccode", "year"]).any()


def test_troopdata_sums_duplicate_spellings():
    raw = pd.read_csv(Catalog().path("troopdata", "main"))
    both = raw[(raw["ccode"] == 316) & (raw["year"] == 2013)]  # Czech Republic 0 / Czechia 17
    assert sorted(both["troops_ad"]) == [0, 17]
    t = troopdata()
    assert _value(t, 316, 2013, "us_troops") == 17
    assert _value(t, 316, 2013, "names") == "Czech Republic;Czechia"


def test_troopdata_names_agree_with_the_file_codes():
    """The crosswalk maps every kept name to the file's own COW code, except three documented units."""
    cw = default_context().crosswalk
    raw = pd.read_csv(Catalog().path("troopdata", "main"), usecols=["countryname", "ccode"]).drop_duplicates()
    unmapped = set(cw.unmapped_names("troopdata"))
    differ = {
        n
        for n, c in raw.itertuples(index=False)
        if n not in unmapped and cw.name_to_cow(n) is not None and cw.name_to_cow(n) != c
    }
    assert differ == {"Antigua", "Seychelles", "Vietnam"}  # colony codes 1006/1036 and 817 (1950-53)


def test_tip_recent_tiers():
    r = tip_tiers_recent()
    assert _value(r, 626, 2023, "tier_label") == "Tier 3"  # South Sudan
    assert _value(r, 490, 2023, "tier_label") == "Tier 2"  # DR Congo (the corrected 2023 row)
    assert _value(r, 404, 2024, "tier_label") == "Tier 2 Watch List"  # Guinea-Bissau
    assert _value(r, 404, 2024, "tier") == 2.5
    assert not ((r["ccode"] == 20) & (r["year"] == 2024)).any()  # Canada 2024: not in the partial list
    assert _value(r, 20, 2023, "tier_label") == "Tier 1"
    assert set(r.loc[r["complete_list"], "year"]) == {2020, 2021, 2023}
    assert set(r.loc[~r["complete_list"], "tier_label"]) <= {"Tier 2 Watch List", "Tier 3", "Special Case"}
    assert r["source_url"].str.startswith("http").all()
    assert not r["year"].between(2016, 2019).any()


def test_tip_recent_names_are_mapped_strictly(sandbox):
    """A new spelling that the crosswalk cannot map fails, naming it."""
    path = sandbox.data_dir / Catalog().file("tip_tiers_recent", "partial").path
    text = path.read_text(encoding="utf-8").replace("2024,Guinea-Bissau,", "2024,Freedonia,")
    sandbox.replace("tip_tiers_recent", "partial", text, update_sha=True)
    with pytest.raises(UnmappedCountryError, match="Freedonia"):
        tip_tiers_recent(sandbox.context())
