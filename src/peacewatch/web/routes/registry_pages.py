"""Registry screens for each role: login, cases (overdue referrals highlighted), case detail and
timeline, staff view of anonymous reports (vetting and compliance: their own modules).

Every screen calls the registry's service layer (:mod:`peacewatch.registry`), which checks roles and
writes the audit log; these handlers only parse forms and render. Forms post back to the same
app; the login cookie is ``SameSite=Strict`` so another site cannot post them on a user's behalf.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import auth, cases, intake, referrals, workflow
from peacewatch.registry.api import COOKIE
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.errors import ValidationFailed
from peacewatch.registry.models import utcnow
from peacewatch.web.routes.forms import FormFields, date_or_none, form_text, guard, int_or_none, names, safe_next
from peacewatch.web.routes.session import user_session, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")

#: Where each role starts after logging in.
HOME = {auth.REPORTER: "/registry/cases", auth.INVESTIGATOR: "/registry/cases", auth.COORDINATOR: "/registry/cases",
        auth.TCC_LIAISON: "/registry/cases", auth.ANALYST: "/registry/compliance"}


# ------------------------------------------------------------------------------------ login
@router.get("", summary="Registry home")
@guard
def home(request: Request):
    with user_session(request) as (_s, u):
        return RedirectResponse(HOME[u.role], status_code=303)


@router.get("/login", summary="Login form")
def login_form(request: Request, next: str | None = None):
    return render(request, "registry/login.html", {"next": safe_next(next)}, context={"section": "registry"})


@router.post("/login", summary="Log in (sets the pw_token cookie)")
def login(request: Request, form: FormFields):
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    registry = request.app.state.registry
    try:
        request.app.state.login_limiter.hit(request.client.host if request.client else None)
        with registry.session() as s:
            new = auth.login(s, username, password)
            token, role = new.token, new.user.role
    except Exception as exc:  # noqa: BLE001 - show the registry's message on the form
        from peacewatch.registry.errors import RegistryError

        if not isinstance(exc, RegistryError):
            raise
        data = {"next": next_url, "error": str(exc), "username": username}
        return render(request, "registry/login.html", data, status_code=exc.status_code, context={"section": "registry"})
    response = RedirectResponse(next_url or HOME[role], status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)
    return response


@router.post("/logout", summary="Log out")
def logout(request: Request):
    # End the session on the server too: a copied cookie must stop working after logout.
    with request.app.state.registry.session() as s:
        auth.logout(s, request.cookies.get(COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# ------------------------------------------------------------------------------------ cases
@router.get("/cases", summary="Case list (overdue referrals highlighted)")
@guard
def case_list(request: Request, status: str | None = None, mission: str | None = None):
    status = status or None
    mission = (mission or "").strip() or None
    with user_session(request) as (s, u):
        rows = cases.list_cases(s, u, status=status, mission=mission, limit=1000)
        overdue: dict[int, list[dict]] = {}
        if u.role in (auth.INVESTIGATOR, auth.COORDINATOR, auth.TCC_LIAISON):
            for item in referrals.list_overdue(s, u):
                overdue.setdefault(item.referral.case_id, []).append(item.as_dict())
        out = []
        for c in rows:
            d = cases.case_dict(c, u)
            d["overdue"] = overdue.get(c.id, [])
            out.append(d)
        user = user_view(u)
    data = {"user": user, "cases": out, "filters": {"status": status, "mission": mission},
            "overdue_count": sum(1 for c in out if c["overdue"])}
    context = {"section": "registry", "statuses": workflow.STATES, "names": names(request),
               "can_create": user["role"] in (auth.REPORTER, auth.INVESTIGATOR, auth.COORDINATOR)}
    return render(request, "registry/cases.html", data, context=context)


@router.post("/referrals/escalate", summary="Escalate overdue referrals (coordinators, investigators)")
@guard
def escalate(request: Request):
    with user_session(request) as (s, u):
        done = referrals.escalate_overdue(s, u)
        user = user_view(u)
    data = {"user": user, "escalations": [{"referral_id": e.referral_id, "level": e.level, "target": e.target,
                                           "reason": e.reason} for e in done]}
    return render(request, "registry/escalated.html", data, context={"section": "registry"})


@router.get("/cases/new", summary="New allegation form")
@guard
def case_new_form(request: Request):
    with user_session(request) as (_s, u):
        auth.require_role(u, auth.REPORTER, auth.INVESTIGATOR, auth.COORDINATOR)
        user = user_view(u)
    return render(request, "registry/case_new.html", {"user": user, "form": {}},
                  context={"section": "registry", "categories": workflow.CATEGORIES, "names": names(request)})


@router.post("/cases/new", summary="Record an allegation")
@guard
def case_create(request: Request, form: FormFields):
    f = form_text(form)
    try:
        with user_session(request) as (s, u):
            victim = {k: f[f"victim_{k}"].strip() for k in ("name", "age", "contact") if f.get(f"victim_{k}", "").strip()}
            tcc = int_or_none(f.get("tcc_ccode"), "TCC (COW code)")
            if tcc is None:
                raise ValidationFailed("choose the troop-contributing country of the accused")
            c = cases.create_case(s, u, mission=f.get("mission", ""), tcc_ccode=tcc, category=f.get("category", ""),
                                  summary=f.get("summary", ""), subject_name=f.get("subject_name") or None,
                                  incident_date=date_or_none(f.get("incident_date"), "incident date"),
                                  victim=victim or None)
            case_id = c.id
    except ValidationFailed as exc:
        with user_session(request) as (_s, u):
            user = user_view(u)
        return render(request, "registry/case_new.html", {"user": user, "form": f, "error": str(exc)}, status_code=422,
                      context={"section": "registry", "categories": workflow.CATEGORIES, "names": names(request)})
    return RedirectResponse(f"/registry/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}", summary="Case detail and timeline")
@guard
def case_detail(request: Request, case_id: int):
    with user_session(request) as (s, u):
        c = cases.get_case(s, u, case_id)
        d = cases.case_dict(c, u, s)
        today = utcnow().date()  # the registry's clock (UTC), as in its overdue lists
        d["overdue"] = [i.as_dict() for i in referrals.overdue_items(c.referral, today)] if c.referral else []
        moves = [to for to, roles in workflow.TRANSITIONS[c.status].items() if u.role in roles]
        user = user_view(u)
    data = {"user": user, "case": d, "moves_for_you": moves}
    policy = ReferralPolicy.from_env()
    context = {"section": "registry", "names": names(request), "outcomes": workflow.OUTCOMES,
               "can_see_victim": user["role"] in cases.FULL_ACCESS,
               "extension": {"min": policy.outcome_days + 1, "max": policy.outcome_days_extended}}
    return render(request, "registry/case_detail.html", data, context=context)


@router.post("/cases/{case_id}/transition", summary="Move a case to a new status")
@guard
def case_transition(request: Request, case_id: int, form: FormFields):
    f = form_text(form)
    with user_session(request) as (s, u):
        cases.transition_case(
            s, u, case_id, f.get("to_status", ""), note=f.get("note") or None,
            officer_name=f.get("officer_name") or None, outcome=f.get("outcome") or None,
            repatriated=(f.get("repatriated") == "yes") if "repatriated" in f else None,
        )
    return RedirectResponse(f"/registry/cases/{case_id}", status_code=303)


@router.post("/referrals/{referral_id}/extend", summary="Extend a referral's outcome deadline (coordinators, once)")
@guard
def extend(request: Request, referral_id: int, form: FormFields):
    days = int_or_none(str(form.get("days", "")), "days after referral")
    if days is None:
        raise ValidationFailed("enter the new deadline as days after the referral")
    with user_session(request) as (s, u):
        r = referrals.extend_outcome_deadline(s, u, referral_id, days)
        case_id = r.case_id
    return RedirectResponse(f"/registry/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/victim", summary="Victim details (investigators, coordinators; audited)")
@guard
def case_victim(request: Request, case_id: int):
    with user_session(request) as (s, u):
        victim = cases.victim_details(s, u, case_id)
        user = user_view(u)
    return render(request, "registry/victim.html", {"user": user, "case_id": case_id, "victim": victim},
                  context={"section": "registry"})


# ------------------------------------------------------------------------------------ intake (staff)
@router.get("/intake", summary="Anonymous reports (staff)")
@guard
def intake_list(request: Request, status: str | None = None):
    with user_session(request) as (s, u):
        reports = intake.list_reports(s, u, status or None)
        user = user_view(u)
    return render(request, "registry/intake_list.html", {"user": user, "reports": reports, "status": status},
                  context={"section": "registry", "statuses": intake.STATUSES})


@router.get("/intake/{report_id}", summary="One anonymous report with its messages (staff)")
@guard
def intake_detail(request: Request, report_id: int):
    with user_session(request) as (s, u):
        report = intake.staff_view(s, u, report_id)
        user = user_view(u)
    return render(request, "registry/intake_detail.html", {"user": user, "report": report},
                  context={"section": "registry", "statuses": intake.STATUSES})


@router.post("/intake/{report_id}/reply", summary="Reply to an anonymous reporter")
@guard
def intake_reply(request: Request, report_id: int, form: FormFields):
    with user_session(request) as (s, u):
        intake.reply(s, u, report_id, str(form.get("message", "")), str(form.get("status") or "") or None,
                     int_or_none(str(form.get("case_id", "")), "case id"))
    return RedirectResponse(f"/registry/intake/{report_id}", status_code=303)
