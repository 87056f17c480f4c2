"""The process-wide default :class:`SourceContext` and crosswalk, rebuilt when settings change."""

from __future__ import annotations

from peacewatch.sources.catalog import catalog_dir, data_dir, default_catalog
from peacewatch.sources.context import SourceContext, cache_dir

_state: dict[tuple[str, str, str], SourceContext] = {}


def default_context() -> SourceContext:
    """A context shared by loaders called without one (keyed by catalog, data and cache dirs)."""
    key = (str(catalog_dir()), str(data_dir()), str(cache_dir()))
    if key not in _state:
        _state[key] = SourceContext(catalog=default_catalog())
    return _state[key]


def crosswalk_for(ctx: SourceContext):
    """The country crosswalk bound to ``ctx`` (one per context)."""
    from peacewatch.panel.codes import Crosswalk

    cw = getattr(ctx, "_crosswalk", None)
    if cw is None:
        cw = Crosswalk(ctx)
        ctx._crosswalk = cw  # type: ignore[attr-defined]
    return cw
