"""The anonymous report pages in the reporter's language: English, French, Arabic (right to left),
Portuguese and Spanish; chosen by the browser's Accept-Language or the visible switch, no
JavaScript needed; every message of the pages is translated in every catalog."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from peacewatch.web import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates" / "report"


def _template_messages() -> set[str]:
    found = set()
    for path in TEMPLATES.glob("*.html"):
        with open(path, "rb") as fh:
            found |= {msg for _line, _fn, msg, _c in babel_extract(fh, ["_"], [], {}) if isinstance(msg, str)}
    return found


def test_every_message_of_the_report_pages_is_translated_in_every_language():
    wanted = _template_messages() | set(i18n.CATEGORY_WORDS.values()) | set(i18n.REPORTER_STATUS.values())
    assert len(wanted) > 40
    for lang in ("fr", "ar", "pt", "es"):
        with open(i18n.locale_dir() / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
            catalog = read_po(fh, locale=lang)
        missing = [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]
        assert missing == [], f"{lang}: untranslated {missing}"
        # Markup kept: the link of a message with a link still points where the English one does.
        for m in wanted:
            assert re.findall(r'href="[^"]+"', m) == re.findall(r'href="[^"]+"', catalog.get(m).string), (lang, m)


@pytest.mark.parametrize(
    "header,expected",
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,ar;q=0.5,fr;q=0.4", "ar"),
        ("en;q=0.2,pt-BR;q=0.9", "pt"),
        ("de,it", "en"),
        ("", "en"),
        ("es;q=0", "en"),
        ("es-419", "es"),
    ],
)
def test_the_browser_language_is_taken_by_quality(header, expected):
    assert (i18n._from_accept_language(header) or "en") == expected


def test_accept_language_the_switch_and_the_form_in_french_and_arabic(base_url):
    with httpx.Client(base_url=base_url, follow_redirects=True, headers={"Accept-Language": "fr-FR,fr;q=0.9"}) as c:
        page = c.get("/report")
        assert page.status_code == 200 and '<html lang="fr" dir="ltr">' in page.text
        assert "Que s'est-il passé ?" in html.unescape(page.text) and page.headers["content-language"] == "fr"
        assert 'href="?lang=ar" lang="ar" hreflang="ar"' in page.text  # the switch, in each language's own name
        assert "pw_lang" not in page.headers.get("set-cookie", "")  # the browser's language needs no cookie
        arabic = c.get("/report?lang=ar")
        assert '<html lang="ar" dir="rtl">' in arabic.text and "ماذا حدث؟" in arabic.text
        assert "pw_lang=ar" in arabic.headers["set-cookie"] and "Path=/report" in arabic.headers["set-cookie"]
        # The choice holds on the next report pages of this browser, over its Accept-Language.
        assert '<html lang="ar" dir="rtl">' in c.get("/report/follow-up").text
        refused = c.post("/report", data={"message": ""})
        assert refused.status_code == 422 and "ما حدث: مطلوب" in refused.text
    # Other pages stay English and right to left is only for Arabic.
    assert '<html lang="en" dir="ltr">' in httpx.get(f"{base_url}/missions", headers={"Accept-Language": "ar"}).text


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"
)


def _checked(page) -> None:
    """No serious accessibility problem (axe-core) and nothing wider than the viewport."""
    page.add_script_tag(content=AXE.read_text())
    assert page.evaluate(AXE_SERIOUS) == [], page.url
    w = page.evaluate("() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth})")
    assert w["doc"] <= w["view"], (page.url, w)


@pytest.mark.browser
def test_a_report_in_french_end_to_end(browser, base_url, shot):
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/report")
    assert page.locator("html").get_attribute("lang") == "fr"
    _checked(page)
    page.get_by_label("Que s'est-il passé ?").fill("Un soldat a proposé de l'argent à une fille près du camp.")
    page.get_by_label("Type d'abus (facultatif)").select_option(label="exploitation sexuelle")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url("**/report/receipt")
    assert page.get_by_role("heading", level=1).inner_text() == "Merci. Votre signalement a bien été reçu."
    assert "Notez-le ou gardez-le maintenant dans un endroit sûr." in page.content()
    _checked(page)
    shot(page, "50-report-receipt-fr")
    receipt = page.locator("#receipt").get_attribute("data-receipt")
    page.get_by_role("link", name="lire les réponses et ajouter des informations").click()
    page.get_by_label("Numéro de reçu").fill(receipt)
    page.get_by_role("button", name="Lire les réponses").click()
    assert page.locator("#thread-status").inner_text() == "reçu, pas encore lu"
    page.get_by_label("Votre message").fill("C'était un mardi soir.")
    page.get_by_role("button", name="Envoyer").click()
    assert page.get_by_role("status").first.inner_text() == "Vos informations ont été ajoutées."
    assert "C'était un mardi soir." in page.locator("#messages").inner_text()
    _checked(page)
    context.close()


@pytest.mark.browser
def test_a_report_in_arabic_right_to_left_end_to_end(browser, base_url, shot):
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.goto("/report")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Language").get_by_role("link", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    # Right to left: the heading starts at the right edge.
    box = page.get_by_role("heading", level=1).bounding_box()
    assert box["x"] + box["width"] > 300
    _checked(page)
    page.get_by_label("ماذا حدث؟").fill("رأيت جنودًا يعرضون المال على فتيات قرب الميناء.")
    page.get_by_role("button", name="أرسل البلاغ").click()
    page.wait_for_url("**/report/receipt")
    assert page.get_by_role("heading", level=1).inner_text() == "شكرًا لك. تم استلام بلاغك."
    assert page.locator("html").get_attribute("dir") == "rtl"
    receipt = page.locator("#receipt").get_attribute("data-receipt")
    assert page.locator("#receipt").get_attribute("dir") == "ltr" and len(receipt) == 20
    _checked(page)
    shot(page, "51-report-receipt-ar")
    page.get_by_role("link", name="قراءة الردود وإضافة معلومات").click()
    page.get_by_label("رقم الإيصال").fill(receipt)
    page.get_by_role("button", name="اقرأ الردود").click()
    assert page.locator("#thread-status").inner_text() == "تم الاستلام، ولم تتم قراءته بعد"
    assert "رأيت جنودًا" in page.locator("#messages").inner_text()
    _checked(page)
    shot(page, "52-report-follow-up-ar")
    context.close()
