"""Nations' screens. Compliance: national reports against the 2004 NATO THB policy (TCC liaisons
for their nation, coordinators for any) and the published aggregates (analysts, coordinators,
investigators). Training: register personnel and record module completions (coordinators, TCC
liaisons for their nation) and the published completion per nation-year (aggregate readers)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request

from peacewatch.registry import compliance, policy, training
from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.web import flash
from peacewatch.web.routes.forms import (
    FormFields,
    blanks_to_none,
    echo,
    field_errors,
    form_text,
    guard,
    labelled,
    names,
)
from peacewatch.web.routes.session import acting, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")


def _compliance_page(
    request: Request,
    year: str | None = None,
    *,
    form: dict | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        user = user_view(act)
        shown = act(ops.nations.overview, blanks_to_none({"year": year}))
    data = {"user": user, **shown, **({"error": error} if error else {})}
    context = {
        "section": "registry",
        "provisions": compliance.PROVISIONS,
        "statuses": compliance.STATUSES,
        "names": names(request),
        "this_year": dt.date.today().year,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "registry/compliance.html", data, context=context, status_code=status_code)


@router.get("/compliance", summary="National compliance reports and accountability aggregates")
@guard
def compliance_page(request: Request, year: str | None = None):
    return _compliance_page(request, year)


COMPLIANCE_LABELS = {
    "nation_ccode": "Nation",
    "year": "Reporting year",
    "notes": "Notes",
    **{f"provisions.{p}": text for p, text in compliance.PROVISIONS.items()},
}


@router.post("/compliance", summary="Submit a national report")
@guard
def compliance_submit(request: Request, form: FormFields):
    f = form_text(form)
    try:
        with acting(request, read_only=False) as act:
            body = blanks_to_none(
                {"nation_ccode": f.get("nation_ccode"), "year": f.get("year"), "notes": f.get("notes")}
            )
            if "nation_ccode" not in body and act.user.role == policy.TCC_LIAISON:
                body["nation_ccode"] = act.user.tcc_ccode  # the form's default for a liaison: its own nation
            body["provisions"] = blanks_to_none({p: f.get(p) for p in compliance.PROVISIONS})
            body["replace"] = f.get("replace") == "yes"
            r = act(ops.nations.submit_report, body)
    except (ValidationFailed, Conflict) as exc:
        # The report form again as sent, each message beside its field.
        errors = (
            field_errors(exc, {f"provisions.{p}": p for p in compliance.PROVISIONS})
            if isinstance(exc, ValidationFailed)
            else {}
        )
        message = labelled(exc, COMPLIANCE_LABELS) if isinstance(exc, ValidationFailed) and exc.problems else str(exc)
        return _compliance_page(
            request, form=echo(form, 20_000), error=message, errors=errors, status_code=exc.status_code
        )
    nation = names(request).get(r["nation_ccode"], str(r["nation_ccode"]))
    return flash.redirect(
        request, f"/registry/compliance?year={r['year']}", f"National report of {nation} for {r['year']} saved."
    )


# ------------------------------------------------------------------------------------ training
TRAINING_LABELS = {
    "code": "Code",
    "title": "Title",
    "service_number": "Service number",
    "module_code": "Module",
    "completed_on": "Completed on",
    "score": "Score",
    "nation_ccode": "Nation",
    "full_name": "Full name",
    "deployment_year": "Deployment year",
    "audience": "Audience",
}


def _training_page(
    request: Request,
    year: str | None = None,
    *,
    form: dict | None = None,
    which: str | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        user = user_view(act)
        shown = act(ops.nations.training_overview, blanks_to_none({"year": year}))
    data = {"user": user, **shown, **({"error": error} if error else {})}
    context = {
        "section": "registry",
        "names": names(request),
        "audiences": training.AUDIENCES,
        "form": form or {},
        "which": which,
        "errors": errors or {},
        "today": dt.date.today().isoformat(),
        "this_year": dt.date.today().year,
    }
    return render(request, "registry/training.html", data, context=context, status_code=status_code)


@router.get("/training", summary="Training: record completions, completion per nation")
@guard
def training_page(request: Request, year: str | None = None):
    return _training_page(request, year)


#: The one-time message after each training form.
TRAINING_DONE = {"completion": "Completion recorded.", "person": "Person registered.", "module": "Module defined."}


def _training_post(request: Request, form: dict, which: str, fields: tuple[str, ...], call):
    f = form_text(form)
    body = blanks_to_none({k: f.get(k) for k in fields})
    try:
        with acting(request, read_only=False) as act:
            if "nation_ccode" not in body and act.user.role == policy.TCC_LIAISON and which == "person":
                body["nation_ccode"] = act.user.tcc_ccode  # a liaison registers its own nation's personnel
            act(call, body)
    except (ValidationFailed, NotFound, Conflict) as exc:
        # The page again with this form filled in as sent and the message beside the field.
        errs = field_errors(exc) if isinstance(exc, ValidationFailed) else {}
        message = labelled(exc, TRAINING_LABELS) if isinstance(exc, ValidationFailed) and exc.problems else str(exc)
        return _training_page(
            request, form=echo(form, 1000), which=which, error=message, errors=errs, status_code=exc.status_code
        )
    return flash.redirect(request, "/registry/training", TRAINING_DONE[which])


@router.post("/training/completions", summary="Record a training completion")
@guard
def training_completion(request: Request, form: FormFields):
    return _training_post(
        request,
        form,
        "completion",
        ("service_number", "module_code", "completed_on", "score", "nation_ccode"),
        ops.nations.record_completion,
    )


@router.post("/training/personnel", summary="Register a member of deploying personnel")
@guard
def training_person(request: Request, form: FormFields):
    return _training_post(
        request,
        form,
        "person",
        ("service_number", "full_name", "nation_ccode", "deployment_year", "audience"),
        ops.nations.add_person,
    )


@router.post("/training/modules", summary="Define a training module (coordinators)")
@guard
def training_module(request: Request, form: FormFields):
    return _training_post(request, form, "module", ("code", "title", "audience"), ops.nations.add_module)
