"""The one in-memory cache (peacewatch.memo): computed once, bounded, cleared in one call."""

from __future__ import annotations

import threading
import time
import weakref

from peacewatch import memo
from peacewatch.memo import Memo, attached, memoize, per_instance


def test_a_key_is_computed_once_however_many_threads_ask():
    m = Memo("test")
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it is being made
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(m.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 8 and all(g is got[0] for g in got)


def test_the_least_recently_used_goes_first_beyond_maxsize():
    m = Memo("test", maxsize=2)
    m.get("a", lambda: 1)
    m.get("b", lambda: 2)
    m.get("a", lambda: 0)  # a used again: b is now the oldest
    m.get("c", lambda: 3)
    assert "a" in m and "c" in m and "b" not in m and len(m) == 2
    assert m.peek("b") is None and m.get("a", lambda: 0) == 1


def test_memoize_per_instance_and_attached_all_clear_in_one_call(monkeypatch):
    # only this test's memos: clearing the package's would make later tests rebuild the panel
    monkeypatch.setattr(memo, "_ALL", weakref.WeakSet())
    calls = []

    @memoize(maxsize=4)
    def square(x, power=2):
        calls.append(x)
        return x**power

    class Store:
        @per_instance
        def double(self, x):
            calls.append(("double", x))
            return 2 * x

    store = Store()
    assert square(3) == 9 and square(3) == 9 and square(3, power=3) == 27
    assert store.double(4) == 8 and store.double(4) == 8
    attached(store, "extra").get("k", lambda: "v")
    assert calls == [3, 3, ("double", 4)]
    memo.clear()
    assert len(square.memo) == 0 and len(attached(store, "extra")) == 0
    assert square(3) == 9 and store.double(4) == 8
    assert calls == [3, 3, ("double", 4), 3, ("double", 4)]  # made again after clear()


def test_the_package_caches_are_memos_that_clear_reaches():
    from peacewatch.memo import _ALL
    from peacewatch.models.deployment_risk import default_model
    from peacewatch.panel import store
    from peacewatch.scorecards import engine

    for m in (default_model.memo, store._built.memo, store.mission_months.memo, engine._GRADED):
        assert isinstance(m, Memo) and m in _ALL
