"""Who may do what in the registry, and the one path every operation takes.

:data:`TABLE` declares each operation once: its name, the roles allowed (or a rule for decisions that
depend on the data, such as which role may move a case to which status), how each of its inputs is
checked (the API's pydantic schemas, ids, usernames), the function that does the work
(:mod:`peacewatch.registry.operations`) and whether it only reads. :func:`perform` (and
:class:`Actor`, for a screen that shows several operations from one transaction) is the dispatcher:
it opens the session (read-only for operations that only read), resolves the user from the token,
checks the role, validates the input and then calls the function. This is the only place that
decides roles: the operations and the domain modules below them do not check them again.

Anonymous operations (login, logout, the anonymous intake channel) have no roles: they take the
:class:`~peacewatch.registry.service.Registry` and open their own transaction after their rate
limits are checked; the dispatcher validates their input first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from pydantic import BaseModel
from sqlalchemy.orm import Session

from peacewatch.registry import auth, cases, workflow
from peacewatch.registry import operations as ops
from peacewatch.registry.auth import ANALYST, COORDINATOR, INVESTIGATOR, REPORTER, ROLES, TCC_LIAISON
from peacewatch.registry.errors import Forbidden, ValidationFailed
from peacewatch.registry.models import User
from peacewatch.registry.operations.base import valid_id, valid_username, validate
from peacewatch.registry.schemas import (
    AuditQuery,
    CaseIn,
    CaseQuery,
    CompletionIn,
    DecisionIn,
    ExtendIn,
    IntakeIn,
    IntakeQuery,
    LoginIn,
    ModuleIn,
    NationalReportIn,
    NoteIn,
    OverdueQuery,
    PasswordResetIn,
    PeriodIn,
    PersonIn,
    ReceiptIn,
    ReceiptMessageIn,
    RecordIn,
    RecordsImportIn,
    ReferIn,
    ReplyIn,
    ScreeningIn,
    ServiceNumber,
    TransitionIn,
    UserIn,
    YearQuery,
)
from peacewatch.registry.service import Registry

# ------------------------------------------------------------------------------------ role tables
#: Roles that may record an allegation.
CREATE_ROLES = (REPORTER, INVESTIGATOR, COORDINATOR)
#: Roles that see individual cases (which ones: :mod:`peacewatch.registry.cases`).
CASE_ROLES = (REPORTER, INVESTIGATOR, COORDINATOR, TCC_LIAISON)
#: Roles that see every case and its victim details (defined with the case visibility it also governs).
FULL_ACCESS = cases.FULL_ACCESS
#: Roles that add notes to cases (a liaison: to its TCC's referred cases).
NOTE_ROLES = (INVESTIGATOR, COORDINATOR, TCC_LIAISON)
#: Roles that see the referrals (and their clocks) they may see (a liaison: its own TCC's).
CLOCK_ROLES = (INVESTIGATOR, COORDINATOR, TCC_LIAISON)
#: Roles that escalate overdue referrals (and preview it).
ESCALATE_ROLES = (COORDINATOR, INVESTIGATOR)
#: Roles that work on vetting: misconduct records, screenings, decisions.
VETTING_ROLES = (INVESTIGATOR, COORDINATOR)
#: Roles that answer the anonymous intake channel.
INTAKE_ROLES = (INVESTIGATOR, COORDINATOR)
#: Roles that read published aggregates.
AGGREGATE_ROLES = (ANALYST, COORDINATOR, INVESTIGATOR)
#: Staff: the live, unsuppressed counts of every year (the open one included).
STAFF_ROLES = (COORDINATOR, INVESTIGATOR)
#: Roles that submit and read national reports (a liaison: its own nation's).
REPORT_ROLES = (COORDINATOR, TCC_LIAISON)
#: Roles that keep training records (a liaison: its own nation's personnel).
TRAINING_RECORD_ROLES = (COORDINATOR, TCC_LIAISON)
#: Roles that read the audit trail and verify the log.
AUDIT_ROLES = (COORDINATOR,)
#: Roles that manage accounts, training modules, extensions and publication periods.
ADMIN_ROLES = (COORDINATOR,)

#: Who may make each move of the case life cycle (the moves themselves: :data:`workflow.TRANSITIONS`).
TRANSITION_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    (workflow.REPORTED, workflow.UNDER_INVESTIGATION): FULL_ACCESS,
    (workflow.UNDER_INVESTIGATION, workflow.SUBSTANTIATED): FULL_ACCESS,
    (workflow.UNDER_INVESTIGATION, workflow.UNSUBSTANTIATED): FULL_ACCESS,
    (workflow.SUBSTANTIATED, workflow.REFERRED_TO_TCC): FULL_ACCESS,
    (workflow.UNSUBSTANTIATED, workflow.CLOSED): FULL_ACCESS,
    (workflow.REFERRED_TO_TCC, workflow.NATIONAL_INVESTIGATION_APPOINTED): (TCC_LIAISON, COORDINATOR),
    (workflow.REFERRED_TO_TCC, workflow.OUTCOME_REPORTED): (TCC_LIAISON, COORDINATOR),
    (workflow.NATIONAL_INVESTIGATION_APPOINTED, workflow.OUTCOME_REPORTED): (TCC_LIAISON, COORDINATOR),
    (workflow.OUTCOME_REPORTED, workflow.CLOSED): FULL_ACCESS,
}

_ANALYSTS_NO_CASES = "analysts see aggregates only, never individual cases"


def moves_for(role: str, status: str) -> list[str]:
    """The statuses ``role`` may move a case in ``status`` to (the screens' buttons)."""
    return [to for to in workflow.TRANSITIONS.get(status, ()) if role in TRANSITION_ROLES[(status, to)]]


def refer_steps(role: str, status: str) -> tuple[str, ...] | None:
    """The statuses "refer to the TCC" passes through from ``status``, if ``role`` may make each."""
    path = ops.cases.REFER_PATH.get(status)
    if not path:
        return None
    here = status
    for step in path:
        if role not in TRANSITION_ROLES.get((here, step), ()):
            return None
        here = step
    return path


def _generic(role: str, roles: tuple[str, ...]) -> str:
    return f"role {role!r} may not do this; allowed: {', '.join(roles)}"


# ------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class Input:
    """How one positional argument of an operation is checked before the function runs."""

    kind: str  # "body" (a schema, required), "query" (a schema, default empty), "id", "ids", "username", "raw"
    schema: type[BaseModel] | None = None
    name: str = ""

    def check(self, value: Any) -> Any:
        if self.kind == "body":
            assert self.schema is not None
            return validate(self.schema, value)
        if self.kind == "query":
            assert self.schema is not None
            return validate(self.schema, {} if value is None else value)
        if self.kind == "id":
            return valid_id(value, self.name)
        if self.kind == "ids":
            if not isinstance(value, (list, tuple, set, frozenset)):
                raise ValidationFailed(f"{self.name}: give a list of ids")
            return sorted({valid_id(v, self.name) for v in value})
        if self.kind == "username":
            return valid_username(value)
        return value


def body(schema: type[BaseModel]) -> Input:
    return Input("body", schema)


def query(schema: type[BaseModel]) -> Input:
    return Input("query", schema)


def ident(name: str) -> Input:
    return Input("id", name=name)


def idents(name: str) -> Input:
    return Input("ids", name=name)


USERNAME = Input("username")
RAW = Input("raw")

#: A data-dependent decision: called with the session, the user, the checked arguments and the
#: keyword arguments after the role check; raises :class:`Forbidden` to refuse.
Rule = Callable[[Session, User, tuple[Any, ...], Mapping[str, Any]], None]


@dataclass(frozen=True)
class Operation:
    """One registry operation, declared once."""

    name: str
    function: Callable[..., Any]
    #: Roles allowed; ``None``: anonymous (the function takes the registry, no user).
    roles: tuple[str, ...] | None
    inputs: tuple[Input, ...] = ()
    reads: bool = False
    rule: Rule | None = None
    #: The refusal's words for a role outside ``roles`` (``{role}`` is filled in); default generic.
    refusal: str | None = None
    #: Give the function ``may=``: whether the caller may perform another operation (screens that
    #: show what each role may see).
    uses_may: bool = False

    @property
    def schema(self) -> type[BaseModel] | None:
        """The pydantic schema of its input, if it has one."""
        return next((i.schema for i in self.inputs if i.schema is not None), None)

    def refuse(self, role: str) -> Forbidden:
        assert self.roles is not None
        return Forbidden(self.refusal.format(role=role) if self.refusal else _generic(role, self.roles))


# ------------------------------------------------------------------------------------ rules
def _liaison_nation(what: str, nation_of: Callable[[tuple[Any, ...]], int | None]) -> Rule:
    """A TCC liaison acts for its own nation only (``what`` names the refusal's subject)."""

    def rule(_s: Session, user: User, args: tuple[Any, ...], _kw: Mapping[str, Any]) -> None:
        nation = nation_of(args)
        if user.role == TCC_LIAISON and nation is not None and nation != user.tcc_ccode:
            raise Forbidden(f"a TCC liaison of {user.tcc_ccode} cannot {what} {nation}")

    return rule


def _transition_rule(session: Session, user: User, args: tuple[Any, ...], _kw: Mapping[str, Any]) -> None:
    """The role must be allowed the move; a missing or invisible case and a move the state machine
    refuses keep their own errors (404, 409), so they are checked first."""
    case_id, data = args
    status = cases.visible_status(session, user, case_id)
    workflow.check_transition(status, data.to_status)
    roles = TRANSITION_ROLES[(status, data.to_status)]
    if user.role not in roles:
        raise Forbidden(f"role {user.role!r} may not move a case to {data.to_status!r}; allowed: {', '.join(roles)}")


def _refer_rule(session: Session, user: User, args: tuple[Any, ...], _kw: Mapping[str, Any]) -> None:
    """Each step on the way to "referred to the TCC" must be open to the role (checked as if made alone)."""
    status = cases.visible_status(session, user, args[0])
    here = status
    for step in ops.cases.REFER_PATH.get(status, ()):
        roles = TRANSITION_ROLES[(here, step)]
        if user.role not in roles:
            raise Forbidden(f"role {user.role!r} may not move a case to {step!r}; allowed: {', '.join(roles)}")
        here = step


def _unsuppressed_rule(_s: Session, user: User, _args: tuple[Any, ...], kw: Mapping[str, Any]) -> None:
    if kw.get("unsuppressed") and user.role not in ADMIN_ROLES:
        raise Forbidden(_generic(user.role, ADMIN_ROLES))


# ------------------------------------------------------------------------------------ the table
def _op(function: Callable[..., Any], roles: tuple[str, ...] | None, *inputs: Input, **kw: Any) -> Operation:
    module = function.__module__.rsplit(".", 1)[-1]
    return Operation(f"{module}.{function.__name__}", function, roles, tuple(inputs), **kw)


_CASE_REFUSAL = {"refusal": _ANALYSTS_NO_CASES}

_OPERATIONS = [
    # accounts
    _op(ops.users.admit_login, None, body(LoginIn)),
    _op(ops.users.login, None, body(LoginIn)),
    _op(ops.users.logout, None, RAW),
    _op(ops.users.me, ROLES, reads=True),
    _op(ops.users.create_user, ADMIN_ROLES, body(UserIn)),
    _op(ops.users.list_users, ADMIN_ROLES, reads=True),
    _op(ops.users.deactivate_user, ADMIN_ROLES, USERNAME),
    _op(ops.users.reactivate_user, ADMIN_ROLES, USERNAME),
    _op(ops.users.reset_password, ADMIN_ROLES, USERNAME, body(PasswordResetIn)),
    _op(ops.users.revoke_sessions, ADMIN_ROLES, USERNAME),
    # cases
    _op(ops.cases.create_case, CREATE_ROLES, body(CaseIn)),
    _op(ops.cases.list_cases, CASE_ROLES, query(CaseQuery), reads=True, **_CASE_REFUSAL),
    _op(ops.cases.get_case, CASE_ROLES, ident("case_id"), reads=True, **_CASE_REFUSAL),
    # Who may make which move depends on the case's status: the rules decide (after 404 and 409).
    _op(
        ops.cases.transition_case,
        CASE_ROLES,
        ident("case_id"),
        body(TransitionIn),
        rule=_transition_rule,
        **_CASE_REFUSAL,
    ),
    _op(ops.cases.refer_to_tcc, CASE_ROLES, ident("case_id"), query(ReferIn), rule=_refer_rule, **_CASE_REFUSAL),
    _op(ops.cases.add_note, NOTE_ROLES, ident("case_id"), body(NoteIn)),
    _op(ops.cases.victim_details, FULL_ACCESS, ident("case_id"), reads=True),
    # referrals
    _op(ops.referrals.list_referrals, CLOCK_ROLES, reads=True),
    _op(ops.referrals.list_overdue, CLOCK_ROLES, query(OverdueQuery), reads=True),
    # Every role may ask (every case screen does); roles that follow no deadlines get no clocks.
    _op(ops.referrals.clocks_for_cases, ROLES, idents("case_id"), reads=True, uses_may=True),
    _op(ops.referrals.preview_escalation, ESCALATE_ROLES, query(OverdueQuery), reads=True),
    _op(ops.referrals.escalate, ESCALATE_ROLES),
    _op(ops.referrals.extend, ADMIN_ROLES, ident("referral_id"), body(ExtendIn)),
    # anonymous intake and the staff who answer it
    _op(ops.intake.submit, None, body(IntakeIn)),
    _op(ops.intake.seal_receipt, None, RAW),
    _op(ops.intake.open_receipt, None, RAW),
    _op(ops.intake.read_thread, None, body(ReceiptIn)),
    _op(ops.intake.add_information, None, body(ReceiptMessageIn)),
    _op(ops.intake.list_reports, INTAKE_ROLES, query(IntakeQuery), reads=True),
    _op(ops.intake.staff_view, INTAKE_ROLES, ident("report_id"), reads=True),
    _op(ops.intake.reply, INTAKE_ROLES, ident("report_id"), body(ReplyIn)),
    _op(ops.intake.message_previews, INTAKE_ROLES, idents("report_id"), reads=True),
    # vetting
    _op(ops.vetting.add_record, VETTING_ROLES, body(RecordIn)),
    _op(ops.vetting.import_records, VETTING_ROLES, body(RecordsImportIn)),
    _op(ops.vetting.screen, VETTING_ROLES, body(ScreeningIn)),
    _op(ops.vetting.screening_hits, VETTING_ROLES, ident("screening_id"), reads=True),
    _op(ops.vetting.decide, VETTING_ROLES, ident("hit_id"), body(DecisionIn)),
    _op(ops.vetting.list_screenings, VETTING_ROLES, reads=True),
    _op(ops.vetting.screening_summary, VETTING_ROLES, ident("screening_id"), reads=True),
    _op(ops.vetting.submit_job, VETTING_ROLES, RAW, RAW, RAW, RAW),
    _op(ops.vetting.job_status, VETTING_ROLES, RAW, RAW, reads=True),
    # national reports and training
    _op(
        ops.nations.submit_report,
        REPORT_ROLES,
        body(NationalReportIn),
        rule=_liaison_nation("report for nation", lambda a: a[0].nation_ccode),
    ),
    _op(ops.nations.list_reports, REPORT_ROLES, query(YearQuery), reads=True),
    _op(
        ops.nations.overview,
        tuple(r for r in ROLES if r in REPORT_ROLES or r in AGGREGATE_ROLES),
        query(YearQuery),
        reads=True,
        refusal="role {role!r} has no compliance screen",
        uses_may=True,
    ),
    _op(ops.nations.add_module, ADMIN_ROLES, body(ModuleIn)),
    _op(ops.nations.list_modules, TRAINING_RECORD_ROLES, reads=True),
    _op(
        ops.nations.add_person,
        TRAINING_RECORD_ROLES,
        body(PersonIn),
        rule=_liaison_nation("manage personnel of nation", lambda a: a[0].nation_ccode),
    ),
    _op(
        ops.nations.person_record,
        TRAINING_RECORD_ROLES,
        body(ServiceNumber),
        reads=True,
        rule=_liaison_nation("manage personnel of nation", lambda a: a[0].nation_ccode),
    ),
    _op(
        ops.nations.record_completion,
        TRAINING_RECORD_ROLES,
        body(CompletionIn),
        rule=_liaison_nation("manage personnel of nation", lambda a: a[0].nation_ccode),
    ),
    _op(
        ops.nations.training_overview,
        tuple(r for r in ROLES if r in TRAINING_RECORD_ROLES or r in AGGREGATE_ROLES),
        query(YearQuery),
        reads=True,
        refusal="role {role!r} has no training screen",
        uses_may=True,
    ),
    # published aggregates and the audit log
    _op(ops.aggregates.tcc, AGGREGATE_ROLES, query(YearQuery), reads=True),
    _op(ops.aggregates.tcc_live, STAFF_ROLES, query(YearQuery), reads=True),
    _op(ops.aggregates.tcc_scorecard_live, STAFF_ROLES, reads=True),
    _op(ops.aggregates.close_period, ADMIN_ROLES, body(PeriodIn)),
    _op(ops.aggregates.compliance, AGGREGATE_ROLES, query(YearQuery), reads=True),
    _op(ops.aggregates.training, AGGREGATE_ROLES, query(YearQuery), reads=True, rule=_unsuppressed_rule),
    _op(ops.aggregates.verify_audit, AUDIT_ROLES, reads=True),
    _op(ops.audit_trail.entries, AUDIT_ROLES, query(AuditQuery), reads=True),
    _op(ops.audit_trail.actors, AUDIT_ROLES, reads=True),
    _op(ops.audit_trail.checkpoint_status, AUDIT_ROLES, reads=True),
]

#: Every operation by name (``module.function`` of :mod:`peacewatch.registry.operations`).
TABLE: dict[str, Operation] = {op.name: op for op in _OPERATIONS}
_NAMES: dict[Callable[..., Any], str] = {op.function: op.name for op in _OPERATIONS}
assert len(TABLE) == len(_NAMES) == len(_OPERATIONS), "an operation is declared twice"

T = TypeVar("T")


def operation(which: str | Callable[..., Any]) -> Operation:
    """The declared operation, by name or by its function (a ``KeyError`` names a mistake in the
    calling code: an undeclared operation cannot be performed)."""
    return TABLE[which if isinstance(which, str) else _NAMES[which]]


# ------------------------------------------------------------------------------------ the dispatcher
def allows(which: str | Callable[..., Any], user: User) -> bool:
    """Whether ``user``'s role may perform an operation at all (data-dependent rules aside): the
    screens' links and buttons; the operation itself is checked again when performed."""
    roles = operation(which).roles
    return roles is None or user.role in roles


def _checked(op: Operation, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(args) > len(op.inputs):
        raise TypeError(f"{op.name} takes {len(op.inputs)} arguments, got {len(args)}")
    # Missing trailing inputs: a query is empty, anything else is required.
    padded = (*args, *[None] * (len(op.inputs) - len(args)))
    return tuple(i.check(v) for i, v in zip(op.inputs, padded, strict=True))


class Actor:
    """The calling user in one open transaction; calling it performs one operation.

    Each call checks the role, validates the input and applies the operation's rule before the
    function runs. A read-only transaction refuses an operation that writes.
    """

    __slots__ = ("session", "user", "read_only")

    def __init__(self, session: Session, user: User, read_only: bool):
        self.session, self.user, self.read_only = session, user, read_only

    @overload
    def __call__(self, which: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...
    @overload
    def __call__(self, which: str, *args: Any, **kwargs: Any) -> Any: ...
    def __call__(self, which: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Perform ``which`` (a name of :data:`TABLE` or its function) with ``args`` as this user."""
        op = operation(which)
        if op.roles is None:
            raise TypeError(f"{op.name} is anonymous: call perform() with the registry")
        if self.read_only and not op.reads:
            raise RuntimeError(f"{op.name} writes: perform it in a writing transaction")
        if self.user.role not in op.roles:
            raise op.refuse(self.user.role)
        checked = _checked(op, args)
        if op.rule is not None:
            op.rule(self.session, self.user, checked, kwargs)
        if op.uses_may:
            kwargs["may"] = self.may
        return op.function(self.session, self.user, *checked, **kwargs)

    def may(self, which: str | Callable[..., Any]) -> bool:
        """Whether this user's role may perform ``which`` (:func:`allows`)."""
        return allows(which, self.user)

    def require(self, which: str | Callable[..., Any]) -> None:
        """Refuse (:class:`Forbidden`, the operation's own words) unless this user's role may
        perform ``which``: a form page asks before showing the form of an operation."""
        op = operation(which)
        if op.roles is not None and self.user.role not in op.roles:
            raise op.refuse(self.user.role)


@contextmanager
def acting(registry: Registry, token: str | None, *, read_only: bool) -> Iterator[Actor]:
    """One transaction as the user owning ``token`` (raises Unauthorized), for several operations:
    committed on success, rolled back on any error."""
    with registry.session(read_only=read_only) as session:
        yield Actor(session, auth.user_for_token(session, token), read_only)


@overload
def perform(registry: Registry, token: str | None, which: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...
@overload
def perform(registry: Registry, token: str | None, which: str, *args: Any, **kwargs: Any) -> Any: ...
def perform(registry: Registry, token: str | None, which: str | Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Perform the operation ``which`` (a name of :data:`TABLE` or its function) as the user owning
    ``token``, in a transaction of its own (read-only when the operation only reads). Anonymous
    operations take no token (pass None): their input is validated and the function called with
    the registry."""
    op = operation(which)
    if op.roles is None:
        return op.function(registry, *_checked(op, args), **kwargs)
    with acting(registry, token, read_only=op.reads) as actor:
        return actor(op.name, *args, **kwargs)
