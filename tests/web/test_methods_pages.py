"""The scorecard methods page and the models report are served by the app, linked from the pages
that use them, and fit a phone (issue 21 item 8)."""

from __future__ import annotations

import pytest


def test_methods_page_and_report_are_served_and_linked(http):
    methods = http.get("/methods/scorecards")
    assert methods.status_code == 200 and "<meta name='viewport'" in methods.text
    import yaml

    from peacewatch.scorecards.rules import ruleset_path

    assert yaml.safe_load(ruleset_path(None, "tccs").read_text())["ruleset"] in methods.text  # built from the rule set
    assert 'href="/methods/scorecards"' in http.get("/scorecards/hosts").text
    assert 'href="/methods/models"' in http.get("/model").text
    report = http.get("/methods/models")
    assert report.status_code == 200 and 'name="viewport"' in report.text and "Democratic density" in report.text
    assert '<a href="/">peacewatch</a>' in report.text


def test_public_pages_do_not_show_where_the_server_keeps_its_data(http):
    """The models report named the supplied files by absolute path on the server (a disclosure, and in
    a deep checkout the path overflowed a phone screen); public pages name them relative to the data
    directory."""
    from peacewatch.sources.catalog import data_dir

    secret = str(data_dir().resolve())
    report = http.get("/methods/models").text
    assert "walkfree_gsi/2023-Global-Slavery-Index-Data.xlsx" in report  # the note is there ...
    for path in ("/methods/models", "/methods/scorecards", "/model", "/"):
        assert secret not in http.get(path).text, path  # ... without the server's directory


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/methods/scorecards", "/methods/models"])
@pytest.mark.parametrize("width", [390, 1280])
def test_methods_pages_fit_the_screen(browser, base_url, path, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    try:
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        pg.goto(path)
        # A scroll region counts, not what scrolls in it.
        widest = pg.evaluate("""() => Math.max(document.documentElement.scrollWidth,
            ...[...document.querySelectorAll('body *')].filter(e => !e.parentElement.closest('.scroll'))
               .map(e => e.getBoundingClientRect().right))""")
        assert widest <= width + 0.5, (path, width, widest)
    finally:
        context.close()
