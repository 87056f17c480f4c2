"""Figures and the generated methods page."""

from __future__ import annotations

from pathlib import Path

from peacewatch.scorecards.figures import palermo_parties
from peacewatch.scorecards.report import write_scorecards


def test_palermo_parties_by_year():
    """States party to the Palermo protocol at the end of each year (HTI UNP_rat, else Kelley & Simmons)."""
    p = palermo_parties()
    assert p.to_dict() == {
        2001: 3,
        2002: 20,
        2003: 44,
        2004: 76,
        2005: 94,
        2006: 108,
        2007: 113,
        2008: 120,
        2009: 131,
        2010: 137,
        2011: 142,
    }


def test_write_scorecards(tmp_path: Path):
    paths = write_scorecards(tmp_path)
    names = {p.name for p in paths}
    for stem in ("tip_tier_counts", "palermo_parties", "scorecard_grade_counts"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert {"scorecards-methods.md", "scorecards-methods.html"} <= names
    for p in paths:
        assert p.exists() and p.stat().st_size > 0
    assert (tmp_path / "tip_tier_counts.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "scorecards-methods.md").read_text()
    # built from the rule sets and the docstrings
    assert "| Published TIP tier | 3 (30%) | - | Kelley TIP data, TIP Report tiers 2020-2025 (secondary copy) |" in md
    assert "Cho's 3P anti-trafficking policy index" in md
    assert "finds 67 Watch List years that needed a waiver (0 beyond the two-waiver limit)" in md
    html = (tmp_path / "scorecards-methods.html").read_text()
    assert html.startswith("<!doctype html>") and "<h2>Host states (rule set version 2.0.0)</h2>" in html
    # rendered from templates/report/scorecards_methods.html with the rule set's real weights
    assert "<tr><td>Published TIP tier</td><td>3 (30%)</td>" in html
    assert "<p>Minimum coverage: 40% of the weight.</p>" in html  # hosts.yml min_coverage 0.4
    counts = (tmp_path / "tip_tier_counts.csv").read_text().splitlines()
    assert counts[0] == "year,Tier 1,Tier 2,Tier 2 Watch List,Tier 3,Special Case"
    assert counts[-1] == "2015,30,84,44,23,1"
    # peacewatch's own grades carry their own names everywhere on the methods page
    assert "| Grade | Score from | Below |" in md and "| Grade A | 7.5 | 10 (incl.) |" in md
    assert (
        "Tier 1 |"
        not in md.split("## TIP tier history replayed")[0].split("## Host states")[1].split("### Indicators")[0]
    )
    assert "Suspension of new deployments" in md and "| Allegations | sum over 3 years >= 5 and >= 2 per 1,000" in md
    assert "significant_allegations" not in md  # criteria by their rule and text, not their keys (issue 21)
    assert "Flagged when every criterion is met" in md and "graded no better than Grade C" in md
    grades = (tmp_path / "scorecard_grade_counts_hosts.csv").read_text().splitlines()
    assert grades[0] == "year,Grade A,Grade B,Grade B watch,Grade C,No data"
    assert grades[-1].startswith("2025,")


def test_write_methods_creates_its_folder(tmp_path: Path):
    """The methods page alone may be written into a folder that does not exist yet."""
    from peacewatch.scorecards.report import write_methods

    md, page = write_methods(tmp_path / "new" / "docs")
    assert md.exists() and page.exists()
    assert "3 (30%)" in page.read_text(encoding="utf-8")
