"""Compliance screen: national reports against the 2004 NATO THB policy (TCC liaisons for their
nation, coordinators for any) and the published aggregates (analysts, coordinators, investigators)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import auth, compliance, stats
from peacewatch.registry.errors import Forbidden, ValidationFailed
from peacewatch.web.data import records
from peacewatch.web.routes.forms import FormFields, form_text, guard, int_or_none, names
from peacewatch.web.routes.session import user_session, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")


@router.get("/compliance", summary="National compliance reports and accountability aggregates")
@guard
def compliance_page(request: Request, year: int | None = None):
    with user_session(request) as (s, u):
        user = user_view(u)
        reports = []
        if u.role in (auth.COORDINATOR, auth.TCC_LIAISON):
            reports = [compliance.report_dict(r) for r in compliance.list_reports(s, u, year)]
        aggregates = {}
        if u.role in (auth.ANALYST, auth.COORDINATOR, auth.INVESTIGATOR):
            aggregates = {"compliance": records(stats.published_compliance_by_nation(s, year)),
                          "tcc": records(stats.published_tcc_accountability(s, year))}
    if not reports and not aggregates and user["role"] not in (auth.COORDINATOR, auth.TCC_LIAISON):
        raise Forbidden(f"role {user['role']!r} has no compliance screen")
    data = {"user": user, "year": year, "reports": reports, "aggregates": aggregates}
    context = {"section": "registry", "provisions": compliance.PROVISIONS, "statuses": compliance.STATUSES,
               "names": names(request), "this_year": dt.date.today().year}
    return render(request, "registry/compliance.html", data, context=context)


@router.post("/compliance", summary="Submit a national report")
@guard
def compliance_submit(request: Request, form: FormFields):
    f = form_text(form)
    with user_session(request) as (s, u):
        nation = int_or_none(f.get("nation_ccode"), "nation (COW code)")
        if nation is None and u.role == auth.TCC_LIAISON:
            nation = u.tcc_ccode
        if nation is None:
            raise ValidationFailed("choose the reporting nation")
        year = int_or_none(f.get("year"), "year")
        if year is None:
            raise ValidationFailed("enter the reporting year")
        provisions = {p: (f.get(p) or None) for p in compliance.PROVISIONS}
        compliance.submit_report(s, u, nation, year, provisions, f.get("notes", ""), replace=f.get("replace") == "yes")
    return RedirectResponse(f"/registry/compliance?year={year}", status_code=303)
