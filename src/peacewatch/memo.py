"""The one in-memory cache of peacewatch: results computed once and kept, cleared in one call.

Below it sits the on-disk parquet cache of loader outputs (:mod:`peacewatch.sources.context`), which
survives the process; this module keeps what a process has computed (panels, fitted models, grade
tables, rendered page parts). Three ways in, one mechanism (:class:`Memo`):

* :func:`memoize` for module functions (in place of ``functools.lru_cache``);
* :func:`per_instance` for methods whose results belong to one object (the web app's data store);
* :func:`attached` for a memo that lives as long as an object (a source context, a graded table).

Why not ``functools.lru_cache`` everywhere: a web page asked for by many requests at once would have
each of them compute the same slow table (a model fit, a full grading) in parallel, since
``lru_cache`` does not lock while computing; a :class:`Memo` computes each key once (one lock per
key, so a slow key never blocks the others). And ``lru_cache`` offers no way to empty every cache
of a program: every :class:`Memo` registers itself, so :func:`clear` empties them all (tests, or
after the data files changed). Values are shared, not copied: callers must not modify them.

One deliberate exception: the vetting matcher's per-token string folding
(:mod:`peacewatch.registry.matching`) keeps ``functools.lru_cache``: it is called millions of times per
screening, computing a token twice is harmless, and a lock per call would cost more than the folding.

``functools.cached_property`` stays for an object's lazily built attributes (the web store's panel):
an attribute, not a cache, which goes with its object.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_ALL: weakref.WeakSet[Memo] = weakref.WeakSet()
_MISSING = object()


class Memo:
    """A thread-safe memo: each key computed once, the least recently used dropped beyond ``maxsize``."""

    def __init__(self, name: str, maxsize: int | None = None):
        self.name, self.maxsize = name, maxsize
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        _ALL.add(self)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value of ``key``, made by ``make()`` the first time (once, however many threads ask)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            value = self.peek(key, _MISSING)
            if value is not _MISSING:  # made by the thread this one waited for
                return value
            value = make()
            with self._lock:
                self._values[key] = value
                self._key_locks.pop(key, None)
                while self.maxsize is not None and len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
            return value

    def peek(self, key: Hashable, default: Any = None) -> Any:
        """The value of ``key`` if it has been made, else ``default`` (never makes it)."""
        with self._lock:
            return self._values.get(key, default)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()

    def __repr__(self) -> str:
        return f"Memo({self.name!r}, {len(self)} values, maxsize={self.maxsize})"


def clear() -> None:
    """Empty every memo of the process (module functions, objects' memos) in one call."""
    for memo in list(_ALL):
        memo.clear()


def _key(args: tuple, kwargs: dict) -> Hashable:
    return (args, tuple(sorted(kwargs.items()))) if kwargs else args


def memoize(maxsize: int | None = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorator: remember ``func``'s result per (hashable) arguments; ``func.memo`` is its :class:`Memo`."""

    def wrap(func: Callable[..., T]) -> Callable[..., T]:
        memo = Memo(f"{func.__module__}.{func.__qualname__}", maxsize)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return memo.get(_key(args, kwargs), lambda: func(*args, **kwargs))

        wrapper.memo = memo  # type: ignore[attr-defined]
        return wrapper

    return wrap


def attached(obj: Any, name: str, maxsize: int | None = None) -> Memo:
    """The memo ``name`` that lives on ``obj`` (made on first use, gone with the object)."""
    attr = f"_memo_{name}"
    memo = obj.__dict__.get(attr)
    if memo is None:
        memo = obj.__dict__.setdefault(attr, Memo(f"{type(obj).__name__}.{name}", maxsize))
    return memo


def per_instance(method: Callable[..., T]) -> Callable[..., T]:
    """Decorator: remember a method's result per object and (hashable) arguments."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return attached(self, method.__name__).get(_key(args, kwargs), lambda: method(self, *args, **kwargs))

    return wrapper
