"""Routes of vetting: misconduct records, screenings, decisions."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, OBJECT, Caller, Deps, responses
from peacewatch.registry.schemas import DecisionIn, RecordIn, RecordsImportIn, ScreeningIn

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def router(deps: Deps) -> APIRouter:
    r = APIRouter(tags=["vetting"])
    Acting = Annotated[Caller, Depends(deps.acting)]

    @r.post("/vetting/records", status_code=201, responses=responses(*OBJECT))
    async def add_record(body: RecordIn, acting: Acting) -> dict[str, Any]:
        """Add a misconduct record (investigators, coordinators)."""
        return await acting(ops.vetting.add_record, body)

    @r.post("/vetting/records/import", status_code=201, responses=responses(*AUTHED))
    async def import_records(body: RecordsImportIn, acting: Acting) -> dict[str, Any]:
        """Import misconduct records from CSV text (all rows or none)."""
        return await acting(ops.vetting.import_records, body)

    @r.post("/vetting/screenings", status_code=201, responses=responses(*AUTHED))
    async def screen(body: ScreeningIn, acting: Acting) -> dict[str, Any]:
        """Screen a roster CSV against the misconduct records; returns the hits to decide on."""
        return await acting(ops.vetting.screen, body)

    @r.get("/vetting/screenings/{screening_id}/hits", responses=responses(*OBJECT))
    async def hits(screening_id: PathId, acting: Acting) -> list[dict[str, Any]]:
        """Hits of a screening with the matched records."""
        return await acting(ops.vetting.screening_hits, screening_id)

    @r.post("/vetting/hits/{hit_id}/decision", responses=responses(*OBJECT))
    async def decide(hit_id: PathId, body: DecisionIn, acting: Acting) -> dict[str, Any]:
        """Record the human decision on a hit (final)."""
        return await acting(ops.vetting.decide, hit_id, body)

    return r
