"""The country finder (issue 21 item 7): aliases open the right country, a name that fits several
countries opens a choice page, the suggestions offer the aliases, and an unknown name is a 404 that
suggests countries."""

from __future__ import annotations

import html
import re

import pytest


@pytest.mark.parametrize(
    ("typed", "ccode"),
    [
        ("CAR", 482),
        ("DRC", 490),
        ("Ivory Coast", 437),
        ("Cote d'Ivoire", 437),
        ("Côte d’Ivoire", 437),
        ("Congo-Brazzaville", 484),
        ("Burma", 775),
        ("Central African", 482),
    ],
)
def test_aliases_open_the_country(http, typed, ccode):
    r = http.get("/country", params={"key": typed})
    assert r.status_code == 200 and str(r.url).endswith(f"/country/{ccode}"), (typed, r.url)


@pytest.mark.parametrize(
    ("typed", "names"), [("Congo", {"Republic of the Congo", "DR Congo"}), ("korea", {"North Korea", "South Korea"})]
)
def test_an_ambiguous_name_opens_a_choice_page(http, typed, names):
    for r in (http.get("/country", params={"key": typed}), http.get(f"/country/{typed}")):
        assert r.status_code == 200 and "Which country do you mean?" in r.text
        choices = set(re.findall(r'<li><a href="/country/\d+">([^<]+)</a></li>', html.unescape(r.text)))
        assert choices == names


def test_unknown_name_is_a_404_with_suggestions(http):
    r = http.get("/country", params={"key": "Frnce"})
    text = html.unescape(r.text)
    assert r.status_code == 404 and "No state called 'Frnce'" in text
    assert 'href="/country/220"' in r.text and "Did you mean France?" in text


def test_the_suggestion_list_offers_aliases(http):
    page = html.unescape(http.get("/").text)
    options = dict(
        re.findall(
            r'<option value="([^"]+)">([^<]*)</option>',
            page.split('<datalist id="country-names">')[1].split("</datalist>")[0],
        )
    )
    assert options["Ivory Coast"] == "Côte d'Ivoire" and options["DRC"] == "DR Congo"
    assert options["CAR"] == "Central African Republic" and options["Cote d'Ivoire"] == "Côte d'Ivoire"
    assert options["Congo"] == "Republic of the Congo or DR Congo"
    assert options["Haiti"] == ""


@pytest.mark.browser
def test_finder_in_the_browser_asks_which_congo(page, shot):
    page.goto("/")
    page.get_by_label("Open a country").fill("Congo")
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_url("**/country?key=Congo")
    assert page.get_by_role("heading", level=1).inner_text() == "Which country do you mean?"
    page.get_by_role("link", name="DR Congo").click()
    page.wait_for_url("**/country/490")
    shot(page, "finder-congo-choice")
    page.goto("/")
    page.get_by_label("Open a country").fill("CAR")
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_url("**/country/482")
