"""Routes of cases and referral clocks."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, OBJECT, Caller, Deps, responses
from peacewatch.registry.schemas import CaseIn, CaseQuery, ExtendIn, NoteIn, OverdueQuery, ReferIn, TransitionIn

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def router(deps: Deps) -> APIRouter:
    r = APIRouter()
    Acting = Annotated[Caller, Depends(deps.acting)]

    @r.post("/cases", tags=["cases"], status_code=201, responses=responses(*AUTHED))
    async def create_case(body: CaseIn, acting: Acting) -> dict[str, Any]:
        """Record an allegation (reporters, investigators, coordinators)."""
        return await acting(ops.cases.create_case, body)

    @r.get("/cases", tags=["cases"], responses=responses(*AUTHED))
    async def list_cases(acting: Acting, q: Annotated[CaseQuery, Query()]) -> list[dict[str, Any]]:
        """Cases visible to the caller, newest first."""
        return await acting(ops.cases.list_cases, q)

    @r.get("/cases/{case_id}", tags=["cases"], responses=responses(*OBJECT))
    async def get_case(case_id: PathId, acting: Acting) -> dict[str, Any]:
        """One case with its events."""
        return await acting(ops.cases.get_case, case_id)

    @r.post("/cases/{case_id}/transitions", tags=["cases"], responses=responses(*OBJECT))
    async def transition(case_id: PathId, body: TransitionIn, acting: Acting) -> dict[str, Any]:
        """Move a case to a new status (409 with the allowed moves if invalid)."""
        return await acting(ops.cases.transition_case, case_id, body)

    @r.post("/cases/{case_id}/refer", tags=["cases"], responses=responses(*OBJECT))
    async def refer(case_id: PathId, body: ReferIn, acting: Acting) -> dict[str, Any]:
        """Substantiated: refer a reported, investigated or substantiated case to its TCC in one action
        (each status on the way is recorded; investigators, coordinators)."""
        return await acting(ops.cases.refer_to_tcc, case_id, body)

    @r.post("/cases/{case_id}/notes", tags=["cases"], status_code=201, responses=responses(*OBJECT))
    async def add_note(case_id: PathId, body: NoteIn, acting: Acting) -> dict[str, Any]:
        """Add a note to a case; ``visibility`` says who besides investigators may read it."""
        return await acting(ops.cases.add_note, case_id, body)

    @r.get("/cases/{case_id}/victim", tags=["cases"], responses=responses(*OBJECT))
    async def victim(case_id: PathId, acting: Acting) -> dict[str, Any]:
        """Decrypted victim details (investigators, coordinators)."""
        return await acting(ops.cases.victim_details, case_id)

    @r.get("/referrals", tags=["referrals"], responses=responses(*AUTHED))
    async def list_referrals(acting: Acting) -> list[dict[str, Any]]:
        """Referrals visible to the caller (a TCC liaison: its own TCC's)."""
        return await acting(ops.referrals.list_referrals)

    @r.get("/referrals/overdue", tags=["referrals"], responses=responses(*AUTHED))
    async def overdue(acting: Acting, q: Annotated[OverdueQuery, Query()]) -> list[dict[str, Any]]:
        """Overdue deadlines as of a date (default today)."""
        return await acting(ops.referrals.list_overdue, q)

    @r.post("/referrals/escalate", tags=["referrals"], responses=responses(*AUTHED))
    async def escalate(acting: Acting) -> list[dict[str, Any]]:
        """Escalate overdue referrals (to the mission head, then the coordinator)."""
        return await acting(ops.referrals.escalate)

    @r.post("/referrals/{referral_id}/extend", tags=["referrals"], responses=responses(*OBJECT))
    async def extend(referral_id: PathId, body: ExtendIn, acting: Acting) -> dict[str, Any]:
        """Extend the outcome deadline once (coordinators)."""
        return await acting(ops.referrals.extend, referral_id, body)

    return r
