"""What the scorecard pages keep between requests (no timings: what is reused, and when it is not)."""

from __future__ import annotations


def test_registry_statistics_are_reused_for_a_few_seconds_then_asked_again(server, monkeypatch):
    from peacewatch.registry import publication
    from peacewatch.web.analysis import ScorecardCache

    calls = []
    real = publication.scorecard_frame
    monkeypatch.setattr(publication, "scorecard_frame", lambda s: calls.append(1) or real(s))
    cache = ScorecardCache(server["app"].state.registry)
    first = cache._registry_frame("tccs")
    assert cache._registry_frame("tccs") is first and len(calls) == 1
    cache._checked_at -= cache.REGISTRY_TTL + 1  # as if the seconds had passed
    assert cache._registry_frame("tccs") is first and len(calls) == 2  # asked again; unchanged, same object


def test_scorecard_views_are_kept_and_bounded(http, server):
    http.get("/scorecards/hosts", params={"year": 2009, "q": "Côte", "sort": "name", "order": "asc"})
    views = server["app"].state.scorecards.memo("hosts").peek("views")
    key = (2009, "hosts", None, "cote", "name", "asc")
    assert key in views
    kept = views.peek(key)
    assert kept["name"].tolist() == ["Côte d'Ivoire"]
    http.get("/scorecards/hosts", params={"year": 2009, "q": "cote", "sort": "name", "order": "asc", "page": 1})
    assert views.peek(key) is kept  # the same view served again, not recomputed
    views.maxsize = len(views) + 3
    for i in range(10):
        http.get("/scorecards/hosts", params={"year": 2009, "q": f"x{i}", "format": "json"})
    assert len(views) == views.maxsize  # bounded, whatever users type
    assert key not in views  # the least recently used went first


def test_country_page_main_part_is_rendered_once_per_country(http, server):
    memo = server["app"].state.analysis.memo
    first = http.get("/country/HTI").text
    kept = memo.peek(("country_page", 41))
    assert kept is not None and str(kept) in first and "MINUSTAH" in str(kept)
    assert http.get("/country/41").text == first  # the same page, from the kept part
    assert memo.peek(("country_page", 41)) is kept
