"""Vetting: the misconduct database and screening of deployment rosters against it.

A screening stores every hit with its component scores and an explanation; a hit is only a
suggestion until a human records a decision (``confirmed_match`` or ``not_a_match``).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peacewatch.registry import audit, caches
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.registry.matching import (
    DEFAULT_MIN_NAME_SCORE,
    DEFAULT_THRESHOLD,
    WEIGHTS,
    RecordIndex,
    name_forms,
    record_forms,
    via_label,
)
from peacewatch.registry.models import Case, MisconductRecord, Screening, ScreeningHit, User, utcnow

ROSTER_COLUMNS = ("name", "date_of_birth", "nationality")
DECISIONS = ("confirmed_match", "not_a_match")
#: Roles that keep the misconduct records and screen rosters.
RECORD_CATEGORIES = ("sexual_exploitation", "sexual_abuse", "trafficking_related", "other_misconduct")


def _parse_date(value: str, where: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            f"{where}: date_of_birth {value!r} is not a date; write it as YYYY-MM-DD or leave it empty"
        ) from exc
    from peacewatch.registry import reference

    try:
        return reference.birth_date(day)
    except ValueError as exc:
        raise ValidationFailed(f"{where}: date_of_birth {exc}") from None


def _country_code(text: str, where: str, field: str) -> int:
    """COW code of a country written as a name ("Pakistan") or an ISO3 code ("PAK"), checked against the
    COW state list through :mod:`peacewatch.registry.reference`."""
    from peacewatch.registry import reference

    try:
        return int(reference.country_code(text))
    except ValueError as exc:
        raise ValidationFailed(f"{where}: {field}: {exc}") from None


def _parse_ccode(
    value: object, where: str, field: str = "nationality", names: dict[str, int] | None = None
) -> int | None:
    """A nationality as a COW code (770), an ISO3 code (PAK) or a country name (Pakistan); ``names``
    caches the names already resolved in one file."""
    from peacewatch.registry import reference

    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        code = int(text)
    except ValueError:
        if names is None:
            return _country_code(text, where, field)
        key = text.casefold()
        if key not in names:
            names[key] = _country_code(text, where, field)
        return names[key]
    if not 1 <= code <= 999:
        raise ValidationFailed(f"{where}: {field} {code} is outside the COW code range 1-999")
    try:
        return reference.known_state(code)
    except ValueError as exc:
        raise ValidationFailed(f"{where}: {field}: {exc}") from None


@dataclass
class RosterRow:
    row_number: int
    name: str
    date_of_birth: dt.date | None
    nationality: int | None


def _csv_rows(text: str | io.TextIOBase, label: str) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Header and numbered data rows of an uploaded CSV (row 1 is the header).

    ``newline=""`` lets the csv module handle CR/LF and line breaks inside quoted fields itself; any
    other malformation (e.g. a field over the csv module's size limit) becomes a ValidationFailed naming
    the file and row.
    """
    # A stream (an uploaded file) is read row by row, never as a whole.
    stream = io.StringIO(text.lstrip("\ufeff"), newline="") if isinstance(text, str) else text
    reader = csv.DictReader(stream)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ValidationFailed(f"{label} row 1: not readable as CSV ({exc}); save it as a UTF-8 CSV") from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        i = 1
        try:
            for i, raw in enumerate(reader, start=2):
                yield i, {(k or "").strip(): v for k, v in raw.items()}
        except csv.Error as exc:
            raise ValidationFailed(f"{label} row {i + 1}: not readable as CSV ({exc}); save it as a UTF-8 CSV") from exc

    return header, rows()


def iter_roster(source: str | io.TextIOBase, label: str = "roster") -> Iterator[RosterRow]:
    """Roster rows of a CSV (text, or a text stream read row by row) with header
    ``name,date_of_birth,nationality``.

    Raises
    ------
    ValidationFailed
        Naming the file (``label``), the row and the field that is wrong and how to fix it; also
        when the file has no data row.
    """
    header, data = _csv_rows(source, label)
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0].lstrip("\ufeff")
    if "name" not in header and "full_name" in header:
        header = ["name" if h == "full_name" else h for h in header]  # as in the misconduct records
        name_field = "full_name"
    else:
        name_field = "name"
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            f"{label}: missing column(s) {', '.join(missing)}; the header must be: "
            f"{','.join(ROSTER_COLUMNS)} (full_name instead of name also works)"
        )
    seen = False
    countries: dict[str, int] = {}
    for i, raw in data:
        raw = {k.lstrip("\ufeff"): v for k, v in raw.items()}
        where = f"{label} row {i}"
        name = (raw.get(name_field) or "").strip()
        if not name:
            raise ValidationFailed(f"{where}: {name_field} is empty")
        seen = True
        yield RosterRow(
            i,
            name,
            _parse_date(raw.get("date_of_birth") or "", where),
            _parse_ccode(raw.get("nationality"), where, names=countries),
        )
    if not seen:
        raise ValidationFailed(f"{label}: no data rows below the header")


def parse_roster(text: str, label: str = "roster") -> list[RosterRow]:
    """Parse a whole roster CSV text (see :func:`iter_roster`)."""
    return list(iter_roster(text, label))


def stream_roster_file(path: str | Path, label: str | None = None) -> Iterator[RosterRow]:
    """Roster rows of a UTF-8 CSV file, read row by row (memory does not grow with the file)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            yield from iter_roster(fh, label or str(path))
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{label or path}: not UTF-8 text; save the CSV as UTF-8") from exc


def add_record(
    session: Session,
    user: User,
    *,
    full_name: str,
    date_of_birth: dt.date | None,
    nationality_ccode: int | None,
    category: str,
    source: str = "",
    case_id: int | None = None,
    recorded_on: dt.date | None = None,
) -> MisconductRecord:
    """Add one misconduct record to the vetting database (investigators, coordinators)."""
    if not (full_name or "").strip():
        raise ValidationFailed("full_name is required")
    if category not in RECORD_CATEGORIES:
        raise ValidationFailed(f"category {category!r} is unknown; use one of {', '.join(RECORD_CATEGORIES)}")
    _parse_ccode(nationality_ccode, "record", "nationality_ccode")
    if case_id is not None and session.get(Case, case_id) is None:
        raise NotFound(f"no case {case_id} to link the record to")
    rec = MisconductRecord(
        full_name=full_name.strip(),
        **_stored_forms(full_name.strip()),
        date_of_birth=date_of_birth,
        nationality_ccode=nationality_ccode,
        category=category,
        recorded_on=recorded_on or utcnow().date(),
        case_id=case_id,
        source=source,
    )
    session.add(rec)
    session.flush()
    audit.record(session, user.username, "create", "misconduct_record", rec.id)
    return rec


def import_records_csv(session: Session, user: User, text: str, label: str = "records") -> int:
    """Bulk-add records from CSV ``full_name,date_of_birth,nationality,category[,source]``; all or nothing."""
    header, data = _csv_rows(text, label)
    need = ("full_name", "date_of_birth", "nationality", "category")
    missing = [c for c in need if c not in header]
    if missing:
        raise ValidationFailed(f"{label}: missing column(s) {', '.join(missing)}; header must include {','.join(need)}")
    rows = []
    countries: dict[str, int] = {}
    for i, raw in data:
        where = f"{label} row {i}"
        name = (raw.get("full_name") or "").strip()
        if not name:
            raise ValidationFailed(f"{where}: full_name is empty")
        cat = (raw.get("category") or "").strip()
        if cat not in RECORD_CATEGORIES:
            raise ValidationFailed(f"{where}: category {cat!r} is unknown; use one of {', '.join(RECORD_CATEGORIES)}")
        rows.append(
            dict(
                full_name=name,
                **_stored_forms(name),
                date_of_birth=_parse_date(raw.get("date_of_birth") or "", where),
                nationality_ccode=_parse_ccode(raw.get("nationality"), where, names=countries),
                category=cat,
                recorded_on=utcnow().date(),
                source=(raw.get("source") or "").strip(),
            )
        )
    session.add_all(MisconductRecord(**r) for r in rows)
    session.flush()
    audit.record(session, user.username, "import", "misconduct_record", "*", {"rows": len(rows), "file": label})
    return len(rows)


def _stored_forms(name: str) -> dict[str, str]:
    """Columns of a record that hold its prepared name (see :func:`matching.record_forms`)."""
    f = record_forms(name)
    return {
        "name_key": f["folded"][:200],
        "name_ascii": f["ascii"],
        "name_folded": f["folded"],
        "name_skeleton": f["skeleton"],
        "name_keys": " ".join(f["skel_keys"]),
    }


def records_frame(session: Session, after_id: int = 0) -> pd.DataFrame:
    """Misconduct records (with id above ``after_id``) as the frame :class:`RecordIndex` expects,
    with their stored name forms; rows stored before forms existed get them now (and keep them)."""
    R = MisconductRecord
    rows = session.execute(
        select(
            R.id,
            R.full_name,
            R.date_of_birth,
            R.nationality_ccode,
            R.name_ascii,
            R.name_folded,
            R.name_skeleton,
            R.name_keys,
        )
        .where(R.id > after_id)
        .order_by(R.id)
    ).all()
    forms = []
    for r in rows:
        if r.name_folded is None or r.name_ascii is None or r.name_keys is None:
            stored = _stored_forms(r.full_name)
            session.execute(update(R).where(R.id == r.id).values(**stored))
            forms.append((stored["name_ascii"], stored["name_folded"], stored["name_skeleton"], stored["name_keys"]))
        else:
            forms.append((r.name_ascii, r.name_folded, r.name_skeleton, r.name_keys))
    return pd.DataFrame(
        {
            "record_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "dob": [r[2].isoformat() if r[2] else "" for r in rows],
            "nationality": pd.array([r[3] for r in rows], dtype="Float64").astype(float),
            "ascii": [f[0] for f in forms],
            "folded": [f[1] for f in forms],
            "skeleton": [f[2] for f in forms],
            "skel_keys": [f[3].split() for f in forms],
        }
    )


def record_index(session: Session) -> RecordIndex:
    """The screening index of the misconduct records: built once per registry (kept in the caches
    of the Registry that opened ``session``), then extended with new records, so a screening pays
    only for the screen.

    Records are append-only (there is no way to edit or delete one), so (count, highest id) tells
    whether the kept index is current, and records added since - by this process or another - are
    appended to it instead of rebuilding it.
    """
    kept = caches.of(session).record_index
    count, max_id = session.execute(select(func.count(MisconductRecord.id), func.max(MisconductRecord.id))).one()
    max_id = max_id or 0
    with kept.lock:
        cached = kept.built
        if cached is not None and cached[:2] == (count, max_id):
            return cached[2]
        if cached is not None and max_id > cached[1]:
            new = records_frame(session, after_id=cached[1])
            if cached[0] + len(new) == count:  # only additions since: extend a copy (others may be screening)
                index = copy.copy(cached[2])
                index.counts = dict(index.counts)
                index._segments = list(index._segments)
                index.extend(new)
                kept.built = (count, max_id, index)
                return index
        index = RecordIndex(records_frame(session))
        kept.built = (count, max_id, index)
        return index


def screen_roster(
    session: Session,
    user: User,
    roster: Iterable[RosterRow],
    label: str = "roster",
    threshold: float = DEFAULT_THRESHOLD,
    index: RecordIndex | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = 5_000,
) -> Screening:
    """Screen roster rows against the misconduct records and store the hits.

    Parameters
    ----------
    roster
        Rows from :func:`parse_roster`, or an iterator such as :func:`stream_roster_file` (consumed
        ``chunk`` rows at a time, so a large roster is never held in memory whole).
    threshold
        Minimum combined score (0-1) of a hit.
    index
        A prebuilt :class:`RecordIndex` (else the database's kept index, see :func:`record_index`).
    progress
        Called with the number of rows screened so far after each chunk.
    """
    if not 0.5 <= threshold <= 1.0:
        raise ValidationFailed("threshold must be between 0.5 and 1.0")
    index = index or record_index(session)
    screening = Screening(created_by=user.id, roster_label=label[:200], roster_rows=0, threshold=threshold)
    session.add(screening)
    session.flush()
    rows_done, n_hits = 0, 0
    for part in _chunks(iter(roster), chunk):
        hits = chunk_hits(part, index, threshold)
        store_hits(session, screening, hits)
        n_hits += len(hits)
        rows_done += len(part)
        if progress is not None:
            progress(rows_done)
    screening.roster_rows = rows_done
    session.flush()
    audit.record(session, user.username, "screen", "screening", screening.id, {"rows": rows_done, "hits": n_hits})
    return screening


def _chunks(rows: Iterator[RosterRow], size: int) -> Iterator[list[RosterRow]]:
    while True:
        part = list(islice(rows, size))
        if not part:
            return
        yield part


def chunk_hits(roster: list[RosterRow], index: RecordIndex, threshold: float) -> list[dict[str, Any]]:
    """Hits of some roster rows as the columns of :class:`ScreeningHit` (no database access, so a
    background job can screen without holding a transaction open)."""
    frame = pd.DataFrame(
        {
            "name": [r.name for r in roster],
            "dob": [r.date_of_birth.isoformat() if r.date_of_birth else "" for r in roster],
            "nationality": [float(r.nationality) if r.nationality is not None else float("nan") for r in roster],
        }
    )
    hits = index.match(frame, threshold=threshold) if len(index.records) else pd.DataFrame()
    recs = index.records
    out = []
    opt = lambda v: None if pd.isna(v) else float(v)  # noqa: E731
    for h in hits.itertuples(index=False):
        row = roster[int(h.roster_pos)]
        rec = recs.iloc[int(h.record_pos)]
        explanation = {
            "weights": WEIGHTS,
            "components": {
                "name": float(h.name_score),
                "name_written": float(h.name_written_score),
                "name_folded": float(h.name_folded_score),
                "name_skeleton": float(h.name_skeleton_score),
                "dob": opt(h.dob_score),
                "nationality": opt(h.nationality_score),
            },
            "roster_forms": {"folded": name_forms(row.name)[0], "skeleton": name_forms(row.name)[1]},
            "record_forms": {"folded": rec["folded"], "skeleton": rec["skeleton"]},
            "proposed_by": via_label(h.via, opt(h.dob_score)),
            "min_name_score": DEFAULT_MIN_NAME_SCORE,
        }
        out.append(
            dict(
                row_number=row.row_number,
                roster_name=row.name[:200],
                roster_dob=row.date_of_birth,
                roster_nationality=row.nationality,
                record_id=int(h.record_id),
                score=float(h.score),
                name_score=float(h.name_score),
                dob_score=opt(h.dob_score),
                nationality_score=opt(h.nationality_score),
                explanation=json.dumps(explanation),
            )
        )
    return out


def store_hits(session: Session, screening: Screening, hits: list[dict[str, Any]]) -> None:
    """Add hits from :func:`chunk_hits` to a screening."""
    session.add_all(ScreeningHit(screening_id=screening.id, **h) for h in hits)
    session.flush()


def record_screening(
    session: Session, user: User, label: str, threshold: float, rows: int, hits: list[dict[str, Any]]
) -> Screening:
    """Store a screening computed elsewhere (a background job) with its hits; audited."""
    screening = Screening(created_by=user.id, roster_label=label[:200], roster_rows=rows, threshold=threshold)
    session.add(screening)
    session.flush()
    store_hits(session, screening, hits)
    audit.record(session, user.username, "screen", "screening", screening.id, {"rows": rows, "hits": len(hits)})
    return screening


def screening_hits(session: Session, user: User, screening_id: int) -> list[dict[str, Any]]:
    """Hits of a screening with the matched record, for investigators and coordinators; audited."""
    if session.get(Screening, screening_id) is None:
        raise NotFound(f"no screening {screening_id}")
    rows = session.execute(
        select(ScreeningHit, MisconductRecord)
        .join(MisconductRecord, MisconductRecord.id == ScreeningHit.record_id)
        .where(ScreeningHit.screening_id == screening_id)
        .order_by(ScreeningHit.row_number, ScreeningHit.score.desc())
    ).all()
    audit.record(session, user.username, "read", "screening", screening_id)
    return [hit_dict(h, r) for h, r in rows]


def hit_dict(h: ScreeningHit, r: MisconductRecord) -> dict[str, Any]:
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    return {
        "hit_id": h.id,
        "row_number": h.row_number,
        "roster_name": h.roster_name,
        "roster_dob": iso(h.roster_dob),
        "roster_nationality": h.roster_nationality,
        "record_id": r.id,
        "record_name": r.full_name,
        "record_dob": iso(r.date_of_birth),
        "record_nationality": r.nationality_ccode,
        "record_category": r.category,
        "score": round(h.score, 4),
        "name_score": round(h.name_score, 4),
        "dob_score": None if h.dob_score is None else round(h.dob_score, 4),
        "nationality_score": None if h.nationality_score is None else round(h.nationality_score, 4),
        "explanation": json.loads(h.explanation),
        "decision": h.decision,
        "decided_at": iso(h.decided_at),
        "decision_note": h.decision_note,
    }


def decide(session: Session, user: User, hit_id: int, decision: str, note: str = "") -> ScreeningHit:
    """Record a human decision on a hit; a decision, once made, is final (audited)."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"decision {decision!r} is unknown; use one of {', '.join(DECISIONS)}")
    hit = session.get(ScreeningHit, hit_id)
    if hit is None:
        raise NotFound(f"no screening hit {hit_id}")
    if hit.decision is not None:
        raise Conflict(f"hit {hit_id} was already decided ({hit.decision}); decisions are final")
    hit.decision, hit.decided_by, hit.decided_at, hit.decision_note = decision, user.id, utcnow(), note or None
    audit.record(session, user.username, "decide", "screening_hit", hit.id, {"decision": decision})
    session.flush()
    return hit


def _screening_counts(session: Session, screening_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per screening: roster rows flagged (at least one possible match), confirmed (a match
    confirmed by a person), awaiting a decision, and cleared (no possible match, or every possible
    match decided "not a match")."""
    from sqlalchemy import case as sql_case

    per_row = (
        select(
            ScreeningHit.screening_id.label("sid"),
            ScreeningHit.row_number,
            func.sum(sql_case((ScreeningHit.decision.is_(None), 1), else_=0)).label("open"),
            func.sum(sql_case((ScreeningHit.decision == "confirmed_match", 1), else_=0)).label("confirmed"),
        )
        .where(ScreeningHit.screening_id.in_(screening_ids))
        .group_by(ScreeningHit.screening_id, ScreeningHit.row_number)
        .subquery()
    )
    stmt = select(
        per_row.c.sid,
        func.count(),
        func.sum(sql_case((per_row.c.confirmed > 0, 1), else_=0)),
        func.sum(sql_case(((per_row.c.confirmed == 0) & (per_row.c.open > 0), 1), else_=0)),
        func.sum(sql_case(((per_row.c.confirmed == 0) & (per_row.c.open == 0), 1), else_=0)),
    ).group_by(per_row.c.sid)
    return {
        sid: {"flagged": int(n), "confirmed": int(c or 0), "awaiting_decision": int(w or 0), "ruled_out": int(r or 0)}
        for sid, n, c, w, r in session.execute(stmt)
    }


def _summary(sc: Screening, who: str | None, counts: dict[str, int] | None) -> dict[str, Any]:
    counts = counts or {"flagged": 0, "confirmed": 0, "awaiting_decision": 0, "ruled_out": 0}
    return {
        "screening_id": sc.id,
        "created_at": sc.created_at.isoformat(),
        "run_by": who,
        "label": sc.roster_label,
        "threshold": sc.threshold,
        "rows_screened": sc.roster_rows,
        **counts,
        "cleared": sc.roster_rows - counts["flagged"] + counts["ruled_out"],
    }


def list_screenings(session: Session, user: User, limit: int = 200) -> list[dict[str, Any]]:
    """Past screenings, newest first: when, who ran it, rows screened, flagged and cleared
    (investigators, coordinators; audited)."""
    rows = session.execute(
        select(Screening, User.username)
        .outerjoin(User, User.id == Screening.created_by)
        .order_by(Screening.id.desc())
        .limit(max(1, min(limit, 1000)))
    ).all()
    counts = _screening_counts(session, [sc.id for sc, _ in rows]) if rows else {}
    audit.record(session, user.username, "read", "screening_list", "*", {"count": len(rows)})
    return [_summary(sc, who, counts.get(sc.id)) for sc, who in rows]


def screening_summary(session: Session, user: User, screening_id: int) -> dict[str, Any]:
    """One screening's counts (as in :func:`list_screenings`); audited."""
    row = session.execute(
        select(Screening, User.username)
        .outerjoin(User, User.id == Screening.created_by)
        .where(Screening.id == screening_id)
    ).first()
    if row is None:
        raise NotFound(f"no screening {screening_id}")
    audit.record(session, user.username, "read", "screening_summary", screening_id)
    return _summary(row[0], row[1], _screening_counts(session, [screening_id]).get(screening_id))
