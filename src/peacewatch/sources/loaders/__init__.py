"""One small loader module per catalogued source.

Each loader takes an optional :class:`~peacewatch.sources.context.SourceContext` (default: a shared
one for the current environment), returns a tidy pandas DataFrame with COW ``ccode`` where the unit
is a country, and documents the source's quirks it handles. Outputs are cached as parquet.

There is no list of loaders here: each catalog entry names its own (``loaders:`` in
``catalog_entries/<key>.yml``, resolved by :meth:`peacewatch.sources.catalog.Catalog.loaders`), and
code imports a loader from its module, e.g. ``from peacewatch.sources.loaders.hti import hti``.
"""
