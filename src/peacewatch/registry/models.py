"""ORM tables of the accountability registry (SQLAlchemy 2 declarative).

Timestamps are naive UTC ``datetime`` values (SQLite has no time zones); :func:`utcnow` makes them.
The schema itself is owned by the Alembic migrations in ``migrations/``; these classes must match.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Current UTC time as a naive datetime truncated to microseconds (what every backend stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of all registry tables."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    # NFKC + casefold of the username: uniqueness and login look-ups use it, so "Inv1" and
    # "inv1" (or full-width "ｉｎｖ１") are one account.
    username_key: Mapped[str] = mapped_column(String(80), unique=True, index=True, server_default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    tcc_ccode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserSession(Base):
    """One login (or script token) of a user; a user may hold several at once.

    Only the SHA-256 of the token is stored. A session ends when it is idle too long, reaches its
    absolute expiry, or is revoked (logout, deactivation); revoked rows are kept for the record.
    """

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "login" (browser/API login) or "api" (script token)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission: Mapped[str] = mapped_column(String(40), index=True)
    tcc_ccode: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    subject_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    incident_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    repatriated: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    referral: Mapped[Referral | None] = relationship(back_populates="case", uselist=False)


class VictimDetails(Base):
    """Victim details, kept apart from the case and encrypted (Fernet) at rest."""

    __tablename__ = "victim_details"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    # Who besides investigators and coordinators may see the event: "internal" (nobody),
    # "tcc" (the TCC liaison), "reporter" (the reporter) or "tcc_and_reporter"; see cases.py.
    visibility: Mapped[str] = mapped_column(String(20), default="internal", server_default="internal")

    case: Mapped[Case] = relationship(back_populates="events")


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    tcc_ccode: Mapped[int] = mapped_column(Integer, index=True)
    referred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    officer_due: Mapped[dt.date] = mapped_column(Date)
    outcome_due: Mapped[dt.date] = mapped_column(Date)
    outcome_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_named_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    officer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome_reported_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    last_escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    case: Mapped[Case] = relationship(back_populates="referral")


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """One leaf of the audit transparency log (see :mod:`peacewatch.registry.audit`).

    ``leaf_hash`` is the RFC 6962 leaf hash of the canonical JSON of the other fields; ``at`` is a
    UTC time to the microsecond for staff, and the date only for anonymous actions.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditAnonymous(Base):
    """An anonymous action held until its day is over, then sequenced with that day's others in random order.

    The key is random and there is no time column, so neither the time of day nor the order
    relative to other actions can be read from this table.
    """

    __tablename__ = "audit_anonymous"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)


class AuditTree(Base):
    """The tree head: size, root and compact range (frontier). Written only by the sequencer's batch."""

    __tablename__ = "audit_tree"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str] = mapped_column(Text)


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) made after a batch."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)


def random_id() -> int:
    """A random positive 31-bit id: an anonymous row's id says nothing of when it was written
    (a sequence would place every report and message between two timed staff actions)."""
    return secrets.randbelow(2**31 - 2) + 1


class IntakeReport(Base):
    """An anonymous whistleblower report. No IP, user agent or account is ever stored."""

    __tablename__ = "intake_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=random_id)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    # Day precision only: an exact time could be matched against network logs.
    received_on: Mapped[dt.date] = mapped_column(Date)
    mission: Mapped[str | None] = mapped_column(String(40), nullable=True)
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)


class IntakeMessage(Base):
    __tablename__ = "intake_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=random_id)
    report_id: Mapped[int] = mapped_column(ForeignKey("intake_reports.id"), index=True)
    #: Place in its report's thread (1, 2, ...): orders one thread only, never across reports.
    position: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    received_on: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(20))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class MisconductRecord(Base):
    __tablename__ = "misconduct_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    nationality_ccode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    category: Mapped[str] = mapped_column(String(40))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    # The name as the matcher prepares it (transliterated, folded, skeleton, blocking name keys),
    # stored at import so that building the screening index never transliterates again.
    name_ascii: Mapped[str | None] = mapped_column(Text, nullable=True)
    name_folded: Mapped[str | None] = mapped_column(Text, nullable=True)
    name_skeleton: Mapped[str | None] = mapped_column(Text, nullable=True)
    name_keys: Mapped[str | None] = mapped_column(Text, nullable=True)


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    roster_label: Mapped[str] = mapped_column(String(200))
    roster_rows: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[float] = mapped_column(Float)


class ScreeningHit(Base):
    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    roster_name: Mapped[str] = mapped_column(String(200))
    roster_dob: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    roster_nationality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("misconduct_records.id"))
    score: Mapped[float] = mapped_column(Float)
    name_score: Mapped[float] = mapped_column(Float)
    dob_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    nationality_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    explanation: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class NationalReport(Base):
    """A nation's annual report against the provisions of the 2004 NATO THB policy."""

    __tablename__ = "national_reports"
    __table_args__ = (UniqueConstraint("nation_ccode", "year", name="uq_national_report_nation_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nation_ccode: Mapped[int] = mapped_column(Integer, index=True)
    year: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    ratification: Mapped[str | None] = mapped_column(String(10), nullable=True)
    training: Mapped[str | None] = mapped_column(String(10), nullable=True)
    legislation: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reporting: Mapped[str | None] = mapped_column(String(10), nullable=True)
    whistleblower_policy: Mapped[str | None] = mapped_column(String(10), nullable=True)
    misconduct_database: Mapped[str | None] = mapped_column(String(10), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class TrainingModule(Base):
    __tablename__ = "training_modules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(30))


class Person(Base):
    """A member of deploying personnel whose pre-deployment training is tracked."""

    __tablename__ = "personnel"
    # Service numbers are issued by each nation: unique per nation only. A worldwide key would
    # make a duplicate reveal another nation's personnel to a liaison.
    __table_args__ = (UniqueConstraint("nation_ccode", "service_number", name="uq_personnel_nation_service_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_number: Mapped[str] = mapped_column(String(60))
    full_name: Mapped[str] = mapped_column(String(200))
    nation_ccode: Mapped[int] = mapped_column(Integer, index=True)
    audience: Mapped[str] = mapped_column(String(30))
    deployment_year: Mapped[int] = mapped_column(Integer)


class TrainingCompletion(Base):
    __tablename__ = "training_completions"
    __table_args__ = (UniqueConstraint("person_id", "module_id", name="uq_completion_person_module"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("personnel.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_modules.id"))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)


class PublishedPeriod(Base):
    """The registry's statistics of one closed year, frozen when the year was closed.

    ``tables`` is JSON ``{table name: [rows]}`` of the true counts as of the year's last day; what is
    published is derived from it by :mod:`peacewatch.registry.publication` and never recomputed
    from the live tables, so a closed year does not move (a module added later, a case backdated).
    """

    __tablename__ = "published_periods"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    closed_on: Mapped[dt.date] = mapped_column(Date)
    tables: Mapped[str] = mapped_column(Text)


class ReceiptHandle(Base):
    """A receipt cookie not shown yet (its keyed hash only): the receipt page shows a receipt once,
    whichever worker process answers, and a replayed cookie finds no handle. No time, no order
    (``WITHOUT ROWID`` on SQLite: stored in the order of the random key)."""

    __tablename__ = "receipt_handles"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
