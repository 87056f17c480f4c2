"""The three scorecards as files: ``hosts``, ``tccs`` and ``missions`` as CSV and JSON (every graded year).

One row per unit-year: grade, published tier, score (0-10), coverage, the rule that decided the grade
and each component's score. The evidence behind one grade is printed by
``peacewatch score CARD --year Y --explain KEY``.
"""

from __future__ import annotations

import json
from pathlib import Path

from peacewatch.scorecards.indicators import CARDS


def write_scorecard_tables(out_dir: Path, cards: tuple[str, ...] = CARDS) -> list[Path]:
    """Write ``<card>.csv`` and ``<card>.json`` for each card into ``out_dir``; return the paths."""
    from peacewatch.bounds import SCORECARD_FIRST_YEAR, last_year
    from peacewatch.scorecards import engine

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for card in cards:
        table = engine.grade_table(card).sort_values(["year", "key"]).reset_index(drop=True)
        _, _, missing, rs, _ = engine._graded(card, None, None)
        csv_path, json_path = out_dir / f"{card}.csv", out_dir / f"{card}.json"
        table.to_csv(csv_path, index=False)
        doc = {
            "card": card,
            "years": [SCORECARD_FIRST_YEAR, last_year(card)],
            "ruleset": rs.ruleset,
            "ruleset_version": rs.version,
            "missing_components": dict(missing),
            "grades": json.loads(table.to_json(orient="records")),  # NaN -> null ("no data"), never 0
        }
        json_path.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
        written += [csv_path, json_path]
    return written
