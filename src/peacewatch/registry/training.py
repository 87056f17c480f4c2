"""Pre-deployment training modules (Appendix 2 of the 2004 NATO THB policy) and completion records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry import audit
from peacewatch.registry.auth import TCC_LIAISON
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.registry.models import Person, TrainingCompletion, TrainingModule, User

#: ``all`` modules apply to everyone; the others also to that audience.
AUDIENCES = ("all", "commanders", "military_police")


def add_module(session: Session, user: User, code: str, title: str, audience: str = "all") -> TrainingModule:
    """Define a training module (coordinators)."""
    if audience not in AUDIENCES:
        raise ValidationFailed(f"audience {audience!r} is unknown; use one of {', '.join(AUDIENCES)}")
    code, title = (code or "").strip(), (title or "").strip()  # check the value that is stored
    if not code or not title:
        raise ValidationFailed("code and title are required")
    if session.execute(select(TrainingModule.id).where(TrainingModule.code == code)).first():
        raise Conflict(f"module code {code!r} exists")
    module = TrainingModule(code=code, title=title, audience=audience)
    session.add(module)
    session.flush()
    audit.record(session, user.username, "create", "training_module", module.id, {"code": code})
    return module


def _find_person(session: Session, user: User, service_number: str, nation_ccode: int | None) -> Person:
    """The person with ``service_number`` that ``user`` may manage.

    Service numbers are unique per nation. A liaison looks only among its own nation's personnel,
    so another nation's person gets the same "not found" as a number nobody has; a coordinator
    names the nation when a number exists in several.
    """
    service_number = (service_number or "").strip()
    if user.role == TCC_LIAISON:  # its own nation's personnel only (the policy refused another nation)
        nation_ccode = user.tcc_ccode
    stmt = select(Person).where(Person.service_number == service_number)
    if nation_ccode is not None:
        stmt = stmt.where(Person.nation_ccode == nation_ccode)
    found = list(session.execute(stmt.order_by(Person.nation_ccode)).scalars())
    if not found:
        raise NotFound(f"no person with service number {service_number!r}; register them first")
    if len(found) > 1:
        raise ValidationFailed(
            f"service number {service_number!r} exists in nations "
            f"{', '.join(str(p.nation_ccode) for p in found)}; give the nation"
        )
    return found[0]


def add_person(
    session: Session,
    user: User,
    service_number: str,
    full_name: str,
    nation_ccode: int,
    deployment_year: int,
    audience: str = "all",
) -> Person:
    """Register a member of deploying personnel (coordinator, or liaison of that nation).

    The service number must be new within its nation only (numbers are issued nationally), so a
    duplicate never tells a liaison about another nation's personnel.
    """
    if audience not in AUDIENCES:
        raise ValidationFailed(f"audience {audience!r} is unknown; use one of {', '.join(AUDIENCES)}")
    service_number, full_name = (service_number or "").strip(), (full_name or "").strip()
    if not service_number or not full_name:
        raise ValidationFailed("service_number and full_name are required")
    if not 1990 <= deployment_year <= 2100:
        raise ValidationFailed(f"deployment_year {deployment_year} is out of range 1990-2100")
    if session.execute(
        select(Person.id).where(Person.service_number == service_number, Person.nation_ccode == nation_ccode)
    ).first():
        raise Conflict(f"service number {service_number!r} is already registered for nation {nation_ccode}")
    person = Person(
        service_number=service_number,
        full_name=full_name,
        nation_ccode=nation_ccode,
        audience=audience,
        deployment_year=deployment_year,
    )
    session.add(person)
    session.flush()
    audit.record(session, user.username, "create", "person", person.id)
    return person


def record_completion(
    session: Session,
    user: User,
    service_number: str,
    module_code: str,
    completed_on: dt.date,
    score: float | None = None,
    nation_ccode: int | None = None,
) -> TrainingCompletion:
    """Record that a person completed a module (``nation_ccode`` needed only when a coordinator's
    service number exists in several nations)."""
    module_code = (module_code or "").strip()
    person = _find_person(session, user, service_number, nation_ccode)
    module = session.execute(select(TrainingModule).where(TrainingModule.code == module_code)).scalar_one_or_none()
    if module is None:
        raise NotFound(f"no training module {module_code!r}")
    if score is not None and not 0 <= score <= 100:
        raise ValidationFailed("score must be between 0 and 100")
    if session.execute(
        select(TrainingCompletion.id).where(
            TrainingCompletion.person_id == person.id, TrainingCompletion.module_id == module.id
        )
    ).first():
        raise Conflict(f"{person.service_number} already completed {module_code}")
    done = TrainingCompletion(person_id=person.id, module_id=module.id, completed_on=completed_on, score=score)
    session.add(done)
    session.flush()
    audit.record(session, user.username, "create", "training_completion", done.id)
    return done


def required_modules(modules: list[TrainingModule], audience: str) -> list[TrainingModule]:
    """Modules a person of ``audience`` must complete: all ``all`` modules plus their audience's."""
    return [m for m in modules if m.audience in ("all", audience)]


def list_modules(session: Session) -> list[TrainingModule]:
    return list(session.execute(select(TrainingModule).order_by(TrainingModule.code)).scalars())


def person_record(session: Session, user: User, service_number: str, nation_ccode: int | None = None) -> dict[str, Any]:
    """A person's required modules and completions (a liaison: its own nation's personnel only)."""
    person = _find_person(session, user, service_number, nation_ccode)
    modules = list_modules(session)
    done = {
        c.module_id: c
        for c in session.execute(select(TrainingCompletion).where(TrainingCompletion.person_id == person.id)).scalars()
    }
    audit.record(session, user.username, "read", "person", person.id)
    return {
        "service_number": person.service_number,
        "full_name": person.full_name,
        "nation_ccode": person.nation_ccode,
        "audience": person.audience,
        "deployment_year": person.deployment_year,
        "modules": [
            {
                "code": m.code,
                "title": m.title,
                "completed_on": done[m.id].completed_on.isoformat() if m.id in done else None,
            }
            for m in required_modules(modules, person.audience)
        ],
    }
