"""Registry screens for each role: login, cases (overdue referrals highlighted), case detail and
timeline, staff view of anonymous reports (vetting and compliance: their own modules).

Every screen adapts its form or query to :mod:`peacewatch.registry.operations` functions performed
through the registry's dispatcher (:mod:`peacewatch.registry.policy`: the role checked and the input
validated with the API's schemas; reads in a read-only transaction), which write the audit log; these handlers only
parse forms and render. Every form carries a CSRF token (:mod:`peacewatch.web.security`).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import operations as ops
from peacewatch.registry import policy, workflow
from peacewatch.registry.api import COOKIE, client_address, set_login_cookies
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.errors import InvalidTransition, NotFound, RegistryError, ValidationFailed
from peacewatch.registry.throttle import DEVICE_COOKIE
from peacewatch.web import flash
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.registry_labels import MOVE_EXPLAIN, move_words, status_words
from peacewatch.web.routes.forms import (
    FormFields,
    PathId,
    blanks_to_none,
    echo,
    field_errors,
    form_text,
    guard,
    known_missions,
    labelled,
    names,
    safe_next,
)
from peacewatch.web.routes.session import acting, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")

#: Where each role starts after logging in.
HOME = {
    policy.REPORTER: "/registry/cases",
    policy.INVESTIGATOR: "/registry/cases",
    policy.COORDINATOR: "/registry/cases",
    policy.TCC_LIAISON: "/registry/cases",
    policy.ANALYST: "/registry/compliance",
}

#: Form labels for the schema's field names in error messages.
CASE_LABELS = {
    "mission": "Mission",
    "tcc_ccode": "TCC of the accused",
    "category": "Kind of misconduct",
    "summary": "What is alleged",
    "subject_name": "Name of the accused",
    "incident_date": "Incident date",
    "victim.name": "Victim's name",
    "victim.age": "Victim's age",
    "victim.contact": "Victim's contact",
}


# ------------------------------------------------------------------------------------ login
@router.get("", summary="Registry home")
@guard
def home(request: Request):
    with acting(request, read_only=True) as act:
        return RedirectResponse(HOME[act.user.role], status_code=303)


@router.get("/login", summary="Login form")
def login_form(request: Request, next: str | None = None):
    return render(request, "registry/login.html", {"next": safe_next(next)}, context={"section": "registry"})


@router.post("/login", summary="Log in (sets the pw_token cookie)")
def login(request: Request, form: FormFields):
    f = form_text(form)
    username = f.get("username", "")
    next_url = safe_next(f.get("next", ""))
    try:
        out = policy.perform(
            request.app.state.registry,
            None,
            ops.users.login,
            {"username": username, "password": f.get("password", "")},
            throttle=request.app.state.throttle,
            client=client_address(request),
            device=request.cookies.get(DEVICE_COOKIE),
        )
    except RegistryError as exc:
        message = "enter your username and password" if isinstance(exc, ValidationFailed) else str(exc)
        data = {"next": next_url, "error": message, "username": username[:200]}
        return render(
            request, "registry/login.html", data, status_code=exc.status_code, context={"section": "registry"}
        )
    response = RedirectResponse(next_url or HOME[out["role"]], status_code=303)
    set_login_cookies(response, request, out["device"], out["token"])
    return response


@router.post("/logout", summary="Log out")
def logout(request: Request, form: FormFields):
    # End the session on the server too: a copied cookie must stop working after logout.
    policy.perform(request.app.state.registry, None, ops.users.logout, request.cookies.get(COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# ------------------------------------------------------------------------------------ cases
@router.get("/cases", summary="Case list (overdue referrals highlighted, deadline countdowns)")
@guard
def case_list(request: Request, status: str | None = None, mission: str | None = None):
    filters = blanks_to_none({"status": status, "mission": (mission or "").strip()})
    with acting(request, read_only=True) as act:
        out = act(ops.cases.list_cases, {**filters, "limit": 1000})
        clocks = act(ops.referrals.clocks_for_cases, [c["id"] for c in out])
        user = user_view(act)
        can_create = act.may(ops.cases.create_case)
    data = {
        "user": user,
        "cases": out,
        "filters": {"status": filters.get("status"), "mission": filters.get("mission")},
        "overdue_count": sum(1 for c in out if c["overdue"]),
        "clocks": {str(k): v for k, v in clocks.items()},
    }
    context = {
        "section": "registry",
        "statuses": workflow.STATES,
        "names": names(request),
        "missions": known_missions(request),
        "can_create": can_create,
    }
    return render(request, "registry/cases.html", data, context=context)


@router.get("/referrals/escalation", summary="Preview escalation of overdue referrals as of a date")
@guard
def escalation_preview(request: Request, as_of: str | None = None):
    query = blanks_to_none({"as_of": (as_of or "").strip()})
    error = None
    with acting(request, read_only=True) as act:
        user = user_view(act)
        try:
            preview = act(ops.referrals.preview_escalation, query)
        except ValidationFailed:
            error = "As of: give a date like 2026-12-31"
            preview = act(ops.referrals.preview_escalation, {})
    data = {"user": user, **preview, **({"error": error} if error else {})}
    # The cases the escalate button has just escalated (one time, after its redirect).
    done = (flash.take(request) or {}).get("escalated")
    context = {"section": "registry", "names": names(request), "escalated": done if isinstance(done, list) else None}
    return render(request, "registry/escalation_preview.html", data, context=context, status_code=422 if error else 200)


#: At most this many escalated cases travel to the page after the redirect (a cookie is small);
#: the message counts them all.
ESCALATED_SHOWN = 15


@router.post("/referrals/escalate", summary="Escalate overdue referrals (coordinators, investigators)")
@guard
def escalate(request: Request, form: FormFields):
    with acting(request, read_only=False) as act:
        done = act(ops.referrals.escalate)
        user = user_view(act)
    if wanted_format(request) == "json":
        return render(request, "registry/escalation_preview.html", {"user": user, "escalations": done})
    n = len(done)
    message = (
        f"{n} case{'s' if n != 1 else ''} escalated today."
        if n
        else "Nothing new to escalate today: every overdue referral is already at its due escalation level."
    )
    rows = [
        {k: e.get(k) for k in ("case_id", "mission", "tcc_ccode", "target", "level", "reason")}
        for e in done[:ESCALATED_SHOWN]
    ]
    return flash.redirect(request, "/registry/referrals/escalation", message, escalated=rows)


def _new_case_page(
    request: Request,
    user: dict,
    form: dict,
    error: str | None = None,
    status_code: int = 200,
    errors: dict | None = None,
):
    data = {"user": user, "form": form, **({"error": error} if error else {})}
    return render(
        request,
        "registry/case_new.html",
        data,
        status_code=status_code,
        context={
            "section": "registry",
            "categories": workflow.CATEGORIES,
            "names": names(request),
            "missions": known_missions(request),
            "errors": errors or {},
        },
    )


@router.get("/cases/new", summary="New allegation form")
@guard
def case_new_form(request: Request):
    with acting(request, read_only=True) as act:
        act.require(ops.cases.create_case)
        user = user_view(act)
    return _new_case_page(request, user, {})


#: The mission select's value for "Other (type it)"; the typed name is in ``mission_other``.
OTHER_MISSION = "__other__"


@router.post("/cases/new", summary="Record an allegation")
@guard
def case_create(request: Request, form: FormFields):
    f = form_text(form)
    body = blanks_to_none(
        {k: f.get(k) for k in ("mission", "tcc_ccode", "category", "summary", "subject_name", "incident_date")}
    )
    if body.get("mission") == OTHER_MISSION:
        body.pop("mission")
        body.update(blanks_to_none({"mission": f.get("mission_other")}))
    victim = blanks_to_none({k: f.get(f"victim_{k}") for k in ("name", "age", "contact")})
    if victim:
        body["victim"] = victim
    try:
        with acting(request, read_only=False) as act:
            case_id = act(ops.cases.create_case, body)["id"]
    except ValidationFailed as exc:
        with acting(request, read_only=True) as act:
            user = user_view(act)
        errors = field_errors(
            exc, {"victim.name": "victim_name", "victim.age": "victim_age", "victim.contact": "victim_contact"}
        )
        if "mission" in errors and f.get("mission") == OTHER_MISSION:
            errors["mission_other"] = errors.pop("mission")
        # Victim details are not echoed back into the page: they are typed again.
        shown = {k: v for k, v in echo(form, 20_000).items() if not k.startswith("victim_")}
        return _new_case_page(request, user, shown, labelled(exc, CASE_LABELS), 422, errors)
    return flash.redirect(request, f"/registry/cases/{case_id}", f"Case #{case_id} recorded.")


def _case_page(
    request: Request,
    case_id: int,
    *,
    form: dict | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        d = act(ops.cases.get_case, case_id)
        clock = act(ops.referrals.clocks_for_cases, [case_id]).get(case_id)
        user = user_view(act)
        can_see_victim = act.may(ops.cases.victim_details)
    # Which buttons to show; the operation itself decides whether a move is allowed.
    moves = policy.moves_for(user["role"], d["status"])
    data = {"user": user, "case": d, "clock": clock, "moves_for_you": moves, **({"error": error} if error else {})}
    referral_policy = ReferralPolicy.from_env()
    context = {
        "section": "registry",
        "names": names(request),
        "outcomes": workflow.OUTCOMES,
        "can_see_victim": can_see_victim,
        "extension": _extension_window(d, referral_policy),
        "form": form or {},
        "errors": errors or {},
        "can_refer": _refer_steps(d["status"], user["role"]) is not None and d["status"] != workflow.SUBSTANTIATED,
    }
    return render(request, "registry/case_detail.html", data, context=context, status_code=status_code)


def _extension_window(case: dict, policy: ReferralPolicy) -> dict:
    """The dates a coordinator may choose for the one extension of the outcome deadline."""
    ref = case.get("referral")
    if not ref:
        return {}
    referred = dt.date.fromisoformat(ref["referred_at"][:10])
    return {
        "first": (referred + dt.timedelta(days=policy.outcome_days + 1)).isoformat(),
        "last": (referred + dt.timedelta(days=policy.outcome_days_extended)).isoformat(),
        "max": policy.outcome_days_extended,
    }


def _refer_steps(status: str, role: str) -> tuple[str, ...] | None:
    """The statuses "Substantiated: refer to the TCC" passes through from ``status``, if ``role``
    may make each of them (the operation checks again)."""
    return policy.refer_steps(role, status)


def _move_page(
    request: Request,
    case_id: int,
    to: str,
    *,
    form: dict | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    """The confirmation page of one step (or of the referral path): what it does, its fields, Confirm."""
    with acting(request, read_only=True) as act:
        d = act(ops.cases.get_case, case_id)
        user = user_view(act)
    refer = to == "refer"
    if refer:
        steps = _refer_steps(d["status"], user["role"])
        heading = "substantiated: refer to the TCC"
    else:
        open_ = to in policy.moves_for(user["role"], d["status"])
        steps = (to,) if open_ else None
        heading = move_words(to).lower() if open_ else ""
    if not steps:
        raise InvalidTransition(f"case #{case_id} is {status_words(d['status'])}: that step is not open to you now")
    referral_policy = ReferralPolicy.from_env()
    explain = [
        MOVE_EXPLAIN[x].format(officer=referral_policy.officer_working_days, outcome=referral_policy.outcome_days)
        for x in steps
        if x in MOVE_EXPLAIN
    ]
    data = {
        "user": user,
        "case": {k: d[k] for k in ("id", "status")},
        "to": steps[-1],
        "steps": list(steps),
        "refer": refer,
        "heading": heading[:1].upper() + heading[1:],
        "explain": explain,
        "action": f"/registry/cases/{case_id}/{'refer' if refer else 'transition'}",
        **({"error": error} if error else {}),
    }
    return render(
        request,
        "registry/case_move.html",
        data,
        status_code=status_code,
        context={"section": "registry", "outcomes": workflow.OUTCOMES, "form": form or {}, "errors": errors or {}},
    )


@router.get("/cases/{case_id}/move", summary="Confirm the next step of a case")
@guard
def case_move(request: Request, case_id: PathId, to: str = ""):
    return _move_page(request, case_id, to[:60])


@router.get("/cases/{case_id}", summary="Case detail, deadline countdowns and timeline")
@guard
def case_detail(request: Request, case_id: PathId):
    return _case_page(request, case_id)


class _Refused(TypedDict):
    """A refused step's form sent back to its page: fields as sent, the message, messages per field."""

    form: dict[str, str]
    error: str
    errors: dict[str, str]
    status_code: int


TRANSITION_LABELS = {
    "outcome": "Outcome",
    "officer_name": "National investigation officer",
    "note": "Note",
    "to_status": "Next status",
}


@router.post("/cases/{case_id}/transition", summary="Move a case to a new status")
@guard
def case_transition(request: Request, case_id: PathId, form: FormFields):
    f = form_text(form)
    body = blanks_to_none({k: f.get(k) for k in ("to_status", "note", "officer_name", "outcome")})
    if "repatriated" in f:
        body["repatriated"] = f.get("repatriated") == "yes"
    try:
        with acting(request, read_only=False) as act:
            moved = act(ops.cases.transition_case, case_id, body)
    except ValidationFailed as exc:
        # The step's page again, with the form filled in as sent and the message beside the field.
        sent: _Refused = {
            "form": echo(form, 20_000),
            "error": labelled(exc, TRANSITION_LABELS),
            "errors": field_errors(exc),
            "status_code": 422,
        }
        if f.get("to_status") in workflow.STATES:
            return _move_page(request, case_id, f["to_status"], **sent)
        return _case_page(request, case_id, **sent)
    return flash.redirect(
        request,
        f"/registry/cases/{case_id}",
        f"Case #{case_id} is now “{status_words(moved.get('status', body.get('to_status')))}”.",
    )


@router.post("/cases/{case_id}/refer", summary="Substantiated: refer a case to its TCC in one action")
@guard
def case_refer(request: Request, case_id: PathId, form: FormFields):
    f = form_text(form)
    body = blanks_to_none({"note": f.get("note")})
    if "repatriated" in f:
        body["repatriated"] = f.get("repatriated") == "yes"
    try:
        with acting(request, read_only=False) as act:
            out = act(ops.cases.refer_to_tcc, case_id, body)
    except ValidationFailed as exc:
        return _move_page(
            request,
            case_id,
            "refer",
            form=echo(form, 20_000),
            error=labelled(exc, TRANSITION_LABELS),
            errors=field_errors(exc),
            status_code=422,
        )
    due = out["referral"]
    return flash.redirect(
        request,
        f"/registry/cases/{case_id}",
        f"Case #{case_id} is referred to the TCC: officer due {due['officer_due']}, outcome due {due['outcome_due']}.",
    )


@router.post("/referrals/{referral_id}/extend", summary="Extend a referral's outcome deadline (coordinators, once)")
@guard
def extend(request: Request, referral_id: PathId, form: FormFields):
    f = form_text(form)
    body = blanks_to_none({k: f.get(k) for k in ("days", "until", "reason")})
    if "days" not in body and "until" in body and "reason" not in body:
        # The web form asks why; the API keeps the reason optional for scripts.
        exc = ValidationFailed(
            "Why the TCC needs longer: say why the deadline is extended",
            [{"loc": ["body", "reason"], "msg": "say why the deadline is extended", "type": "missing"}],
        )
        return _extend_refused(request, referral_id, form, exc)
    try:
        with acting(request, read_only=False) as act:
            r = act(ops.referrals.extend, referral_id, body)
    except ValidationFailed as exc:
        return _extend_refused(request, referral_id, form, exc)
    return flash.redirect(
        request, f"/registry/cases/{r['case_id']}", f"Outcome deadline extended to {r['outcome_due']}."
    )


def _extend_refused(request: Request, referral_id: int, form: dict, exc: ValidationFailed):
    """The case page again with the extension form as sent and the message beside its field."""
    with acting(request, read_only=True) as act:
        case_id = next((r["case_id"] for r in act(ops.referrals.list_referrals) if r["id"] == referral_id), None)
    if case_id is None:
        raise exc  # no such referral to show: the message alone, on the registry's error page
    return _case_page(
        request,
        case_id,
        form=echo(form, 20_000),
        error=labelled(exc, EXTEND_LABELS),
        errors=field_errors(exc),
        status_code=422,
    )


EXTEND_LABELS = {"until": "New outcome deadline", "reason": "Why the TCC needs longer", "days": "Days after referral"}


@router.get("/cases/{case_id}/victim", summary="Victim details (investigators, coordinators; audited)")
@guard
def case_victim(request: Request, case_id: PathId):
    with acting(request, read_only=True) as act:
        victim = act(ops.cases.victim_details, case_id)["victim"]
        user = user_view(act)
    return render(
        request,
        "registry/victim.html",
        {"user": user, "case_id": case_id, "victim": victim},
        context={"section": "registry"},
    )


# ------------------------------------------------------------------------------------ intake (staff)
@router.get("/intake", summary="Anonymous reports (staff)")
@guard
def intake_list(request: Request, status: str | None = None):
    with acting(request, read_only=True) as act:
        reports = act(ops.intake.list_reports, blanks_to_none({"status": status}))
        previews = act(ops.intake.message_previews, [r["id"] for r in reports])
        user = user_view(act)
    reports = [{**r, "preview": previews.get(r["id"])} for r in reports]
    return render(
        request,
        "registry/intake_list.html",
        {"user": user, "reports": reports, "status": status},
        context={"section": "registry", "statuses": ops.intake.intake.STATUSES},
    )


def _intake_page(
    request: Request,
    report_id: int,
    *,
    form: dict | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        report = act(ops.intake.staff_view, report_id)
        user = user_view(act)
    data = {"user": user, "report": report, **({"error": error} if error else {})}
    return render(
        request,
        "registry/intake_detail.html",
        data,
        status_code=status_code,
        context={
            "section": "registry",
            "statuses": ops.intake.intake.STATUSES,
            "form": form or {},
            "errors": errors or {},
        },
    )


@router.get("/intake/{report_id}", summary="One anonymous report with its messages (staff)")
@guard
def intake_detail(request: Request, report_id: PathId):
    return _intake_page(request, report_id)


REPLY_LABELS = {"message": "Reply", "status": "Set status", "case_id": "Link to case number"}


@router.post("/intake/{report_id}/reply", summary="Reply to an anonymous reporter")
@guard
def intake_reply(request: Request, report_id: PathId, form: FormFields):
    body = blanks_to_none({k: form_text(form).get(k) for k in ("message", "status", "case_id")})
    try:
        with acting(request, read_only=False) as act:
            act(ops.intake.reply, report_id, body)
    except (ValidationFailed, NotFound) as exc:
        if isinstance(exc, NotFound) and "case" not in str(exc):
            raise  # the report itself is missing: the error page
        # The reply is kept, with the message beside the field it concerns.
        errors = field_errors(exc) if isinstance(exc, ValidationFailed) else {"case_id": str(exc)}
        message = labelled(exc, REPLY_LABELS) if isinstance(exc, ValidationFailed) and exc.problems else str(exc)
        return _intake_page(
            request, report_id, form=echo(form, 20_000), error=message, errors=errors, status_code=exc.status_code
        )
    return flash.redirect(
        request,
        f"/registry/intake/{report_id}",
        "Saved. The reporter sees your reply when they come back with their receipt."
        if body.get("message")
        else "Saved.",
    )
