"""Routes of vetting: misconduct records, screenings, decisions."""


from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, OBJECT, Deps, responses
from peacewatch.registry.models import User
from peacewatch.registry.schemas import DecisionIn, RecordIn, RecordsImportIn, ScreeningIn

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def router(deps: Deps) -> APIRouter:
    r = APIRouter(tags=["vetting"])
    Acting = Annotated[tuple[Session, User], Depends(deps.acting, scope="function")]

    @r.post("/vetting/records", status_code=201, responses=responses(*OBJECT))
    def add_record(body: RecordIn, acting: Acting) -> dict:
        """Add a misconduct record (investigators, coordinators)."""
        return ops.vetting.add_record(*acting, body)

    @r.post("/vetting/records/import", status_code=201, responses=responses(*AUTHED))
    def import_records(body: RecordsImportIn, acting: Acting) -> dict:
        """Import misconduct records from CSV text (all rows or none)."""
        return ops.vetting.import_records(*acting, body)

    @r.post("/vetting/screenings", status_code=201, responses=responses(*AUTHED))
    def screen(body: ScreeningIn, acting: Acting) -> dict:
        """Screen a roster CSV against the misconduct records; returns the hits to decide on."""
        return ops.vetting.screen(*acting, body)

    @r.get("/vetting/screenings/{screening_id}/hits", responses=responses(*OBJECT))
    def hits(screening_id: PathId, acting: Acting) -> list[dict]:
        """Hits of a screening with the matched records."""
        return ops.vetting.screening_hits(*acting, screening_id)

    @r.post("/vetting/hits/{hit_id}/decision", responses=responses(*OBJECT))
    def decide(hit_id: PathId, body: DecisionIn, acting: Acting) -> dict:
        """Record the human decision on a hit (final)."""
        return ops.vetting.decide(*acting, hit_id, body)

    return r
