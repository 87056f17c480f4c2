"""Username rules: NFKC-normalised, visible characters only, one script.

Look-alike usernames let an attacker pose as a colleague in the audit log and in case histories:
``іnv1`` (Cyrillic і) or ``inv1`` followed by a zero-width space look like ``inv1``. So a username
is normalised (NFKC, trimmed), may hold only letters, digits and ``. _ - @``, its letters must all
come from one script (Latin, Cyrillic, Arabic, ...), and uniqueness is checked on
:func:`username_key` (NFKC + casefold), so ``Inv1`` and ``ｉｎｖ１`` collide with ``inv1``.
"""

from __future__ import annotations

import unicodedata

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
        elif cat == "Nd" and ch.isascii():
            continue
        elif ch in _PUNCTUATION:
            continue
        elif cat.startswith("M") and scripts:
            continue  # a combining mark on a letter already seen (NFKC leaves a few uncomposed)
        else:
            shown = f"U+{ord(ch):04X}"
            label = unicodedata.name(ch, "an unnamed character").lower()
            raise ValidationFailed(
                f"username contains {shown} ({label}); use letters, digits 0-9 and . _ - @ only")
    if len(scripts) > 1:
        raise ValidationFailed(
            f"username mixes scripts ({', '.join(sorted(s.lower() for s in scripts))}); "
            "use letters of one script so it cannot imitate another user's name")
    if len(username_key(name)) > MAX_LENGTH:
        raise ValidationFailed(f"username must be 1-{MAX_LENGTH} characters")
    return name


def username_key(name: str) -> str:
    """Key on which usernames are unique and looked up: NFKC, then casefold."""
    return unicodedata.normalize("NFKC", name).casefold()
