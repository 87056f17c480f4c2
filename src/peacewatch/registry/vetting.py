"""Vetting: the misconduct database and screening of deployment rosters against it.

A screening stores every hit with its component scores and an explanation; a hit is only a
suggestion until a human records a decision (``confirmed_match`` or ``not_a_match``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry import audit
from peacewatch.registry.auth import COORDINATOR, INVESTIGATOR, require_role
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.registry.matching import (
    DEFAULT_MIN_NAME_SCORE, DEFAULT_THRESHOLD, VIA_LABELS, WEIGHTS, RecordIndex, name_forms,
)
from peacewatch.registry.models import Case, MisconductRecord, Screening, ScreeningHit, User, utcnow

ROSTER_COLUMNS = ("name", "date_of_birth", "nationality")
DECISIONS = ("confirmed_match", "not_a_match")
#: Roles that keep the misconduct records and screen rosters.
VETTING_ROLES = (INVESTIGATOR, COORDINATOR)
RECORD_CATEGORIES = ("sexual_exploitation", "sexual_abuse", "trafficking_related", "other_misconduct")


def _parse_date(value: str, where: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{where}: date_of_birth {value!r} is not a date; write it as YYYY-MM-DD or leave it empty") from exc


def _parse_ccode(value, where: str, field: str = "nationality") -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        code = int(text)
    except ValueError as exc:
        raise ValidationFailed(f"{where}: {field} {text!r} is not a COW country code (an integer such as 770)") from exc
    if not 1 <= code <= 999:
        raise ValidationFailed(f"{where}: {field} {code} is outside the COW code range 1-999")
    return code


@dataclass
class RosterRow:
    row_number: int
    name: str
    date_of_birth: dt.date | None
    nationality: int | None


def _csv_rows(text: str, label: str) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """Header and numbered data rows of an uploaded CSV (row 1 is the header).

    ``newline=""`` lets the csv module handle CR/LF and line breaks inside quoted fields itself; any
    other malformation (e.g. a field over the csv module's size limit) becomes a ValidationFailed naming the file and row.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ValidationFailed(f"{label} row 1: not readable as CSV ({exc}); save it as a UTF-8 CSV") from exc

    def rows() -> Iterator[tuple[int, dict]]:
        i = 1
        try:
            for i, raw in enumerate(reader, start=2):
                yield i, {(k or "").strip(): v for k, v in raw.items()}
        except csv.Error as exc:
            raise ValidationFailed(f"{label} row {i + 1}: not readable as CSV ({exc}); save it as a UTF-8 CSV") from exc

    return header, rows()


def parse_roster(text: str, label: str = "roster") -> list[RosterRow]:
    """Parse a roster CSV with header ``name,date_of_birth,nationality``.

    Raises
    ------
    ValidationFailed
        Naming the file (``label``), the row and the field that is wrong and how to fix it.
    """
    header, data = _csv_rows(text, label)
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(f"{label}: missing column(s) {', '.join(missing)}; the header must be: {','.join(ROSTER_COLUMNS)}")
    rows = []
    for i, raw in data:
        where = f"{label} row {i}"
        name = (raw.get("name") or "").strip()
        if not name:
            raise ValidationFailed(f"{where}: name is empty")
        rows.append(RosterRow(i, name, _parse_date(raw.get("date_of_birth") or "", where), _parse_ccode(raw.get("nationality"), where)))
    if not rows:
        raise ValidationFailed(f"{label}: no data rows below the header")
    return rows


def read_roster_file(path: Path) -> list[RosterRow]:
    """Read and parse a roster CSV file (UTF-8)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path}: not UTF-8 text; save the CSV as UTF-8") from exc
    return parse_roster(text, str(path))


def add_record(session: Session, user: User, *, full_name: str, date_of_birth: dt.date | None,
               nationality_ccode: int | None, category: str, source: str = "", case_id: int | None = None,
               recorded_on: dt.date | None = None) -> MisconductRecord:
    """Add one misconduct record to the vetting database (investigators, coordinators)."""
    require_role(user, *VETTING_ROLES)
    if not (full_name or "").strip():
        raise ValidationFailed("full_name is required")
    if category not in RECORD_CATEGORIES:
        raise ValidationFailed(f"category {category!r} is unknown; use one of {', '.join(RECORD_CATEGORIES)}")
    _parse_ccode(nationality_ccode, "record", "nationality_ccode")
    if case_id is not None and session.get(Case, case_id) is None:
        raise NotFound(f"no case {case_id} to link the record to")
    rec = MisconductRecord(full_name=full_name.strip(), name_key=name_forms(full_name)[0][:200],
                           date_of_birth=date_of_birth, nationality_ccode=nationality_ccode, category=category,
                           recorded_on=recorded_on or utcnow().date(), case_id=case_id, source=source)
    session.add(rec)
    session.flush()
    audit.record(session, user.username, "create", "misconduct_record", rec.id)
    return rec


def import_records_csv(session: Session, user: User, text: str, label: str = "records") -> int:
    """Bulk-add records from CSV ``full_name,date_of_birth,nationality,category[,source]``; all or nothing."""
    require_role(user, *VETTING_ROLES)
    header, data = _csv_rows(text, label)
    need = ("full_name", "date_of_birth", "nationality", "category")
    missing = [c for c in need if c not in header]
    if missing:
        raise ValidationFailed(f"{label}: missing column(s) {', '.join(missing)}; header must include {','.join(need)}")
    rows = []
    for i, raw in data:
        where = f"{label} row {i}"
        name = (raw.get("full_name") or "").strip()
        if not name:
            raise ValidationFailed(f"{where}: full_name is empty")
        cat = (raw.get("category") or "").strip()
        if cat not in RECORD_CATEGORIES:
            raise ValidationFailed(f"{where}: category {cat!r} is unknown; use one of {', '.join(RECORD_CATEGORIES)}")
        rows.append(dict(full_name=name, name_key=name_forms(name)[0][:200],
                         date_of_birth=_parse_date(raw.get("date_of_birth") or "", where),
                         nationality_ccode=_parse_ccode(raw.get("nationality"), where), category=cat,
                         recorded_on=utcnow().date(), source=(raw.get("source") or "").strip()))
    session.add_all(MisconductRecord(**r) for r in rows)
    session.flush()
    audit.record(session, user.username, "import", "misconduct_record", "*", {"rows": len(rows), "file": label})
    return len(rows)


def records_frame(session: Session) -> pd.DataFrame:
    """All misconduct records as the frame :class:`RecordIndex` expects."""
    rows = session.execute(select(MisconductRecord.id, MisconductRecord.full_name, MisconductRecord.date_of_birth,
                                  MisconductRecord.nationality_ccode)).all()
    return pd.DataFrame({
        "record_id": [r[0] for r in rows], "name": [r[1] for r in rows],
        "dob": [r[2].isoformat() if r[2] else "" for r in rows],
        "nationality": pd.array([r[3] for r in rows], dtype="Float64").astype(float),
    })


def screen_roster(session: Session, user: User, roster: list[RosterRow], label: str = "roster",
                  threshold: float = DEFAULT_THRESHOLD, index: RecordIndex | None = None) -> Screening:
    """Screen roster rows against the misconduct records and store the hits.

    Parameters
    ----------
    roster
        Rows from :func:`parse_roster`.
    threshold
        Minimum combined score (0-1) of a hit.
    index
        A prebuilt :class:`RecordIndex` (else built from the database).
    """
    require_role(user, *VETTING_ROLES)
    if not 0.5 <= threshold <= 1.0:
        raise ValidationFailed("threshold must be between 0.5 and 1.0")
    index = index or RecordIndex(records_frame(session))
    frame = pd.DataFrame({
        "name": [r.name for r in roster],
        "dob": [r.date_of_birth.isoformat() if r.date_of_birth else "" for r in roster],
        "nationality": [float(r.nationality) if r.nationality is not None else float("nan") for r in roster],
    })
    hits = index.match(frame, threshold=threshold) if len(index.records) else pd.DataFrame()
    screening = Screening(created_by=user.id, roster_label=label[:200], roster_rows=len(roster), threshold=threshold)
    session.add(screening)
    session.flush()
    recs = index.records
    for h in hits.itertuples(index=False):
        row = roster[int(h.roster_pos)]
        rec = recs.iloc[int(h.record_pos)]
        opt = lambda v: None if pd.isna(v) else float(v)  # noqa: E731
        explanation = {
            "weights": WEIGHTS,
            "components": {"name": float(h.name_score), "name_folded": float(h.name_folded_score),
                           "name_skeleton": float(h.name_skeleton_score), "dob": opt(h.dob_score),
                           "nationality": opt(h.nationality_score)},
            "roster_forms": {"folded": name_forms(row.name)[0], "skeleton": name_forms(row.name)[1]},
            "record_forms": {"folded": rec["folded"], "skeleton": rec["skeleton"]},
            "proposed_by": VIA_LABELS.get(h.via, h.via),
            "min_name_score": DEFAULT_MIN_NAME_SCORE,
        }
        session.add(ScreeningHit(
            screening_id=screening.id, row_number=row.row_number, roster_name=row.name[:200],
            roster_dob=row.date_of_birth, roster_nationality=row.nationality, record_id=int(h.record_id),
            score=float(h.score), name_score=float(h.name_score), dob_score=opt(h.dob_score),
            nationality_score=opt(h.nationality_score), explanation=json.dumps(explanation),
        ))
    session.flush()
    audit.record(session, user.username, "screen", "screening", screening.id, {"rows": len(roster), "hits": len(hits)})
    return screening


def screening_hits(session: Session, user: User, screening_id: int) -> list[dict]:
    """Hits of a screening with the matched record, for investigators and coordinators; audited."""
    require_role(user, *VETTING_ROLES)
    if session.get(Screening, screening_id) is None:
        raise NotFound(f"no screening {screening_id}")
    rows = session.execute(
        select(ScreeningHit, MisconductRecord).join(MisconductRecord, MisconductRecord.id == ScreeningHit.record_id)
        .where(ScreeningHit.screening_id == screening_id).order_by(ScreeningHit.row_number, ScreeningHit.score.desc())
    ).all()
    audit.record(session, user.username, "read", "screening", screening_id)
    return [hit_dict(h, r) for h, r in rows]


def hit_dict(h: ScreeningHit, r: MisconductRecord) -> dict:
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    return {
        "hit_id": h.id, "row_number": h.row_number, "roster_name": h.roster_name, "roster_dob": iso(h.roster_dob),
        "roster_nationality": h.roster_nationality, "record_id": r.id, "record_name": r.full_name,
        "record_dob": iso(r.date_of_birth), "record_nationality": r.nationality_ccode, "record_category": r.category,
        "score": round(h.score, 4), "name_score": round(h.name_score, 4),
        "dob_score": None if h.dob_score is None else round(h.dob_score, 4),
        "nationality_score": None if h.nationality_score is None else round(h.nationality_score, 4),
        "explanation": json.loads(h.explanation), "decision": h.decision, "decided_at": iso(h.decided_at),
        "decision_note": h.decision_note,
    }


def decide(session: Session, user: User, hit_id: int, decision: str, note: str = "") -> ScreeningHit:
    """Record a human decision on a hit; a decision, once made, is final (audited)."""
    require_role(user, *VETTING_ROLES)
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
