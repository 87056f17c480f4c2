"""No stored key reaches a reader of the registry or report pages: the visible text of every page
type (tags, attributes, code samples and scripts left out) holds no snake_case key such as
``referred_to_tcc``, ``tcc_ccode`` or ``linked_to_case``."""

from __future__ import annotations

import html
import re

import httpx

from .conftest import post_form

KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|code|datalist|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def test_registry_and_report_pages_show_words_not_keys(base_url, seeded, login_as):
    cid = seeded["cases"]["overdue_a"]
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=60) as c:
        post_form(c, "/report", {"message": "Words check report", "category": "trafficking_related"})
        login_as(c, "cora.coordinator")
        reports = c.get("/registry/intake", params={"format": "json"}).json()["reports"]
        pages = [
            "/registry/cases",
            f"/registry/cases/{cid}",
            f"/registry/cases/{cid}/move?to=outcome_reported",
            "/registry/cases/new",
            "/registry/intake",
            f"/registry/intake/{reports[0]['id']}",
            "/registry/vetting",
            "/registry/vetting/screenings",
            "/registry/compliance",
            "/registry/training",
            "/registry/users",
            "/registry/users/ines.investigator",
            "/registry/audit",
            f"/registry/audit?case={cid}",
            "/registry/referrals/escalation?as_of=2099-01-01",
            "/report",
            "/report/follow-up",
            "/report?lang=fr",
        ]
        found = {}
        for path in pages:
            r = c.get(path)
            assert r.status_code == 200, path
            # The seeded cases' own summaries ("Test allegation overdue_a") are what users typed.
            keys = sorted(set(KEY.findall(visible_text(r.text))) - {"overdue_a", "referred_b"})
            if keys:
                found[path] = keys
    assert found == {}
