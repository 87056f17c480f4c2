"""Finding things: one display name per country-year, names in "Open a country", accent-blind search,
the map's host table sorted and filtered, the hosts scorecard limited to that year's hosts."""

from __future__ import annotations

import html
import re

import pytest


@pytest.mark.parametrize("key", ["Haiti", "haiti", "HTI", "41", "  Haïti "])
def test_open_a_country_accepts_names_iso3_and_cow_codes(http, key):
    r = http.get("/country", params={"key": key})
    assert r.status_code == 200 and str(r.url).endswith("/country/41")


@pytest.mark.parametrize(
    "key, ccode",
    [
        ("côte d'ivoire", 437),
        ("Ivory Coast", 437),
        ("Yugoslavia", 345),
        ("serbia", 345),
        ("DR Congo", 490),
        ("Zaire", 490),
    ],
)
def test_open_a_country_by_other_names(http, key, ccode):
    assert str(http.get("/country", params={"key": key}).url).endswith(f"/country/{ccode}")


def test_an_unknown_or_ambiguous_name_is_a_clear_404(http):
    r = http.get("/country", params={"key": "Atlantis"})
    assert r.status_code == 404 and "Give a name, an ISO3 code (HTI) or a COW code (41)." in html.unescape(r.text)
    r = http.get("/country", params={"key": "Guinea"})  # Guinea itself, not Guinea-Bissau or Equatorial Guinea
    assert r.status_code == 200 and str(r.url).endswith("/country/438")
    r = http.get("/country", params={"key": "Bosn"})  # the start of one name: that country
    assert str(r.url).endswith("/country/346")


def test_one_display_name_on_map_missions_scorecards_and_country_page(http):
    year = 2010
    on_map = {
        r["ccode"]: r["country"] for r in http.get("/", params={"year": year, "format": "json"}).json()["countries"]
    }
    assert on_map[345] == "Serbia" and on_map[437] == "Côte d'Ivoire"
    hosts = http.get("/scorecards/hosts", params={"year": year, "format": "json", "scope": "all", "q": "serbia"}).json()
    assert [r["name"] for r in hosts["rows"]] == ["Serbia"]
    missions = http.get("/scorecards/missions", params={"year": year, "format": "json", "q": "côte"}).json()["rows"]
    assert any(r["name"] == "UNOCI (Côte d'Ivoire)" for r in missions)
    assert [h["host"] for h in http.get("/mission/UNOCI", params={"format": "json"}).json()["hosts"]] == [
        "Côte d'Ivoire"
    ]
    assert http.get("/country/437", params={"format": "json"}).json()["country"] == "Côte d'Ivoire"
    assert {
        r["ccode"]: r["country"] for r in http.get("/", params={"year": 2004, "format": "json"}).json()["countries"]
    }[345] == "Serbia and Montenegro"


@pytest.mark.parametrize("q", ["Côte", "cote", "IVORY", "yugoslavia"])
def test_mission_search_ignores_accents_and_case(http, q):
    missions = {m["mission"] for m in http.get("/missions", params={"q": q, "format": "json"}).json()["missions"]}
    assert missions & {"UNOCI", "MINUCI", "UNMIK"}


def test_map_host_table_filters_destinations_and_sorts(http):
    data = http.get(
        "/", params={"year": 2004, "destination": "yes", "sort": "troops", "order": "desc", "format": "json"}
    ).json()
    rows = {r["ccode"]: r for r in data["countries"]}
    hosts = data["hosts"]
    assert 41 in hosts and all(rows[c]["hti_pdest"] == 1 for c in hosts)
    troops = [rows[c]["un_troops"] or 0 for c in hosts]
    assert troops == sorted(troops, reverse=True)
    html = http.get("/", params={"year": 2004, "q": "haiti"}).text
    assert re.findall(r'<tr data-iso3="(\w+)">', html) == ["HTI"]


def test_hosts_scorecard_shows_that_years_hosts_by_default(http):
    hosts = http.get("/scorecards/hosts", params={"year": 2010, "format": "json"}).json()
    everyone = http.get("/scorecards/hosts", params={"year": 2010, "format": "json", "scope": "all"}).json()
    names = {r["name"] for r in hosts["rows"]}
    assert "Haiti" in names and "Canada" not in names and "United Kingdom" not in names
    assert everyone["total"] > 150 and hosts["total"] < 60
    html = http.get("/scorecards/hosts", params={"year": 2010}).text
    assert "Show all states" in html


def test_scorecard_pages_and_csv_has_every_filtered_row(http):
    first = http.get("/scorecards/hosts", params={"year": 2010, "scope": "all", "format": "json"}).json()
    assert first["pages"] > 1 and len(first["rows"]) == first["page_size"]
    second = http.get("/scorecards/hosts", params={"year": 2010, "scope": "all", "page": 2, "format": "json"}).json()
    assert not {r["key"] for r in first["rows"]} & {r["key"] for r in second["rows"]}
    csv_rows = (
        http.get("/scorecards/hosts", params={"year": 2010, "scope": "all", "format": "csv"}).text.strip().splitlines()
    )
    assert len(csv_rows) - 1 == first["total"]
