"""Routes of the anonymous intake channel and of the staff who answer it."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, OBJECT, Caller, Deps, client_address, responses
from peacewatch.registry.schemas import IntakeIn, IntakeQuery, ReceiptIn, ReceiptMessageIn, ReplyIn

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def router(deps: Deps) -> APIRouter:
    r = APIRouter(tags=["intake"])
    Acting = Annotated[Caller, Depends(deps.acting)]

    @r.post("/intake", status_code=201, responses=responses(413, 429, 503))
    async def intake_submit(body: IntakeIn, request: Request) -> dict[str, Any]:
        """Anonymous report: no login, no IP or user agent stored; keep the receipt."""
        return await deps.call(
            ops.intake.submit,
            body,
            throttle=deps.throttle,
            client=client_address(request),
        )

    @r.post("/intake/thread", responses=responses(404, 413, 429, 503))
    async def intake_thread(body: ReceiptIn, request: Request) -> dict[str, Any]:
        """Read replies to a report with its receipt."""
        return await deps.call(
            ops.intake.read_thread,
            body,
            throttle=deps.throttle,
            client=client_address(request),
        )

    @r.post("/intake/thread/messages", responses=responses(404, 413, 429, 503))
    async def intake_add(body: ReceiptMessageIn, request: Request) -> dict[str, Any]:
        """Add information to a report with its receipt."""
        return await deps.call(
            ops.intake.add_information,
            body,
            throttle=deps.throttle,
            client=client_address(request),
        )

    @r.get("/intake/reports", responses=responses(*AUTHED))
    async def intake_reports(acting: Acting, q: Annotated[IntakeQuery, Query()]) -> list[dict[str, Any]]:
        """Reports for staff (investigators, coordinators)."""
        return await acting(ops.intake.list_reports, q)

    @r.get("/intake/reports/{report_id}", responses=responses(*OBJECT))
    async def intake_report(report_id: PathId, acting: Acting) -> dict[str, Any]:
        """One report with its messages (staff)."""
        return await acting(ops.intake.staff_view, report_id)

    @r.post("/intake/reports/{report_id}/replies", responses=responses(*OBJECT))
    async def intake_reply(report_id: PathId, body: ReplyIn, acting: Acting) -> dict[str, Any]:
        """Reply to a reporter; optionally set the status or link a case."""
        return await acting(ops.intake.reply, report_id, body)

    return r
