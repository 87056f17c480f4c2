"""Transliteration-aware fuzzy matching of people (roster rows) against misconduct records.

Pure functions on pandas frames, used by :mod:`peacewatch.registry.vetting` and the benchmark.

How a pair is scored
--------------------
1. Names are transliterated to ASCII (``text_unidecode``: Cyrillic, Greek, Arabic, accents ...),
   lower-cased and *folded* so that common romanisation variants coincide (kh/h, zh/j, ph/f, y/j/i,
   ou/u, w/v, q/k, c/k, -off/-ov, doubled letters). The *skeleton* of a token keeps its first letter
   and its consonants, which equates e.g. Arabic-script "محمد" (mhmd) with "Muhammad".
2. ``name_score`` = mean of three similarities: of the transliterated names as written
   (``ascii``), of the folded names and of the skeletons. Each is the best of rapidfuzz ``ratio``
   in the given order, in reversed token order, and ``token_sort_ratio``: sorting alone would put
   "iereanovich loenzi" and "loenzi mereanovich" in different orders over one typo in a first
   letter. Averaging three views lets two or three simultaneous variations (``Mohammed Kahn``
   against ``Muhammad Khan``: other vowels *and* a moved h) still score as one person.
3. ``dob_score`` = 1 exact, 0.8 day and month swapped, 0.7 one of day/month/year differs, else 0;
   missing when either date is missing. ``nationality_score`` = 1 same, 0 different, missing if
   either is missing.
4. ``score`` = weighted mean of the available components (name 0.6, dob 0.3, nationality 0.1).
   A hit needs ``score >= threshold`` and ``name_score >= min_name_score``.

Blocking (why it is fast)
-------------------------
Only pairs sharing a blocking key are scored. A *name key* is a token's skeleton or its first three
folded letters. Keys: same date of birth (or with day/month swapped); same birth year and a shared
skeleton; same day-month and a shared name key; for records without a date, same nationality and
a shared name key. A true match with a typo in
at most one of day, month or year, or any name spelling variant that keeps one name key,
still shares a key. A roster row missing its date or nationality falls back to name keys
alone (larger blocks, still far fewer pairs than all of them).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import groupby
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from text_unidecode import unidecode

WEIGHTS = {"name": 0.6, "dob": 0.3, "nationality": 0.1}
DEFAULT_THRESHOLD = 0.80
DEFAULT_MIN_NAME_SCORE = 0.75

_FOLDS = [
    ("tsch", "ch"),
    ("sch", "sh"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("j", "i"),
]
_C_NOT_H = re.compile(r"c(?!h)")
_OFF_END = re.compile(r"off$")
_NON_ALPHA = re.compile(r"[^a-z ]+")
_VOWELS = re.compile(r"[aeiou]")


def _squeeze(text: str) -> str:
    """Collapse runs of one letter ("mm" -> "m"); groupby, faster than re.sub with a backreference."""
    return "".join(ch for ch, _ in groupby(text))


def to_ascii(name: str) -> str:
    """Transliterate to lower-case ASCII letters and single spaces."""
    text = unidecode(unicodedata.normalize("NFKC", name or "")).lower()
    text = _NON_ALPHA.sub(" ", text.replace("'", "").replace("-", " "))
    return " ".join(text.split())


def fold_token(token: str) -> str:
    """Fold romanisation variants of one ASCII token to a common spelling."""
    t = _OFF_END.sub("ov", token)
    for a, b in _FOLDS:
        t = t.replace(a, b)
    t = _C_NOT_H.sub("k", t)
    return _squeeze(t)


def skeleton_token(folded: str) -> str:
    """First letter plus consonants of a folded token (vowel spelling is the least stable part)."""
    if not folded:
        return ""
    return _squeeze(folded[0] + _VOWELS.sub("", folded[1:].replace("h", "")))


@lru_cache(maxsize=500_000)  # process-wide: a pure function of the token
def _token_forms(token: str) -> tuple[str, str]:
    # Names share tokens heavily, so most tokens are folded once however many records hold them.
    folded = fold_token(token)
    return folded, skeleton_token(folded)


def name_forms(name: str) -> tuple[str, str, list[str]]:
    """Return (folded full name, skeleton full name, name keys for blocking).

    The name keys are each token's skeleton (2+ letters) and ``^`` + its first three folded letters
    (a typo that changes one key usually leaves the other); prefix keys start with ``^``.
    """
    return _forms_of_ascii(to_ascii(name))


def _forms_of_ascii(ascii_name: str) -> tuple[str, str, list[str]]:
    forms = [_token_forms(t) for t in ascii_name.split()]
    tokens = [f[0] for f in forms]
    skels = [f[1] for f in forms]
    keys = sorted({s for s in skels if len(s) >= 2} | {"^" + t[:3] for t in tokens if len(t) >= 3})
    return " ".join(tokens), " ".join(skels), keys


def prepare(frame: pd.DataFrame, reversed_forms: bool = False) -> pd.DataFrame:
    """Add ``ascii``, ``folded``, ``skeleton``, ``skel_keys`` (name keys) and ``dob_y/m/d`` columns to a frame
    with ``name``, ``dob`` (ISO string or empty/NaN) and ``nationality`` (int or NaN) columns."""
    out = frame.copy()
    asc = [to_ascii(n) for n in out["name"].astype(str)]
    forms = [_forms_of_ascii(a) for a in asc]
    out["ascii"] = asc
    out["folded"] = [f[0] for f in forms]
    out["skeleton"] = [f[1] for f in forms]
    out["skel_keys"] = [f[2] for f in forms]
    out["dob"] = out["dob"].fillna("").astype(str)
    out[["dob_y", "dob_m", "dob_d"]] = _dob_parts(out["dob"])
    if reversed_forms:  # the roster side of name_similarity: reverse once per row, not per pair
        for col in ("ascii", "folded", "skeleton"):
            out[col + "_rev"] = _reversed_tokens(out[col].to_numpy())
    return out


def _prepare_records(records: pd.DataFrame) -> pd.DataFrame:
    """:func:`prepare` unless the frame already carries the stored forms (then only the dates)."""
    records = records.reset_index(drop=True)
    if not all(c in records for c in PREPARED_COLUMNS):
        return prepare(records)
    out = records.copy()
    out["dob"] = out["dob"].fillna("").astype(str)
    out[["dob_y", "dob_m", "dob_d"]] = _dob_parts(out["dob"])
    return out


def _swap(dob: str) -> str | None:
    y, m, d = dob[:4], dob[5:7], dob[8:10]
    if m != d and int(d) <= 12:
        return f"{y}-{d}-{m}"
    return None


def _nat(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) or pd.isna(v) else str(int(v))


def _keys(dob: str, nat: str, name_keys: list[str], side: str) -> list[str]:
    skels = [k for k in name_keys if not k.startswith("^")]
    keys: list[str] = []
    if dob:
        keys.append("D|" + dob)
        if side == "roster":
            swapped = _swap(dob)
            if swapped:
                keys.append("D|" + swapped)
        # Year blocks by skeleton only: with prefixes too they would grow several-fold. Day-month
        # blocks are 30x smaller, so they take the prefixes as well: a wrong year plus a typo in
        # the one consonant a short name has still meet there.
        for k in skels:
            keys.append(f"Y|{dob[:4]}|{k}")
        for k in name_keys:
            keys.append(f"M|{dob[5:]}|{k}")
    if side == "record":
        keys.extend(f"T|{k}" for k in name_keys)
        if nat and not dob:
            keys.extend(f"X|{nat}|{k}" for k in name_keys)
    elif dob and nat:
        # Reaches records without a date of birth through nationality + name.
        keys.extend(f"X|{nat}|{k}" for k in name_keys)
    else:
        # A roster row missing its date or nationality falls back to the name alone.
        keys.extend(f"T|{k}" for k in name_keys)
    return keys


def blocking_keys(prepared: pd.DataFrame, side: str) -> pd.DataFrame:
    """Long frame (``pos``, ``key``) of blocking keys; ``side`` is ``"roster"`` or ``"record"``."""
    pos, keys = [], []
    for i, (dob, nat, skels) in enumerate(zip(prepared["dob"], prepared["nationality"], prepared["skel_keys"])):
        ks = _keys(dob, _nat(nat), skels, side)
        pos.extend([i] * len(ks))
        keys.extend(ks)
    return pd.DataFrame({"pos": np.asarray(pos, dtype=np.int64), "key": pd.Series(keys, dtype=object)})


def _dob_parts(dobs: pd.Series) -> np.ndarray:
    """(n, 3) int array of year, month, day; -1 where the date is missing."""
    parts = dobs.str.extract(r"^(\d{4})-(\d{2})-(\d{2})$")
    out: np.ndarray = parts.fillna(-1).astype(np.int32).to_numpy()
    return out


def dob_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Date-of-birth component for rows of two :func:`_dob_parts` arrays (NaN when either is missing).

    1 exact, 0.8 day and month swapped, 0.7 exactly one of year/month/day differs, else 0.
    """
    missing = (a[:, 0] < 0) | (b[:, 0] < 0)
    same = a == b
    n_same = same.sum(axis=1)
    swapped = same[:, 0] & (a[:, 1] == b[:, 2]) & (a[:, 2] == b[:, 1]) & (a[:, 1] != a[:, 2])
    out = np.where(n_same == 3, 1.0, np.where(swapped, 0.8, np.where(n_same == 2, 0.7, 0.0)))
    out[missing] = np.nan
    return out


def nationality_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 same, 0 different, NaN when either is missing."""
    a = pd.to_numeric(pd.Series(a), errors="coerce").to_numpy(dtype=float)
    b = pd.to_numeric(pd.Series(b), errors="coerce").to_numpy(dtype=float)
    out: np.ndarray = (a == b).astype(float)
    out[np.isnan(a) | np.isnan(b)] = np.nan
    return out


_VIEWS = ("ascii", "folded", "skeleton")


def char_counts(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Letter counts (``n x 27``: a-z and space) and lengths of lower-case ASCII names."""
    lens = np.fromiter((len(x) for x in names), dtype=np.int64, count=len(names))
    if not len(names):
        return np.zeros((0, 27), dtype=np.uint8), lens
    codes = np.frombuffer("".join(names).encode("ascii"), dtype=np.uint8).astype(np.int64) - 97
    codes[codes < 0] = 26  # the space
    rows = np.repeat(np.arange(len(names), dtype=np.int64), lens)
    counts = np.bincount(rows * 27 + codes, minlength=len(names) * 27).reshape(len(names), 27)
    return np.minimum(counts, 255).astype(np.uint8), lens


#: View -> (letter counts, lengths) of :func:`char_counts`.
CharCounts = dict[str, tuple[np.ndarray, np.ndarray]]


def name_score_upper_bound(
    roster_counts: CharCounts, record_counts: CharCounts, r_pos: np.ndarray, c_pos: np.ndarray
) -> np.ndarray:
    """An upper bound of :func:`score_pairs`' ``name_score`` from letter counts alone.

    Every similarity used is ``2 * LCS / (len_a + len_b)`` of some token order of the two names, and
    no common subsequence is longer than the letters the two names share, whatever the order. Far
    cheaper than the edit distances, it discards most candidate pairs before they are scored.
    """
    total = np.zeros(len(r_pos))
    for view in _VIEWS:
        (ha, la), (hb, lb) = roster_counts[view], record_counts[view]
        shared = np.minimum(ha[r_pos], hb[c_pos]).sum(axis=1, dtype=np.int64)
        total += 2.0 * shared / np.maximum(1, la[r_pos] + lb[c_pos])
    return total / len(_VIEWS)


def _reversed_tokens(names: np.ndarray) -> np.ndarray:
    return np.array([" ".join(n.split()[::-1]) for n in names], dtype=object)


def name_similarity(a: np.ndarray, b: np.ndarray, workers: int = 1, a_reversed: np.ndarray | None = None) -> np.ndarray:
    """Pairwise similarity (0-1) of two equally long arrays of names: the best of ``ratio`` as
    written, ``ratio`` with ``a``'s tokens reversed (``a_reversed`` if precomputed), and
    ``token_sort_ratio``."""
    if len(a) == 0:
        return np.zeros(0)
    a_reversed = _reversed_tokens(a) if a_reversed is None else a_reversed
    best = process.cpdist(a, b, scorer=fuzz.ratio, workers=workers)
    np.maximum(best, process.cpdist(a_reversed, b, scorer=fuzz.ratio, workers=workers), out=best)
    np.maximum(best, process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=workers), out=best)
    return best / 100.0


def score_pairs(
    roster: pd.DataFrame,
    records: pd.DataFrame,
    r_pos: np.ndarray,
    c_pos: np.ndarray,
    workers: int = 1,
    threshold: float | None = None,
    min_name_score: float = 0.0,
) -> pd.DataFrame:
    """Score candidate pairs (positions into two :func:`prepare`-d frames) component by component.

    With ``threshold``, pairs that cannot reach it (or ``min_name_score``) are dropped as early as
    possible: the cheap skeleton similarity first, then the folded one, and the names as written
    only for pairs still in reach. The pairs kept are scored exactly as without ``threshold``.
    """
    cols = ["dob_y", "dob_m", "dob_d"]
    dob = dob_scores(roster[cols].to_numpy()[r_pos], records[cols].to_numpy()[c_pos])
    nat = nationality_scores(roster["nationality"].to_numpy()[r_pos], records["nationality"].to_numpy()[c_pos])
    rest = WEIGHTS["dob"] * np.nan_to_num(dob) + WEIGHTS["nationality"] * np.nan_to_num(nat)
    den = WEIGHTS["name"] + WEIGHTS["dob"] * ~np.isnan(dob) + WEIGHTS["nationality"] * ~np.isnan(nat)

    def sim(col: str, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        rev = roster[col + "_rev"].to_numpy()[r] if col + "_rev" in roster else None
        return name_similarity(roster[col].to_numpy()[r], records[col].to_numpy()[c], workers, rev)

    skel = sim("skeleton", r_pos, c_pos)
    if threshold is not None:
        # Lowest name score with which the pair still reaches the threshold; each unseen view is at most 1.
        need = np.maximum(min_name_score, (threshold * den - rest) / WEIGHTS["name"]) - 1e-9
        keep = np.flatnonzero((skel + 2.0) / 3.0 >= need)
        r_pos, c_pos, dob, nat, rest, den, skel, need = (
            x[keep] for x in (r_pos, c_pos, dob, nat, rest, den, skel, need)
        )
        folded = sim("folded", r_pos, c_pos)
        keep = np.flatnonzero((skel + folded + 1.0) / 3.0 >= need)
        r_pos, c_pos, dob, nat, rest, den, skel, folded = (
            x[keep] for x in (r_pos, c_pos, dob, nat, rest, den, skel, folded)
        )
    else:
        folded = sim("folded", r_pos, c_pos)
    written = sim("ascii", r_pos, c_pos)
    name = (written + folded + skel) / 3.0
    return pd.DataFrame(
        {
            "roster_pos": r_pos,
            "record_pos": c_pos,
            "score": (WEIGHTS["name"] * name + rest) / den,
            "name_score": name,
            "name_written_score": written,
            "name_folded_score": folded,
            "name_skeleton_score": skel,
            "dob_score": dob,
            "nationality_score": nat,
        }
    )


_KINDS = np.array(list("DYMXT"))


class _Segment:
    """Blocking keys of a run of records (positions from ``offset``) in CSR layout: the keys are
    factorised to integers and the record positions sorted by key, so candidate generation is a
    few numpy gathers instead of a string join."""

    def __init__(self, prepared: pd.DataFrame, offset: int):
        keys = blocking_keys(prepared, "record")
        codes, uniques = pd.factorize(keys["key"])
        self.key_index = pd.Index(uniques)
        self.pos_sorted = keys["pos"].to_numpy()[np.argsort(codes, kind="stable")] + offset
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniques)))])
        self.n_keys = len(keys)

    def lookup(self, rkeys: pd.DataFrame, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        codes = self.key_index.get_indexer(rkeys["key"])
        found = codes >= 0
        codes = codes[found]
        starts = self.starts[codes]
        lens = self.starts[codes + 1] - starts
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        cpos = self.pos_sorted[np.repeat(starts, lens) + offsets]
        return np.repeat(rkeys["pos"].to_numpy()[found], lens), cpos, np.repeat(kinds[found], lens)


#: Columns :func:`prepare` adds that a stored record already carries (see :func:`record_forms`).
PREPARED_COLUMNS = ("ascii", "folded", "skeleton", "skel_keys")


def record_forms(name: str) -> dict[str, Any]:
    """The prepared forms of one record's name, to store with the record so that building an
    index never transliterates again: ``ascii``, ``folded``, ``skeleton`` and ``skel_keys``."""
    asc = to_ascii(name)
    folded, skeleton, keys = _forms_of_ascii(asc)
    return {"ascii": asc, "folded": folded, "skeleton": skeleton, "skel_keys": keys}


class RecordIndex:
    """Prepared misconduct records with their blocking keys, reusable across screenings.

    Build it once and keep it: :meth:`extend` adds newly imported records as a further segment
    (merged into one when segments pile up) instead of rebuilding.

    Parameters
    ----------
    records
        Frame with ``record_id``, ``name``, ``dob`` (ISO date string or empty) and ``nationality``,
        and optionally the stored forms of :data:`PREPARED_COLUMNS` (then nothing is transliterated).
    """

    def __init__(self, records: pd.DataFrame):
        self.records = _prepare_records(records)
        self.counts = {view: char_counts(self.records[view].to_numpy()) for view in _VIEWS}
        self._segments = [_Segment(self.records, 0)]

    @property
    def n_keys(self) -> int:
        return sum(seg.n_keys for seg in self._segments)

    def extend(self, records: pd.DataFrame) -> None:
        """Add records (same columns as the constructor) without re-preparing the others."""
        if not len(records):
            return
        new = _prepare_records(records)
        offset = len(self.records)
        self.records = pd.concat([self.records, new], ignore_index=True)
        for view in _VIEWS:
            h, n = char_counts(new[view].to_numpy())
            self.counts[view] = (np.vstack([self.counts[view][0], h]), np.concatenate([self.counts[view][1], n]))
        self._segments.append(_Segment(new, offset))
        if len(self._segments) > 8:  # many small imports: one segment again (keys only, no transliteration)
            self._segments = [_Segment(self.records, 0)]

    def candidates(self, roster: pd.DataFrame) -> pd.DataFrame:
        """Candidate pairs (``roster_pos``, ``record_pos``, ``via`` = kind of the first shared key)
        for a :func:`prepare`-d roster, one row per distinct pair."""
        rkeys = blocking_keys(roster, "roster")
        order = np.argsort(_KINDS)
        kinds = order[np.searchsorted(_KINDS, rkeys["key"].str.slice(0, 1).to_numpy().astype("U1"), sorter=order)]
        found = [seg.lookup(rkeys, kinds) for seg in self._segments]
        r = np.concatenate([f[0] for f in found])
        cpos = np.concatenate([f[1] for f in found])
        k = np.concatenate([f[2] for f in found])
        pair = r.astype(np.int64) * len(self.records) + cpos
        _, first = np.unique(pair, return_index=True)
        return pd.DataFrame({"roster_pos": r[first], "record_pos": cpos[first], "via": _KINDS[k[first]]})

    def match(
        self,
        roster: pd.DataFrame,
        threshold: float = DEFAULT_THRESHOLD,
        min_name_score: float = DEFAULT_MIN_NAME_SCORE,
        workers: int = 1,
        chunk: int = 20_000,
    ) -> pd.DataFrame:
        """Screen ``roster`` (``name``, ``dob``, ``nationality``) and return its hits, best first.

        Parameters
        ----------
        chunk
            Roster rows handled at once (bounds memory).

        Returns
        -------
        pandas.DataFrame
            One row per hit: ``roster_pos``, ``record_pos``, ``record_id``, ``score`` and its
            components, and ``via`` (the blocking key kind that proposed the pair).
        """
        prepared = prepare(roster.reset_index(drop=True), reversed_forms=True)
        parts = []
        for start in range(0, len(prepared), chunk):
            part = prepared.iloc[start : start + chunk].reset_index(drop=True)
            cand = self.candidates(part)
            if cand.empty:
                continue
            counts = {view: char_counts(part[view].to_numpy()) for view in _VIEWS}
            bound = name_score_upper_bound(
                counts, self.counts, cand["roster_pos"].to_numpy(), cand["record_pos"].to_numpy()
            )
            cand = cand[bound >= min_name_score - 1e-9]
            scored = score_pairs(
                part,
                self.records,
                cand["roster_pos"].to_numpy(),
                cand["record_pos"].to_numpy(),
                workers,
                threshold=threshold,
                min_name_score=min_name_score,
            )
            via = pd.Series(
                cand["via"].to_numpy(),
                index=cand["roster_pos"].to_numpy() * len(self.records) + cand["record_pos"].to_numpy(),
            )
            scored["via"] = via.loc[
                scored["roster_pos"].to_numpy() * len(self.records) + scored["record_pos"].to_numpy()
            ].to_numpy()
            hits = scored[(scored["score"] >= threshold) & (scored["name_score"] >= min_name_score)].copy()
            hits["roster_pos"] += start
            parts.append(hits)
        if not parts:
            return _empty_hits()
        hits = pd.concat(parts, ignore_index=True)
        hits["record_id"] = self.records["record_id"].to_numpy()[hits["record_pos"].to_numpy()]
        return hits.sort_values(["roster_pos", "score"], ascending=[True, False]).reset_index(drop=True)


def _empty_hits() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "roster_pos",
            "record_pos",
            "score",
            "name_score",
            "name_written_score",
            "name_folded_score",
            "name_skeleton_score",
            "dob_score",
            "nationality_score",
            "via",
            "record_id",
        ]
    )


def via_label(via: str, dob_score: float | None) -> str:
    """Why a candidate was proposed, in words; for the date-of-birth key it says which of the two
    it was (the same date, or day and month swapped), never both."""
    if via == "D":
        return "day and month of birth swapped" if dob_score is not None and dob_score < 1 else "same date of birth"
    return VIA_LABELS.get(via, via)


VIA_LABELS = {
    "D": "same date of birth (or day and month swapped)",
    "Y": "same birth year and a shared name skeleton",
    "M": "same day and month of birth and a shared name key",
    "T": "a shared name key (roster row lacks date of birth or nationality)",
    "X": "same nationality and a shared name key (record has no date of birth)",
}
