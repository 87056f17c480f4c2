"""Audit screen (coordinators): who read or changed what and when, with filters (case, actor,
action, dates), pages of 50, a CSV download of the filtered entries and the state of the log's
newest signed checkpoint. The reading is the registry's
(:mod:`peacewatch.registry.operations.audit_trail` through :mod:`peacewatch.registry.policy`: role
check, validation, the read audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from peacewatch.registry import operations as ops
from peacewatch.registry.errors import ValidationFailed
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.registry_labels import (
    AUDIT_ACTIONS,
    audit_action,
    audit_record,
    event_details,
)
from peacewatch.web.routes.forms import blanks_to_none, guard, labelled, names
from peacewatch.web.routes.session import acting, user_view
from peacewatch.web.templating import csv_response, render

router = APIRouter(prefix="/registry")
AUDIT_LABELS = {
    "case_id": "Case number",
    "actor": "Who",
    "action": "What",
    "date_from": "From",
    "date_to": "To",
    "page": "Page",
}
#: The most entries one CSV download holds (filter by dates for more).
CSV_LIMIT = 10_000
CSV_COLUMNS = ["Entry", "When (UTC)", "Who", "What", "Record", "Details"]


def _query(
    case: str | None, actor: str | None, what: str | None, date_from: str | None, date_to: str | None, page: str | None
) -> dict:
    q = blanks_to_none(
        {
            "case_id": (case or "").strip().lstrip("#"),
            "actor": (actor or "").strip(),
            "date_from": date_from,
            "date_to": date_to,
            "page": page,
        }
    )
    if what and ":" in what:
        q["action"], q["entity"] = what.split(":", 1)
    return q


@router.get("/audit", summary="Audit trail: who read or changed what (coordinators)")
@guard
def audit_page(
    request: Request,
    case: str | None = None,
    actor: str | None = None,
    what: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: str | None = None,
    check: str | None = None,
):
    q = _query(case, actor, what, date_from, date_to, page)
    fmt = wanted_format(request, ("html", "json", "csv"))
    error = None
    with acting(request, read_only=True) as act:
        user = user_view(act)
        try:
            found = act(ops.audit_trail.entries, {**q, "per_page": CSV_LIMIT, "page": 1} if fmt == "csv" else q)
        except ValidationFailed as exc:
            error = labelled(exc, AUDIT_LABELS)
            found = act(ops.audit_trail.entries, {})
        status = act(ops.audit_trail.checkpoint_status, check=check == "yes")
        actors = act(ops.audit_trail.actors)
    if fmt == "csv" and not error:
        rows = [
            {
                "Entry": e["seq"],
                "When (UTC)": e["at"].replace("T", " ")[:19],
                "Who": e["actor"],
                "What": audit_action(e["action"], e["entity"]),
                "Record": audit_record(e),
                "Details": "; ".join(f"{k}: {v}" for k, v in event_details(e["detail"], names(request))),
            }
            for e in found["entries"]
        ]
        return csv_response(rows, CSV_COLUMNS, "audit-trail.csv")
    data = {"user": user, **found, "checkpoint": status, **({"error": error} if error else {})}
    form = {
        "case": case or "",
        "actor": actor or "",
        "what": what or "",
        "date_from": date_from or "",
        "date_to": date_to or "",
    }
    choices = sorted(((f"{a}:{e}", words) for (a, e), words in AUDIT_ACTIONS.items()), key=lambda x: x[1])
    return render(
        request,
        "registry/audit.html",
        data,
        status_code=422 if error else 200,
        context={"section": "registry", "names": names(request), "form": form, "choices": choices, "actors": actors},
    )
