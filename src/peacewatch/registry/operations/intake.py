"""Operations of the anonymous intake channel (actor ``anonymous``) and of the staff who answer it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import intake
from peacewatch.registry.models import User
from peacewatch.registry.schemas import IntakeIn, IntakeQuery, ReceiptIn, ReceiptMessageIn, ReplyIn
from peacewatch.registry.service import Registry
from peacewatch.registry.throttle import Throttle

RECEIPT_NOTE = "Keep this receipt: it is the only way to read replies and add information."


def submit(
    registry: Registry, data: IntakeIn, *, throttle: Throttle | None = None, client: str | None = None
) -> dict[str, Any]:
    """File an anonymous report; the receipt is returned once and never stored.

    The anonymous operations take the :class:`~peacewatch.registry.service.Registry`: input and rate
    limits are checked before a transaction is opened. ``throttle`` (shared by every door) refuses
    the report when the client, its network or the channel as a whole is over budget; ``client`` is
    used only as an in-memory rate-limit key.
    """
    if throttle is not None:
        throttle.intake(client)
    with registry.session() as session:
        receipt = intake.submit_report(session, data.message, (data.mission or "").strip() or None, data.category)
    return {"receipt": receipt, "note": RECEIPT_NOTE}


def seal_receipt(registry: Registry, receipt: str) -> str:
    """The one-time cookie value carrying a new report's receipt to its receipt page
    (:func:`peacewatch.registry.intake.seal_receipt`)."""
    with registry.session() as session:
        return intake.seal_receipt(session, receipt)


def open_receipt(registry: Registry, token: str | None) -> str | None:
    """The receipt of a receipt cookie, once (:func:`peacewatch.registry.intake.open_receipt`)."""
    if not token:
        return None
    with registry.session() as session:
        return intake.open_receipt(session, token)


def read_thread(
    registry: Registry, data: ReceiptIn, *, throttle: Throttle | None = None, client: str | None = None
) -> dict[str, Any]:
    """Status and messages of a report, with its receipt."""
    if throttle is not None:
        throttle.lookup(client)
    with registry.session() as session:
        return intake.read_thread(session, data.receipt)


def add_information(
    registry: Registry, data: ReceiptMessageIn, *, throttle: Throttle | None = None, client: str | None = None
) -> dict[str, Any]:
    """Add a reporter message to a report, with its receipt (counts as a look-up and a report)."""
    if throttle is not None:
        throttle.lookup(client)
        throttle.intake(client)
    with registry.session() as session:
        return intake.add_information(session, data.receipt, data.message)


def list_reports(session: Session, user: User, q: IntakeQuery) -> list[dict[str, Any]]:
    """Reports for staff (investigators, coordinators); audited."""
    return intake.list_reports(session, user, q.status)


def staff_view(session: Session, user: User, report_id: int) -> dict[str, Any]:
    """One report with its messages, for staff; audited."""
    return intake.staff_view(session, user, report_id)


def reply(session: Session, user: User, report_id: int, data: ReplyIn) -> dict[str, Any]:
    """Staff reply; optionally set the status or link a case."""
    return intake.reply(session, user, report_id, data.message, data.status, data.case_id)


def message_previews(session: Session, user: User, report_ids: list[int]) -> dict[int, str]:
    """The start (about 80 characters) of each report's first message, for the staff list; audited."""
    return intake.message_previews(session, user, report_ids)
