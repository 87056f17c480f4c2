"""Scorecard years and tabs (issue 21 item 4): every tab of every year of every card opens a page,
a missing year is a 404 in readers' words with the nearest year linked, and the default year says why."""

from __future__ import annotations

import html
import re

import pytest

CARDS = ("hosts", "tccs", "missions")


def _tab_links(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Scorecards">(.*?)</nav>', page, re.DOTALL).group(1)
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', nav)]


@pytest.mark.parametrize("card", CARDS)
def test_every_tab_of_every_year_answers(http, card):
    years = http.get(f"/scorecards/{card}", params={"format": "json"}).json()["years"]
    assert len(years) >= 10
    seen = set()
    for year in years:
        page = http.get(f"/scorecards/{card}", params={"year": year})
        assert page.status_code == 200, (card, year)
        links = _tab_links(page.text)
        assert len(links) == 3
        for link in links:
            if link in seen:
                continue
            seen.add(link)
            r = http.get(link)
            assert r.status_code == 200, (card, year, link)
            target_year = int(re.search(r"year=(\d+)", link).group(1))
            assert f"scorecard {target_year}" in html.unescape(r.text)
            if "asked=" in link:  # the tab moved the year: the page says so
                assert f"has no data for {year}; showing {target_year}, the nearest year it has" in html.unescape(
                    r.text
                )


def test_tab_keeps_the_year_where_the_target_card_has_it(http):
    tcc_years = http.get("/scorecards/tccs", params={"format": "json"}).json()["years"]
    links = _tab_links(http.get("/scorecards/hosts", params={"year": 2010}).text)
    assert "/scorecards/tccs?year=2010" in links and "/scorecards/missions?year=2010" in links
    links = _tab_links(http.get("/scorecards/hosts", params={"year": 2024}).text)
    mission_years = http.get("/scorecards/missions", params={"format": "json"}).json()["years"]
    # the nearest year each card has, worked out here independently of the page
    want_tcc = 2024 if 2024 in tcc_years else min(tcc_years, key=lambda y: (abs(y - 2024), -y))
    want_mission = min(mission_years, key=lambda y: (abs(y - 2024), -y))
    assert f"/scorecards/missions?year={want_mission}" + ("" if want_mission == 2024 else "&asked=2024") in links
    assert any(link.startswith(f"/scorecards/tccs?year={want_tcc}") for link in links)
    links = _tab_links(http.get("/scorecards/hosts", params={"year": 2025}).text)
    want_mission = min(mission_years, key=lambda y: (abs(y - 2025), -y))
    assert want_mission != 2025 and f"/scorecards/missions?year={want_mission}&asked=2025" in links


def test_missing_year_is_a_404_in_readers_words_with_the_nearest_year(http):
    years = http.get("/scorecards/missions", params={"format": "json"}).json()["years"]
    gone = max(years) + 1  # a year after the card's data end (2025: missions to 2024)
    r = http.get("/scorecards/missions", params={"year": gone})
    text = html.unescape(r.text)
    assert r.status_code == 404
    assert f"The UN missions scorecard has no data for {gone}" in text
    assert f"has no data for {gone}. It has data for {min(years)}-{max(years)}." in text
    assert f'href="/scorecards/missions?year={max(years)}"' in r.text
    assert "tccs" not in re.sub(r'href="[^"]*"', "", r.text)
    j = http.get("/scorecards/missions", params={"year": gone, "format": "json"}).json()
    assert j["nearest"] == max(years) and j["years"] == years
    t = html.unescape(http.get("/scorecards/tccs", params={"year": 2099}).text)
    assert "troop-contributing countries scorecard has no data for 2099" in t and "tccs scorecard" not in t


def test_unknown_card_names_the_cards_in_words(http):
    r = http.get("/scorecards/nations")
    assert r.status_code == 404 and "Troop-contributing countries" in html.unescape(r.text)


def test_default_year_is_each_cards_latest_graded_year_with_the_reason(http):
    latest = {}
    for card in CARDS:
        full = http.get(f"/scorecards/{card}", params={"format": "json"}).json()
        latest[card] = full["year"]
        rows = http.get(f"/scorecards/{card}", params={"format": "json", "year": full["year"], "scope": "all"}).json()
        if card == "tccs" and not any(r["grade"] != "No data" for r in rows["rows"]):
            # contributors need the registry's records for a grade (coverage floor, issue 23): the
            # shared server's registry has none published, so no year is graded and the page says so
            assert full["year"] == max(full["years"])
            text = html.unescape(http.get(f"/scorecards/{card}").text)
            assert "No year on it has enough data for a grade yet" in text
            latest[card] = full["year"]
            continue
        assert any(r["grade"] != "No data" for r in rows["rows"])
        later = [y for y in full["years"] if y > full["year"]]
        for y in later:  # nothing graded after the default year
            rows = http.get(f"/scorecards/{card}", params={"format": "json", "year": y, "scope": "all"}).json()
            assert rows["grade_counts"]["No data"] == rows["total"]
    for card in CARDS:
        text = html.unescape(http.get(f"/scorecards/{card}").text)
        if "No year on it has enough data for a grade yet" in text:
            continue
        assert f"Opened on {latest[card]}, the latest year with grades on this card" in text
        for y in latest.values():
            assert str(y) in text


def test_grade_detail_year_off_the_card_links_the_nearest(http):
    r = http.get("/scorecards/missions/MINUSTAH", params={"year": 2020})
    text = html.unescape(r.text)
    assert r.status_code == 404 and "MINUSTAH" in text and "is not on the UN missions scorecard in 2020" in text
    j = http.get("/scorecards/missions/MINUSTAH", params={"year": 2020, "format": "json"}).json()
    assert f'href="/scorecards/missions/MINUSTAH?year={j["nearest"]}"' in r.text


def test_year_list_names_the_gaps_between_years(http):
    """The year list says which years between the first and the last have no data instead of jumping
    silently (the registry's open year is not public, issue 20, so a card's gaps come from its data)."""
    from peacewatch.web.routes.scorecard_pages import year_gaps

    assert year_gaps([2001, 2002, 2005, 2008, 2009]) == ["2003-2004", "2006-2007"]
    assert year_gaps([2019, 2020, 2026]) == ["2021-2025"] and year_gaps([2001, 2002]) == []
    years = http.get("/scorecards/tccs", params={"format": "json"}).json()["years"]
    missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
    page = html.unescape(http.get("/scorecards/tccs", params={"year": years[-1]}).text)
    if missing:  # worked out here: the runs of missing years
        runs, start = [], missing[0]
        for a, b in zip(missing, missing[1:] + [None]):
            if b != a + 1:
                runs.append(str(start) if start == a else f"{start}-{a}")
                start = b
        assert f"(none for {', '.join(runs)})" in page
    else:
        assert "(none for" not in page
    assert re.search(r"Years with data: [0-9, -]+", page)


@pytest.mark.browser
def test_clicking_every_tab_of_every_year_in_the_browser(browser, base_url, http, shot):
    """The same walk as a reader does it: open each year of each card and click each tab."""
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)
    clicked, problems = set(), []
    try:
        for card in CARDS:
            for year in http.get(f"/scorecards/{card}", params={"format": "json"}).json()["years"]:
                page.goto(f"/scorecards/{card}?year={year}")
                tabs = page.locator('nav[aria-label="Scorecards"] a')
                for i in range(tabs.count()):
                    href = tabs.nth(i).get_attribute("href")
                    if href in clicked:
                        continue
                    clicked.add(href)
                    with page.expect_navigation() as nav:
                        tabs.nth(i).click()
                    if nav.value.status != 200:
                        problems.append(f"{card} {year}: {href} -> {nav.value.status}")
                    page.goto(f"/scorecards/{card}?year={year}")  # back to the year (history may hold a same-URL click)
                    tabs = page.locator('nav[aria-label="Scorecards"] a')
        page.goto("/scorecards/hosts?year=2025")  # the missions card ends in 2024
        page.get_by_role("link", name=re.compile("UN missions")).click()
        assert "the nearest year it has" in page.locator("#asked-note").inner_text()
        shot(page, "scorecard-tab-nearest-year")
    finally:
        context.close()
    assert problems == [] and len(clicked) > 50
