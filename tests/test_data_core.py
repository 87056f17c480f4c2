"""One data core: the pages, the scorecards, the models and the main job share one panel per process."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from peacewatch import memo
from peacewatch.panel import store
from peacewatch.panel.core import Panel, create_country_years
from peacewatch.panel.verbs.registry import ALL_NAMES


def test_a_slice_of_the_shared_panel_equals_a_panel_built_for_those_years():
    fresh = create_country_years(2003, 2006).add_all().df
    pd.testing.assert_frame_equal(store.panel_frame(2003, 2006), fresh)
    sliced = store.panel(2003, 2006)
    assert (sliced.start, sliced.end, len(sliced.df)) == (2003, 2006, len(fresh))
    assert [s.verb for s in sliced.steps] == [s.verb for s in store.core_panel().steps]


def test_readers_get_the_same_rows_from_the_one_panel():
    from peacewatch.models.data import model_panel_object
    from peacewatch.scorecards.frames import panel_frame

    core = store.core_panel().df
    haiti = core[(core["ccode"] == 41) & (core["year"] == 2004)].iloc[0]
    assert haiti["un_troops"] == 6008  # MINUSTAH's first year (IPI)
    for frame in (panel_frame(2001, 2010), model_panel_object((2001, 2011)).df):
        row = frame[(frame["ccode"] == 41) & (frame["year"] == 2004)].iloc[0]
        assert row["un_troops"] == 6008


@pytest.mark.slow
def test_the_main_job_and_the_dashboard_apply_each_verb_once(tmp_path, monkeypatch):
    """``peacewatch run`` with the dashboard of ``run --serve`` warmed next to it: every panel verb is
    applied once in the process (one panel build), whatever years each reader shows."""
    from peacewatch.jobs import MainJob
    from peacewatch.web.app import create_app
    from peacewatch.web.settings import WebSettings

    memo.clear()
    applied: list[tuple[str, int, int]] = []
    add = Panel.add

    def counting_add(self, name, agg="december"):
        applied.append((name, self.start, self.end))
        return add(self, name, agg)

    monkeypatch.setattr(Panel, "add", counting_add)
    out = tmp_path / "out"
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(out))
    for name in ("PEACEWATCH_DB_URL", "PEACEWATCH_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    job = MainJob(out)
    job.prepare()
    job.run(only=["registry"])
    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'web.sqlite'}", preload=False))
    app.state.store.warm()
    for warm in app.state.analysis.warmers:  # what run --serve computes in the background
        warm()
    job.run(skip=("registry",))
    assert Counter(name for name, *_ in applied) == Counter(ALL_NAMES)
    assert {(start, end) for _, start, end in applied} == {(store.CORE_START, store.core_end())}
