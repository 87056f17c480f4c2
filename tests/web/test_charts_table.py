"""A table beside every chart (model page, mission size by month, every coloured state of the map)
and a tier palette that colour-blind readers can tell apart (issue 21 item 12).

The colour-vision simulation is written here from its published matrices (Machado, Oliveira and
Fernandes 2009, severity 1) and CIE 1976 colour difference, independent of the app.
"""

from __future__ import annotations

import html
import itertools
import math
import re

import pytest

from peacewatch.web.charts import MAP_METRICS, NO_DATA

MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
#: Smallest CIE76 difference accepted between two map colours, in every kind of vision.
MIN_DELTA_E = 15


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    r, g, b = linear
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(hex_colour: str, vision: str | None) -> tuple[float, float, float]:
    lin = _linear(hex_colour)
    if vision:
        m = MACHADO[vision]
        lin = [min(1.0, max(0.0, sum(m[i][j] * lin[j] for j in range(3)))) for i in range(3)]
    return _lab(lin)


def _closest_pair(colours: list[str], vision: str | None) -> float:
    return min(math.dist(_seen(a, vision), _seen(b, vision)) for a, b in itertools.combinations(colours, 2))


def test_the_simulation_reproduces_the_reported_problem():
    # issue 21 measured Tier 1 (#1a9850) against the Watch List (#fc8d59) at deltaE 7.4 under protanopia
    assert _closest_pair(["#1a9850", "#fc8d59"], "protanopia") == pytest.approx(7.4, abs=0.1)


@pytest.mark.parametrize("vision", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_tier_colours_stay_apart_for_colour_blind_readers(vision):
    colours = [p["color"] for p in MAP_METRICS["tier"]["pieces"]] + [NO_DATA]
    assert _closest_pair(colours, vision) >= MIN_DELTA_E


def test_the_map_table_lists_every_coloured_state(http):
    data = http.get("/", params={"year": 2004, "metric": "tier", "format": "json"}).json()
    coloured = {
        c["country"]
        for c in data["countries"]
        if c["iso3"] and (c["tip_tier"] is not None or c["tip_tier_label"] in ("Special Case", "Not rated"))
    }
    page = html.unescape(http.get("/", params={"year": 2004, "metric": "tier"}).text)
    table = page.split('<details id="map-table">')[1].split("</details>")[0]
    rows = re.findall(r'<th scope="row"><a href="/country/\d+">([^<]+)</a></th><td>([^<]+)</td>', table)
    assert {name for name, _ in rows} == coloured and len(rows) == len(coloured) > 150
    by_name = dict(rows)
    haiti = next(c for c in data["countries"] if c["ccode"] == 41)
    assert by_name["Haiti"] == haiti["tip_tier_label"]


def test_mission_size_chart_has_its_months_as_a_table(http):
    data = http.get("/mission/MINUSTAH", params={"format": "json"}).json()
    page = html.unescape(http.get("/mission/MINUSTAH").text)
    table = page.split('<details id="size-table">')[1].split("</details>")[0]
    rows = re.findall(r'<th scope="row" class="date">([^<]+)</th>((?:<td class="num">[^<]*</td>){5})', table)
    assert len(rows) == len(data["months"])
    peak = data["peak"]
    cells = dict(rows)[peak["month"]]
    assert f"{peak['total']:,.0f}" in cells


def test_every_model_chart_has_a_table(http):
    data = http.get("/model", params={"format": "json"}).json()
    page = http.get("/model").text
    assert page.count('<figure class="chart">') == 3
    for table_id in ("risk-curve-table", "me-duration-table", "me-tccs-table"):
        assert f'<details id="{table_id}">' in page
    curve = page.split('<details id="risk-curve-table">')[1].split("</details>")[0]
    durations = sorted({r["duration"] for r in data["risk_curve"]})
    assert curve.count('<th scope="row">') == len(data["risk_curve"]) // len(durations)
    first = min(data["risk_curve"], key=lambda r: (r["personnel"], r["duration"]))
    assert f'<td class="num">{first["risk"]:.3f}</td>' in curve
    effects = page.split('<details id="me-tccs-table">')[1].split("</details>")[0]
    assert effects.count('<th scope="row">') == len(data["marginal_effects"]["tccs"])
