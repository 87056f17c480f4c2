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


def test_tier_map_fills_each_tier_with_its_own_pattern(page, shot):
    """Tier colours alone were too close for colour-blind readers (issue 21 item 12): every tier and
    status is also drawn with its own fill pattern, and the legend shows the same pattern."""
    from peacewatch.web.charts import MAP_METRICS, decal

    page.goto("/?year=2004&metric=tier")
    _ready(page)
    # What the map drew: for each state, its value and the decal of the path ECharts painted.
    drawn = page.evaluate(
        """() => {
          const data = peacewatchCharts['world-map'].getModel().getSeriesByIndex(0).getData();
          const out = [];
          for (let i = 0; i < data.count(); i++) {
            const el = data.getItemGraphicEl(i), value = data.get('value', i);
            if (!el || value == null || isNaN(value)) continue;  // no data, or too small for the map
            let painted = false;
            el.traverse(k => { if (k.style && k.style.decal) painted = true; });
            const d = data.getItemVisual(i, 'decal');
            out.push({value: value, painted: painted,
                      decal: d && {symbol: d.symbol, dashArrayX: d.dashArrayX, dashArrayY: d.dashArrayY,
                                   rotation: d.rotation || 0}});
          }
          return out;
        }"""
    )

    def key(d: dict) -> tuple:
        return (d["symbol"], tuple(d["dashArrayX"]), tuple(d["dashArrayY"]), round(d.get("rotation", 0), 6) + 0.0)

    pieces = {p["value"]: p for p in MAP_METRICS["tier"]["pieces"]}
    by_piece: dict[str, set] = {}
    for d in drawn:
        assert d["painted"], d  # every coloured state carries a pattern
        by_piece.setdefault(pieces[d["value"]]["label"], set()).add(key(d["decal"]))
    assert {"Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3", "Special Case"} <= set(by_piece)
    assert all(len(v) == 1 for v in by_piece.values()), by_piece  # one pattern per tier ...
    patterns = [next(iter(v)) for v in by_piece.values()]
    assert len(set(patterns)) == len(patterns)  # ... and no two tiers share one
    for label, (pattern,) in by_piece.items():
        piece = next(p for p in pieces.values() if p["label"] == label)
        assert pattern == key(decal(piece)), label  # drawn from the one description in charts.PATTERNS
    # The legend: a swatch filled with an SVG pattern of the same name for each piece.
    legend = page.evaluate(
        """() => [...document.querySelectorAll('.map-legend dd')].map(dd => {
          const rect = dd.querySelector('svg rect[fill^="url(#"]');
          const id = rect && rect.getAttribute('fill').slice(5, -1);
          const pat = id && document.getElementById(id);
          return {label: dd.textContent.trim(), pattern: pat && pat.dataset.pattern,
                  marks: pat ? pat.children.length : 0};
        })"""
    )
    shown = {entry["label"]: entry for entry in legend}
    for piece in pieces.values():
        entry = shown[piece["label"]]
        assert entry["pattern"] == piece["pattern"] and entry["marks"] >= 2, entry
    assert len({shown[p["label"]]["pattern"] for p in pieces.values()}) == len(pieces)
    shot(page, "map-tier-patterns")
