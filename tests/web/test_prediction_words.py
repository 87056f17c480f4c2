"""The planned-mission prediction in plain words (issue 21 item 11): a "too uncertain to call" line by a
stated rule, the base rate explained, no jargon outside "Technical terms", auto-filled values with
their year, one entry per country in the picker."""

from __future__ import annotations

import html
import re

from peacewatch.web.routes.model_pages import TOO_UNCERTAIN_WIDTH

SMALL = {"personnel": 500, "duration": 1, "tccs": 2, "host": 41}
LARGE = {"personnel": 20000, "duration": 8, "tccs": 40}


def _outside_details(page: str) -> str:
    page = re.sub(r"<details>.*?</details>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(page))


def test_wide_intervals_are_too_uncertain_to_call_by_the_stated_rule(http):
    for params in (SMALL, LARGE):
        j = http.get("/model/predict", params={**params, "format": "json"}).json()
        page = re.sub(r"\s+", " ", html.unescape(http.get("/model/predict", params=params).text))
        wide = j["risk_hi"] - j["risk_lo"] > TOO_UNCERTAIN_WIDTH
        assert ("Too uncertain to call" in page) == wide, params
        assert f"wider than {TOO_UNCERTAIN_WIDTH * 100:.0f} percentage points" in page
        if not wide:
            base = j["base_rate"]["share"]
            word = (
                "higher than"
                if j["risk"] > base + 0.05
                else "lower than"
                if j["risk"] < base - 0.05
                else "about the same as"
            )
            assert f"The estimate is {word} the base rate of {base * 100:.0f}%." in page
    small = http.get("/model/predict", params={**SMALL, "format": "json"}).json()
    assert small["risk_hi"] - small["risk_lo"] > TOO_UNCERTAIN_WIDTH  # Haiti, 500 personnel: the wide case is real


def test_base_rate_is_explained_and_jargon_sits_in_technical_terms(http):
    page = http.get("/model/predict", params=LARGE).text
    text = _outside_details(page)
    assert "The base rate is how often this happened before" in text
    assert "delta" not in text and "(5)" not in text and "Both interactions" not in text
    details = re.search(r"<details><summary>Technical terms</summary>(.*?)</details>", page, re.DOTALL).group(1)
    assert "delta method" in details and "Both interactions" in details


def test_auto_filled_values_show_their_year(http):
    series = http.get("/country/41", params={"format": "json"}).json()["series"]
    polity_year = max(r["year"] for r in series if r["polity2"] is not None)
    j = http.get("/model/predict", params={**SMALL, "format": "json"}).json()
    assert j["filled_years"]["polity2"] == polity_year
    page = html.unescape(http.get("/model/predict", params=SMALL).text)
    assert f"host's value of {polity_year}" in page
    # the picker's script types the host's values into the form: still the host's, with their year
    typed = html.unescape(http.get("/model/predict", params={**SMALL, "polity2": j["form_inputs"]["polity2"]}).text)
    assert f"host's value of {polity_year}" in typed
    own = html.unescape(http.get("/model/predict", params={**SMALL, "polity2": -3}).text)
    assert "as entered" in own.split("Polity2 score (previous year)")[1][:80]


def test_each_country_once_in_the_picker(http):
    page = http.get("/model").text
    select = re.search(r'<select id="f-host".*?</select>', page, re.DOTALL).group(0)
    names = [html.unescape(n) for n in re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)]
    assert len(names) > 150 and len(names) == len(set(names))
    assert "Germany" in names
