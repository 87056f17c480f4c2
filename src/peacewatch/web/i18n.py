"""Languages of the anonymous report pages (``/report``): English, French, Arabic (right to left),
Portuguese and Spanish, the working languages of the missions the form serves.

Translations are gettext catalogs, ``web/locale/<language>/LC_MESSAGES/messages.po``, read with
Babel straight from the ``.po`` files the package ships (no compile step at install). The language
is, in order: ``?lang=`` (the visible switch on every report page, which works without JavaScript),
the ``pw_lang`` cookie that switch sets (the chosen language only, for this browser session, path
``/report``: strictly necessary, no tracking), the browser's ``Accept-Language``, English.
"""

from __future__ import annotations

import io

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from fastapi import Request
from markupsafe import Markup

from peacewatch.memo import memoize
from peacewatch.resources import package_path

#: Language code -> its name in that language (what the switch shows).
LANGUAGES = {"en": "English", "fr": "Français", "ar": "العربية", "pt": "Português", "es": "Español"}
RTL = {"ar"}
DEFAULT = "en"
COOKIE = "pw_lang"
DOMAIN = "messages"


def locale_dir():
    """The folder of the catalogs inside the installed package."""
    return package_path("peacewatch.web", "locale")


@memoize()
def translations(lang: str) -> NullTranslations:
    """The catalog of ``lang`` (English: the messages themselves)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    po = locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def _from_accept_language(header: str) -> str | None:
    """The first language of an ``Accept-Language`` header that we have, by quality."""
    choices = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            choices.append((-q, i, primary))
    return min(choices)[2] if choices else None


def language_of(request: Request) -> str:
    """The language to answer ``request`` in (see the module docstring)."""
    asked = (request.query_params.get("lang") or "").lower()
    if asked in LANGUAGES:
        return asked
    kept = (request.cookies.get(COOKIE) or "").lower()
    if kept in LANGUAGES:
        return kept
    return _from_accept_language(request.headers.get("accept-language", "")) or DEFAULT


def remember(request: Request, response, lang: str) -> None:
    """Keep a language chosen with ``?lang=`` for the next report pages of this browser session."""
    if request.query_params.get("lang", "").lower() == lang and request.cookies.get(COOKIE) != lang:
        secure = bool(getattr(request.app.state.settings, "secure_cookies", False))
        response.set_cookie(COOKIE, lang, path="/report", httponly=True, samesite="strict", secure=secure)


#: Kinds of misconduct as the report form names them (translated like every message).
CATEGORY_WORDS = {
    "sexual_exploitation": "sexual exploitation",
    "sexual_abuse": "sexual abuse",
    "trafficking_related": "trafficking-related",
}
#: Where a report stands, said to the person who sent it (never the office's internal status key).
REPORTER_STATUS = {
    "new": "received, not read yet",
    "triaged": "read by the conduct and discipline team",
    "linked_to_case": "taken up as a case by the conduct and discipline team",
    "closed": "closed",
}


def context(lang: str) -> dict:
    """What a report template needs: ``_`` (translate; a message holding HTML is marked safe by its
    caller with ``|safe``), ``error_text`` (a form error "Label: problem; ..." part by part),
    ``lang``, ``dir``, the switch's languages, the category and status words."""
    t = translations(lang)

    def _(message: str, **values) -> str:
        text = t.gettext(message)
        return text % values if values else text

    def error_text(message: str) -> str:
        parts = []
        for part in str(message).split("; "):
            label, sep, problem = part.partition(": ")
            parts.append(f"{_(label)}: {_(problem)}" if sep else _(part))
        return "; ".join(parts)

    return {
        "_": _,
        "error_text": error_text,
        "lang": lang,
        "dir": "rtl" if lang in RTL else "ltr",
        "languages": LANGUAGES,
        "category_words": CATEGORY_WORDS,
        "reporter_status": REPORTER_STATUS,
    }


def safe(text: str) -> Markup:
    """A translated message that contains our own markup (from the catalogs, never user text)."""
    return Markup(text)
