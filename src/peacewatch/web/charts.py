"""Apache ECharts options built in Python from page data.

A chart is a plain dict (an ECharts ``option``) embedded in the page as JSON and drawn by
``static/js/app.js``; every chart also has its data as an HTML table next to it, so a screen
reader or a keyboard user gets the same numbers. Colours are Okabe-Ito / ColorBrewer hues that
stay distinct for colour-blind readers.
"""

from __future__ import annotations

#: Okabe-Ito palette (colour-blind safe).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
TEXT = "#1b1b1b"

#: Map metrics: key -> (label, panel column, visualMap pieces)
MAP_METRICS: dict[str, dict] = {
    "deployments": {
        "label": "UN personnel deployed (December)",
        "column": "un_personnel",
        "pieces": [
            {"value": 0, "label": "none", "color": "#f0f0f0"},
            {"gt": 0, "lt": 1000, "label": "1-999", "color": "#c6dbef"},
            {"gte": 1000, "lt": 5000, "label": "1,000-4,999", "color": "#6baed6"},
            {"gte": 5000, "lt": 10000, "label": "5,000-9,999", "color": "#2171b5"},
            {"gte": 10000, "label": "10,000 or more", "color": "#08306b"},
        ],
    },
    "destination": {
        "label": "Sex-trafficking destination (HTI)",
        "column": "hti_pdest",
        "pieces": [
            {"value": 1, "label": "destination", "color": "#D55E00"},
            {"value": 0, "label": "not a destination / no mention", "color": "#9ecae1"},
        ],
    },
    "tier": {
        "label": "US TIP Report tier",
        "column": "tip_tier",
        "pieces": [
            {"value": 1, "label": "Tier 1", "color": "#1a9850"},
            {"value": 2, "label": "Tier 2", "color": "#fee08b"},
            {"value": 2.5, "label": "Tier 2 Watch List", "color": "#fc8d59"},
            {"value": 3, "label": "Tier 3", "color": "#b2182b"},
        ],
    },
}


def world_map(rows: list[dict], metric: str) -> dict:
    """Choropleth of ``rows`` (map records of one year) on the ISO3-keyed world map."""
    spec = MAP_METRICS[metric]
    data = []
    for r in rows:
        value = r.get(spec["column"])
        if r.get("iso3") is None or value is None:
            continue
        data.append({
            "name": r["iso3"], "value": value, "country": r["country"], "ccode": r["ccode"],
            "personnel": r.get("un_personnel"), "missions": r.get("un_mission_names") or "",
            "tier": r.get("tip_tier_label"), "dest": r.get("hti_pdest"),
        })
    return {
        "aria": {"enabled": True},
        "animation": False,
        "tooltip": {"trigger": "item"},
        "visualMap": {
            "type": "piecewise", "pieces": spec["pieces"], "left": 10, "bottom": 10,
            "textStyle": {"color": TEXT}, "itemGap": 6, "orient": "vertical",
        },
        "series": [{
            "type": "map", "map": "world", "nameProperty": "iso3", "roam": True,
            "name": spec["label"], "data": data, "zoom": 1.15,
            "itemStyle": {"areaColor": "#ffffff", "borderColor": "#888", "borderWidth": 0.4},
            "emphasis": {"label": {"show": False}, "itemStyle": {"areaColor": "#ffd92f"}},
            "select": {"disabled": True},
        }],
    }


def _axis(name: str, **extra) -> dict:
    return {"type": "value", "name": name, "nameTextStyle": {"color": TEXT},
            "axisLabel": {"color": TEXT}, **extra}


def _base(years: list[int]) -> dict:
    return {
        "aria": {"enabled": True},
        # No animation: charts appear at once (faster first paint, kinder to prefers-reduced-motion).
        "animation": False,
        "color": PALETTE,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "textStyle": {"color": TEXT}},
        "grid": {"left": 60, "right": 60, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [str(y) for y in years], "axisLabel": {"color": TEXT}},
    }


def country_deployments(series: list[dict]) -> dict:
    """Stacked bars of troops, police and observers with the number of TCCs on a second axis."""
    years = [r["year"] for r in series]
    opt = _base(years)
    opt["yAxis"] = [_axis("personnel"), _axis("TCCs", splitLine={"show": False})]
    bars = [("Troops", "un_troops"), ("Police", "un_police"), ("Observers", "un_observers")]
    opt["series"] = [
        {"type": "bar", "stack": "p", "name": label, "data": [r[col] for r in series]} for label, col in bars
    ] + [{"type": "line", "name": "TCCs", "yAxisIndex": 1, "data": [r["un_tccs"] for r in series],
          "symbolSize": 6}]
    return opt


def country_tiers(series: list[dict]) -> dict:
    """TIP tier by year (1 best, 3 worst; 2.5 = Watch List) and HTI destination status."""
    years = [r["year"] for r in series]
    opt = _base(years)
    opt["yAxis"] = [
        _axis("TIP tier", min=1, max=3, inverse=True, interval=0.5),
        _axis("destination (HTI)", min=0, max=1, interval=1, splitLine={"show": False}),
    ]
    opt["series"] = [
        {"type": "line", "name": "TIP tier", "step": "middle", "data": [r["tip_tier"] for r in series],
         "symbolSize": 7},
        {"type": "scatter", "name": "HTI destination (1 = yes)", "yAxisIndex": 1,
         "data": [r["hti_pdest"] for r in series], "symbol": "diamond", "symbolSize": 9},
    ]
    return opt


def risk_band(rows: list[dict], x_key: str = "year") -> dict:
    """Predicted probability with its interval as a shaded band (rows: x, risk, risk_lo, risk_hi)."""
    xs = [r[x_key] for r in rows]
    opt = _base(xs)
    opt["yAxis"] = [_axis("probability", min=0, max=1)]
    lo = [r["risk_lo"] for r in rows]
    width = [None if r["risk_hi"] is None or r["risk_lo"] is None else r["risk_hi"] - r["risk_lo"] for r in rows]
    opt["series"] = [
        # stackStrategy "all": the band must stack on a negative lower bound too (default is same-sign only).
        {"type": "line", "name": "lower bound", "data": lo, "stack": "ci", "stackStrategy": "all", "lineStyle": {"opacity": 0},
         "symbol": "none", "tooltip": {"show": False}},
        {"type": "line", "name": "interval", "data": width, "stack": "ci", "stackStrategy": "all", "lineStyle": {"opacity": 0},
         "symbol": "none", "areaStyle": {"color": "#9ecae1", "opacity": 0.6}},
        {"type": "line", "name": "predicted risk", "data": [r["risk"] for r in rows], "symbolSize": 6,
         "color": PALETTE[1]},
    ]
    opt["legend"]["data"] = ["predicted risk", "interval"]
    return opt


def mission_size(months: list[dict]) -> dict:
    """Monthly troops, police and observers (stacked areas) and contributors (line)."""
    opt = _base([m["month"] for m in months])
    opt["yAxis"] = [_axis("personnel"), _axis("contributors", splitLine={"show": False})]
    opt["series"] = [
        {"type": "line", "stack": "p", "areaStyle": {}, "symbol": "none", "name": label,
         "data": [m[col] for m in months]}
        for label, col in (("Troops", "troops"), ("Police", "police"), ("Observers", "observers"))
    ] + [{"type": "line", "name": "Contributors", "yAxisIndex": 1, "symbol": "none",
          "data": [m["n_contributors"] for m in months], "lineStyle": {"type": "dashed"}}]
    opt["dataZoom"] = [{"type": "inside"}, {"type": "slider", "height": 18, "bottom": 0}]
    opt["grid"]["bottom"] = 50
    return opt


def simple_lines(xs: list, series: dict[str, list], y_name: str) -> dict:
    """Lines sharing one x axis (e.g. democratic density by year)."""
    opt = _base(xs)
    opt["yAxis"] = [_axis(y_name)]
    opt["series"] = [{"type": "line", "name": k, "data": v, "symbolSize": 6, "connectNulls": False}
                     for k, v in series.items()]
    return opt
