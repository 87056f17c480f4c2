"""What the scorecard pages keep between requests (no timings: what is reused, and when it is not)."""

from __future__ import annotations


def test_registry_statistics_are_reused_for_a_few_seconds_then_asked_again(server, monkeypatch):
    from peacewatch.scorecards import registry_events
    from peacewatch.web.analysis import ScorecardCache

    calls = []
    real = registry_events.scorecard_registry_frame
    monkeypatch.setattr(registry_events, "scorecard_registry_frame", lambda s: calls.append(1) or real(s))
    cache = ScorecardCache(server["app"].state.registry)
    first = cache._registry_frame("tccs")
    assert cache._registry_frame("tccs") is first and len(calls) == 1
    cache._checked_at -= cache.REGISTRY_TTL + 1  # as if the seconds had passed
    assert cache._registry_frame("tccs") is first and len(calls) == 2  # asked again; unchanged, same object


def test_scorecard_views_are_kept_and_bounded(http, server, monkeypatch):
    from peacewatch.web.routes import scorecard_pages

    http.get("/scorecards/hosts", params={"year": 2009, "q": "Côte", "sort": "name", "order": "asc"})
    memo = server["app"].state.scorecards.memo("hosts")
    key = (2009, "hosts", None, "cote", "name", "asc")
    assert key in memo["views"]
    kept = memo["views"][key]
    http.get("/scorecards/hosts", params={"year": 2009, "q": "cote", "sort": "name", "order": "asc", "page": 1})
    assert memo["views"][key] is kept  # the same view served again, not recomputed
    monkeypatch.setattr(scorecard_pages, "VIEW_CACHE_SIZE", len(memo["views"]) + 3)
    for i in range(scorecard_pages.VIEW_CACHE_SIZE + 5):
        http.get("/scorecards/hosts", params={"year": 2009, "q": f"x{i}", "format": "json"})
    assert len(memo["views"]) <= scorecard_pages.VIEW_CACHE_SIZE
