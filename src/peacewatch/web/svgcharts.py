"""Server-drawn SVG charts for the country page: drawn with the HTML, no chart library to run.

The country page is the one people open most, often right after the map; running the 0.7 MB chart
library there cost 0.4-0.5 s in the browser. These charts are plain inline SVG built from the same
page data, so they appear with the first paint.

Layout: the plot is an ``<svg>`` whose width follows the page (x positions in percent, y in
pixels); axis labels are drawn in its CSS margins (``overflow: visible``), so text keeps its size on
a phone instead of shrinking with a viewBox. Lines and bands sit in a nested SVG stretched to the
plot (``preserveAspectRatio="none"`` with non-scaling strokes). Every year column carries a
``<title>`` (the browser's own tooltip) with the year's formatted numbers; the table on the page
has the same numbers for keyboard and screen-reader users.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from peacewatch.scorecards.model import PUBLISHED_TIERS
from peacewatch.web.charts import BAND_COLOR, PALETTE
from peacewatch.web.labels import number

PLOT_HEIGHT = 220


def _nice_ticks(value: float, most: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``value``: steps of 1, 2 or 5 x 10^k, at most ``most`` steps."""
    if not value or value <= 0:
        return [0.0, 1.0]
    raw = value / most
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 5, 10) if m * exp >= raw)
    return [k * step for k in range(int(math.ceil(value / step - 1e-9)) + 1)]


def _pct(i: float, n: int) -> str:
    return f"{(i + 0.5) / n * 100:.2f}%"


def _x_labels(xs: list, height: int) -> list[str]:
    """Every label if few, else every fifth (years ending in 0 and 5) so a phone can read them."""
    n = len(xs)
    out = []
    for i, x in enumerate(xs):
        if n <= 12 or (str(x).isdigit() and int(x) % 5 == 0):
            out.append(f'<text x="{_pct(i, n)}" y="{height + 16}" text-anchor="middle">{escape(x)}</text>')
    return out


def _y_axis(ticks: list[tuple[float, str]], to_y, side: str = "left") -> list[str]:
    out = []
    for value, label in ticks:
        y = to_y(value)
        if side == "left":
            out.append(f'<line class="grid" x1="0" x2="100%" y1="{y:.1f}" y2="{y:.1f}"/>')
            out.append(f'<text x="-6" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        else:
            out.append(f'<text x="100%" dx="6" y="{y + 4:.1f}">{escape(label)}</text>')
    return out


def _frame(
    id_: str, label: str, body: list[str], legend: list[tuple[str, str, str]], height: int, right_axis: bool, note: str
) -> Markup:
    """The figure: legend (HTML), the SVG plot, a caption and a source/unit note."""
    keys = "".join(
        f'<li><span class="key key-{kind}" style="--c: {colour}"></span>{escape(text)}</li>'
        for kind, colour, text in legend
    )
    cls = "svg-chart" + (" has-right-axis" if right_axis else "")
    return Markup(
        f'<figure class="chart {cls}" id="{id_}-figure"><ul class="svg-legend" aria-hidden="true">{keys}</ul>'
        f'<svg id="{id_}" class="svg-plot" role="img" aria-label="{escape(label)}" height="{height + 24}" '
        f"data-svg-chart>{''.join(body)}</svg>"
        f'<figcaption>{escape(label)}<span class="chart-note" id="{id_}-note"><br>{escape(note)}</span>'
        "</figcaption></figure>"
    )


def _stretched(n: int, height: int, inner: list[str]) -> str:
    """A nested SVG whose x runs over the year index 0..n (stretched to the plot width)."""
    return (
        f'<svg x="0" y="0" width="100%" height="{height}" viewBox="0 0 {n} {height}" preserveAspectRatio="none" '
        f'aria-hidden="true">{"".join(inner)}</svg>'
    )


def _columns(xs: list, tips: list[str], height: int) -> list[str]:
    """Transparent column per year with its tooltip."""
    n = len(xs)
    return [
        f'<rect class="hit" x="{i / n * 100:.2f}%" y="0" width="{100 / n:.2f}%" height="{height}">'
        f"<title>{escape(t)}</title></rect>"
        for i, t in enumerate(tips)
    ]


def _polyline(values: list, to_y, colour: str, width: float = 2, dash: str = "") -> list[str]:
    """Line segments through the non-missing values (a gap where a value is missing)."""
    out: list[str] = []
    run: list[tuple[int, float]] = []
    for i, v in enumerate(values + [None]):
        if v is None:
            if len(run) > 1:
                pts = " ".join(f"{x + 0.5:.2f},{to_y(y):.1f}" for x, y in run)
                out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}" {dash}/>')
            run = []
        else:
            run.append((i, v))
    return out


def deployments(series: list[dict], id_: str, label: str, note: str) -> Markup:
    """Stacked bars of troops, police and observers, and the number of TCCs (line, right axis)."""
    h = PLOT_HEIGHT
    xs = [r["year"] for r in series]
    n = len(xs)
    parts = [
        ("Troops", "un_troops", PALETTE[0]),
        ("Police", "un_police", PALETTE[1]),
        ("Observers", "un_observers", PALETTE[2]),
    ]
    totals = [sum((r[c] or 0) for _, c, _ in parts) for r in series]
    ticks = _nice_ticks(max(totals) if totals else 0)
    tcc_ticks = _nice_ticks(max((r["un_tccs"] or 0) for r in series) if series else 0, 4)
    top, tcc_top = ticks[-1], tcc_ticks[-1]
    to_y = lambda v: h - v / top * h  # noqa: E731
    to_y2 = lambda v: h - v / tcc_top * h  # noqa: E731
    body = _y_axis([(t, number(t)) for t in ticks], to_y)
    body += _y_axis([(t, number(t)) for t in tcc_ticks], to_y2, "right")
    for i, r in enumerate(series):
        base = 0.0
        for _name, col, colour in parts:
            v = r[col] or 0
            if v > 0:
                body.append(
                    f'<rect x="{(i + 0.15) / n * 100:.2f}%" y="{to_y(base + v):.1f}" width="{0.7 / n * 100:.2f}%" '
                    f'height="{v / top * h:.1f}" fill="{colour}"/>'
                )
            base += v
    body.append(_stretched(n, h, _polyline([r["un_tccs"] for r in series], to_y2, PALETTE[4], 2.5)))
    body += [
        f'<circle cx="{_pct(i, n)}" cy="{to_y2(r["un_tccs"]):.1f}" r="3" fill="{PALETTE[4]}"/>'
        for i, r in enumerate(series)
        if r["un_tccs"]
    ]
    body += _x_labels(xs, h)
    tips = [
        f"{r['year']}: troops {number(r['un_troops'])}, police {number(r['un_police'])}, observers "
        f"{number(r['un_observers'])}; {number(r['un_tccs'])} TCCs"
        for r in series
    ]
    body += _columns(xs, tips, h)
    legend = [("bar", c, name) for name, _, c in parts] + [("line", PALETTE[4], "TCCs (right axis)")]
    return _frame(id_, label, body, legend, h, True, note)


#: Rows of the tier chart, best at the top.
TIER_ROWS = [*PUBLISHED_TIERS, "Not rated"]


def tiers(series: list[dict], id_: str, label: str, note: str) -> Markup:
    """TIP tier or status per year (a step line over named rows) and HTI destination (dots)."""
    row_h = 30
    h = row_h * len(TIER_ROWS)
    strip = h + 34  # the HTI destination strip under the x labels
    xs = [r["year"] for r in series]
    n = len(xs)
    to_y = lambda k: (k + 0.5) * row_h  # noqa: E731
    body = []
    k: int | None  # a row index; below, None ends a run of years with a tier
    for k, name in enumerate(TIER_ROWS):
        body.append(f'<line class="grid" x1="0" x2="100%" y1="{to_y(k):.1f}" y2="{to_y(k):.1f}"/>')
        body.append(
            f'<text x="-6" y="{to_y(k) + 4:.1f}" text-anchor="end">'
            f"{escape(name.replace('Tier 2 Watch List', 'Watch List'))}</text>"
        )
    rows = [TIER_ROWS.index(r["tip_tier_label"]) if r["tip_tier_label"] in TIER_ROWS else None for r in series]
    # Steps: a flat segment per year, joined vertically to the next year's row.
    steps: list[str] = []
    run: list[tuple[int, int]] = []
    for i, k in enumerate(rows + [None]):
        if k is None:
            if run:
                pts = " ".join(f"{x:.2f},{to_y(kk):.1f} {x + 1:.2f},{to_y(kk):.1f}" for x, kk in run)
                steps.append(
                    f'<polyline points="{pts}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.5" '
                    f'vector-effect="non-scaling-stroke"/>'
                )
            run = []
        else:
            run.append((i, k))
    body.append(_stretched(n, h, steps))
    body += [
        f'<circle cx="{_pct(i, n)}" cy="{to_y(k):.1f}" r="3.5" fill="{PALETTE[0]}"/>'
        for i, k in enumerate(rows)
        if k is not None
    ]
    body += _x_labels(xs, h)
    body.append(f'<text x="-6" y="{strip + 4}" text-anchor="end">HTI dest.</text>')
    for i, r in enumerate(series):
        d = r["hti_pdest"]
        if d is not None:
            fill = PALETTE[1] if d >= 0.5 else "#fff"
            body.append(
                f'<circle cx="{_pct(i, n)}" cy="{strip}" r="5" fill="{fill}" stroke="{PALETTE[1]}" stroke-width="1.5"/>'
            )
    tips = [
        f"{r['year']}: {r['tip_tier_label'] or 'no TIP data'}; HTI destination: "
        f"{'no data' if r['hti_pdest'] is None else ('yes' if r['hti_pdest'] >= 0.5 else 'no')}"
        for r in series
    ]
    body += _columns(xs, tips, strip + 8)
    legend = [
        ("line", PALETTE[0], "TIP tier or status"),
        ("dot", PALETTE[1], "HTI destination: yes"),
        ("ring", PALETTE[1], "HTI destination: no"),
    ]
    return _frame(id_, label, body, legend, strip - 16, False, note)


def risk(rows: list[dict], id_: str, label: str, note: str) -> Markup:
    """Predicted probability per year with its 95% interval as a band."""
    h = PLOT_HEIGHT - 20
    xs = [r["year"] for r in rows]
    n = len(xs)
    to_y = lambda v: h - v * h  # noqa: E731
    body = _y_axis([(k / 4, f"{k / 4:.2f}") for k in range(5)], to_y)
    band = []
    seg: list[tuple[int, float, float]] = []
    for i, r in enumerate(rows + [{"risk_lo": None}]):
        if r.get("risk_lo") is None or r.get("risk_hi") is None:
            if seg:
                upper = " ".join(f"{x + 0.5:.2f},{to_y(hi):.1f}" for x, lo, hi in seg)
                lower = " ".join(f"{x + 0.5:.2f},{to_y(lo):.1f}" for x, lo, hi in reversed(seg))
                band.append(f'<polygon points="{upper} {lower}" fill="{BAND_COLOR}" fill-opacity="0.7"/>')
            seg = []
        else:
            seg.append((i, r["risk_lo"], r["risk_hi"]))
    band += _polyline([r["risk"] for r in rows], to_y, PALETTE[1], 2.5)
    body.append(_stretched(n, h, band))
    body += [
        f'<circle cx="{_pct(i, n)}" cy="{to_y(r["risk"]):.1f}" r="3" fill="{PALETTE[1]}"/>'
        for i, r in enumerate(rows)
        if r["risk"] is not None
    ]
    body += _x_labels(xs, h)
    tips = [
        f"{r['year']}: predicted risk {number(r['risk'], 2)}"
        + (f" (95% interval {number(r['risk_lo'], 2)}–{number(r['risk_hi'], 2)})" if r["risk_lo"] is not None else "")
        for r in rows
    ]
    body += _columns(xs, tips, h)
    legend = [("line", PALETTE[1], "predicted risk"), ("band", BAND_COLOR, "95% interval")]
    return _frame(id_, label, body, legend, h, False, note)
