"""Published TIP tiers: counts per year reproduced exactly, and the tier-history replay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peacewatch.scorecards import grade_table
from peacewatch.scorecards.figures import tip_tier_counts, tip_tier_units_outside_panel
from peacewatch.scorecards.frames import panel_frame
from peacewatch.scorecards.rules import History, Waiver
from peacewatch.scorecards.tiers import T2, T3, WL, history_walk, load_tip_history, observed_downgrades, replay_history
from peacewatch.sources.defaults import default_context

# States of the COW system per published tier and report year, counted in the panel (Tier 1, Tier 2,
# Watch List, Tier 3, Special Case). The Kelley file rates a few more units that are not states of the
# system that year (Hong Kong, Macau, Montenegro 2003-2005): see test_tier_counts_match_the_raw_files.
EXPECTED = {
    2001: (10, 47, 0, 21, 0),
    2002: (16, 51, 0, 19, 0),
    2003: (24, 74, 0, 14, 5),
    2004: (23, 54, 42, 10, 6),
    2005: (22, 76, 27, 14, 7),
    2006: (24, 79, 31, 12, 7),
    2007: (26, 74, 31, 16, 11),
    2008: (27, 68, 40, 14, 13),
    2009: (27, 73, 51, 17, 2),
    2010: (29, 70, 58, 13, 2),
    2011: (30, 82, 40, 23, 3),
    2012: (32, 91, 40, 17, 1),
    2013: (29, 87, 43, 21, 1),
    2014: (30, 84, 43, 23, 1),
    2015: (30, 84, 44, 23, 1),
}

# Every report year where the published tier kept a country on the Watch List after two consecutive
# Watch List years counted from 2009, i.e. a presidential waiver was used (COW code, year).
WAIVER_YEARS = [
    (41, 2014),
    (41, 2015),
    (53, 2013),
    (57, 2011),
    (110, 2015),
    (115, 2014),
    (115, 2015),
    (365, 2011),
    (365, 2012),
    (369, 2015),
    (370, 2013),
    (370, 2014),
    (373, 2011),
    (373, 2012),
    (420, 2013),
    (432, 2011),
    (432, 2015),
    (436, 2012),
    (438, 2011),
    (438, 2015),
    (450, 2013),
    (471, 2011),
    (483, 2012),
    (483, 2013),
    (484, 2011),
    (484, 2012),
    (501, 2014),
    (510, 2015),
    (516, 2013),
    (516, 2014),
    (522, 2014),
    (522, 2015),
    (540, 2013),
    (540, 2014),
    (565, 2014),
    (565, 2015),
    (570, 2015),
    (581, 2013),
    (581, 2014),
    (616, 2011),
    (616, 2015),
    (645, 2011),
    (645, 2012),
    (660, 2014),
    (660, 2015),
    (692, 2014),
    (694, 2011),
    (700, 2012),
    (700, 2013),
    (701, 2014),
    (701, 2015),
    (704, 2011),
    (704, 2012),
    (710, 2011),
    (710, 2012),
    (771, 2011),
    (775, 2014),
    (775, 2015),
    (780, 2015),
    (781, 2012),
    (781, 2013),
    (800, 2012),
    (800, 2013),
    (811, 2015),
    (820, 2012),
    (820, 2013),
    (940, 2015),
]


def test_tier_counts_reproduced_exactly():
    counts = tip_tier_counts()
    assert {y: tuple(map(int, r)) for y, r in counts.iterrows()} == EXPECTED


def _cow_members(ctx, year: int) -> set[int]:
    states = pd.read_csv(ctx.catalog.path("state_lists", "cow_states"))
    alive = (states["styear"] <= year) & ((states["endyear"] >= year) | (states["endyear"] >= 2016))
    return set(states.loc[alive, "ccode"].astype(int))


def test_tier_counts_match_the_raw_files():
    """Straight from the source files: the Kelley file's counts (e.g. 43 Watch List states in 2004, 75
    Tier 2 in 2009, as published), less the units that are not COW states that year, are the panel's
    counts; Kelley's Serbia (1003) and Kosovo (1001) are states and are counted (issue 23)."""
    ctx = default_context()
    raw = pd.read_stata(ctx.catalog.path("kelley_tip", "cho_tiers"))
    raw = raw[raw["year"].between(2001, 2014)]
    assert ((raw["year"] == 2004) & (raw["tierupdated"] == 2.5)).sum() == 43
    assert ((raw["year"] == 2009) & (raw["tierupdated"] == 2.0)).sum() == 75
    cow = raw.assign(ccode=raw["ccode"].replace({1003: 345, 1001: 347}).astype(int))
    cow = cow[[c in _cow_members(ctx, int(y)) for c, y in zip(cow["ccode"], cow["year"], strict=True)]]
    by_code = cow.groupby(["year", "tierupdated"]).size().unstack(fill_value=0)
    for year in range(2001, 2015):
        row = by_code.loc[year]
        assert (row.get(1.0, 0), row.get(2.0, 0), row.get(2.5, 0), row.get(3.0, 0), row.get(666.0, 0)) == EXPECTED[year]
    t15 = pd.read_csv(ctx.catalog.path("kelley_tip", "tiers_2015"))
    t15 = t15[~t15["countryname"].str.strip().isin(["Aruba", "Curaçao", "Hong Kong", "Macau", "St. Maarten"])]
    c = t15["tier"].value_counts()
    assert (c[1.0], c[2.0], c[2.5], c[3.0], c[666.0]) == EXPECTED[2015]
    outside = tip_tier_units_outside_panel()
    assert set(outside["name"]) == {"Hong Kong", "Macau", "Montenegro"}
    assert sorted(outside.loc[outside["name"] == "Montenegro", "year"]) == [2003, 2004, 2005]


def test_serbia_and_kosovo_keep_their_published_tiers():
    """Kelley codes Serbia 1003 and Kosovo 1001; both reach the panel (issue 23)."""
    ctx = default_context()
    raw = pd.read_stata(ctx.catalog.path("kelley_tip", "cho_tiers")).set_index(["ccode", "year"])["tierupdated"]
    panel = panel_frame(2001, 2015).set_index(["ccode", "year"])
    assert raw[(1003, 2004)] == 2.5 and panel.loc[(345, 2004), "tip_tier_label"] == "Tier 2 Watch List"
    assert raw[(1001, 2010)] == 2.0 and panel.loc[(347, 2010), "tip_tier_label"] == "Tier 2"
    serbia = [panel.loc[(345, y), "tip_tier"] for y in range(2003, 2015)]
    assert serbia == [raw[(1003, y)] for y in range(2003, 2015)]
    hosts = grade_table("hosts", 2004).set_index("key")
    assert hosts.loc[345, "published_tier"] == "Tier 2 Watch List"
    assert grade_table("hosts", 2010).set_index("key").loc[347, "published_tier"] == "Tier 2"


def test_replay_flags_every_waiver_year():
    r = replay_history()
    assert sorted(zip(r["ccode"].astype(int), r["year"].astype(int), strict=True)) == WAIVER_YEARS
    assert set(r["event"]) == {"waiver"}  # nobody stayed beyond the two-waiver limit
    assert set(r["waiver_number"]) == {1, 2}
    assert r["year"].min() == 2011  # 2009 and 2010 are the first two counted Watch List years
    china = r[r["ccode"] == 710]
    assert china["consecutive_before"].tolist() == [2, 3]


def test_published_automatic_downgrades():
    """Tier 3 after two or more consecutive counted Watch List years: China, Russia and Uzbekistan in
    2013 and Thailand and Malaysia in 2014 after two waivers each, among others."""
    d = observed_downgrades()
    assert sorted(zip(d["ccode"].astype(int), d["year"].astype(int), strict=True)) == [
        (101, 2011),
        (101, 2014),
        (365, 2013),
        (370, 2015),
        (404, 2011),
        (411, 2011),
        (420, 2014),
        (482, 2011),
        (516, 2015),
        (581, 2015),
        (615, 2011),
        (620, 2011),
        (652, 2012),
        (660, 2011),
        (679, 2011),
        (701, 2011),
        (704, 2013),
        (710, 2013),
        (800, 2014),
        (820, 2014),
        (983, 2015),
        (987, 2011),
    ]
    assert d.set_index("ccode").loc[710, "consecutive_before"] == 4


def test_waivers_are_recorded_as_data():
    h = load_tip_history().history
    assert sorted((int(w.key), w.year) for w in h.waivers) == WAIVER_YEARS
    assert replay_history()["waiver_recorded"].all()


def test_after_two_waivers_the_published_tier_is_tier_3():
    """China and Russia used waivers in 2011 and 2012 and were downgraded in the 2013 report."""
    from peacewatch.sources.loaders.kelley_tip import kelley_tiers

    k = kelley_tiers().set_index(["ccode", "year"])["tier_label"]
    for cc in (710, 365, 704):
        assert [k[(cc, y)] for y in range(2009, 2014)] == ["Tier 2 Watch List"] * 4 + ["Tier 3"]


@pytest.mark.parametrize(
    ("ranks", "waivers", "expected_rank", "expected_event"),
    [
        ([WL, WL, WL], [], [WL, WL, T3], ["", "", "automatic_downgrade"]),
        ([WL, WL, WL, WL, WL], [2, 3], [WL, WL, WL, WL, T3], ["", "", "waiver", "waiver", "automatic_downgrade"]),
        # a third consecutive waiver exceeds the limit: downgraded even though it is recorded
        ([WL, WL, WL, WL, WL], [2, 3, 4], [WL, WL, WL, WL, T3], ["", "", "waiver", "waiver", "automatic_downgrade"]),
        ([WL, T2, WL, WL], [], [WL, T2, WL, WL], ["", "", "", ""]),
        ([WL, WL, T3, WL, WL, WL], [], [WL, WL, T3, WL, WL, T3], ["", "", "", "", "", "automatic_downgrade"]),
    ],
)
def test_history_walk_applies_downgrade_and_waivers(ranks, waivers, expected_rank, expected_event):
    years = np.arange(2009, 2009 + len(ranks))
    h = History(waivers=[Waiver(key=1, year=int(years[i])) for i in waivers])
    rank, event = history_walk(np.ones(len(ranks), dtype=int), years, np.array(ranks), h, apply=True)
    assert rank.tolist() == expected_rank
    assert event.tolist() == expected_event


def test_watch_list_years_before_2009_do_not_count():
    years = np.arange(2006, 2012)
    rank, event = history_walk(np.ones(6, dtype=int), years, np.array([WL] * 6), History(), apply=True)
    assert rank.tolist() == [WL, WL, WL, WL, WL, T3]  # counted from 2009: 2009, 2010, then 2011 downgraded
