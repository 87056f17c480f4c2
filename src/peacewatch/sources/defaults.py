"""The process-wide default :class:`SourceContext`, rebuilt when settings change."""

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
