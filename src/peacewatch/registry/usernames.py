"""Username rules: NFKC-normalised, visible characters only, one script, no look-alike of another.

Look-alike usernames let an attacker pose as a colleague in the audit log and in case histories:
``іnv1`` (Cyrillic і), ``ınv1`` (dotless i), ``ɪnv1`` (small capital I), ``inv1`` followed by a
zero-width space or an invisible mark (U+034F, a variation selector U+FE0F, U+180B) all look like
``inv1``. So a username is normalised (NFKC, trimmed), may hold only letters, digits and
``. _ - @`` (combining marks only when visible: no default-ignorable code point), its letters must
all come from one script (Latin, Cyrillic, Arabic, ...), uniqueness is checked on
:func:`username_key` (NFKC + casefold), so ``Inv1`` and ``ｉｎｖ１`` collide with ``inv1``, and a
name is refused when its :func:`skeleton` (Unicode TR39 section 4, from the confusables data that
the ``confusable-homoglyphs`` package ships) equals that of an existing name: a whole-script
Cyrillic ``аре`` is ``ape``.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

from peacewatch.registry.errors import ValidationFailed

MAX_LENGTH = 80
_PUNCTUATION = set("._-@")


def _script(ch: str) -> str:
    """Script of a letter from its Unicode name (``LATIN SMALL LETTER A`` -> ``LATIN``)."""
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    # CJK ideographs and kana are written together in Japanese; treat them as one script.
    return "CJK" if first in ("CJK", "HIRAGANA", "KATAKANA") else first


def normalise_username(raw: str | None) -> str:
    """Return the stored form of a username or raise :class:`ValidationFailed` saying why.

    Examples
    --------
    >>> normalise_username("  Ines.Investigator ")
    'Ines.Investigator'
    """
    name = unicodedata.normalize("NFKC", raw or "").strip()
    if not name or len(name) > MAX_LENGTH:
        raise ValidationFailed(f"username must be 1-{MAX_LENGTH} characters")
    scripts = set()
    for ch in name:
        cat = unicodedata.category(ch)
        if cat.startswith("L"):
            scripts.add(_script(ch))
        elif cat == "Nd" and ch.isascii() or ch in _PUNCTUATION:
            continue
        elif cat.startswith("M") and scripts and not default_ignorable(ch):
            continue  # a visible combining mark on a letter already seen (NFKC leaves a few uncomposed)
        else:
            shown = f"U+{ord(ch):04X}"
            label = unicodedata.name(ch, "an unnamed character").lower()
            raise ValidationFailed(f"username contains {shown} ({label}); use letters, digits 0-9 and . _ - @ only")
    if len(scripts) > 1:
        raise ValidationFailed(
            f"username mixes scripts ({', '.join(sorted(s.lower() for s in scripts))}); "
            "use letters of one script so it cannot imitate another user's name"
        )
    if len(username_key(name)) > MAX_LENGTH:
        raise ValidationFailed(f"username must be 1-{MAX_LENGTH} characters")
    return name


def username_key(name: str) -> str:
    """Key on which usernames are unique and looked up: NFKC, then casefold."""
    return unicodedata.normalize("NFKC", name).casefold()


# --------------------------------------------------------------------------- TR39 skeletons
#: Default_Ignorable_Code_Point (Unicode DerivedCoreProperties): invisible in display.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")


def default_ignorable(ch: str) -> bool:
    """Whether ``ch`` is a Default_Ignorable_Code_Point (shown as nothing)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _IGNORABLE)


@lru_cache(maxsize=1)  # process-wide: built from a file of the installed package only
def _prototypes() -> dict[str, str]:
    """TR39's confusable mapping ``source character -> prototype string``, rebuilt from the
    ``confusables.json`` of ``confusable-homoglyphs`` (generated from Unicode's confusables.txt):
    each prototype lists its sources, and each source lists only its prototype."""
    raw = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table = {k.translate(_BIDI_MARKS): [e["c"].translate(_BIDI_MARKS) for e in v] for k, v in raw.items()}
    out: dict[str, str] = {}
    for key, entries in table.items():
        if len(key) != 1 or len(entries) != 1:
            continue
        target = entries[0]
        if key in table.get(target, ()) and target != key:
            both_single = len(table.get(target, ())) == 1 and len(target) == 1
            if both_single and (target.isascii(), -ord(target)) < (key.isascii(), -ord(key)):
                continue  # a pair naming each other: the ASCII (or lower) one is the prototype
            out[key] = target
    return out


def skeleton(text: str) -> str:
    """TR39 skeleton: NFD, default-ignorables removed, each character replaced by its confusable
    prototype, NFD again. Two strings with the same skeleton look alike.

    Examples
    --------
    >>> skeleton("ınv1") == skeleton("inv1") == skeleton("ɪnv1")
    True
    """
    protos = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(protos.get(ch, ch) for ch in decomposed if not default_ignorable(ch))
    return unicodedata.normalize("NFD", mapped)


def username_skeleton(name: str) -> str:
    """The skeleton usernames are compared on: of the case-folded key, so that ``I`` and ``l``
    and their look-alikes in any case meet."""
    return skeleton(username_key(name))
