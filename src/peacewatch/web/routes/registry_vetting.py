"""Vetting screens: upload misconduct records or a roster (CSV file or pasted text), review the
hits of a screening and record the human decision on each (:mod:`peacewatch.registry.operations.vetting`)."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import operations as ops
from peacewatch.registry import vetting
from peacewatch.registry.errors import ValidationFailed
from peacewatch.web import flash
from peacewatch.web.routes.forms import (
    FormFields,
    PathId,
    blanks_to_none,
    echo,
    field_errors,
    form_text,
    guard,
    names,
    safe_next,
    upload_text,
)
from peacewatch.web.routes.session import acting, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")


def _vetting_ctx() -> dict:
    return {
        "section": "registry",
        "roster_columns": vetting.ROSTER_COLUMNS,
        "record_categories": vetting.RECORD_CATEGORIES,
        "default_threshold": vetting.DEFAULT_THRESHOLD,
    }


def _vetting_page(
    request: Request,
    data: dict | None = None,
    *,
    form: dict | None = None,
    which: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        act.require(ops.vetting.add_record)
        user = user_view(act)
    context = {**_vetting_ctx(), "form": form or {}, "which": which, "errors": errors or {}}
    return render(
        request, "registry/vetting.html", {"user": user, **(data or {})}, context=context, status_code=status_code
    )


def _refused(request: Request, form: dict, which: str, field: str, exc: ValidationFailed):
    """The vetting page again with the pasted CSV and threshold as sent, the message beside the field."""
    errors = field_errors(exc, {"csv": field, "label": field})
    if not errors:
        errors = {field: str(exc)}
    return _vetting_page(request, {"error": str(exc)}, form=echo(form), which=which, errors=errors, status_code=422)


@router.get("/vetting", summary="Vetting: upload a roster or misconduct records")
@guard
def vetting_home(request: Request):
    return _vetting_page(request)


@router.post("/vetting/records", summary="Import misconduct records (CSV)")
@guard
def vetting_records(request: Request, form: FormFields):
    try:
        text, label = upload_text(form, "records", "misconduct records")
        with acting(request, read_only=False) as act:
            out = act(ops.vetting.import_records, {"csv": text, "label": label[:200]})
    except ValidationFailed as exc:
        return _refused(request, form, "records", "records_text", exc)
    n = out["imported"]
    return flash.redirect(
        request, "/registry/vetting", f"Imported {n:,} misconduct record{'s' if n != 1 else ''} from {out['label']}."
    )


@router.post("/vetting/screenings", summary="Screen a roster (CSV) against the misconduct records")
@guard
def vetting_screen(request: Request, form: FormFields):
    try:
        text, label = upload_text(form, "roster", "roster")
        body = blanks_to_none({"csv": text, "label": label[:200], "threshold": form_text(form).get("threshold")})
        with acting(request, read_only=False) as act:
            sid = act(ops.vetting.screen, body)["screening_id"]
    except ValidationFailed as exc:
        return _refused(request, form, "roster", "roster_text", exc)
    return RedirectResponse(f"/registry/vetting/screenings/{sid}", status_code=303)


@router.get("/vetting/screenings", summary="Past screenings")
@guard
def vetting_screenings(request: Request):
    with acting(request, read_only=True) as act:
        rows = act(ops.vetting.list_screenings)
        user = user_view(act)
    return render(
        request, "registry/screenings.html", {"user": user, "screenings": rows}, context={"section": "registry"}
    )


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
    with acting(request, read_only=False) as act:
        job = act(ops.vetting.submit_job, _jobs(request), upload.file, upload.filename, threshold)
    return RedirectResponse(f"/registry/vetting/jobs/{job.id}", status_code=303)


@router.get("/vetting/jobs/{job_id}", summary="Progress of a background screening")
@guard
def vetting_job(request: Request, job_id: Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]):
    with acting(request, read_only=True) as act:
        job = act(ops.vetting.job_status, _jobs(request), job_id)
        user = user_view(act)
    return render(request, "registry/vetting_job.html", {"user": user, "job": job}, context={"section": "registry"})


@router.get("/vetting/screenings/{screening_id}", summary="Review the hits of a screening")
@guard
def vetting_review(request: Request, screening_id: PathId):
    with acting(request, read_only=True) as act:
        summary = act(ops.vetting.screening_summary, screening_id)
        hits = act(ops.vetting.screening_hits, screening_id)
        user = user_view(act)
    return render(
        request,
        "registry/vetting_review.html",
        {"user": user, "screening_id": screening_id, "summary": summary, "hits": hits},
        context={"section": "registry", "decisions": vetting.DECISIONS, "names": names(request)},
    )


@router.post("/vetting/hits/{hit_id}/decision", summary="Record the decision on a hit")
@guard
def vetting_decide(request: Request, hit_id: PathId, form: FormFields):
    f = form_text(form)
    with acting(request, read_only=False) as act:
        act(ops.vetting.decide, hit_id, blanks_to_none({"decision": f.get("decision"), "note": f.get("note")}))
    back = safe_next(f.get("back", "")) or "/registry/vetting"
    return flash.redirect(request, back, "Decision recorded.")
