"""Identity x opportunity typology and the trafficking incidence index on real data."""

from __future__ import annotations

import pytest

from peacewatch.models.incidence import incidence_index
from peacewatch.models.typology import classify, typology_table


def test_haiti_2004_cells_match_seed():
    t = typology_table([2004], host=41).set_index("unit")
    assert t.loc["UN", "cell"] == "nondemocratic-high" and t.loc["UN", "personnel"] == 7406
    assert t.loc["MINUSTAH", "cell"] == "nondemocratic-high"
    assert t.loc["OAS", "cell"] == "democratic-low" and t.loc["OAS", "predicted_effect"] == "weak positive impact"
    assert t.loc["NATO", "personnel"] == 0


def test_classify_thresholds():
    assert classify(7.1, 0)["cell"] == "democratic-low"
    assert classify(3.4, 9000)["predicted_effect"].startswith("large negative")
    assert classify(6.0, 1000)["cell"] == "democratic-high"  # thresholds are inclusive
    assert classify(float("nan"), 10)["identity"] == "unknown"


def test_incidence_haiti_rises_after_minustah():
    idx = incidence_index()
    haiti = idx[idx["ccode"] == 41].set_index("year")
    assert haiti.loc[2002, "index"] == pytest.approx(0.2)  # in the report, no destination coding
    assert haiti.loc[2004, "index"] == pytest.approx(0.6)
    assert (haiti.loc[2005:2009, "index"] - 0.8).abs().max() < 1e-12
    assert set(idx["n_indicators"]) == {5} and idx["index"].between(0, 1).all()
    # not in the 2001 report: every indicator 0
    not_in = idx[(idx["year"] == 2001) & (idx["tip_mention"] == 0)]
    assert len(not_in) > 50 and (not_in["index"] == 0).all()


def test_incidence_weights_validated():
    with pytest.raises(ValueError, match="unknown indicators"):
        incidence_index([2005], weights={"iom_victims": 1})
    only_pdest = incidence_index([2005], weights={"sex_destination": 1})
    assert (only_pdest["index"] == only_pdest["sex_destination"]).all()
