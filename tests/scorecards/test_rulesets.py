"""Rule-set files: the shipped ones load; bad ones are refused with a message naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacewatch.scorecards.rules import RULESET_DIR, RuleSetError, load_ruleset, parse_ruleset

HOSTS = (RULESET_DIR / "hosts.yml").read_text(encoding="utf-8")


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


@pytest.mark.parametrize(("card", "version"), [("hosts", "2.0.0"), ("tccs", "2.1.0"), ("missions", "2.1.0")])
def test_shipped_rulesets_load(card, version):
    rs = load_ruleset(None, card)
    assert rs.card == card and rs.version == version
    assert rs.line("thresholds") is not None


def test_unknown_indicator_is_refused_naming_the_line():
    bad = HOSTS.replace("  - id: criminalisation\n", "  - id: criminalization\n")
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(bad, "hosts.yml")
    line = line_of(bad, "- id: criminalization")
    assert exc.value.line == line
    msg = str(exc.value)
    assert msg.startswith(f"hosts.yml:{line}: indicators[2].id: unknown indicator 'criminalization' for card 'hosts'")
    assert "Did you mean 'criminalisation'?" in msg


def test_weight_that_is_not_a_number_is_refused_naming_the_line():
    bad = HOSTS.replace("  - id: p3_response\n    weight: 2\n", "  - id: p3_response\n    weight: high\n")
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(bad, "hosts.yml")
    line = line_of(bad, "weight: high")
    assert str(exc.value).startswith(f"hosts.yml:{line}: indicators[1].weight: 'high' is not a number")
    assert "Give it as a number" in str(exc.value)


def test_quoted_weight_is_not_a_number_either():
    bad = HOSTS.replace("  - id: p3_response\n    weight: 2\n", '  - id: p3_response\n    weight: "2"\n')
    with pytest.raises(RuleSetError, match=r"indicators\[1\]\.weight: '2' is not a number"):
        parse_ruleset(bad, "hosts.yml")


def test_overlapping_thresholds_are_refused_naming_the_line():
    bad = HOSTS.replace("  - grade: Grade A\n    min: 7.5\n", "  - grade: Grade A\n    min: 7\n")
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(bad, "hosts.yml")
    line = line_of(bad, "- grade: Grade A")
    assert exc.value.line == line
    assert f"hosts.yml:{line}: thresholds[2]: Grade A band 7..10 overlaps Grade B band 4..7.5" in str(exc.value)
    assert "min: 7.5" in str(exc.value)


def test_gap_between_thresholds_is_refused():
    bad = HOSTS.replace("  - grade: Grade B\n    min: 4\n", "  - grade: Grade B\n    min: 4.5\n")
    with pytest.raises(RuleSetError, match=r"gap between Grade C \(max 4\) and Grade B \(min 4.5\)"):
        parse_ruleset(bad, "hosts.yml")


def test_unknown_key_and_bad_tier_are_refused():
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(HOSTS.replace("min_coverage: 0.4", "min_coverag: 0.4"), "hosts.yml")
    assert exc.value.field == "min_coverag" and exc.value.line == line_of(HOSTS, "min_coverage")
    with pytest.raises(RuleSetError, match=r"caps\[0\]\.max_grade"):
        parse_ruleset(HOSTS.replace("max_grade: Grade B watch", "max_grade: Grade D"), "hosts.yml")
    # the TIP Report's own labels are not peacewatch grades
    with pytest.raises(RuleSetError, match=r"thresholds\[0\]\.grade"):
        parse_ruleset(HOSTS.replace("  - grade: Grade C\n", "  - grade: Tier 3\n"), "hosts.yml")


def test_suspension_rule_is_validated():
    tccs = (RULESET_DIR / "tccs.yml").read_text(encoding="utf-8")
    rs = parse_ruleset(tccs, "tccs.yml")
    assert rs.suspension is not None and [c.id for c in rs.suspension.criteria] == [
        "significant_allegations",
        "no_prosecution_after_substantiated_cases",
    ]
    # the paper's rule: significant allegations (per 1,000 deployed) AND failure to prosecute; it caps the grade
    assert rs.suspension.require == "all" and rs.suspension.max_grade == "Grade C"
    assert rs.suspension.criteria[0].per_1000_deployed == 2
    # a threshold below the smallest published cell could flag on counts nobody may see
    with pytest.raises(RuleSetError, match=r"suspension\.criteria\[0\]\.at_least"):
        parse_ruleset(
            tccs.replace(
                "      count: allegations\n      window: true\n      at_least: 5",
                "      count: allegations\n      window: true\n      at_least: 2",
            ),
            "tccs.yml",
        )
    with pytest.raises(RuleSetError, match=r"suspension\.criteria\[0\]\.count"):
        parse_ruleset(tccs.replace("count: allegations", "count: overdue"), "tccs.yml")
    with pytest.raises(RuleSetError, match=r"suspension\.require"):
        parse_ruleset(tccs.replace("require: all", "require: most"), "tccs.yml")


def test_yaml_syntax_error_names_the_line():
    bad = HOSTS.replace("  - id: palermo\n", "  - id: [palermo\n")
    with pytest.raises(RuleSetError) as exc:
        parse_ruleset(bad, "hosts.yml")
    assert exc.value.field == "(yaml)" and exc.value.line is not None


def test_fallback_that_is_primary_is_refused():
    bad = HOSTS.replace("fallback: [pko_size, pko_duration, pko_tccs]", "fallback: [pko_size, tip_tier]")
    with pytest.raises(RuleSetError, match=r"fallback 'tip_tier' is also a primary indicator"):
        parse_ruleset(bad, "hosts.yml")


def test_cli_check_reports_the_line(tmp_path: Path):
    from peacewatch.cli import app

    bad = tmp_path / "bad.yml"
    bad.write_text(
        HOSTS.replace("  - id: p3_response\n    weight: 2\n", "  - id: p3_response\n    weight: two\n"),
        encoding="utf-8",
    )
    res = CliRunner().invoke(app, ["score", "check", str(bad), "--card", "hosts"])
    assert res.exit_code == 2
    assert (
        f"bad.yml:{line_of(bad.read_text(), 'weight: two')}: indicators[1].weight: 'two' is not a number" in res.output
    )
    good = CliRunner().invoke(app, ["score", "check", str(RULESET_DIR / "tccs.yml"), "--card", "tccs"])
    assert good.exit_code == 0 and "tccs-default v2.1.0" in good.output
