"""Compliance screen: national reports against the 2004 NATO THB policy (TCC liaisons for their
nation, coordinators for any) and the published aggregates (analysts, coordinators, investigators)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import auth, compliance
from peacewatch.registry import operations as ops
from peacewatch.web.routes.forms import FormFields, blanks_to_none, form_text, guard, names
from peacewatch.web.routes.session import user_session, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")


@router.get("/compliance", summary="National compliance reports and accountability aggregates")
@guard
def compliance_page(request: Request, year: str | None = None):
    with user_session(request) as (s, u):
        user = user_view(u)
        shown = ops.nations.overview(s, u, blanks_to_none({"year": year}))
    data = {"user": user, **shown}
    context = {"section": "registry", "provisions": compliance.PROVISIONS, "statuses": compliance.STATUSES,
               "names": names(request), "this_year": dt.date.today().year}
    return render(request, "registry/compliance.html", data, context=context)


@router.post("/compliance", summary="Submit a national report")
@guard
def compliance_submit(request: Request, form: FormFields):
    f = form_text(form)
    with user_session(request) as (s, u):
        body = blanks_to_none({"nation_ccode": f.get("nation_ccode"), "year": f.get("year"), "notes": f.get("notes")})
        if "nation_ccode" not in body and u.role == auth.TCC_LIAISON:
            body["nation_ccode"] = u.tcc_ccode  # the form's default for a liaison: its own nation
        body["provisions"] = blanks_to_none({p: f.get(p) for p in compliance.PROVISIONS})
        body["replace"] = f.get("replace") == "yes"
        r = ops.nations.submit_report(s, u, body)
    return RedirectResponse(f"/registry/compliance?year={r['year']}", status_code=303)
