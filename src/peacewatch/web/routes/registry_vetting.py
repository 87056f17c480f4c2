"""Vetting screens: upload misconduct records or a roster (CSV file or pasted text), review the
hits of a screening and record the human decision on each (:mod:`peacewatch.registry.operations.vetting`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import operations as ops
from peacewatch.registry import vetting
from peacewatch.web.routes.forms import (
    FormFields, PathId, blanks_to_none, form_text, guard, names, safe_next, upload_text,
)
from peacewatch.web.routes.session import user_session, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")


def _vetting_ctx() -> dict:
    return {"section": "registry", "roster_columns": vetting.ROSTER_COLUMNS,
            "record_categories": vetting.RECORD_CATEGORIES, "default_threshold": vetting.DEFAULT_THRESHOLD}


@router.get("/vetting", summary="Vetting: upload a roster or misconduct records")
@guard
def vetting_home(request: Request):
    with user_session(request) as (s, u):
        ops.vetting.may_vet(s, u)
        user = user_view(u)
    return render(request, "registry/vetting.html", {"user": user}, context=_vetting_ctx())


@router.post("/vetting/records", summary="Import misconduct records (CSV)")
@guard
def vetting_records(request: Request, form: FormFields):
    text, label = upload_text(form, "records", "misconduct records")
    with user_session(request) as (s, u):
        out = ops.vetting.import_records(s, u, {"csv": text, "label": label[:200]})
        user = user_view(u)
    return render(request, "registry/vetting.html", {"user": user, "imported": out["imported"], "label": out["label"]},
                  context=_vetting_ctx())


@router.post("/vetting/screenings", summary="Screen a roster (CSV) against the misconduct records")
@guard
def vetting_screen(request: Request, form: FormFields):
    text, label = upload_text(form, "roster", "roster")
    body = blanks_to_none({"csv": text, "label": label[:200], "threshold": form_text(form).get("threshold")})
    with user_session(request) as (s, u):
        sid = ops.vetting.screen(s, u, body)["screening_id"]
    return RedirectResponse(f"/registry/vetting/screenings/{sid}", status_code=303)


@router.get("/vetting/screenings/{screening_id}", summary="Review the hits of a screening")
@guard
def vetting_review(request: Request, screening_id: PathId):
    with user_session(request) as (s, u):
        hits = ops.vetting.screening_hits(s, u, screening_id)
        user = user_view(u)
    return render(request, "registry/vetting_review.html",
                  {"user": user, "screening_id": screening_id, "hits": hits},
                  context={"section": "registry", "decisions": vetting.DECISIONS, "names": names(request)})


@router.post("/vetting/hits/{hit_id}/decision", summary="Record the decision on a hit")
@guard
def vetting_decide(request: Request, hit_id: PathId, form: FormFields):
    f = form_text(form)
    with user_session(request) as (s, u):
        ops.vetting.decide(s, u, hit_id, blanks_to_none({"decision": f.get("decision"), "note": f.get("note")}))
    back = safe_next(f.get("back", "")) or "/registry/vetting"
    return RedirectResponse(back, status_code=303)
