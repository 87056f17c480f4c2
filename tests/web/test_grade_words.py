"""Grades explained in plain words on the scorecard pages (issue 21 item 5 and 6): why a row has
its grade or none, a year whose grades are the published TIP tier relabelled, identical scores from
identical components, one heading per column, name order where scores tie, and the TCC suspension rule
read from the rule set."""

from __future__ import annotations

import html
import re
from collections import Counter

import yaml

from peacewatch.scorecards.rules import ruleset_path


def _rule(card: str) -> dict:
    return yaml.safe_load(ruleset_path(None, card).read_text())


def _rows(http, card, year, **params):
    """Every row of a card's year (the JSON is paged: 50 rows a page)."""
    first = http.get(f"/scorecards/{card}", params={"year": year, "scope": "all", "format": "json", **params}).json()
    for page in range(2, first["pages"] + 1):
        more = http.get(f"/scorecards/{card}", params={"year": year, "scope": "all", "format": "json", "page": page, **params})
        first["rows"] += more.json()["rows"]
    return first


def test_no_data_rows_say_which_components_are_missing_and_the_floor(http):
    floor = _rule("hosts")["min_coverage"]
    data = _rows(http, "hosts", 2023)
    czech = next(r for r in data["rows"] if r["key"] == 316)  # Czech Republic: Tier 1 in 2023, no other data
    assert czech["grade"] == "No data" and czech["published_tier"] == "Tier 1"
    assert czech["why"].startswith(f"No grade: only Published TIP tier has data, {czech['coverage']:.0%} of the weight; "
                                   f"a grade needs at least {floor:.0%}.")
    assert "Party to the Palermo Protocol" in czech["why"].split("No data for ")[1]
    page = html.unescape(http.get("/scorecards/hosts", params={"year": 2023, "q": "Czech"}).text)
    assert czech["why"] in page and "min coverage" not in page


def test_host_2023_says_the_grade_is_the_published_tier_relabelled(http):
    rows = [r for r in _rows(http, "hosts", 2023)["rows"] if r["grade"] != "No data"]
    pairs = {(r["published_tier"], r["grade"]) for r in rows}
    assert len(pairs) == len({t for t, _ in pairs})  # worked out here: each tier gives one grade
    page = html.unescape(http.get("/scorecards/hosts", params={"year": 2023}).text)
    assert "Every grade of 2023 is the published TIP tier relabelled (Tier 1 is Grade A;" in page
    argentina = next(r for r in rows if r["key"] == 160)
    assert argentina["why"].endswith(f"In effect this is the published {argentina['published_tier']} relabelled.")
    page_2010 = html.unescape(http.get("/scorecards/hosts", params={"year": 2010}).text)
    assert "published TIP tier relabelled" not in page_2010 and "In effect this is the published" not in page_2010


def test_identical_scores_are_explained_by_identical_components(http):
    rows = [r for r in _rows(http, "hosts", 2025)["rows"] if r["grade"] != "No data"]
    comps = [c for c in rows[0] if c.startswith("s_")]
    groups = Counter((round(r["score"], 4), tuple(r[c] for c in comps)) for r in rows)
    (score, _), n = groups.most_common(1)[0]
    assert n >= 3
    page = html.unescape(http.get("/scorecards/hosts", params={"year": 2025}).text)
    assert f"{n} units have the identical score {score:.2f} because their component scores are identical" in page


def test_each_column_heading_appears_once(http):
    page = http.get("/scorecards/hosts", params={"year": 2010}).text
    head = re.search(r"<thead>(.*?)</thead>", page, re.DOTALL).group(1)
    names = [re.sub(r"<[^>]+>|\s+", " ", h).split(",")[0].strip() for h in re.findall(r"<a class=\"sort\"[^>]*>(.*?)</a>", head, re.DOTALL)]
    names = [re.sub(r" [▼▲]$", "", n) for n in names]
    assert len(names) == len(set(names)), names
    assert "Published TIP tier" in names and "Published TIP tier: score (0-10)" in names


def test_a_year_without_grades_lists_states_by_name(http):
    data = _rows(http, "hosts", 2018)
    assert data["grade_counts"]["No data"] == data["total"]
    names = [r["name"] for r in data["rows"]]
    assert names[0] != "United States"
    import unicodedata

    def fold(s):
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch)).lower()
        return re.sub(r"[^a-z0-9]+", " ", s).strip()
    assert [fold(n) for n in names] == sorted(fold(n) for n in names)
    page = html.unescape(http.get("/scorecards/hosts", params={"year": 2018}).text)
    assert "No UN deployment data for 2018" in page


def test_tcc_card_states_the_suspension_rule_from_the_rule_set(http):
    rule = _rule("tccs")["suspension"]
    for path in ("/scorecards/tccs?year=2010", "/scorecards/tccs/770?year=2010"):
        page = html.unescape(http.get(path).text)
        assert " ".join(rule["text"].split()) in page, path
        for c in rule["criteria"]:
            assert " ".join(c["text"].split()) in page, path
