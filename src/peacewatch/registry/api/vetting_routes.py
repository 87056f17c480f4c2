"""Routes of vetting: misconduct records, screenings, decisions."""


from typing import Annotated

from fastapi import APIRouter, Depends, Path

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, Caller, Deps, OBJECT, responses
from peacewatch.registry.schemas import DecisionIn, RecordIn, RecordsImportIn, ScreeningIn

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def router(deps: Deps) -> APIRouter:
    r = APIRouter(tags=["vetting"])
    Acting = Annotated[Caller, Depends(deps.acting)]

    @r.post("/vetting/records", status_code=201, responses=responses(*OBJECT))
    def add_record(body: RecordIn, acting: Acting) -> dict:
        """Add a misconduct record (investigators, coordinators)."""
        return acting.run(ops.vetting.add_record, body)

    @r.post("/vetting/records/import", status_code=201, responses=responses(*AUTHED))
    def import_records(body: RecordsImportIn, acting: Acting) -> dict:
        """Import misconduct records from CSV text (all rows or none)."""
        return acting.run(ops.vetting.import_records, body)

    @r.post("/vetting/screenings", status_code=201, responses=responses(*AUTHED))
    def screen(body: ScreeningIn, acting: Acting) -> dict:
        """Screen a roster CSV against the misconduct records; returns the hits to decide on."""
        return acting.run(ops.vetting.screen, body)

    @r.get("/vetting/screenings/{screening_id}/hits", responses=responses(*OBJECT))
    def hits(screening_id: PathId, acting: Acting) -> list[dict]:
        """Hits of a screening with the matched records."""
        return acting.run(ops.vetting.screening_hits, screening_id)

    @r.post("/vetting/hits/{hit_id}/decision", responses=responses(*OBJECT))
    def decide(hit_id: PathId, body: DecisionIn, acting: Acting) -> dict:
        """Record the human decision on a hit (final)."""
        return acting.run(ops.vetting.decide, hit_id, body)

    return r
