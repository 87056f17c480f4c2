"""Words and numbers readers meet: labels instead of column names, formatted numbers, rounded CSVs."""

from __future__ import annotations

import csv
import io
import re

import pytest

from peacewatch.web import labels


def test_labels_module_formats_numbers_and_names():
    assert labels.number(7406.0) == "7,406" and labels.number(None) == "—"
    assert labels.evidence_value(7406.0) == "7,406" and labels.evidence_value(0.936494605715863) == "0.936"
    assert labels.variable("s_p3_response") == "Anti-trafficking policy (3P index)"
    assert labels.variable("lag_ln_gdppc") == "GDP per capita, log (previous year)"
    assert labels.plain("no data: no data: tip_tier missing for 2010") == "TIP tier (number) missing for 2010"
    assert labels.plain("Kelley's ``crimlevel``") == "Kelley's crimlevel"
    assert labels.csv_value(7406.0) == 7406 and labels.csv_value(0.123456) == 0.123


@pytest.mark.parametrize("needle", ["côte", "COTE", "ivory coast", "Côte d'Ivoire"])
def test_search_is_accent_and_case_insensitive(needle):
    assert labels.search_matches(needle, labels.country_name(437, "Ivory Coast"), ccode=437)


def test_one_name_per_country_year():
    assert labels.country_name(345, "Yugoslavia", 1999) == "Yugoslavia"
    assert labels.country_name(345, "Yugoslavia", 2004) == "Serbia and Montenegro"
    assert labels.country_name(345, "Yugoslavia", 2010) == "Serbia"
    assert labels.country_name(41, "Haiti", 2004) == "Haiti"


def test_scorecard_headers_and_csv_are_readable(http):
    html = http.get("/scorecards/hosts", params={"year": 2010, "scope": "all"}).text
    assert "Anti-trafficking policy (3P index)" in html and "p3 response" not in html and "tip tier</a>" not in html
    r = http.get("/scorecards/hosts", params={"year": 2010, "format": "csv", "scope": "all"})
    rows = list(csv.reader(io.StringIO(r.text)))
    header = rows[0]
    assert "Published TIP tier (score 0-10)" in header and not any(h.startswith("s_") for h in header)
    score = header.index("score (0-10)")
    decimals = [len(row[score].split(".")[1]) for row in rows[1:] if "." in row[score]]
    assert decimals and max(decimals) <= 3
    missions = http.get("/scorecards/missions", params={"year": 2010}).text
    assert re.search(r"<caption>\d+ UN missions in 2010", missions)


def test_grade_evidence_uses_labels_not_field_names(http):
    html = http.get("/scorecards/hosts/41", params={"year": 2010}).text
    assert "3P anti-trafficking policy index (3-15): <strong>5</strong>" in html
    assert "p3_overall" not in html and "No data: no data" not in html and "``" not in html
    assert "Kelley TIP data, 2010" in html


def test_map_csv_counts_are_integers(http):
    text = http.get("/", params={"year": 2004, "format": "csv"}).text
    haiti = next(row for row in csv.DictReader(io.StringIO(text)) if row["iso3"] == "HTI")
    assert haiti["un_personnel"] == "7406" and haiti["un_tccs"].isdigit()


def test_every_chart_has_a_source_and_unit_line(http):
    for path in ("/?year=2004", "/country/41", "/mission/MINUSTAH", "/model"):
        html = http.get(path).text
        charts = re.findall(r'<(?:div|svg) id="([\w-]+)" class="(?:chart-canvas|svg-plot)"', html)
        assert charts, path
        for cid in charts:
            note = re.search(rf'id="{cid}-note"><br>([^<]+)<', html)
            assert note and "Source" in note.group(1) and "Unit" in note.group(1), (path, cid)


def test_risk_numbers_are_in_a_table_on_country_and_mission_pages(http):
    html = http.get("/country/41").text
    row = re.search(
        r'<th scope="row">2010</th><td class="num">(0\.\d\d)</td><td class="num nowrap">(0\.\d\d)–(0\.\d\d)</td>',
        html[html.index('id="risk-table"') :],
    )
    assert row and float(row.group(2)) <= float(row.group(1)) <= float(row.group(3))
    assert 'id="risk-table"' in http.get("/mission/MINUSTAH").text
