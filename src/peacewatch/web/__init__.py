"""Web app of peacewatch: server-rendered pages with their JSON, for people who would rather look.

Public API
----------
``peacewatch.web.app.create_app(settings=None) -> FastAPI``
    The one app object used by ``peacewatch serve``, the tests and the benchmarks.
``peacewatch.web.settings.WebSettings``
    Years shown, registry database URL, cookie security.

Every page handler serves HTML or JSON (see :mod:`peacewatch.web.negotiate` for the rule). Charts
are Apache ECharts options built in Python (:mod:`peacewatch.web.charts`) and drawn by the
vendored ``static/vendor/echarts.custom.min.js``; nothing is loaded from the internet. See ``docs/web.md``.
"""
