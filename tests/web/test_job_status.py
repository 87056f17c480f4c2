"""``peacewatch run --serve`` serves while the main job writes its outputs: every page says so until done."""

from __future__ import annotations

import html
from pathlib import Path

import httpx


def test_pages_show_the_main_job_status_until_it_is_done(server):
    from peacewatch.jobs import MainJob

    app = server["app"]
    job = MainJob(Path("out-in-progress"))
    job.timings, job.current = {"registry": 0.4, "panel": 1.2}, "panel files"
    app.state.main_job = job
    try:
        page = html.unescape(httpx.get(server["url"] + "/", timeout=30).text)
        assert "still writing its outputs to out-in-progress: 2 of 7 steps done (now: panel files)" in page
        job.timings.update({"panel files": 1, "summary": 0, "models report": 9, "replication": 1, "scorecards": 2})
        job.current, job.finished = None, True
        assert "still writing" not in httpx.get(server["url"] + "/", timeout=30).text
    finally:
        app.state.main_job = None
