"""National reports against the provisions of the 2004 NATO policy on combating THB (Ballesteros 2007).

Each nation reports once per year on six provisions; each is ``met``, ``partial`` or ``not_met``,
or left out (unknown, kept missing in statistics rather than counted as not met).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry import audit
from peacewatch.registry.auth import TCC_LIAISON
from peacewatch.registry.errors import Conflict, ValidationFailed
from peacewatch.registry.models import NationalReport, User, utcnow

#: Provision -> what the 2004 NATO THB policy asks of a nation.
PROVISIONS = {
    "ratification": "Ratify the 2000 UN Trafficking (Palermo) Protocol",
    "training": "Provide THB pre-deployment training to all personnel of NATO-led operations",
    "legislation": "National legislation to punish those involved in THB, aligned with the UN Protocol",
    "reporting": "Report to NATO on national efforts, THB cases and follow-up",
    "whistleblower_policy": "Create and disseminate national policies protecting whistleblowers",
    "misconduct_database": "National database of misconduct records used in recruitment, vetting and deployment",
}
#: Roles that submit and read national reports (a liaison: its own nation only).
STATUSES = {"met": 1.0, "partial": 0.5, "not_met": 0.0}


def submit_report(
    session: Session,
    user: User,
    nation_ccode: int,
    year: int,
    provisions: dict[str, str | None],
    notes: str = "",
    replace: bool = False,
) -> NationalReport:
    """Store a nation's annual report.

    Parameters
    ----------
    nation_ccode, year
        COW code of the reporting nation and the reporting year (1990-2100).
    provisions
        Provision name -> ``met`` / ``partial`` / ``not_met`` (or ``None``/absent for unknown).
    replace
        Replace an existing report for the same nation-year instead of refusing.

    Raises
    ------
    Forbidden
        A TCC liaison reporting for another nation.
    """
    if not 1990 <= year <= 2100:
        raise ValidationFailed(f"year {year} is out of range 1990-2100")
    if not 1 <= nation_ccode <= 999:
        raise ValidationFailed(f"nation_ccode {nation_ccode} is not a COW code (1-999)")
    unknown = set(provisions) - set(PROVISIONS)
    if unknown:
        raise ValidationFailed(
            f"unknown provision(s) {', '.join(sorted(unknown))}; provisions are {', '.join(PROVISIONS)}"
        )
    for name, status in provisions.items():
        if status is not None and status not in STATUSES:
            raise ValidationFailed(f"provision {name}: status {status!r} must be one of {', '.join(STATUSES)} or empty")
    existing = session.execute(
        select(NationalReport).where(NationalReport.nation_ccode == nation_ccode, NationalReport.year == year)
    ).scalar_one_or_none()
    if existing is not None and not replace:
        raise Conflict(f"nation {nation_ccode} already reported for {year}; pass replace=true to replace it")
    report = existing or NationalReport(nation_ccode=nation_ccode, year=year)
    for name in PROVISIONS:
        setattr(report, name, provisions.get(name))
    report.notes, report.submitted_by, report.submitted_at = notes or "", user.id, utcnow()
    session.add(report)
    session.flush()
    audit.record(
        session,
        user.username,
        "replace" if existing else "create",
        "national_report",
        report.id,
        {"nation_ccode": nation_ccode, "year": year},
    )
    return report


def report_dict(r: NationalReport) -> dict[str, Any]:
    return {
        "id": r.id,
        "nation_ccode": r.nation_ccode,
        "year": r.year,
        "submitted_at": r.submitted_at.isoformat(),
        "provisions": {p: getattr(r, p) for p in PROVISIONS},
        "notes": r.notes,
    }


def list_reports(session: Session, user: User, year: int | None = None) -> list[NationalReport]:
    """Reports visible to ``user`` (a TCC liaison sees its own nation's)."""
    stmt = select(NationalReport).order_by(NationalReport.nation_ccode, NationalReport.year)
    if user.role == TCC_LIAISON:
        stmt = stmt.where(NationalReport.nation_ccode == user.tcc_ccode)
    if year is not None:
        stmt = stmt.where(NationalReport.year == year)
    return list(session.execute(stmt).scalars())
