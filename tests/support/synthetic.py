"""Generated people for vetting tests and benchmarks (no real person is ever used).

:func:`make_records` draws synthetic misconduct records; :func:`make_roster` draws a roster in
which a share of rows are *planted* variants of records (label ``true_record_id``): another
romanisation, the name in Cyrillic script, a typo, swapped name order, a day/month swap or one-digit
date error, or a missing date or nationality - the variations the matcher must survive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_SYL = [
    "al",
    "an",
    "ar",
    "ba",
    "be",
    "da",
    "di",
    "el",
    "en",
    "fa",
    "ga",
    "ha",
    "hu",
    "ib",
    "ir",
    "ja",
    "ka",
    "ki",
    "ko",
    "la",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "ol",
    "om",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "ya",
    "yu",
    "za",
    "zi",
]
_SUFFIX = ["", "", "", "ov", "ev", "in", "ski", "enko", "ovich", "ani", "ar", "el", "son", "ez", "ia"]
_NATIONS = [
    2,
    20,
    200,
    210,
    220,
    255,
    290,
    325,
    365,
    369,
    432,
    475,
    483,
    501,
    516,
    530,
    600,
    615,
    616,
    630,
    640,
    645,
    651,
    663,
    666,
    670,
    700,
    710,
    740,
    750,
    760,
    770,
    771,
    775,
    780,
    790,
    800,
    820,
    840,
    850,
]
# Latin -> Cyrillic, as a clerk might write a name in a Russian-language roster.
_CYR = {
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "y": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "ц",
    "j": "дж",
    "w": "в",
    "x": "кс",
    "q": "к",
}
# Letter pairs a clerk writes as one Cyrillic letter (so "Ivanovich" becomes "Иванович", not "Ивановицх").
_CYR_PAIRS = {"shch": "щ", "ch": "ч", "sh": "ш", "zh": "ж", "kh": "х", "ph": "ф", "ts": "ц", "ya": "я", "yu": "ю"}
_ROMAN = [
    ("v", "w"),
    ("i", "y"),
    ("u", "ou"),
    ("k", "c"),
    ("ov", "off"),
    ("j", "dj"),
    ("h", "kh"),
    ("f", "ph"),
    ("ya", "ja"),
    ("yu", "ju"),
    ("s", "ss"),
]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    syl = np.array(_SYL)
    n_first = rng.integers(2, 4, size=n)
    n_last = rng.integers(2, 4, size=n)
    parts = syl[rng.integers(0, len(_SYL), size=(n, 6))]
    suffix = np.array(_SUFFIX)[rng.integers(0, len(_SUFFIX), size=n)]
    return [
        ("".join(p[:f]).capitalize() + " " + ("".join(p[3 : 3 + last]) + x).capitalize())
        for p, f, last, x in zip(parts.tolist(), n_first, n_last, suffix)
    ]


def _name(rng: np.random.Generator) -> str:
    return _names(rng, 1)[0]


def _dobs(rng: np.random.Generator, n: int) -> list[str]:
    days = np.datetime64("1955-01-01") + rng.integers(0, 365 * 50, size=n)
    return days.astype(str).tolist()


def make_records(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` synthetic misconduct records: ``record_id, name, dob, nationality`` (~3% without a date,
    ~2% without a nationality)."""
    rng = np.random.default_rng(seed)
    names = _names(rng, n)
    dobs = np.array(_dobs(rng, n), dtype=object)
    dobs[rng.random(n) < 0.03] = ""
    nats = np.array(_NATIONS, dtype=float)[rng.integers(0, len(_NATIONS), size=n)]
    nats[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame({"record_id": np.arange(1, n + 1), "name": names, "dob": dobs.tolist(), "nationality": nats})


def _to_cyrillic(name: str) -> str:
    out, i, low = [], 0, name.lower()
    while i < len(low):
        for pair in sorted(_CYR_PAIRS, key=len, reverse=True):
            if low.startswith(pair, i):
                out.append(_CYR_PAIRS[pair])
                i += len(pair)
                break
        else:
            out.append(_CYR.get(low[i], low[i]))
            i += 1
    return "".join(out).title()


def _variant_name(name: str, rng: np.random.Generator) -> str:
    kind = rng.integers(0, 5)
    if kind == 0:  # another romanisation
        out = name.lower()
        for a, b in rng.permutation(np.array(_ROMAN, dtype=object))[:3]:
            out = out.replace(a, b, 1)
        return out.title()
    if kind == 1:  # Cyrillic script
        return _to_cyrillic(name)
    if kind == 2:  # one typo
        s = list(name)
        i = int(rng.integers(1, len(s)))
        if s[i] != " ":
            s[i] = rng.choice(list("aeioustnrl"))
        return "".join(s)
    if kind == 3:  # surname first
        parts = name.split()
        return " ".join(parts[::-1])
    return name.upper()


def _variant_dob(dob: str, rng: np.random.Generator) -> str:
    if not dob:
        return dob
    kind = rng.integers(0, 6)
    y, m, d = dob.split("-")
    if kind == 0 and int(d) <= 12 and d != m:
        return f"{y}-{d}-{m}"
    if kind == 1:
        y2 = str(int(y) + int(rng.choice([-1, 1])))
        return f"{y2}-{m}-{d}"
    if kind == 2:
        return ""
    return dob


#: Variations combined by :func:`_combined_variant`, applied in this order.
COMBINABLE = ("romanisation", "typo", "surname_first", "cyrillic", "dob", "no_nationality")


def _combined_variant(rec: pd.Series, k: int, rng: np.random.Generator) -> tuple[str, str, float, tuple[str, ...]]:
    """``k`` different variations of one record at once, e.g. another romanisation *and* a typo
    *and* the year of birth off by one (``Mohammed Kahn`` for ``Muhammad Khan``)."""
    chosen = set(rng.choice(COMBINABLE, size=k, replace=False).tolist())
    kinds = tuple(kind for kind in COMBINABLE if kind in chosen)
    name, dob, nat = rec["name"], rec["dob"], rec["nationality"]
    for kind in kinds:
        if kind == "romanisation":
            out = name.lower()
            for a, b in rng.permutation(np.array(_ROMAN, dtype=object))[:3]:
                out = out.replace(a, b, 1)
            name = out.title()
        elif kind == "typo":
            chars = list(name)
            i = int(rng.integers(1, len(chars)))
            if chars[i] != " ":
                chars[i] = rng.choice(list("aeioustnrl"))
            name = "".join(chars)
        elif kind == "surname_first":
            name = " ".join(name.split()[::-1])
        elif kind == "cyrillic":
            name = _to_cyrillic(name)
        elif kind == "dob" and dob:
            y, m, d = dob.split("-")
            choice = int(rng.integers(0, 3))
            if choice == 0 and int(d) <= 12 and d != m:
                dob = f"{y}-{d}-{m}"
            elif choice == 1 or choice == 0:
                dob = f"{int(y) + int(rng.choice([-1, 1]))}-{m}-{d}"
            else:
                dob = ""
        elif kind == "no_nationality":
            nat = np.nan
    return name, dob, nat, kinds


def make_roster(
    records: pd.DataFrame, n: int, planted_share: float = 0.1, seed: int = 2, variations: int = 1
) -> pd.DataFrame:
    """A roster of ``n`` rows (``name, dob, nationality, true_record_id``), ``planted_share`` of them
    variants of distinct records; other rows are new people (``true_record_id`` = 0).

    With ``variations`` 2 or 3 every planted row combines that many different variations of
    :data:`COMBINABLE` (listed in the ``variations`` column); with 1, one name and one date
    variation are drawn independently as before.
    """
    rng = np.random.default_rng(seed)
    n_planted = int(round(n * planted_share))
    picks = rng.choice(len(records), size=n_planted, replace=False)
    rows = []
    for p in picks:
        rec = records.iloc[int(p)]
        if variations > 1:
            name, dob, nat, kinds = _combined_variant(rec, variations, rng)
            rows.append(
                {
                    "name": name,
                    "dob": dob,
                    "nationality": nat,
                    "true_record_id": int(rec["record_id"]),
                    "variations": "+".join(kinds),
                }
            )
            continue
        nat = rec["nationality"] if rng.random() > 0.05 else np.nan
        rows.append(
            {
                "name": _variant_name(rec["name"], rng),
                "dob": _variant_dob(rec["dob"], rng),
                "nationality": nat,
                "true_record_id": int(rec["record_id"]),
            }
        )
    n_new = n - n_planted
    for name, dob, nat in zip(_names(rng, n_new), _dobs(rng, n_new), rng.choice(_NATIONS, size=n_new)):
        rows.append({"name": name, "dob": dob, "nationality": float(nat), "true_record_id": 0})
    order = rng.permutation(len(rows))
    return pd.DataFrame([rows[i] for i in order]).reset_index(drop=True)


def recall(roster: pd.DataFrame, hits: pd.DataFrame) -> float:
    """Share of planted rows whose true record is among their hits."""
    found = set(zip(hits["roster_pos"].astype(int), hits["record_id"].astype(int)))
    planted = [(i, int(t)) for i, t in enumerate(roster["true_record_id"]) if t]
    return sum(p in found for p in planted) / len(planted) if planted else float("nan")
