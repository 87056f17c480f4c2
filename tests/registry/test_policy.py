"""The registry's one policy table and its dispatcher (issue 19, item 3).

Who may do what is decided in ``registry/policy.py`` only: the source holds no other role check,
every operation is declared there exactly once, and the dispatcher's decisions equal the roles the
documentation gives (``docs/registry.md``, "Roles"), written out here independently of the table.
Web screens that only read go through the same dispatcher in read-only transactions.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import pkgutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from peacewatch.registry import operations, policy
from peacewatch.registry.errors import Forbidden, InvalidTransition, ValidationFailed
from peacewatch.registry.models import TrainingModule, User

from .conftest import TCC_A, TCC_B

SRC = Path(__file__).resolve().parents[2] / "src" / "peacewatch"
POLICY = SRC / "registry" / "policy.py"

R, I, L, C, A = "reporter", "investigator", "tcc_liaison", "coordinator", "analyst"  # noqa: E741
EVERY = {R, I, L, C, A}

#: From docs/registry.md, "Roles" (and the sections on each kind of record), not from policy.py:
#: reporters create cases and read their own; investigators handle all cases and victim details,
#: escalation, intake replies, vetting and aggregates; a TCC liaison its TCC's referred cases and
#: referrals, its nation's compliance report, personnel and training; coordinators everything
#: (users, extensions, training modules, closing periods, the audit trail); analysts aggregates only.
EXPECTED: dict[str, set[str]] = {
    "users.me": EVERY,
    "users.create_user": {C},
    "users.list_users": {C},
    "users.deactivate_user": {C},
    "users.reactivate_user": {C},
    "users.reset_password": {C},
    "users.revoke_sessions": {C},
    "cases.create_case": {R, I, C},
    "cases.list_cases": {R, I, L, C},
    "cases.get_case": {R, I, L, C},
    "cases.add_note": {I, L, C},
    "cases.victim_details": {I, C},
    "referrals.list_referrals": {I, L, C},
    "referrals.list_overdue": {I, L, C},
    # Every case screen asks; roles that follow no referral get an empty answer, not a refusal.
    "referrals.clocks_for_cases": EVERY,
    "referrals.preview_escalation": {I, C},
    "referrals.escalate": {I, C},
    "referrals.extend": {C},
    "intake.list_reports": {I, C},
    "intake.staff_view": {I, C},
    "intake.reply": {I, C},
    "intake.message_previews": {I, C},
    "vetting.add_record": {I, C},
    "vetting.import_records": {I, C},
    "vetting.screen": {I, C},
    "vetting.screening_hits": {I, C},
    "vetting.decide": {I, C},
    "vetting.list_screenings": {I, C},
    "vetting.screening_summary": {I, C},
    "vetting.submit_job": {I, C},
    "vetting.job_status": {I, C},
    "nations.submit_report": {L, C},
    "nations.list_reports": {L, C},
    # The compliance and training screens: whoever may see their reports/records or aggregates.
    "nations.overview": {L, C, I, A},
    "nations.training_overview": {L, C, I, A},
    "nations.add_module": {C},
    "nations.list_modules": {L, C},
    "nations.add_person": {L, C},
    "nations.person_record": {L, C},
    "nations.record_completion": {L, C},
    "aggregates.tcc": {A, I, C},
    "aggregates.compliance": {A, I, C},
    "aggregates.training": {A, I, C},
    "aggregates.tcc_live": {I, C},
    "aggregates.tcc_scorecard_live": {I, C},
    "aggregates.close_period": {C},
    "aggregates.verify_audit": {C},
    "audit_trail.entries": {C},
    "audit_trail.actors": {C},
    "audit_trail.checkpoint_status": {C},
}
#: Anonymous: no token, no role (login, logout and the anonymous intake channel).
ANONYMOUS = {
    "users.admit_login",
    "users.login",
    "users.logout",
    "intake.submit",
    "intake.seal_receipt",
    "intake.open_receipt",
    "intake.read_thread",
    "intake.add_information",
}
#: The case life cycle of docs/registry.md: investigators and coordinators move a case through the
#: investigation and refer it (and close it); the TCC liaison or a coordinator names the national
#: investigation officer and reports the outcome. Any other move is not a move at all (409).
MOVES = {
    ("reported", "under_investigation"): {I, C},
    ("under_investigation", "substantiated"): {I, C},
    ("under_investigation", "unsubstantiated"): {I, C},
    ("substantiated", "referred_to_tcc"): {I, C},
    ("unsubstantiated", "closed"): {I, C},
    ("referred_to_tcc", "national_investigation_appointed"): {L, C},
    ("referred_to_tcc", "outcome_reported"): {L, C},
    ("national_investigation_appointed", "outcome_reported"): {L, C},
    ("outcome_reported", "closed"): {I, C},
}
STATUSES = sorted({s for move in MOVES for s in move})
#: Decided by the case's status (MOVES): a move, and the referral path through several moves.
BY_CASE_STATUS = {"cases.transition_case", "cases.refer_to_tcc"}
#: "Substantiated: refer to the TCC" passes through each status on the way (docs/registry.md).
REFER_FROM = {
    "reported": ["under_investigation", "substantiated", "referred_to_tcc"],
    "under_investigation": ["substantiated", "referred_to_tcc"],
    "substantiated": ["referred_to_tcc"],
}


# ------------------------------------------------------------------------------------ (a) the source
def _role_checks(path: Path) -> list[str]:
    """``require_role`` anywhere, and every ``Forbidden(...)`` call, in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name == "require_role" or (isinstance(node, ast.FunctionDef) and node.name == "require_role"):
            found.append(f"{path.relative_to(SRC)}:{node.lineno} require_role")
        if isinstance(node, ast.Call):
            callee = node.func
            called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
            if called == "Forbidden":
                found.append(f"{path.relative_to(SRC)}:{node.lineno} Forbidden(...)")
    return found


def test_no_role_check_outside_the_policy():
    files = sorted((SRC / "registry").rglob("*.py")) + sorted((SRC / "web").rglob("*.py"))
    outside = [hit for f in files if f != POLICY for hit in _role_checks(f)]
    assert outside == []
    # Text too (a decorator or a string-built call would not be an ast Call).
    for f in files:
        if f != POLICY:
            text = f.read_text(encoding="utf-8")
            assert "require_role(" not in text and "raise Forbidden" not in text, f
    # The scanner finds what it looks for: the policy itself refuses.
    assert len(_role_checks(POLICY)) >= 3


# ------------------------------------------------------------------------------------ (b) the table
def _operation_functions() -> list:
    """Every public function of registry.operations that takes a session or the registry first."""
    out = []
    for info in pkgutil.iter_modules(operations.__path__):
        if info.name == "base":
            continue
        module = getattr(operations, info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            first = next(iter(inspect.signature(fn).parameters), None)
            if first in ("session", "registry"):
                out.append(fn)
    return out


def test_every_operation_is_declared_exactly_once():
    functions = _operation_functions()
    declared = Counter(op.function for op in policy.TABLE.values())
    assert len(functions) >= 50
    assert {f"{f.__module__}.{f.__name__}" for f in functions} == {f"{f.__module__}.{f.__name__}" for f in declared}
    assert set(declared.values()) == {1}
    # ... and every one of them has its expected roles written out above.
    assert set(policy.TABLE) == set(EXPECTED) | ANONYMOUS | BY_CASE_STATUS


def test_inputs_are_declared_with_the_api_schemas():
    assert policy.TABLE["cases.create_case"].schema.__name__ == "CaseIn"
    assert policy.TABLE["cases.transition_case"].schema.__name__ == "TransitionIn"
    assert policy.TABLE["cases.get_case"].schema is None
    reads = {name for name, op in policy.TABLE.items() if op.reads}
    assert {"cases.list_cases", "cases.get_case", "aggregates.tcc", "audit_trail.entries"} <= reads
    assert not reads & {"cases.create_case", "cases.transition_case", "users.create_user", "vetting.decide"}


# ------------------------------------------------------------------------------------ (c) decisions
def _user(role: str, tcc: int | None = None) -> User:
    return User(id=1, username=f"a {role}", role=role, tcc_ccode=tcc, active=True)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_dispatcher_decides_as_the_documentation_says(name, monkeypatch):
    ran: list[str] = []

    def stand_in(*_args, **_kwargs):
        ran.append(name)
        return "done"

    monkeypatch.setitem(policy.TABLE, name, dataclasses.replace(policy.TABLE[name], function=stand_in, rule=None))
    allowed = set()
    for role in sorted(EVERY):
        actor = policy.Actor(None, _user(role, TCC_A), read_only=False)
        try:
            actor(name)
        except Forbidden:
            continue
        except ValidationFailed:
            pass  # past the role check: the (missing) input was refused next
        allowed.add(role)
    assert allowed == EXPECTED[name]
    assert ran == [] or len(ran) == len(allowed)  # the function ran only for allowed roles


@pytest.mark.parametrize("name", sorted(ANONYMOUS))
def test_anonymous_operations_take_no_user(name):
    assert policy.TABLE[name].roles is None
    with pytest.raises(TypeError):
        policy.Actor(None, _user(C), read_only=False)(name)


@pytest.mark.parametrize("current", STATUSES)
def test_who_may_move_a_case_as_the_documentation_says(current, monkeypatch):
    monkeypatch.setattr(policy.cases, "visible_status", lambda _s, _u, _cid: current)
    rule = policy.TABLE["cases.transition_case"].rule
    for target in STATUSES:
        for role in sorted(EVERY - {A}):
            try:
                rule(None, _user(role, TCC_A), (1, SimpleNamespace(to_status=target)), {})
            except InvalidTransition:
                assert (current, target) not in MOVES
                continue
            except Forbidden as exc:
                assert role not in MOVES[(current, target)], (current, target, role)
                assert f"may not move a case to {target!r}" in str(exc)
                continue
            assert role in MOVES[(current, target)], (current, target, role)


@pytest.mark.parametrize("current", sorted(REFER_FROM))
def test_who_may_refer_a_case_in_one_action(current, monkeypatch):
    monkeypatch.setattr(policy.cases, "visible_status", lambda _s, _u, _cid: current)
    rule = policy.TABLE["cases.refer_to_tcc"].rule
    may = set()
    for role in sorted(EVERY - {A}):
        try:
            rule(None, _user(role, TCC_A), (1, SimpleNamespace()), {})
        except Forbidden:
            continue
        may.add(role)
    steps = [(current, REFER_FROM[current][0])] + list(zip(REFER_FROM[current], REFER_FROM[current][1:], strict=False))
    assert may == set.intersection(*(MOVES[s] for s in steps)) == {I, C}


def test_analysts_never_see_a_case():
    for name in ("cases.list_cases", "cases.get_case", "cases.transition_case", "cases.refer_to_tcc"):
        with pytest.raises(Forbidden, match="analysts see aggregates only, never individual cases"):
            policy.Actor(None, _user(A), read_only=False)(name, 1)


def test_a_liaison_acts_for_its_own_nation_only():
    for name, what in [
        ("nations.submit_report", "report for nation"),
        ("nations.add_person", "manage personnel of nation"),
        ("nations.person_record", "manage personnel of nation"),
        ("nations.record_completion", "manage personnel of nation"),
    ]:
        rule = policy.TABLE[name].rule
        other = (SimpleNamespace(nation_ccode=TCC_B),)
        with pytest.raises(Forbidden, match=f"a TCC liaison of {TCC_A} cannot {what} {TCC_B}"):
            rule(None, _user(L, TCC_A), other, {})
        rule(None, _user(L, TCC_A), (SimpleNamespace(nation_ccode=TCC_A),), {})
        rule(None, _user(L, TCC_A), (SimpleNamespace(nation_ccode=None),), {})  # looked up in its own
        rule(None, _user(C), other, {})


def test_exact_training_counts_are_for_coordinators():
    rule = policy.TABLE["aggregates.training"].rule
    for role in (A, I):
        rule(None, _user(role), (None,), {})
        with pytest.raises(Forbidden):
            rule(None, _user(role), (None,), {"unsuppressed": True})
    rule(None, _user(C), (None,), {"unsuppressed": True})


def test_a_read_only_transaction_refuses_an_operation_that_writes():
    with pytest.raises(RuntimeError, match="writes"):
        policy.Actor(None, _user(C), read_only=True)("cases.create_case", {})


# ------------------------------------------------------------------------------------ (d) the screens
GET_SCREENS = [
    "/registry/cases",
    "/registry/cases/{case}",
    "/registry/cases/new",
    "/registry/referrals/escalation",
    "/registry/intake",
    "/registry/vetting",
    "/registry/vetting/screenings",
    "/registry/compliance",
    "/registry/training",
    "/registry/users",
    "/registry/audit",
]


def test_web_screens_that_read_use_read_only_transactions(web, people, monkeypatch):
    created = web.post(
        "/api/registry/cases",
        json={"mission": "MINUSCA", "tcc_ccode": TCC_A, "category": "sexual_abuse", "summary": "x"},
        headers=people.headers("coord"),
    )
    case_id = created.json()["id"]
    seen: list[bool] = []
    real = policy.acting

    def watched(registry, token, *, read_only):
        seen.append(read_only)
        return real(registry, token, read_only=read_only)

    monkeypatch.setattr(policy, "acting", watched)
    for path in GET_SCREENS:
        r = web.get(path.format(case=case_id), headers=people.headers("coord"))
        assert r.status_code == 200, (path, r.status_code)
    assert len(seen) >= len(GET_SCREENS) and all(seen)


def test_a_flush_in_a_read_screen_raises(web, people, monkeypatch):
    tried: list[str] = []

    def writes(session, user, q):
        session.add(TrainingModule(code="SNEAK", title="written by a read", audience="all"))
        try:
            session.flush()
        except RuntimeError as exc:
            tried.append(str(exc))
            session.expunge_all()
        return []

    name = "cases.list_cases"
    monkeypatch.setitem(policy.TABLE, name, dataclasses.replace(policy.TABLE[name], function=writes))
    assert web.get("/registry/cases", headers=people.headers("coord")).status_code == 200
    assert len(tried) == 1 and "read-only" in tried[0]
    # Nothing was written.
    assert "SNEAK" not in web.get("/api/registry/training/modules", headers=people.headers("coord")).text


def test_refusals_keep_their_words():
    """The messages the domain modules used to give, now given by the dispatcher."""
    refusals = {
        ("referrals.escalate", L): "role 'tcc_liaison' may not do this; allowed: coordinator, investigator",
        ("vetting.screen", A): "role 'analyst' may not do this; allowed: investigator, coordinator",
        ("nations.person_record", I): "role 'investigator' may not do this; allowed: coordinator, tcc_liaison",
        ("nations.overview", R): "role 'reporter' has no compliance screen",
        ("nations.training_overview", R): "role 'reporter' has no training screen",
        ("aggregates.tcc", R): "role 'reporter' may not do this; allowed: analyst, coordinator, investigator",
    }
    for (name, role), words in refusals.items():
        with pytest.raises(Forbidden) as refused:
            policy.Actor(None, _user(role, TCC_A), read_only=False)(name)
        assert str(refused.value) == words
