"""Charts as readers see them in Chromium: tooltips, map legends and modes, zoom without the wheel."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _ready(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready === 'true')"
    )


def test_risk_tooltip_shows_the_interval_bounds_and_a_formatted_risk(page):
    page.goto("/mission/MINUSTAH")
    _ready(page)
    years = page.evaluate("() => peacewatchCharts['risk'].getOption().xAxis[0].data")
    i = years.index("2010")
    page.evaluate(f"() => peacewatchCharts['risk'].dispatchAction({{type: 'showTip', seriesIndex: 2, dataIndex: {i}}})")
    page.wait_for_function("() => document.querySelector('#risk').innerText.includes('interval')")
    text = page.locator("#risk").inner_text()
    m = re.search(r"predicted risk: (0\.\d\d)\s+95% interval: (0\.\d\d)–(0\.\d\d)", text)
    assert m, text
    lo, risk, hi = float(m.group(2)), float(m.group(1)), float(m.group(3))
    assert lo <= risk <= hi
    # The table under the chart has the same numbers.
    row = page.locator("#risk-table tr", has=page.locator("th", has_text=re.compile(r"^2010$")))
    assert row.locator("td").nth(1).text_content() == m.group(1)
    # The legend marker of the interval has the band's colour, not a palette colour.
    colours = page.evaluate(
        """() => peacewatchCharts['risk'].getOption().series
            .map(s => [s.name, s.itemStyle && s.itemStyle.color, s.areaStyle && s.areaStyle.color])"""
    )
    band = next(c for c in colours if c[0] == "95% interval")
    assert band[1] == band[2]


def test_country_page_charts_are_drawn_without_a_chart_library(page):
    page.goto("/country/41")
    assert page.evaluate("() => typeof window.echarts") == "undefined"
    tips = page.locator("#risk rect.hit title").all_text_contents()
    tip = next(t for t in tips if t.startswith("2010:"))
    m = re.fullmatch(r"2010: predicted risk (0\.\d\d) \(95% interval (0\.\d\d)–(0\.\d\d)\)", tip)
    assert m and float(m.group(2)) <= float(m.group(1)) <= float(m.group(3))
    row = page.locator("#risk-table tr", has=page.locator("th", has_text=re.compile(r"^2010$")))
    assert row.locator("td").nth(0).text_content() == m.group(1)
    assert page.locator(".svg-legend .key-band").count() == 1


def test_tip_tier_map_colours_special_case_and_not_rated(page, shot):
    page.goto("/?year=2004&metric=tier")
    _ready(page)
    haiti = page.evaluate("() => peacewatchCharts['world-map'].getOption().series[0].data.find(d => d.name === 'HTI')")
    assert haiti["tier"] == "Special Case" and haiti["value"] == 8
    legend = page.locator(".map-legend").inner_text()
    for label in ("Tier 1", "Tier 2 Watch List", "Tier 3", "Special Case", "Not rated", "no data"):
        assert label in legend
    assert "US TIP Report tier, 2004" in legend
    page.evaluate("() => peacewatchCharts['world-map'].dispatchAction({type: 'showTip', seriesIndex: 0, name: 'HTI'})")
    page.wait_for_function("() => document.querySelector('#world-map').innerText.includes('Haiti')")
    tip = page.locator("#world-map").inner_text()
    assert "TIP: Special Case" in tip and "undefined" not in tip
    shot(page, "22-map-2004-tier")


def test_map_ignores_the_mouse_wheel_and_zooms_with_buttons(page):
    page.goto("/?year=2004")
    _ready(page)
    box = page.locator("#world-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => window.scrollY > 0")
    zoom = "() => peacewatchCharts['world-map'].getOption().series[0].zoom"
    assert page.evaluate(zoom) == pytest.approx(1.15)
    page.get_by_role("button", name="Zoom in").click()
    assert page.evaluate(zoom) > 1.5
    page.get_by_role("button", name="Reset map").click()
    assert page.evaluate(zoom) == pytest.approx(1.15)
    legend = page.locator(".map-legend").inner_text()
    assert "none (0)" in legend and "no data" in legend and "people" in legend


def test_tip_chart_names_tiers_on_its_axis(page):
    page.goto("/country/41")
    axis = page.locator("#tiers > text").all_text_contents()
    for name in ("Tier 1", "Tier 2", "Watch List", "Tier 3", "Special Case", "Not rated"):
        assert name in axis
    tips = page.locator("#tiers rect.hit title").all_text_contents()
    assert (
        "2004: Special Case; HTI destination: yes" in tips and "2005: Tier 2 Watch List; HTI destination: yes" in tips
    )
