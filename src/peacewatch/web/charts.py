"""Apache ECharts options built in Python from page data.

A chart is a plain dict (an ECharts ``option``) embedded in the page as JSON and drawn by
``static/js/app.js``; every chart also has its data as an HTML table next to it, so a screen
reader or a keyboard user gets the same numbers. Colours are Okabe-Ito / ColorBrewer hues that
stay distinct for colour-blind readers.
"""

from __future__ import annotations

import math

#: Okabe-Ito palette (colour-blind safe).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
TEXT = "#1b1b1b"

#: Colour of countries without data on every map (the HTML legend lists it as "no data").
NO_DATA = "#ffffff"

#: Map metrics: key -> label, unit, panel column, visualMap pieces (colour per value range).
MAP_METRICS: dict[str, dict] = {
    "deployments": {
        "label": "UN personnel deployed (December)",
        "unit": "people (troops, police and military observers)",
        "column": "un_personnel",
        "pieces": [
            # "none" (a reported zero) is grey, unlike white "no data".
            {"value": 0, "label": "none (0)", "color": "#bdbdbd"},
            {"gt": 0, "lt": 1000, "label": "1-999", "color": "#c6dbef"},
            {"gte": 1000, "lt": 5000, "label": "1,000-4,999", "color": "#6baed6"},
            {"gte": 5000, "lt": 10000, "label": "5,000-9,999", "color": "#2171b5"},
            {"gte": 10000, "label": "10,000 or more", "color": "#08306b"},
        ],
    },
    "destination": {
        "label": "Sex-trafficking destination (HTI)",
        "unit": "HTI report of the year",
        "column": "hti_pdest",
        "pieces": [
            {"value": 1, "label": "destination", "color": "#D55E00"},
            {"value": 0, "label": "not a destination / no mention", "color": "#9ecae1"},
        ],
    },
    "tier": {
        "label": "US TIP Report tier",
        "unit": "tier published in the TIP Report (Kelley's coding)",
        "column": "tip_tier_code",
        "pieces": [
            # viridis steps (ordered light to dark, distinct for protan, deutan and tritan readers:
            # tests/web/test_charts_table.py simulates each), every state also listed by tier in words
            # Each also has its own fill pattern (PATTERNS), so no reader depends on the colour.
            {"value": 1, "label": "Tier 1", "color": "#fde725", "pattern": "dots"},
            {"value": 2, "label": "Tier 2", "color": "#35b779", "pattern": "rising"},
            {"value": 2.5, "label": "Tier 2 Watch List", "color": "#31688e", "pattern": "horizontal"},
            {"value": 3, "label": "Tier 3", "color": "#440154", "pattern": "vertical"},
            # Not tiers but published statuses: drawn apart from each other and from "no data".
            {"value": 8, "label": "Special Case", "color": "#E69F00", "pattern": "falling"},
            {"value": 9, "label": "Not rated", "color": "#878787", "pattern": "squares"},
        ],
    },
}
#: Fill patterns laid over a map colour, each drawn twice from this one description: as an ECharts
#: decal on the map (:func:`decal`) and as an SVG ``<pattern>`` in the legend under it
#: (``map.html``, :func:`svg_pattern`). ``mark``: a dot or a line; ``size``: the mark and the gap
#: between marks in px; ``angle``: the lines' slope in degrees (0: horizontal).
PATTERNS: dict[str, dict] = {
    "dots": {"mark": "dot", "size": 3, "gap": 3},
    "rising": {"mark": "line", "size": 2, "gap": 4, "angle": 45},
    "horizontal": {"mark": "line", "size": 2, "gap": 4, "angle": 0},
    "vertical": {"mark": "line", "size": 2, "gap": 4, "angle": 90},
    "falling": {"mark": "line", "size": 2, "gap": 4, "angle": -45},
    "squares": {"mark": "square", "size": 3, "gap": 3},
}
#: Colour of a pattern's marks on a fill: dark on light fills, light on dark ones.
PATTERN_INK = {"light": "rgba(0, 0, 0, 0.55)", "dark": "rgba(255, 255, 255, 0.75)"}


def _ink(fill: str) -> str:
    """The pattern colour that shows on ``fill`` (#rrggbb), by its relative luminance."""
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return PATTERN_INK["light" if lum > 0.35 else "dark"]


def decal(piece: dict) -> dict | None:
    """The ECharts decal of a legend piece with a ``pattern`` (None without one)."""
    p = PATTERNS.get(piece.get("pattern", ""))
    if p is None:
        return None
    size, gap = p["size"], p["gap"]
    if p["mark"] == "line":
        # horizontal lines (continuous along x, size-tall every size+gap), turned by the angle;
        # ECharts turns clockwise on screen, so a rising line is a negative rotation
        return {
            "symbol": "rect",
            "dashArrayX": [1, 0],
            "dashArrayY": [size, gap],
            "rotation": -math.radians(p["angle"]),
            "color": _ink(piece["color"]),
        }
    return {
        "symbol": "circle" if p["mark"] == "dot" else "rect",
        "symbolSize": 1,
        "dashArrayX": [size, gap],
        "dashArrayY": [size, gap],
        "color": _ink(piece["color"]),
    }


def svg_pattern(piece: dict, pattern_id: str) -> str:
    """The SVG ``<pattern>`` of a legend piece (its colour with its marks), for the map legend."""
    p = PATTERNS[piece["pattern"]]
    size, gap, ink = p["size"], p["gap"], _ink(piece["color"])
    tile = size + gap
    if p["mark"] == "line":
        # SVG turns clockwise on screen too (y points down)
        marks = f'<rect x="0" y="0" width="{tile}" height="{size}" fill="{ink}"/>'
        turn = f' patternTransform="rotate({-p["angle"]:g})"'
    elif p["mark"] == "dot":
        marks = f'<circle cx="{size / 2:g}" cy="{size / 2:g}" r="{size / 2:g}" fill="{ink}"/>'
        turn = ""
    else:
        marks = f'<rect x="0" y="0" width="{size}" height="{size}" fill="{ink}"/>'
        turn = ""
    return (
        f'<pattern id="{pattern_id}" data-pattern="{piece["pattern"]}" patternUnits="userSpaceOnUse" '
        f'width="{tile}" height="{tile}"{turn}><rect width="{tile}" height="{tile}" fill="{piece["color"]}"/>'
        f"{marks}</pattern>"
    )


#: Map codes of the TIP statuses that have no tier number.
TIER_STATUS_CODES: dict[str | None, int] = {"Special Case": 8, "Not rated": 9}  # None: no label, no code


def map_value(row: dict, metric: str):
    """The number a country is coloured by (TIP statuses without a tier get their own codes)."""
    if metric == "tier":
        if row.get("tip_tier") is not None:
            return row["tip_tier"]
        return TIER_STATUS_CODES.get(row.get("tip_tier_label"))
    return row.get(MAP_METRICS[metric]["column"])


def piece_label(value, metric: str) -> str | None:
    """The legend entry a map value falls in ("Tier 2 Watch List", "1,000-4,999")."""
    if value is None:
        return None
    for p in MAP_METRICS[metric]["pieces"]:
        if "value" in p and value == p["value"]:
            return p["label"]
        if (
            "value" not in p
            and value > p.get("gt", float("-inf"))
            and value >= p.get("gte", float("-inf"))
            and value < p.get("lt", float("inf"))
        ):
            return p["label"]
    return None


def coloured_states(rows: list[dict], metric: str) -> list[dict]:
    """Every state the map colours, with its legend entry: the table beside the map."""
    from peacewatch.web.labels import fold

    out = [
        {
            "ccode": r["ccode"],
            "country": r["country"],
            "value": map_value(r, metric),
            "legend": piece_label(map_value(r, metric), metric),
        }
        for r in rows
        if r.get("iso3") is not None and map_value(r, metric) is not None
    ]
    return sorted(out, key=lambda r: fold(r["country"]))


def world_map(rows: list[dict], metric: str) -> dict:
    """Choropleth of ``rows`` (map records of one year) on the ISO3-keyed world map.

    The legend is drawn in HTML under the map (title, unit, every colour and "no data"), so the
    ECharts legend is hidden. The map does not zoom with the mouse wheel (it would trap page
    scrolling); the page's zoom buttons do (``static/js/app.js``).
    """
    spec = MAP_METRICS[metric]
    decals = {p["label"]: decal(p) for p in spec["pieces"]}
    data = []
    for r in rows:
        value = map_value(r, metric)
        if r.get("iso3") is None or value is None:
            continue
        pattern = decals.get(piece_label(value, metric) or "")
        data.append(
            {
                **({"itemStyle": {"decal": pattern}} if pattern else {}),
                "name": r["iso3"],
                "value": value,
                "country": r["country"],
                "ccode": r["ccode"],
                "personnel": r.get("un_personnel"),
                "missions": r.get("un_mission_names") or "",
                "tier": r.get("tip_tier_label"),
                "dest": r.get("hti_pdest"),
            }
        )
    return {
        "aria": {"enabled": True},
        "animation": False,
        "tooltip": {"trigger": "item"},
        "visualMap": {"type": "piecewise", "pieces": spec["pieces"], "show": False},
        "series": [
            {
                "type": "map",
                "map": "world",
                "nameProperty": "iso3",
                "roam": False,
                "name": spec["label"],
                "data": data,
                "zoom": 1.15,
                "scaleLimit": {"min": 1, "max": 12},
                "itemStyle": {"areaColor": NO_DATA, "borderColor": "#888", "borderWidth": 0.4},
                "emphasis": {"label": {"show": False}, "itemStyle": {"areaColor": "#ffd92f"}},
                "select": {"disabled": True},
            }
        ],
    }


def _axis(name: str, gap: int = 48, **extra) -> dict:
    # Axis names run along their axis (middle, rotated): at the top they collide with a legend that
    # wraps on a phone, and an inverted axis puts its name on the first x tick.
    return {
        "type": "value",
        "name": name,
        "nameLocation": "middle",
        "nameGap": gap,
        "nameTextStyle": {"color": TEXT},
        "axisLabel": {"color": TEXT},
        **extra,
    }


def _base(xs: list) -> dict:
    return {
        "aria": {"enabled": True},
        # No animation: charts appear at once (faster first paint, kinder to prefers-reduced-motion).
        "animation": False,
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        # One scrolling line: a legend never wraps down onto the plot or an axis name.
        "legend": {"type": "scroll", "top": 0, "left": 10, "right": 10, "textStyle": {"color": TEXT}},
        "grid": {"left": 70, "right": 60, "top": 40, "bottom": 36},
        "xAxis": {"type": "category", "data": [str(x) for x in xs], "axisLabel": {"color": TEXT}},
    }


BAND_COLOR = "#9ecae1"


def risk_band(rows: list[dict], x_key: str = "year", digits: int = 2) -> dict:
    """Predicted probability with its interval as a shaded band (rows: x, risk, risk_lo, risk_hi).

    The tooltip (``pwTooltip``, read by ``static/js/app.js``) shows the value and the interval's
    bounds, e.g. "0.50 (95% interval 0.41-0.60)".
    """
    xs = [r[x_key] for r in rows]
    opt = _base(xs)
    opt["yAxis"] = [_axis("probability", 44, min=0, max=1)]
    lo = [_round(r["risk_lo"], 4) for r in rows]
    width = [
        None if r["risk_hi"] is None or r["risk_lo"] is None else round(r["risk_hi"] - r["risk_lo"], 4) for r in rows
    ]
    opt["series"] = [
        # stackStrategy "all": the band must stack on a negative lower bound too (default is same-sign only).
        {
            "type": "line",
            "name": "lower bound",
            "data": lo,
            "stack": "ci",
            "stackStrategy": "all",
            "lineStyle": {"opacity": 0},
            "symbol": "none",
            "tooltip": {"show": False},
        },
        {
            "type": "line",
            "name": "95% interval",
            "data": width,
            "stack": "ci",
            "stackStrategy": "all",
            "lineStyle": {"opacity": 0},
            "symbol": "none",
            "areaStyle": {"color": BAND_COLOR, "opacity": 0.6},
            "itemStyle": {"color": BAND_COLOR},
        },
        {
            "type": "line",
            "name": "predicted risk",
            "data": [_round(r["risk"], 4) for r in rows],
            "symbolSize": 6,
            "itemStyle": {"color": PALETTE[1]},
            "lineStyle": {"color": PALETTE[1]},
        },
    ]
    opt["legend"]["data"] = ["predicted risk", "95% interval"]
    opt["pwTooltip"] = {
        "kind": "band",
        "digits": digits,
        "lo": [_round(r["risk_lo"], 4) for r in rows],
        "hi": [_round(r["risk_hi"], 4) for r in rows],
    }
    return opt


def mission_size(months: list[dict]) -> dict:
    """Monthly troops, police and observers (stacked areas) and contributors (line)."""
    opt = _base([m["month"] for m in months])
    opt["yAxis"] = [_axis("personnel", 52), _axis("contributors", 36, splitLine={"show": False}, minInterval=1)]
    opt["series"] = [
        {
            "type": "line",
            "stack": "p",
            "areaStyle": {},
            "symbol": "none",
            "name": label,
            "data": [_int(m[col]) for m in months],
        }
        for label, col in (("Troops", "troops"), ("Police", "police"), ("Observers", "observers"))
    ] + [
        {
            "type": "line",
            "name": "Contributors",
            "yAxisIndex": 1,
            "symbol": "none",
            "data": [_int(m["n_contributors"]) for m in months],
            "lineStyle": {"type": "dashed"},
        }
    ]
    # The slider sits inside the canvas, aligned with the plot (its handles' labels are hidden: the
    # x axis already shows the months, and at the edges they were cut off).
    opt["dataZoom"] = [
        {"type": "inside", "zoomOnMouseWheel": False, "moveOnMouseWheel": False},
        {"type": "slider", "height": 22, "bottom": 16, "left": 70, "right": 60, "showDetail": False},
    ]
    opt["grid"]["bottom"] = 80
    return opt


def simple_lines(xs: list, series: dict[str, list], y_name: str, digits: int | None = None) -> dict:
    """Lines sharing one x axis (e.g. democratic density by year)."""
    opt = _base(xs)
    opt["yAxis"] = [_axis(y_name, 44)]
    opt["series"] = [
        {
            "type": "line",
            "name": k,
            "data": [_round(x, digits) for x in v] if digits is not None else v,
            "symbolSize": 6,
            "connectNulls": False,
        }
        for k, v in series.items()
    ]
    return opt


def category_labels(values: list[float]) -> list[str]:
    """Numbers as category-axis labels with thousands separators (19345 -> "19,345")."""
    return [f"{v:,.0f}" for v in values]


def _int(v):
    return None if v is None else int(round(v))


def _round(v, digits):
    return None if v is None else round(float(v), digits)
