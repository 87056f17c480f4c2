"""Vetting screens: upload misconduct records or a roster (CSV file or pasted text), review the
hits of a screening and record the human decision on each (:mod:`peacewatch.registry.operations.vetting`)."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Request
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


def _jobs(request: Request):
    """The app's background screening jobs (created on first use)."""
    from peacewatch.registry.screening_jobs import ScreeningJobs

    state = request.app.state
    with _JOBS_LOCK:
        if getattr(state, "screening_jobs", None) is None:
            state.screening_jobs = ScreeningJobs(state.registry)
        return state.screening_jobs


_JOBS_LOCK = threading.Lock()


@router.post("/vetting/jobs", summary="Screen a large roster (CSV file) in the background")
@guard
def vetting_job_submit(request: Request, form: FormFields):
    upload = form.get("roster")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise ValidationFailed("choose the roster CSV file to screen in the background")
    try:
        threshold = float(str(form.get("threshold") or vetting.DEFAULT_THRESHOLD))
    except ValueError:
        raise ValidationFailed("threshold must be a number between 0.5 and 1.0") from None
    with user_session(request) as (s, u):
        job = _jobs(request).submit(s, u, upload.file, upload.filename, threshold)
    return RedirectResponse(f"/registry/vetting/jobs/{job.id}", status_code=303)


@router.get("/vetting/jobs/{job_id}", summary="Progress of a background screening")
@guard
def vetting_job(request: Request, job_id: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]):
    with user_session(request) as (_s, u):
        job = _jobs(request).status(u, job_id).as_dict()
        user = user_view(u)
    return render(request, "registry/vetting_job.html", {"user": user, "job": job}, context={"section": "registry"})


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
