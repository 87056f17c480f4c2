"""The audit trail for people (coordinators): who read or changed what and when, filtered and paged,
and the state of the log's newest signed checkpoint. Reading the trail is itself audited.

The entries are the audit log's own rows (:class:`~peacewatch.registry.models.AuditEntry`), read
here only; the checkpoint and the check of the whole log come from :mod:`peacewatch.registry.audit`
(``latest_checkpoint``, ``verify``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from peacewatch.registry import audit
from peacewatch.registry.models import AuditEntry, Referral, User
from peacewatch.registry.schemas import AuditQuery


def _where(session: Session, q: AuditQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.case_id is not None:
        # A case's own entries (opened, changed, victim details viewed) and its referral's.
        referral_ids = [
            str(r) for r in session.execute(select(Referral.id).where(Referral.case_id == q.case_id)).scalars()
        ]
        case_entries = and_(AuditEntry.entity.in_(("case", "victim_details")), AuditEntry.entity_id == str(q.case_id))
        conds.append(
            or_(case_entries, and_(AuditEntry.entity == "referral", AuditEntry.entity_id.in_(referral_ids)))
            if referral_ids
            else case_entries
        )
    if q.actor:
        conds.append(func.lower(AuditEntry.actor) == q.actor.strip().lower())
    if q.action:
        conds.append(AuditEntry.action == q.action)
    if q.entity:
        conds.append(AuditEntry.entity == q.entity)
    # ``at`` is an ISO text (a date alone for anonymous entries): text order is time order.
    if q.date_from:
        conds.append(AuditEntry.at >= q.date_from.isoformat())
    if q.date_to:
        conds.append(AuditEntry.at < (q.date_to + dt.timedelta(days=1)).isoformat())
    return conds


def _detail(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else ({"value": value} if value is not None else None)


def entries(session: Session, user: User, q: AuditQuery) -> dict[str, Any]:
    """Audit entries matching ``query`` (an :class:`AuditQuery`), newest first, one page.

    Returns ``{"entries": [...], "total", "page", "per_page", "pages", "filters"}``; each entry has
    ``seq, at, actor, action, entity, entity_id, detail`` and, for accounts, ``username``.
    """
    conds = _where(session, q)
    total = session.execute(select(func.count()).select_from(AuditEntry).where(*conds)).scalar_one()
    rows = session.execute(
        select(
            AuditEntry.seq,
            AuditEntry.at,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.detail,
        )
        .where(*conds)
        .order_by(AuditEntry.seq.desc())
        .limit(q.per_page)
        .offset((q.page - 1) * q.per_page)
    ).all()
    user_ids = {int(r.entity_id) for r in rows if r.entity == "user" and r.entity_id.isdigit()}
    usernames = (
        dict(session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).tuples().all())
        if user_ids
        else {}
    )
    out = []
    for r in rows:
        e = {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "entity": r.entity,
            "entity_id": r.entity_id,
            "detail": _detail(r.detail),
        }
        if r.entity == "user" and r.entity_id.isdigit():
            e["username"] = usernames.get(int(r.entity_id))
        out.append(e)
    filters = q.model_dump(exclude_none=True, exclude={"page", "per_page"}, mode="json")
    audit.record(
        session, user.username, "read", "audit_log", "*", {**filters, "page": q.page} if filters or q.page > 1 else None
    )
    return {
        "entries": out,
        "total": total,
        "page": q.page,
        "per_page": q.per_page,
        "pages": max(1, -(-total // q.per_page)),
        "filters": filters,
    }


def actors(session: Session, user: User) -> list[str]:
    """Every name that appears as an actor in the log, sorted (for the screen's filter)."""
    return sorted(session.execute(select(AuditEntry.actor).distinct()).scalars(), key=str.casefold)


def checkpoint_status(session: Session, user: User, *, check: bool = False) -> dict[str, Any]:
    """The newest signed checkpoint (entries it covers, when it was signed) and, with ``check``,
    whether the whole log still verifies against it (:func:`peacewatch.registry.audit.verify`;
    reads every entry, so it is asked for, not run on every view). Audited when checked."""
    note = audit.latest_checkpoint(session)
    out: dict[str, Any] = {"checkpoint": None, "checked": False}
    if note:
        lines = note.splitlines()
        size = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
        signed = next((ln[5:].strip() for ln in lines if ln.startswith("time ")), None)
        out["checkpoint"] = {"entries": size, "signed_at": signed}
    if check:
        r = audit.verify(session)
        out.update(
            checked=True,
            ok=r.ok,
            entries=r.entries,
            problem=r.problem,
            first_bad_seq=r.first_bad_seq,
            held_anonymous=r.held_anonymous,
        )
        audit.record(session, user.username, "verify", "audit_log", "*", {"ok": r.ok, "entries": r.entries})
    return out
