"""Registry inputs checked against the data catalog: states, missions, dates and years that can exist.

The request schemas (:mod:`peacewatch.registry.schemas`) call these, so the API, the command line and
the web forms refuse the same impossible records (a nation "5", a mission "NOTAMISSION", an incident
in a year not yet begun) with the same message.

The reference lists come from the catalogued research data: COW states (``state_lists``) and the UN
missions of IPI and Geo-PKO. A registry running without the research data cannot check states and
missions, and then accepts any code or name (the range and form checks still apply).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from peacewatch.memo import memoize

#: The first UN peacekeeping operation (UNTSO) began in 1948: no incident of a mission is older.
FIRST_MISSION_DATE = dt.date(1948, 5, 29)
#: Earliest date of birth accepted for a person in a misconduct record or roster.
EARLIEST_BIRTH = dt.date(1900, 1, 1)
#: Earliest year of a national report or a deployment (the registry's scope).
FIRST_YEAR = 1990

_HOW = "give a COW code (770), an ISO3 code (PAK) or a name (Pakistan)"


def today() -> dt.date:
    """The date the checks compare with (a function, so tests can fix it)."""
    return dt.date.today()


def _states() -> dict[int, str] | None:
    """COW code -> name of every state, or ``None`` when the research data cannot be read."""
    try:
        from peacewatch.countries import _lookups

        states: dict[int, str] = _lookups()[0]
        return states
    except Exception:  # noqa: BLE001 - no research data: the registry still works, without this check
        return None


def country_code(value: Any) -> Any:
    """Before the integer check: a country given by name or ISO3 (as roster files and the command line
    may) becomes its COW code; numbers and anything else pass through unchanged."""
    if isinstance(value, str) and value.strip() and not value.strip().lstrip("-").isdigit():
        from peacewatch.countries import resolve_country
        from peacewatch.errors import InputError

        if _states() is None:
            raise ValueError(f"{value.strip()!r} is not a COW code (names need the research data); {_HOW}")
        try:
            return resolve_country(value)
        except InputError as exc:
            raise ValueError(str(exc)) from None
    return value


def known_state(code: int) -> int:
    """``code`` when it is a COW state code, else a ValueError naming the fix."""
    states = _states()
    if states is not None and code not in states:
        raise ValueError(f"no state has COW code {code}; {_HOW}")
    return code


def canonical_mission(value: str) -> str:
    """A mission name as stored and searched: no accents, single spaces, upper case ("  Minustah "
    -> "MINUSTAH"), the way the UN writes mission acronyms; a name that is empty then is refused."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\s+", " ", text).strip().upper()
    if not text:
        raise ValueError("is required (choose the mission)")
    if len(text) > 40:  # a few characters grow when folded ("ß" -> "SS", ligatures): still at most 40
        raise ValueError("is longer than 40 characters once written in capitals without accents")
    return text


@memoize(maxsize=1)  # process-wide: the catalog's missions, the same for every database
def _mission_list() -> frozenset[str] | None:
    try:
        from peacewatch.sources.loaders.geo_pko import geo_pko
        from peacewatch.sources.loaders.ipi import ipi_missions

        names = set(ipi_missions()["mission"].astype(str)) | set(geo_pko()["mission"].astype(str))
        return frozenset(canonical_mission(n) for n in names if n.strip())
    except Exception:  # noqa: BLE001 - no research data: missions cannot be checked
        return None


def known_missions() -> frozenset[str] | None:
    """Acronyms of the UN missions in the catalogued data (IPI, Geo-PKO), canonical form; ``None``
    when the data cannot be read."""
    return _mission_list()


def known_mission(name: str) -> str:
    """``name`` (already canonical) when it is a known UN mission, else a ValueError naming the fix."""
    missions = known_missions()
    if missions is not None and name not in missions:
        from rapidfuzz import process

        close = [m for m, _score, _i in process.extract(name, sorted(missions), limit=3, score_cutoff=70)]
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise ValueError(
            f"{name!r} is not a UN mission in the catalogued data (IPI, Geo-PKO); {hint}"
            "use the mission's acronym, e.g. MINUSTAH"
        )
    return name


def not_in_future(day: dt.date) -> dt.date:
    """``day`` when it is not after today."""
    if day > today():
        raise ValueError(f"{day.isoformat()} is in the future; give a date up to today ({today().isoformat()})")
    return day


def incident_date(day: dt.date) -> dt.date:
    """An incident's date: not in the future, not before UN peacekeeping began (1948)."""
    if day < FIRST_MISSION_DATE:
        raise ValueError(f"{day.isoformat()} is before the first UN peacekeeping operation (1948)")
    return not_in_future(day)


def birth_date(day: dt.date) -> dt.date:
    """A date of birth: not in the future, not before 1900."""
    if day < EARLIEST_BIRTH:
        raise ValueError(f"{day.isoformat()} is before {EARLIEST_BIRTH.year}; check the year")
    return not_in_future(day)


def report_year(year: int) -> int:
    """A national report's year: from 1990 up to the current year (a year not yet begun has no report)."""
    if not FIRST_YEAR <= year <= today().year:
        raise ValueError(f"{year} is outside {FIRST_YEAR} to {today().year}; a report covers a year that has begun")
    return year


def deployment_year(year: int) -> int:
    """A deployment's year: from 1990 up to next year (training comes before a planned deployment)."""
    if not FIRST_YEAR <= year <= today().year + 1:
        raise ValueError(f"{year} is outside {FIRST_YEAR} to {today().year + 1}")
    return year
