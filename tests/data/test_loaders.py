"""Loaders against facts stated in each dataset's PROVENANCE.md."""

from __future__ import annotations

from peacewatch.sources.loaders.bara_hultman import bara_hultman
from peacewatch.sources.loaders.cow_igo import cow_igo_membership
from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_troops
from peacewatch.sources.loaders.hti import hti
from peacewatch.sources.loaders.ipi import ipi_contributors, ipi_missions
from peacewatch.sources.loaders.kelley_tip import kelley_tiers
from peacewatch.sources.loaders.pko_shortfall import pko_shortfall
from peacewatch.sources.loaders.ucdp_acd import ucdp_acd


def test_geo_pko_minustah_2004_contributors():
    g = geo_pko_tcc_troops()
    m = g[(g["mission"] == "MINUSTAH") & (g["year"] == 2004)]
    assert sorted(m["tcc_name"]) == [
        "Argentina",
        "Brazil",
        "Chile",
        "Guatemala",
        "Jordan",
        "Morocco",
        "Nepal",
        "Peru",
        "Spain",
        "Sri Lanka",
        "Uruguay",
    ]
    assert m["troops"].sum() == 5685  # map 4224 Rev. 2, November 2004, 9 locations
    assert set(m["source"]) == {"Map no. 4224 Rev. 2"}


def test_ipi_contributors_reproduce_the_mission_file():
    c = ipi_contributors()
    dec = c[(c["mission"] == "MINUSTAH") & (c["year"] == 2009) & (c["month"] == 12)]
    assert dec["troops"].sum() == 7032 and dec["total"].sum() == 9057 and dec["tcc_ccode"].nunique() == 47
    m = ipi_missions()
    row = m[(m["mission"] == "MINUSTAH") & (m["year"] == 2009) & (m["month"] == 12)].iloc[0]
    assert (row["troops"], row["total"], row["n_contributors"]) == (7032, 9057, 47)


def test_bara_hultman_counts_a_mission_once_per_month():
    bh = bara_hultman()
    assert not bh.duplicated(["ccode", "date", "mission"]).any()
    assert bh.loc[bh["mission"] == "KFOR", "total"].max() == 42500
    assert set(bh.loc[bh["family"] == "NATO", "mission"]) >= {"IFOR", "SFOR", "KFOR", "ISAF", "RSM"}


def test_hti_haiti_and_palermo_dates():
    h = hti()
    haiti = h[h["ccode"] == 41].set_index("year")
    assert haiti.loc[2003, "pdest"] == 1 and haiti.loc[2002, "pdest"] == 0
    assert str(haiti.loc[2011, "unp_rat"].date()) == "2011-04-19"
    assert str(haiti.loc[2011, "unp_sign"].date()) == "2000-12-13"
    assert (h["pdest"] == 1).sum() == 1101


def test_kelley_tiers_include_2015_and_codes():
    k = kelley_tiers()
    assert k["year"].max() == 2015 and (k["year"] == 2015).sum() >= 180
    haiti = k[k["ccode"] == 41].set_index("year")["tier_code"]
    assert [haiti[y] for y in (2012, 2013, 2014)] == [2.5, 2.5, 2.5]


def test_cow_igo_members_2004():
    igo = cow_igo_membership(ios=["un", "oas", "nato"])
    full = igo[(igo["year"] == 2004) & (igo["status"] == 1)].groupby("io")["ccode"].nunique()
    assert (full["un"], full["oas"], full["nato"]) == (191, 34, 26)


def test_ucdp_and_shortfall():
    acd = ucdp_acd()
    assert not acd.duplicated(["conflict_id", "year", "ccode", "side"]).any()
    assert ((acd["ccode"] == 41) & (acd["year"] == 2004)).any()  # Haiti 2004
    s = pko_shortfall()
    dec = s[(s["mission"] == "MINUSTAH") & (s["year"] == 2004) & (s["month"] == 12)].iloc[0]
    assert (dec["authtroop"], dec["troop"]) == (6700, 6008)


def test_ipi_names_have_one_spelling_per_state():
    m = ipi_missions()
    assert m.groupby("ccode")["host"].nunique().max() == 1
    assert set(m.loc[m["ccode"] == 626, "host"]) == {"South Sudan"}
    c = ipi_contributors()
    assert c.groupby("tcc_ccode")["contributor"].nunique().max() == 1
    assert set(c.loc[c["tcc_ccode"] == 2, "contributor_raw"]) == {"United States", "United States of America"}
