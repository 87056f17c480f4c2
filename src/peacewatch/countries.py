"""One resolver for every place that takes a country: a COW code, an ISO3 code or a name.

``resolve_country("41") == resolve_country("HTI") == resolve_country("Haiti") == 41``. Anything else
raises :class:`peacewatch.errors.InputError` listing the closest names with their codes.
"""

from __future__ import annotations

from peacewatch.errors import InputError
from peacewatch.memo import memoize

_HOW = "give a COW code (41), an ISO3 code (HTI) or a name (Haiti)"


class UnknownCountryError(InputError):
    """A country that is not a state in the COW system under any code or name peacewatch knows."""


def _state_names(ctx) -> dict[int, str]:
    """COW code -> latest COW state name, for every state that was ever a system member."""
    from peacewatch.sources.loaders.state_lists import cow_states

    states = cow_states(ctx).sort_values("end_year")
    return dict(zip(states["ccode"].astype(int), states["statenme"]))


@memoize(maxsize=4)
def _names_for(key: tuple[str, str, str]) -> tuple[dict[int, str], dict[str, int]]:
    from peacewatch.sources.defaults import default_context

    ctx = default_context()
    states = _state_names(ctx)
    choices = {name: code for code, name in states.items()}
    cw = ctx.crosswalk
    for row in cw.codelist.dropna(subset=["name"]).itertuples():
        cow = cw.iso3_to_cow(row.iso3) if isinstance(row.iso3, str) else None
        if cow in states:
            choices.setdefault(row.name, cow)
    return states, choices


def _lookups():
    from peacewatch.sources.catalog import catalog_dir, data_dir
    from peacewatch.sources.context import cache_dir

    return _names_for((str(catalog_dir()), str(data_dir()), str(cache_dir())))


def close_matches(text: str, limit: int = 3) -> list[str]:
    """The names closest to ``text``, as ``"Haiti (41, HTI)"``."""
    from rapidfuzz import fuzz, process

    from peacewatch.sources.defaults import default_context

    _, choices = _lookups()
    cw = default_context().crosswalk
    hits = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    out = []
    for name, _score, _i in hits:
        code = choices[name]
        out.append(f"{name} ({code}, {cw.cow_to_iso3(code) or 'no ISO3'})")
    return out


def resolve_country(text: str | int, option: str | None = None) -> int:
    """COW code of a country given as a COW code, an ISO3 code or a name (any case).

    ``option`` (e.g. ``"--country"``) prefixes the error message.

    Raises
    ------
    UnknownCountryError
        When nothing matches; the message lists the closest names and their codes.
    """
    from peacewatch.sources.defaults import default_context

    value = str(text).strip()
    who = f"{option}: " if option else ""
    if not value:
        raise UnknownCountryError(f"{who}empty country; {_HOW}")
    states, _ = _lookups()
    code: int | None
    if value.lstrip("-").isdigit():
        code = int(value)
        if code in states:
            return code
        raise UnknownCountryError(f"{who}no state has COW code {value}; {_HOW}")
    cw = default_context().crosswalk
    code = cw.iso3_to_cow(value) if len(value) == 3 and value.isalpha() else None
    if code is None:
        code = cw.name_to_cow(value, whole_words=True)
    if code is not None and code in states:
        return int(code)
    close = close_matches(value)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise UnknownCountryError(f"{who}no state called {value!r}{hint} ({_HOW})")


def country_label(ccode: int) -> str:
    """``"Haiti (41, HTI)"`` for messages and headings."""
    from peacewatch.sources.defaults import default_context

    states, _ = _lookups()
    return f"{states.get(int(ccode), ccode)} ({ccode}, {default_context().crosswalk.cow_to_iso3(ccode) or 'no ISO3'})"
