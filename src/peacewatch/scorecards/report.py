"""Figures and the generated methods page.

:func:`write_scorecards` writes, into one directory, PNG + SVG figures (matplotlib, Agg backend) with
the CSV behind each, and the methods page (Markdown + HTML) built from the rule sets and the indicator
docstrings, so the published method is always the method that runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pandas as pd

from peacewatch.csvsafe import to_csv as safe_csv
from peacewatch.panel.column_labels import SOURCE_LABELS, VARIABLE_LABELS
from peacewatch.reports import render_report
from peacewatch.scorecards.figures import (
    TIP_LABELS,
    grade_counts,
    palermo_parties,
    tip_tier_counts,
    tip_tier_units_outside_panel,
)
from peacewatch.scorecards.indicators import CARDS, indicators
from peacewatch.scorecards.rules import load_ruleset
from peacewatch.scorecards.tiers import load_tip_history, observed_downgrades, replay_history

COLORS = {
    "Tier 1": "#1a9850",
    "Tier 2": "#91cf60",
    "Tier 2 Watch List": "#fee08b",
    "Tier 3": "#d73027",
    "Grade A": "#1a9850",
    "Grade B": "#91cf60",
    "Grade B watch": "#fee08b",
    "Grade C": "#d73027",
    "Special Case": "#999999",
    "No data": "#dddddd",
}
CARD_TITLES = {"hosts": "Host states", "tccs": "Troop-contributing countries", "missions": "UN missions"}


def _save(fig, out_dir: Path, stem: str) -> list[Path]:
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    return paths


def _stacked(ax, counts: pd.DataFrame, title: str) -> None:
    bottom = None
    for col in counts.columns:
        ax.bar(
            counts.index,
            counts[col],
            bottom=bottom,
            label=col,
            color=COLORS.get(col, "#888888"),
            edgecolor="white",
            linewidth=0.3,
        )
        bottom = counts[col] if bottom is None else bottom + counts[col]
    ax.set_title(title, fontsize=10)
    ax.set_ylim(0, max(1, int(counts.sum(axis=1).max())) * 1.08)
    ax.set_xticks(list(counts.index))
    ax.set_xticklabels([str(y) for y in counts.index], rotation=90, fontsize=7)


def _outside_note(outside) -> str:
    """ "Hong Kong 2001-2014 (14 report years), ..." for the units a tier count leaves out."""
    parts = outside.groupby("name")["year"].agg(["min", "max", "count"])
    return ", ".join(f"{n} {r['min']}-{r['max']} ({r['count']} report years)" for n, r in parts.iterrows())


def write_figures(out_dir: Path) -> list[Path]:
    """Published tier counts by year (TIP), Palermo parties by year, peacewatch grades per card (PNG + SVG + CSV)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from peacewatch.scorecards.engine import grade_table

    out: list[Path] = []
    counts = tip_tier_counts()
    safe_csv(counts, out_dir / "tip_tier_counts.csv")
    fig, ax = plt.subplots(figsize=(7, 4))
    _stacked(ax, counts[TIP_LABELS], "States by TIP tier, 2001-2015 reports")
    ax.set_ylabel("states (COW system)")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    outside = tip_tier_units_outside_panel()
    fig.text(
        0.01,
        -0.04,
        "Source: US State Dept TIP Reports via Kelley, Scorecard Diplomacy (2017) tier file, counted in the "
        f"peacewatch panel; not counted: {_outside_note(outside)}.",
        fontsize=7,
        wrap=True,
    )
    out += [out_dir / "tip_tier_counts.csv", *_save(fig, out_dir, "tip_tier_counts")]
    plt.close(fig)

    parties = palermo_parties()
    safe_csv(parties, out_dir / "palermo_parties.csv")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(parties.index, parties.values, marker="o", color="#4575b4")
    ax.set_ylim(0, 200)
    ax.set_ylabel("states party")
    ax.set_title("States party to the Palermo trafficking protocol (cf. Kelley fig. 3.3)", fontsize=10)
    fig.text(
        0.01,
        -0.04,
        "Source: HTI UNP_rat (Frank 2013), else Kelley & Simmons ratproto2000; known through 2011.",
        fontsize=7,
    )
    out += [out_dir / "palermo_parties.csv", *_save(fig, out_dir, "palermo_parties")]
    plt.close(fig)

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=False)
    for ax, card in zip(axes, CARDS, strict=True):
        c = grade_counts(grade_table(card))
        safe_csv(c, out_dir / f"scorecard_grade_counts_{card}.csv")
        out.append(out_dir / f"scorecard_grade_counts_{card}.csv")
        _stacked(ax, c, f"peacewatch grades: {CARD_TITLES[card]}")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.06))
    axes[0].set_ylabel("units graded")
    fig.text(
        0.01,
        -0.1,
        "peacewatch's own grades (not TIP Report tiers), computed by the rule sets from the catalogued "
        "sources; 2020-2025 host grades rest on secondary copies of the TIP report.",
        fontsize=7,
    )
    out += _save(fig, out_dir, "scorecard_grade_counts")
    plt.close(fig)
    return out


# --------------------------------------------------------------------------- methods page
def _sources(keys) -> str:
    """Catalog source keys as readers know the sources (``kelley_tip`` -> "Kelley TIP data")."""
    names = [SOURCE_LABELS.get(k.strip(), k.strip()) for key in keys for k in str(key).split(",")]
    return ", ".join(sorted(set(names)))


def _count(key: str) -> str:
    """A registry count of the suspension rule in words (``outcomes_due`` -> its label)."""
    return VARIABLE_LABELS.get(key, key.replace("_", " ").capitalize())


def _missing(key: str, why: str) -> str:
    """An unavailable component in words: registry data by what it is, not by the call that reads it."""
    if "registry" in key:
        return "the registry's published counts (no registry was connected)"
    return f"{key} ({why})"


def methods_blocks() -> list[tuple[str, object]]:
    """The methods page as blocks ``(kind, content)``: h1/h2/h3/p/pre/table (header + rows)."""
    from peacewatch.scorecards.engine import missing_components

    b: list[tuple[str, object]] = [
        ("h1", "peacewatch scorecards: methods"),
        (
            "p",
            "Generated from the rule sets in src/peacewatch/scorecards/rulesets/ and the indicator docstrings "
            "by peacewatch.scorecards.report; do not edit by hand. Scores run 0..10 (10 best). A unit's score is "
            "the weighted mean of its components with data (a primary indicator without data is replaced by the "
            "mean of its fallbacks); below the rule set's minimum coverage of weight there is no grade (shown as "
            "'No data', never as 0). peacewatch's grades have their own names so that they are never mistaken "
            "for the tiers the US State Department publishes: the score band gives Grade A, B or C; Grade B units "
            "meeting a watch criterion become Grade B watch; caps then limit the best grade; the history rule "
            "downgrades a unit to Grade C after consecutive Grade B watch years unless a waiver is recorded "
            "(the TIP Report's automatic-downgrade rule, applied to peacewatch's grades); overrides come last. "
            "Every grade names the rule that decided it, and the published TIP tier is shown beside it where "
            "one exists. Each component shows the year of its evidence; evidence from a secondary copy (TIP "
            "tiers 2020-2025) or older than the graded year (Palermo ratifications, known through 2011) is "
            "marked. Years: hosts 2001-2025, troop contributors 2001 to the current year, or next year with an "
            "as-of date (registry events are counted in the year they happened, referrals once their deadline "
            "passed), missions 2001-2024 (after 2016 from the Geo-PKO TCCMap, troops only).",
        ),
    ]
    for card in CARDS:
        rs = load_ruleset(None, card)
        ind = indicators(card)
        b += [("h2", f"{CARD_TITLES[card]} (rule set version {rs.version})"), ("p", rs.description.strip())]
        total = sum(r.weight for r in rs.indicators)

        def title(ind_id: str | None, ind=ind) -> str:
            return ind[ind_id].title if ind_id in ind else str(ind_id)

        rows = [
            [
                title(r.id),
                f"{r.weight:g} ({r.weight / total:.0%})",
                ", ".join(title(f) for f in r.fallback) or "-",
                _sources(ind[r.id].inputs.values()),
            ]
            for r in rs.indicators
        ]
        b.append(("table", (["Indicator", "Weight", "In its place when it has no data", "Sources"], rows)))
        b.append(("p", f"Minimum coverage: {rs.min_coverage:.0%} of the weight."))
        b.append(
            (
                "table",
                (
                    ["Grade", "Score from", "Below"],
                    [
                        [t.grade, f"{t.min:g}", f"{t.max:g}" + (" (incl.)" if t.max == 10 else "")]
                        for t in rs.score_tier_bounds()
                    ][::-1],
                ),
            )
        )
        if rs.watch_list.criteria:
            b.append(("h3", "Watch criteria (Grade B only; met: Grade B watch)"))
            b.append(
                (
                    "table",
                    (
                        ["Rule", "Criterion"],
                        [
                            [
                                f"{title(c.indicator)}: change < {c.change_below:g}"
                                if c.change_below is not None
                                else f"score < {c.score_below:g}",
                                " ".join(c.text.split()),
                            ]
                            for c in rs.watch_list.criteria
                        ],
                    ),
                )
            )
        if rs.caps:
            b.append(("h3", "Caps"))
            b.append(
                (
                    "table",
                    (
                        ["When", "Best grade", "Why"],
                        [
                            [f"{title(c.indicator)}: score < {c.score_below:g}", c.max_grade, " ".join(c.text.split())]
                            for c in rs.caps
                        ],
                    ),
                )
            )
        h = rs.history
        b.append(
            (
                "p",
                f"Grade history: automatic downgrade {'on' if h.automatic_downgrade else 'off'}; "
                f"after {h.watch_list_years} consecutive Grade B watch years counted from {h.from_year}, "
                f"at most {h.max_waivers} consecutive waivers; "
                f"{len(h.waivers)} waivers and {len(rs.overrides)} overrides recorded.",
            )
        )
        if rs.suspension is not None:
            sp = rs.suspension
            b.append(("h3", "Suspension of new deployments (recommendation)"))
            effect = (
                f"a flagged contributor is graded no better than {sp.max_grade}"
                if sp.max_grade
                else "it does not change the grade"
            )
            b.append(
                (
                    "p",
                    " ".join(sp.text.split())
                    + (
                        f" Flagged when {'every' if sp.require == 'all' else 'any'} "
                        f"criterion is met; shown beside the grade with the counts behind it (counts of 1-4 "
                        f"suppressed); {effect}."
                    ),
                )
            )
            b.append(
                (
                    "table",
                    (
                        ["Count", "Rule", "Criterion"],
                        [
                            [
                                _count(c.count),
                                f"{'sum over ' + str(sp.window_years) + ' years' if c.window else 'end of year'} "
                                f">= {c.at_least}"
                                + (f" and >= {c.per_1000_deployed:g} per 1,000 deployed" if c.per_1000_deployed else "")
                                + (f" and no {_count(c.none_of).lower()}" if c.none_of else ""),
                                " ".join(c.text.split()),
                            ]
                            for c in sp.criteria
                        ],
                    ),
                )
            )
        miss = missing_components(card)
        if miss:
            b.append(
                ("p", "Not available when this page was made: " + "; ".join(_missing(k, v) for k, v in miss.items()))
            )
        b.append(("h3", "Indicators"))
        for i in ind.values():
            b += [("h4", i.title), ("p", " ".join(i.doc.split()))]
    th = load_tip_history()
    replay = replay_history()
    b += [
        ("h2", "TIP tier history replayed"),
        (
            "p",
            " ".join(th.description.split()) + f" Replaying the published tiers "
            f"(Kelley tier file, 2001-2015) finds {len(replay)} Watch List years that needed a waiver "
            f"({int((replay['event'] == 'waiver_limit_exceeded').sum())} beyond the two-waiver limit):",
        ),
        (
            "table",
            (
                ["COW code", "Country", "Year", "Watch List years before", "Waiver"],
                [
                    [int(r.ccode), r.name, int(r.year), int(r.consecutive_before), int(r.waiver_number)]
                    for r in replay.itertuples()
                ],
            ),
        ),
    ]
    down = observed_downgrades()
    b += [
        (
            "p",
            f"The automatic downgrade as published: {len(down)} report years in which a country went to Tier 3 after "
            f"at least two consecutive Watch List years:",
        ),
        (
            "table",
            (
                ["COW code", "Country", "Year", "Watch List years before"],
                [[int(r.ccode), r.name, int(r.year), int(r.consecutive_before)] for r in down.itertuples()],
            ),
        ),
    ]
    counts = tip_tier_counts()
    b += [
        ("h2", "Published TIP tier counts (states of the COW system, from the panel)"),
        ("table", (["Year", *counts.columns], [[int(y), *map(int, row)] for y, row in counts.iterrows()])),
        (
            "p",
            (
                "The Kelley file also rates units that are not states of the COW system that year; they are not in "
                f"the panel and not counted above: {_outside_note(tip_tier_units_outside_panel())}."
            ),
        ),
    ]
    from peacewatch.works import WORKS

    b += [
        ("h2", "References"),
        (
            "table",
            (
                ["Cited as", "Work", "What peacewatch takes from it"],
                [[w.short, w.reference, w.what_peacewatch_takes] for w in WORKS.values()],
            ),
        ),
    ]
    return b


def to_markdown(blocks: list[tuple[str, object]]) -> str:
    out = []
    for kind, c in blocks:
        if kind.startswith("h"):
            out.append("#" * int(kind[1]) + " " + str(c))
        elif kind == "p":
            out.append(str(c))
        elif kind == "table":
            head, rows = cast(tuple[list[str], list[list[object]]], c)  # table blocks hold (header, rows)
            out.append("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
            out[-1] += "".join("\n| " + " | ".join(str(x).replace("|", "/") for x in r) + " |" for r in rows)
    return "\n\n".join(out) + "\n"


def to_html(blocks: list[tuple[str, object]]) -> str:
    """The methods page as HTML (template ``templates/report/scorecards_methods.html``)."""
    return render_report("scorecards_methods.html", blocks=blocks)


def write_methods(out_dir: Path, stem: str = "scorecards-methods") -> list[Path]:
    """Write the methods page as ``<stem>.md`` and ``<stem>.html``."""
    blocks = methods_blocks()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / f"{stem}.md", out_dir / f"{stem}.html"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks), encoding="utf-8")
    return [md, page]


def write_scorecards(out_dir: Path) -> list[Path]:
    """Write the three scorecards (CSV + JSON), the figures (PNG + SVG + CSV) and the methods page
    (Markdown + HTML) into ``out_dir``.

    Returns the paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from peacewatch.scorecards.export import write_scorecard_tables

    return [*write_scorecard_tables(out_dir), *write_figures(out_dir), *write_methods(out_dir)]
