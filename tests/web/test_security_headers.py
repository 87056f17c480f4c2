"""Every response carries the security headers (content security policy, no MIME sniffing, same-origin
referrers): pages, the JSON API, errors and static files. They are added by a pure ASGI middleware
(it replaced an ``@app.middleware("http")`` function that cost a tenth of the CPU of an API call)."""

from __future__ import annotations

import pytest

from peacewatch.web.app import SECURITY_HEADERS


@pytest.mark.parametrize(
    "path, status",
    [
        ("/report", 200),  # a page (the anonymous report form)
        ("/api/registry/me", 401),  # the JSON API, refusing a missing token
        ("/static/css/app.css", 200),  # a static file
        ("/country/XYZ", 404),  # an error page
    ],
)
def test_security_headers_on_every_kind_of_response(http, path, status):
    r = http.get(path)
    assert r.status_code == status
    expected = dict(SECURITY_HEADERS)
    if path == "/report":
        # The anonymous report page sets a stricter policy of its own, and it is kept (never doubled).
        expected["Referrer-Policy"] = "no-referrer"
    for name, value in expected.items():
        assert r.headers.get_list(name) == [value], name
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_head_requests_get_the_same_headers(http):
    r = http.head("/report")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["x-content-type-options"] == "nosniff"
