"""Country-code crosswalk: COW <-> Gleditsch-Ward <-> ISO3 <-> Polity, and source country names.

Built from the countrycode codelist (Arel-Bundock et al.), the COW and G-W state lists and the fixes
in ``country_overrides.yml`` (historical states such as Yugoslavia / Serbia and Montenegro / Serbia,
Sudan / South Sudan, and source spelling quirks). Anything the crosswalk cannot map raises
:class:`UnmappedCountryError` listing every unmapped value and how to add a mapping: never a silent NaN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, Protocol

import pandas as pd

from peacewatch.resources import load_yaml, package_path
from peacewatch.sources.errors import UnmappedCountryError


class SourceContext(Protocol):
    """What the crosswalk needs of :class:`peacewatch.sources.context.SourceContext` (which creates
    the crosswalk, so the type is spelled out here rather than imported)."""

    def cached(self, key: str, files: list[str], tag: str, build: Callable[..., Any]) -> pd.DataFrame: ...


#: The overrides file, shipped in this package (and listed in error messages so users can edit it).
OVERRIDES = ("peacewatch.sources", "country_overrides.yml")
OVERRIDES_PATH = package_path(*OVERRIDES)
_HOW_TO_FIX = (
    f"Add each one under `names:` in {OVERRIDES_PATH} with its COW code (or under `drop_iso3:` "
    "for a territory that is not a state)."
)


def _normalise(name: str) -> str:
    return " ".join(str(name).replace("\u00a0", " ").split())


_WORD = re.compile(r"\w+")
_ADJECTIVE_ENDINGS = frozenset({"n", "an", "ian", "e", "ese", "ish"})


def _whole_words(text: str, start: int, end: int, known_words: frozenset[str]) -> bool:
    """Whether the match ``text[start:end]`` covers whole words: it begins on a word boundary and ends
    on one, or inside a word that some country's name has (the patterns match stems: "afghan") or that
    is the stem with an adjective's ending ("Russian Federation", "Argentine Republic")."""
    if 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        return False
    if 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        word = _WORD.match(text, max(m.start() for m in _WORD.finditer(text[:end])))
        if word is None:
            return False
        whole, rest = word.group(0).casefold(), text[end : word.end()].casefold()
        return whole in known_words or rest in _ADJECTIVE_ENDINGS
    return True


class Crosswalk:
    """Maps names and codes of every source onto COW state codes."""

    def __init__(self, ctx: SourceContext) -> None:
        """Bind the crosswalk to ``ctx`` (its codelist is read, and cached, through that context)."""
        self.ctx = ctx
        self.overrides = load_yaml(*OVERRIDES)
        self._name_cache: dict[str, int | None] = {}

    @cached_property
    def codelist(self) -> pd.DataFrame:
        """countrycode's codelist reduced to the columns peacewatch uses."""

        def build(read: Callable[..., Any]) -> pd.DataFrame:
            cols = ["country.name.en", "country.name.en.regex", "iso3c", "cown", "gwn", "p5n"]
            raw = read("codelist", usecols=cols)  # 6 of 627 columns
            out = raw[cols].rename(
                columns={
                    "country.name.en": "name",
                    "country.name.en.regex": "regex",
                    "iso3c": "iso3",
                    "cown": "cown",
                    "gwn": "gwn",
                    "p5n": "p5n",
                }
            )
            return out

        return self.ctx.cached("countrycode", ["codelist"], "codelist-v1", build)

    @cached_property
    def _iso3_to_cow(self) -> dict[str, int]:
        table = self.codelist.dropna(subset=["iso3", "cown"])
        mapping = {r.iso3: int(r.cown) for r in table.itertuples()}
        mapping.update({k: int(v) for k, v in self.overrides["iso3"].items()})
        return mapping

    @cached_property
    def _cow_to_iso3(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for iso3, cow in self._iso3_to_cow.items():
            if len(iso3) == 3 and iso3 not in ("ROM", "ZAR", "TMP", "KSV", "ESH"):
                out.setdefault(cow, iso3)
        out[345] = "SRB"
        out[347] = "XKX"
        return out

    @cached_property
    def _regexes(self) -> list[tuple[re.Pattern[str], str | None, int | None]]:
        rows = self.codelist.dropna(subset=["regex"])
        out = []
        for r in rows.itertuples():
            cow = (
                int(r.cown) if pd.notna(r.cown) else self._iso3_to_cow.get(r.iso3) if isinstance(r.iso3, str) else None
            )
            out.append((re.compile(r.regex, re.IGNORECASE), r.iso3 if isinstance(r.iso3, str) else None, cow))
        return out

    # ------------------------------------------------------------------ single lookups
    @cached_property
    def _known_words(self) -> frozenset[str]:
        """Every word of the codelist's country names and of the name overrides, case-folded."""
        names = [*self.codelist["name"].dropna().astype(str), *map(str, self.overrides["names"])]
        return frozenset(w.casefold() for n in names for w in _WORD.findall(n))

    def name_to_cow(self, name: str, whole_words: bool = False) -> int | None:
        """COW code of a country name, or ``None`` when it cannot be mapped (or is dropped).

        ``whole_words=True`` (for names people type) accepts a pattern match only where it begins and
        ends on word boundaries of ``name``: the name patterns are made for the variants datasets use
        ("Republic of Niger"), and without this "Nigerai" would open Niger without a word.
        """
        key = _normalise(name)
        cache_key = f"\0{key}" if whole_words else key
        if cache_key in self._name_cache:
            return self._name_cache[cache_key]
        names = self.overrides["names"]
        result: int | None = names.get(key)
        if result is None:
            best: tuple[int, int | None, str | None] | None = None
            for pattern, iso3, cow in self._regexes:
                m = pattern.search(key)
                if m and whole_words and not _whole_words(key, m.start(), m.end(), self._known_words):
                    continue
                if m and (best is None or len(m.group(0)) > best[0]):
                    best = (len(m.group(0)), cow, iso3)
            if best is not None:
                result = best[1]
        self._name_cache[cache_key] = result
        return result

    def iso3_to_cow(self, iso3: str) -> int | None:
        """COW code of an ISO3 code; ``None`` when unknown or a non-state territory."""
        return self._iso3_to_cow.get(str(iso3).strip().upper())

    def cow_to_iso3(self, ccode: int) -> str | None:
        """ISO3 code of a COW code (``SRB`` for 345, ``XKX`` for Kosovo)."""
        return self._cow_to_iso3.get(int(ccode))

    def polity_to_cow(self, code: int) -> int:
        """COW code of a Polity5 ``ccode`` (differs for successor states)."""
        return int(self.overrides["polity"].get(int(code), int(code)))

    def kelley_to_cow(self, code: int) -> int:
        """COW code of a ``ccode`` of Kelley's TIP tier files (Serbia 1003 -> 345, Kosovo 1001 -> 347)."""
        return int((self.overrides.get("kelley") or {}).get(int(code), int(code)))

    def credit_before_membership(self, frame: pd.DataFrame, ccode: str = "ccode", year: str = "year") -> pd.DataFrame:
        """``frame`` with rows of a territory from before it joined the COW system credited to the state
        it was part of (``part_of_before_membership``: Kosovo before 2008 -> 345)."""
        rules = self.overrides.get("part_of_before_membership") or {}
        out = frame.copy()
        for code, rule in rules.items():
            before = out[ccode].eq(int(code)) & out[year].lt(int(rule["member_from"]))
            out.loc[before, ccode] = int(rule["state"])
        return out

    def mission_hosts(self) -> dict[str, tuple[int, int, str]]:
        """Missions whose host changes with statehood (``mission_hosts``): mission -> ``(from_year,
        COW code, name)``, e.g. UNMIK -> ``(2008, 347, "Kosovo")``."""
        rules = self.overrides.get("mission_hosts") or {}
        return {m: (int(r["from_year"]), int(r["ccode"]), str(r["name"])) for m, r in rules.items()}

    def gw_to_cow(self, code: int) -> int:
        """COW code of a Gleditsch-Ward code."""
        return int(self.overrides["gw"].get(int(code), int(code)))

    @cached_property
    def cow_to_gw(self) -> dict[int, int]:
        """Inverse of :meth:`gw_to_cow` for the codes that differ (others are equal)."""
        inverse = {}
        for gw, cow in self.overrides["gw"].items():
            if int(gw) != int(cow):
                inverse[int(cow)] = int(gw)
        return inverse

    # ------------------------------------------------------------------ vectorised, strict
    def names_to_cow(self, names: Iterable[str], source: str, drop: Iterable[str] = ()) -> dict[str, int]:
        """Map every distinct name to a COW code, or raise listing all unmapped names.

        ``drop`` lists names that are knowingly left out (e.g. aggregates); they map to nothing, as do
        the territories under ``drop_names`` in the overrides file.
        """
        dropped = {_normalise(n) for n in [*drop, *self.overrides.get("drop_names", [])]}
        return _map_strictly(
            names, self.name_to_cow, lambda n: _normalise(n) in dropped, source, "country name(s)", _HOW_TO_FIX
        )

    def unmapped_names(self, source: str) -> list[str]:
        """Names of ``source`` knowingly left unmapped (``unmapped_by_source`` in the overrides file):
        territories, colonies and regions that are not COW states."""
        return list((self.overrides.get("unmapped_by_source") or {}).get(source, []))

    def iso3s_to_cow(self, codes: Iterable[str], source: str) -> dict[str, int]:
        """Map every distinct ISO3 code to COW; non-state territories are skipped, unknowns raise."""
        dropped = set(self.overrides.get("drop_iso3", []))
        fix = f"Add each under `iso3:` in {OVERRIDES_PATH} (or `drop_iso3:` for a non-state territory)."
        return _map_strictly(codes, self.iso3_to_cow, dropped.__contains__, source, "ISO3 code(s)", fix)


def _map_strictly(
    values: Iterable[str],
    lookup: Callable[[str], int | None],
    skip: Callable[[str], bool],
    source: str,
    what: str,
    fix: str,
) -> dict[str, int]:
    """Map each distinct value with ``lookup``; values for which ``skip`` is true are left out; any
    value ``lookup`` cannot map is reported, all of them in one error, with how to ``fix`` it."""
    mapping: dict[str, int] = {}
    unmapped = []
    for value in pd.unique(pd.Series(list(values), dtype="object").dropna()):
        if skip(value):
            continue
        code = lookup(value)
        if code is None:
            unmapped.append(value)
        else:
            mapping[value] = code
    if unmapped:
        raise UnmappedCountryError(
            f"{source}: {len(unmapped)} {what} cannot be mapped to COW codes: {sorted(map(str, unmapped))}. {fix}"
        )
    return mapping
