"""Anonymous whistleblower intake.

A report stores no IP address, user agent, account or exact time (day precision only). The
reporter gets a random 20-digit receipt; only its keyed hash (HMAC-SHA256 under the registry
secret) is stored, so the receipt cannot be recovered from the database. With the receipt the
reporter reads staff replies and adds information. Messages are encrypted at rest.

Reports and messages get random ids (:func:`peacewatch.registry.models.random_id`), not a
sequence, and a message's place in its thread is its ``position`` there: nothing in the database
orders an anonymous row against another report or against the staff actions the audit log times.

Rate limits are applied at the door by :class:`peacewatch.registry.throttle.Throttle` (in memory
only, keyed on a salted hash of the address that is never written anywhere).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from peacewatch.registry import audit, workflow
from peacewatch.registry.crypto import decrypt_json, encrypt_json, keyed_hash, load_key
from peacewatch.registry.errors import NotFound, ValidationFailed
from peacewatch.registry.models import (
    Case,
    IntakeMessage,
    IntakeReport,
    ReceiptHandle,
    User,
    random_id,
    utcnow,
)

RECEIPT_DIGITS = 20
MAX_MESSAGE_CHARS = 20_000
STATUSES = ("new", "triaged", "linked_to_case", "closed")


def new_receipt() -> str:
    """A uniformly random 20-digit receipt (about 66 bits of entropy)."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def _receipt_hash(receipt: str) -> str:
    return keyed_hash(receipt, "intake-receipt")


def _clean_receipt(receipt: str) -> str:
    digits = "".join(ch for ch in (receipt or "") if ch.isdigit())
    if len(digits) != RECEIPT_DIGITS:
        raise ValidationFailed(f"a receipt has exactly {RECEIPT_DIGITS} digits (spaces and dashes are ignored)")
    return digits


def _check_message(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(f"message is longer than {MAX_MESSAGE_CHARS} characters; split it into several")
    return text


def _unused_id(session: Session, model: type) -> int:
    """A random id not yet taken in ``model``'s table."""
    while True:
        candidate = random_id()
        if session.get(model, candidate) is None:
            return candidate


def _add_message(session: Session, report: IntakeReport, author: str, text: str) -> None:
    """Append a message to ``report``'s thread (random id, next position, day only)."""
    last = session.execute(
        select(func.max(IntakeMessage.position)).where(IntakeMessage.report_id == report.id)
    ).scalar()
    session.add(
        IntakeMessage(
            id=_unused_id(session, IntakeMessage),
            report_id=report.id,
            position=(last or 0) + 1,
            received_on=utcnow().date(),
            author=author,
            ciphertext=encrypt_json({"text": text}, day_only=True),
        )
    )


def submit_report(session: Session, message: str, mission: str | None = None, category: str | None = None) -> str:
    """Store an anonymous report and return its receipt (shown once, never stored)."""
    text = _check_message(message)
    if category is not None and category not in workflow.CATEGORIES:
        raise ValidationFailed(
            f"category {category!r} is unknown; use one of {', '.join(workflow.CATEGORIES)} or leave it empty"
        )
    receipt = new_receipt()
    today = utcnow().date()
    report = IntakeReport(
        id=_unused_id(session, IntakeReport),
        receipt_hash=_receipt_hash(receipt),
        received_on=today,
        mission=(mission or None),
        category=category,
        status="new",
    )
    session.add(report)
    session.flush()
    _add_message(session, report, "reporter", text)
    audit.record(session, "anonymous", "create", "intake_report", report.id)
    return receipt


def _cookie_cipher() -> AESGCM:
    return AESGCM(hashlib.sha256(b"peacewatch:receipt-cookie:" + load_key()).digest())


def seal_receipt(session: Session, receipt: str) -> str:
    """The cookie value that carries ``receipt`` to the page showing it once.

    AES-GCM under the registry key with a random nonce: unlike a Fernet token it records no time
    (only the day, inside the ciphertext). Its keyed hash is stored as unused in ``receipt_handles``.
    """
    nonce = secrets.token_bytes(12)
    plain = f"{utcnow().date().isoformat()}|{_clean_receipt(receipt)}".encode()
    token = base64.urlsafe_b64encode(nonce + _cookie_cipher().encrypt(nonce, plain, None)).decode()
    session.add(ReceiptHandle(key=keyed_hash(token, "receipt-cookie")))
    return token


def open_receipt(session: Session, token: str | None) -> str | None:
    """The receipt sealed in ``token``, once: the handle is used up. ``None`` for a cookie already
    shown (a replay), forged, or sealed before yesterday."""
    if not token or len(token) > 200:
        return None
    # A DELETE's result is a CursorResult (its rowcount is not on the Result the stubs give).
    used = cast(
        CursorResult[Any],
        session.execute(delete(ReceiptHandle).where(ReceiptHandle.key == keyed_hash(token, "receipt-cookie"))),
    )
    if used.rowcount != 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        day, _, receipt = _cookie_cipher().decrypt(raw[:12], raw[12:], None).decode().partition("|")
        sealed_on = dt.date.fromisoformat(day)
    except (InvalidTag, ValueError):
        return None
    return receipt if sealed_on >= utcnow().date() - dt.timedelta(days=1) else None


def _report_for_receipt(session: Session, receipt: str) -> IntakeReport:
    report = session.execute(
        select(IntakeReport).where(IntakeReport.receipt_hash == _receipt_hash(_clean_receipt(receipt)))
    ).scalar_one_or_none()
    if report is None:
        raise NotFound("no report with this receipt; check the digits")
    return report


def _thread(session: Session, report: IntakeReport) -> list[dict[str, Any]]:
    rows = session.execute(
        select(IntakeMessage).where(IntakeMessage.report_id == report.id).order_by(IntakeMessage.position)
    ).scalars()
    return [
        {"on": m.received_on.isoformat(), "author": m.author, "text": decrypt_json(m.ciphertext)["text"]} for m in rows
    ]


def read_thread(session: Session, receipt: str) -> dict[str, Any]:
    """What the reporter sees: status and all messages of the report."""
    report = _report_for_receipt(session, receipt)
    audit.record(session, "anonymous", "read", "intake_report", report.id)
    return {"status": report.status, "messages": _thread(session, report)}


def add_information(session: Session, receipt: str, message: str) -> dict[str, Any]:
    """Append a reporter message to the report identified by ``receipt``."""
    report = _report_for_receipt(session, receipt)
    _add_message(session, report, "reporter", _check_message(message))
    audit.record(session, "anonymous", "add", "intake_message", report.id)
    session.flush()
    return {"status": report.status, "messages": _thread(session, report)}


def list_reports(session: Session, user: User, status: str | None = None) -> list[dict[str, Any]]:
    """Reports for staff (investigators, coordinators), newest day first, without messages."""
    stmt = select(IntakeReport).order_by(IntakeReport.received_on.desc(), IntakeReport.id)
    if status:
        stmt = stmt.where(IntakeReport.status == status)
    reports = list(session.execute(stmt).scalars())
    audit.record(session, user.username, "read", "intake_list", "*", {"ids": [r.id for r in reports]})
    return [report_dict(r) for r in reports]


def report_dict(r: IntakeReport) -> dict[str, Any]:
    return {
        "id": r.id,
        "received_on": r.received_on.isoformat(),
        "mission": r.mission,
        "category": r.category,
        "status": r.status,
        "case_id": r.case_id,
    }


def staff_view(session: Session, user: User, report_id: int) -> dict[str, Any]:
    """One report with its messages, for staff; audited."""
    report = session.get(IntakeReport, report_id)
    if report is None:
        raise NotFound(f"no intake report {report_id}")
    audit.record(session, user.username, "read", "intake_report", report.id)
    return {**report_dict(report), "messages": _thread(session, report)}


def reply(
    session: Session, user: User, report_id: int, message: str, status: str | None = None, case_id: int | None = None
) -> dict[str, Any]:
    """Staff reply to a report; optionally change its status or link it to a case."""
    report = session.get(IntakeReport, report_id)
    if report is None:
        raise NotFound(f"no intake report {report_id}")
    if status is not None:
        if status not in STATUSES:
            raise ValidationFailed(f"status {status!r} is unknown; use one of {', '.join(STATUSES)}")
        report.status = status
    if case_id is not None:
        if session.get(Case, case_id) is None:
            raise NotFound(f"no case {case_id} to link")
        report.case_id = case_id
        report.status = "linked_to_case"
    _add_message(session, report, "staff", _check_message(message))
    audit.record(session, user.username, "reply", "intake_report", report.id, {"status": report.status})
    session.flush()
    return {**report_dict(report), "messages": _thread(session, report)}


#: Characters of a report's first message shown in the staff list.
PREVIEW_CHARS = 80


def message_previews(session: Session, user: User, report_ids: list[int], chars: int = PREVIEW_CHARS) -> dict[int, str]:
    """``{report id: the first ~chars characters of its first message}`` for staff who may read
    the reports (investigators, coordinators); the read of the messages is audited."""
    if not report_ids:
        return {}
    rows = session.execute(
        select(IntakeMessage.report_id, IntakeMessage.ciphertext).where(
            IntakeMessage.report_id.in_(report_ids), IntakeMessage.position == 1
        )
    )
    out = {}
    for rid, ciphertext in rows:
        text = " ".join(decrypt_json(ciphertext)["text"].split())
        out[rid] = text if len(text) <= chars else text[:chars].rstrip() + "…"
    audit.record(session, user.username, "read", "intake_previews", "*", {"ids": sorted(out)})
    return out
