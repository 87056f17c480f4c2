"""Operations on what nations report: compliance with the 2004 NATO THB policy, training records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import auth, compliance, training
from peacewatch.registry.errors import Forbidden
from peacewatch.registry.models import User
from peacewatch.registry.operations import aggregates
from peacewatch.registry.operations.base import validate
from peacewatch.registry.schemas import CompletionIn, ModuleIn, NationalReportIn, PersonIn, ServiceNumber, YearQuery


def submit_report(session: Session, user: User, body: Any) -> dict[str, Any]:
    """A nation's annual report (coordinators, or the liaison of that nation)."""
    d = validate(NationalReportIn, body)
    r = compliance.submit_report(session, user, d.nation_ccode, d.year, d.provisions.model_dump(), d.notes, d.replace)
    return compliance.report_dict(r)


def list_reports(session: Session, user: User, query: Any = None) -> list[dict[str, Any]]:
    """National reports visible to ``user``."""
    q = validate(YearQuery, query or {})
    return [compliance.report_dict(r) for r in compliance.list_reports(session, user, q.year)]


def overview(session: Session, user: User, query: Any = None) -> dict[str, Any]:
    """What the compliance screen shows ``user``: the national reports it may see and the published
    aggregates it may see (each audited); Forbidden when it may see neither."""
    q = validate(YearQuery, query or {})
    out: dict[str, Any] = {"year": q.year, "reports": [], "aggregates": {}}
    allowed = False
    if user.role in compliance.REPORT_ROLES:
        out["reports"] = list_reports(session, user, q)
        allowed = True
    if user.role in aggregates.AGGREGATE_ROLES:
        out["aggregates"] = {
            "compliance": aggregates.compliance(session, user, q),
            "tcc": aggregates.tcc(session, user, q, marks=True),
        }
        allowed = True
    if not allowed:
        raise Forbidden(f"role {user.role!r} has no compliance screen")
    return out


def add_module(session: Session, user: User, body: Any) -> dict[str, Any]:
    """Define a training module (coordinators)."""
    d = validate(ModuleIn, body)
    m = training.add_module(session, user, d.code, d.title, d.audience)
    return {"id": m.id, "code": m.code, "title": m.title, "audience": m.audience}


def list_modules(session: Session, user: User) -> list[dict[str, Any]]:
    """Training modules (coordinators, TCC liaisons)."""
    auth.require_role(user, auth.COORDINATOR, auth.TCC_LIAISON)
    return [{"code": m.code, "title": m.title, "audience": m.audience} for m in training.list_modules(session)]


def add_person(session: Session, user: User, body: Any) -> dict[str, Any]:
    """Register a member of deploying personnel."""
    d = validate(PersonIn, body)
    p = training.add_person(session, user, d.service_number, d.full_name, d.nation_ccode, d.deployment_year, d.audience)
    return {"id": p.id, "service_number": p.service_number}


def person_record(session: Session, user: User, service_number: Any, nation_ccode: Any = None) -> dict[str, Any]:
    """A person's required modules and completions; audited (``nation_ccode`` when the number
    exists in several nations)."""
    d = validate(ServiceNumber, {"service_number": service_number, "nation_ccode": nation_ccode})
    return training.person_record(session, user, d.service_number, d.nation_ccode)


def record_completion(session: Session, user: User, body: Any) -> dict[str, Any]:
    """Record that a person completed a module."""
    d = validate(CompletionIn, body)
    c = training.record_completion(
        session, user, d.service_number, d.module_code, d.completed_on, d.score, d.nation_ccode
    )
    return {"id": c.id, "completed_on": c.completed_on.isoformat()}


#: Roles that keep training records (a liaison: its own nation's personnel).
TRAINING_RECORD_ROLES = (auth.COORDINATOR, auth.TCC_LIAISON)


def training_overview(session: Session, user: User, query: Any = None) -> dict[str, Any]:
    """What the training screen shows ``user``: the modules (roles that record training) and the
    published completion per nation-year with its suppressed cells marked (roles that read
    aggregates; audited); Forbidden when it may see neither."""
    q = validate(YearQuery, query or {})
    out: dict[str, Any] = {"year": q.year, "modules": [], "completion": None, "can_record": False}
    allowed = False
    if user.role in TRAINING_RECORD_ROLES:
        out["modules"] = list_modules(session, user)
        out["can_record"] = allowed = True
    if user.role in aggregates.AGGREGATE_ROLES:
        out["completion"] = aggregates.training(session, user, q, marks=True)
        allowed = True
    if not allowed:
        raise Forbidden(f"role {user.role!r} has no training screen")
    return out
