"""Words and numbers as readers see them: one place for labels, number formats and country names.

Pages, CSV downloads and chart options all go through these functions, so a variable never reaches
a reader as its column name (``un_personnel``), a count never as ``7406.0`` and a country is called
the same on the map, the mission list, the scorecards and its own page.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# The panel keeps the words the models report needs too (the models layer cannot import web); pages
# read them through this module.
from peacewatch.panel.column_labels import METHOD_WORDS as METHOD_WORDS
from peacewatch.panel.column_labels import SOURCE_LABELS as SOURCE_LABELS
from peacewatch.panel.column_labels import SPEC_WORDS as SPEC_WORDS
from peacewatch.panel.column_labels import VARIABLE_LABELS

#: One display name per COW code where the panel's code name differs from the name readers search
#: for. Each entry is a list of (first year, name); the name applies from that year on.
COUNTRY_NAMES: dict[int, list[tuple[int, str]]] = {
    345: [(0, "Yugoslavia"), (2003, "Serbia and Montenegro"), (2006, "Serbia")],
    437: [(0, "Côte d'Ivoire")],
    490: [(0, "DR Congo")],
    484: [(0, "Republic of the Congo")],
    260: [(0, "Germany")],
    2: [(0, "United States")],
    343: [(0, "North Macedonia")],
    572: [(0, "Eswatini")],
}
#: Other names a country is found by (old, official or alternative names), not shown.
COUNTRY_ALIASES: dict[int, list[str]] = {
    345: ["Yugoslavia", "Serbia", "Serbia and Montenegro"],
    437: ["Ivory Coast", "Cote d'Ivoire"],
    490: ["Democratic Republic of the Congo", "DRC", "DR Congo", "Congo DR", "Zaire", "Congo-Kinshasa"],
    484: ["Congo-Brazzaville", "Congo Republic"],
    482: ["CAR", "Centrafrique"],
    731: ["North Korea", "DPRK"],
    732: ["South Korea", "Republic of Korea"],
    860: ["Timor-Leste", "East Timor"],
    816: ["Viet Nam"],
    812: ["Lao PDR"],
    652: ["Syria"],
    630: ["Iran"],
    260: ["German Federal Republic", "West Germany"],
    2: ["USA", "United States of America"],
    200: ["UK", "Britain", "Great Britain"],
    775: ["Burma"],
    343: ["Macedonia"],
    572: ["Swaziland"],
    365: ["Russian Federation"],
}

#: Names that fit more than one country (folded, see :func:`fold`): the finder asks which one is meant.
AMBIGUOUS_NAMES: dict[str, tuple[int, ...]] = {"congo": (484, 490), "korea": (731, 732)}


def country_name(ccode: int | None, fallback: str | None = None, year: int | None = None) -> str:
    """The name readers see for ``ccode`` (in ``year``; latest name without one)."""
    names = COUNTRY_NAMES.get(int(ccode)) if ccode is not None else None
    if not names:
        return fallback or (str(ccode) if ccode is not None else "—")
    if year is None:
        return names[-1][1]
    return [n for start, n in names if start <= year][-1]


def fold(text: Any) -> str:
    """Lower-case text without accents or punctuation, for searching ("Côte" finds "Cote d Ivoire")."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def search_matches(needle: str, *haystacks: Any, ccode: int | None = None) -> bool:
    """Whether ``needle`` occurs (accent- and case-insensitively) in any haystack or alias of ``ccode``."""
    n = fold(needle)
    if not n:
        return True
    texts = list(haystacks) + (COUNTRY_ALIASES.get(int(ccode), []) if ccode is not None else [])
    return any(n in fold(t) for t in texts)


def variable(name: str) -> str:
    """A readable label for a variable, scorecard component (``s_...``) or model term."""
    if name in VARIABLE_LABELS:
        return VARIABLE_LABELS[name]
    if name.startswith("s_"):
        return component(name[2:])
    return name.replace("_", " ").strip().capitalize()


def component(indicator_id: str, card: str | None = None) -> str:
    """The title of a scorecard indicator (``p3_response`` -> "Anti-trafficking policy (3P index)")."""
    from peacewatch.scorecards.indicators import CARDS, indicators

    for c in [card] if card else CARDS:
        ind = indicators(c).get(indicator_id)
        if ind is not None:
            return ind.title
    return indicator_id.replace("_", " ").capitalize()


def source(name: Any) -> str:
    """A data source's readable name (``kelley_tip`` -> "Kelley TIP data")."""
    text = str(name or "")
    return ", ".join(SOURCE_LABELS.get(part.strip(), part.strip()) for part in text.split(","))


def number(value: Any, digits: int = 0) -> str:
    """1234.0 -> '1,234'; missing (None, NaN) -> an em dash, read as "no data"."""
    if value is None:
        return "—"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if f != f:
        return "—"
    return f"{f:,.{digits}f}"


def evidence_value(value: Any) -> str:
    """An evidence value for people: "missing", whole numbers without ".0", else 3 significant digits."""
    if value is None or (isinstance(value, float) and value != value):
        return "missing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        f = float(value)
        if f.is_integer():
            return f"{int(f):,}"
        return f"{f:,.3g}" if abs(f) < 1000 else f"{f:,.0f}"
    # a source named in a value ("geo_pko (latest, 2020)") by its name
    return _SOURCE_WORD.sub(lambda m: SOURCE_LABELS[m.group(1)], str(value))


#: Variable names that are code, not words (an underscore or a digit): replaced in text for readers.
_VARIABLE_WORD = re.compile(
    r"\b("
    + "|".join(sorted((k for k in VARIABLE_LABELS if "_" in k or any(ch.isdigit() for ch in k)), key=len, reverse=True))
    + r")\b"
)


_SOURCE_KEYS = sorted((k for k in SOURCE_LABELS if "_" in k), key=len, reverse=True)
_SOURCE_WORD = re.compile(r"\b(" + "|".join(re.escape(k) for k in _SOURCE_KEYS) + r")\b")


def _indicator_titles() -> dict[str, str]:
    """Scorecard indicator ids that are code (``pko_size``) -> their titles, all cards."""
    from peacewatch.scorecards.indicators import CARDS, indicators

    out: dict[str, str] = {}
    for card in CARDS:
        for ind_id, ind in indicators(card).items():
            if "_" in ind_id and ind_id not in VARIABLE_LABELS:
                out.setdefault(ind_id, ind.title)
    return out


_INDICATOR_WORD: list = []  # [compiled pattern, titles], built on first use (the indicators import the engine)


def _indicator_words(text: str) -> str:
    if not _INDICATOR_WORD:
        titles = _indicator_titles()
        _INDICATOR_WORD.extend([re.compile(r"\b(" + "|".join(sorted(titles, key=len, reverse=True)) + r")\b"), titles])
    pattern, titles = _INDICATOR_WORD
    return pattern.sub(lambda m: titles[m.group(1)], text)


def plain(text: Any) -> str:
    """Text for readers: no reStructuredText markup (``crimlevel`` -> crimlevel), no "no data:"
    prefix (the page says it), variable, source and indicator names replaced by their labels."""
    s = str(text or "")
    s = re.sub(r"`{1,2}([^`]+)`{1,2}", r"\1", s)
    s = re.sub(r"(?i)^(no data:\s*)+", "", s)
    s = _VARIABLE_WORD.sub(lambda m: VARIABLE_LABELS[m.group(1)], s)
    return _indicator_words(_SOURCE_WORD.sub(lambda m: SOURCE_LABELS[m.group(1)], s))


def csv_value(value: Any) -> Any:
    """A CSV cell: whole numbers as integers, other floats rounded to 3 decimals, missing empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return int(value) if value.is_integer() else round(value, 3)
    return value


#: Registry counts behind the TCC suspension rule (``rules.SUSPENSION_COUNTS``) in words.
REGISTRY_COUNT_LABELS: dict[str, str] = {
    "allegations": "Allegations",
    "referrals_made": "Referrals made",
    "referrals_answered": "Referrals answered",
    "referrals_overdue": "Referrals unanswered past their deadline",
    "outcomes": "Outcomes reported",
    "outcomes_due": "Substantiated cases with an outcome or past the outcome deadline",
    "prosecutions": "Prosecutions reported",
}


def suspension_count(key: str, ruleset: Any) -> str:
    """A count column of the TCC card (``n_<criterion id>[_<none_of>]`` without ``n_``) in words,
    read from the criterion of ``ruleset`` it belongs to."""
    crits = ruleset.suspension.criteria if ruleset is not None and ruleset.suspension else []
    for c in crits:
        window = f" (over {ruleset.suspension.window_years} years)" if c.window else ""
        if key == c.id:
            return REGISTRY_COUNT_LABELS.get(c.count, c.count.replace("_", " ")) + window
        if c.none_of and key == f"{c.id}_{c.none_of}":
            return REGISTRY_COUNT_LABELS.get(c.none_of, c.none_of.replace("_", " ")) + window
    return REGISTRY_COUNT_LABELS.get(key, key.replace("_", " ").capitalize())


#: Cards in words, for rule-set names (``tccs-default`` -> "the default troop-contributing-country rules").
CARD_RULES = {"hosts": "host-state", "tccs": "troop-contributing-country", "missions": "mission"}


def ruleset_name(name: str) -> str:
    """A rule set's name for readers: the default sets by what they grade, others by their own name."""
    card, _, rest = str(name).partition("-")
    if rest == "default" and card in CARD_RULES:
        return f"the default {CARD_RULES[card]} rules"
    return str(name)


def spec_words(label: str) -> str:
    """A model specification for readers ("(5) Both interactions" -> what the model contains)."""
    bare = re.sub(r"^\(\d+\)\s*", "", str(label))
    return SPEC_WORDS.get(bare, bare)


#: Scorecard table headings of the base columns (component columns: ``grade_words.component_header``).
SCORECARD_COLUMNS: dict[str, str] = {
    "name": "Name",
    "grade": "Grade",
    "published_tier": "Published TIP tier",
    "suspension": "Suspension of new deployments",
    "score": "Score",
    "coverage": "Coverage",
    "decided_by": "Why this grade",
}
#: The same columns as CSV headers (a CSV has no explanations column: ``decided_by`` is the rule).
SCORECARD_CSV_HEADERS: dict[str, str] = {
    "key": "key",
    "name": "name",
    "year": "year",
    "grade": "peacewatch grade",
    "published_tier": "published TIP tier",
    "published_tier_source": "published tier from",
    "score": "score (0-10)",
    "coverage": "coverage (share of weight with data)",
    "score_grade": "grade by score alone",
    "decided_by": "decided by",
    "watch_list": "watch criterion",
    "suspension": "suspension of new deployments recommended for",
    "registry_data": "registry data",
}

#: The scorecards by name, as a heading and inside a sentence ("the UN missions scorecard").
CARD_TITLES: dict[str, str] = {
    "hosts": "Host states",
    "tccs": "Troop-contributing countries",
    "missions": "UN missions",
}
CARD_IN_SENTENCE: dict[str, str] = {
    "hosts": "host states",
    "tccs": "troop-contributing countries",
    "missions": "UN missions",
}
