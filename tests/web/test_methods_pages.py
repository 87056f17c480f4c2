"""The scorecard methods page and the models report are served by the app, linked from the pages
that use them, and fit a phone (issue 21 item 8)."""

from __future__ import annotations

import re

import pytest

from tests.web.test_crawl import raw_words


def test_methods_page_and_report_are_served_and_linked(http):
    methods = http.get("/methods/scorecards")
    assert methods.status_code == 200 and "<meta name='viewport'" in methods.text
    import yaml

    from peacewatch.scorecards.rules import ruleset_path

    rules = yaml.safe_load(ruleset_path(None, "tccs").read_text())
    assert f"rule set version {rules['version']}" in methods.text  # built from the rule set
    assert 'href="/methods/scorecards"' in http.get("/scorecards/hosts").text
    assert 'href="/methods/models"' in http.get("/model").text
    report = http.get("/methods/models")
    assert report.status_code == 200 and 'name="viewport"' in report.text and "Democratic density" in report.text
    assert '<a class="brand" href="/">peacewatch</a>' in report.text


def _main_nav(page: str) -> list[tuple[str, str]]:
    """The (address, words) of the links in a page's main navigation."""
    block = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.DOTALL)
    assert block, "no main navigation"
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block.group(1))


def test_reports_carry_the_sites_main_navigation(http):
    """The served reports had their own English link bar with other links than the site's; they now
    carry the site's main navigation (the dashboard's public pages are English; only the intake pages
    are translated), and mark themselves in a second methods line."""
    site = _main_nav(http.get("/").text)
    assert ("/report", "Report misconduct") in site and len(site) >= 6
    for path in ("/methods/scorecards", "/methods/models"):
        page = http.get(path).text
        assert _main_nav(page) == site, path
        assert f'<a href="{path}" aria-current="page">' in page


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


@pytest.mark.parametrize("path", ["/methods/scorecards", "/methods/models"])
def test_reports_speak_the_readers_words(http, path):
    """The reports showed column names and keys (``n_clusters``, ``un_size_x_duration``,
    ``tccs-default``, ``kelley_tip``) and raw numbers (``81.000`` states); their tables now have the
    readers' headings and formatted numbers (issue 21)."""
    page = http.get(path).text
    assert raw_words(page) == []
    if path == "/methods/models":
        for heading in ("Countries (clusters)", "Wald test p-value", "Standard error (clustered)", "Predicted effect"):
            assert f"<th>{heading}</th>" in page, heading
        assert "UN personnel (log), t-1" in page  # the estimates' terms by their labels
        # each model column's shorthand label said in words under the table
        assert (
            "(5) Both interactions: Deployment size, years deployed and contributing countries, where the effect"
            in page
        )
        assert "<td>1,429</td>" in page  # country-years of the main models, with a thousands separator
        assert "81.000" not in page  # states named in the 2001 report, a count
    else:
        assert "Published TIP tier" in page and "Kelley TIP data" in page
