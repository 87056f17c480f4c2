"""HTML written to files (the models report, the scorecard methods page), made from template files.

Like the web pages (``peacewatch/web/templates``), the reports are Jinja templates shipped as package
data, in ``peacewatch/templates/report/``; the code computes the values and the template lays them out.
Autoescaped: values are text unless a template marks a ready-made fragment (a table, an SVG) ``safe``.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

#: The report templates (package data: installed with the wheel).
ENV = Environment(
    loader=PackageLoader("peacewatch", "templates/report"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render_report(template: str, **values) -> str:
    """Render the report template ``template`` (e.g. ``"models.html"``) with ``values``."""
    return ENV.get_template(template).render(**values)
