"""Operations on what nations report: compliance with the 2004 NATO THB policy, training records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import compliance, training
from peacewatch.registry.models import User
from peacewatch.registry.operations import aggregates
from peacewatch.registry.schemas import CompletionIn, ModuleIn, NationalReportIn, PersonIn, ServiceNumber, YearQuery


def submit_report(session: Session, user: User, d: NationalReportIn) -> dict[str, Any]:
    """A nation's annual report (coordinators, or the liaison of that nation)."""
    r = compliance.submit_report(session, user, d.nation_ccode, d.year, d.provisions.model_dump(), d.notes, d.replace)
    return compliance.report_dict(r)


def list_reports(session: Session, user: User, q: YearQuery) -> list[dict[str, Any]]:
    """National reports visible to ``user``."""
    return [compliance.report_dict(r) for r in compliance.list_reports(session, user, q.year)]


def overview(session: Session, user: User, q: YearQuery, *, may: Callable[[str], bool]) -> dict[str, Any]:
    """What the compliance screen shows ``user``: the national reports and the published aggregates
    its role may see (``may``: the policy's answer for each; each read audited)."""
    out: dict[str, Any] = {"year": q.year, "reports": [], "aggregates": {}}
    if may("nations.list_reports"):
        out["reports"] = list_reports(session, user, q)
    if may("aggregates.compliance"):
        out["aggregates"] = {
            "compliance": aggregates.compliance(session, user, q),
            "tcc": aggregates.tcc(session, user, q, marks=True),
        }
    return out


def add_module(session: Session, user: User, d: ModuleIn) -> dict[str, Any]:
    """Define a training module (coordinators)."""
    m = training.add_module(session, user, d.code, d.title, d.audience)
    return {"id": m.id, "code": m.code, "title": m.title, "audience": m.audience}


def list_modules(session: Session, user: User) -> list[dict[str, Any]]:
    """Training modules (coordinators, TCC liaisons)."""
    return [{"code": m.code, "title": m.title, "audience": m.audience} for m in training.list_modules(session)]


def add_person(session: Session, user: User, d: PersonIn) -> dict[str, Any]:
    """Register a member of deploying personnel."""
    p = training.add_person(session, user, d.service_number, d.full_name, d.nation_ccode, d.deployment_year, d.audience)
    return {"id": p.id, "service_number": p.service_number}


def person_record(session: Session, user: User, d: ServiceNumber) -> dict[str, Any]:
    """A person's required modules and completions; audited (``nation_ccode`` when the number
    exists in several nations)."""
    return training.person_record(session, user, d.service_number, d.nation_ccode)


def record_completion(session: Session, user: User, d: CompletionIn) -> dict[str, Any]:
    """Record that a person completed a module."""
    c = training.record_completion(
        session, user, d.service_number, d.module_code, d.completed_on, d.score, d.nation_ccode
    )
    return {"id": c.id, "completed_on": c.completed_on.isoformat()}


def training_overview(session: Session, user: User, q: YearQuery, *, may: Callable[[str], bool]) -> dict[str, Any]:
    """What the training screen shows ``user``: the modules (roles that record training) and the
    published completion per nation-year with its suppressed cells marked (roles that read
    aggregates; audited); ``may``: the policy's answer for each."""
    out: dict[str, Any] = {"year": q.year, "modules": [], "completion": None, "can_record": False}
    if may("nations.list_modules"):
        out["modules"] = list_modules(session, user)
        out["can_record"] = True
    if may("aggregates.training"):
        out["completion"] = aggregates.training(session, user, q, marks=True)
    return out
