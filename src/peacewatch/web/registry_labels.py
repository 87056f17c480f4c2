"""Words the registry screens show for the registry's stored values: roles, categories, outcomes,
timeline details, aggregate headers and cells. Registered as Jinja filters by
:func:`install`, so no raw key (``tcc_ccode``, ``mission_head``, ``True``) reaches a reader.
"""

from __future__ import annotations

from typing import Any, cast

from peacewatch.registry.compliance import PROVISIONS

ROLE_NAMES = {
    "reporter": "reporter",
    "investigator": "investigator",
    "tcc_liaison": "TCC liaison",
    "coordinator": "coordinator",
    "analyst": "analyst",
    "mission_head": "mission head",
}
CATEGORY_LABELS = {
    "sexual_exploitation": "sexual exploitation",
    "sexual_abuse": "sexual abuse",
    "trafficking_related": "trafficking-related",
    "other_misconduct": "other misconduct",
}
OUTCOME_LABELS = {
    "prosecuted": "prosecuted",
    "convicted": "convicted",
    "acquitted": "acquitted",
    "disciplinary_action": "disciplinary action",
    "administrative_action": "administrative action",
    "no_action": "no action",
    "allegation_not_substantiated_by_tcc": "not substantiated by the TCC",
}
#: Case statuses as a reader says them.
STATUS_LABELS = {
    "reported": "reported",
    "under_investigation": "under investigation",
    "substantiated": "substantiated",
    "unsubstantiated": "not substantiated",
    "referred_to_tcc": "referred to the TCC",
    "national_investigation_appointed": "national investigator named",
    "outcome_reported": "outcome reported",
    "closed": "closed",
}
#: The button (and form heading) that moves a case to each status.
MOVE_LABELS = {
    "under_investigation": "Start the investigation",
    "substantiated": "Mark as substantiated",
    "unsubstantiated": "Mark as not substantiated",
    "referred_to_tcc": "Refer to the TCC",
    "national_investigation_appointed": "Name the national investigator",
    "outcome_reported": "Report the outcome",
    "closed": "Close the case",
}
#: What each move does, said before it is confirmed ({officer}, {outcome}: the referral deadlines).
MOVE_EXPLAIN = {
    "under_investigation": "The allegation is taken up for investigation.",
    "substantiated": "The investigation found the allegation substantiated. The next step is the referral to the TCC.",
    "unsubstantiated": "The investigation did not substantiate the allegation. The case can then be closed.",
    "referred_to_tcc": "The troop-contributing country is asked to name a national investigation officer within "
    "{officer} working days and to report the outcome within {outcome} days. Both deadlines "
    "start today; overdue referrals are escalated.",
    "national_investigation_appointed": "Records the national investigation officer the TCC named; the officer "
    "deadline is met.",
    "outcome_reported": "Records the outcome the TCC reported; the outcome deadline is met.",
    "closed": "Closes the case. Nothing more can be changed afterwards.",
}
#: Other stored values shown on the registry screens (anonymous report statuses, decisions).
OTHER_WORDS = {
    "linked_to_case": "linked to a case",
    "not_met": "not met",
    "confirmed_match": "confirmed match",
    "not_a_match": "not a match",
}
EVENT_KINDS = {
    "created": "Recorded",
    "transition": "Status change",
    "note": "Note",
    "escalation": "Escalated",
    "extension": "Deadline extended",
}
#: Timeline detail keys -> words (keys not listed are shown with underscores as spaces).
DETAIL_KEYS = {
    "mission": "mission",
    "tcc_ccode": "TCC",
    "category": "category",
    "repatriated": "repatriated",
    "officer_due": "officer due",
    "outcome_due": "outcome due",
    "officer_name": "national officer",
    "outcome": "outcome",
    "text": "note",
    "level": "level",
    "target": "sent to",
    "reason": "why",
    "case_ids": "cases",
    "sessions_ended": "sessions ended",
    "role": "role",
    "ok": "intact",
    "entries": "entries",
    "date_from": "from",
    "date_to": "to",
    "case_id": "case",
}
#: Audit log entries as a person says them: (action, kind of record) -> words.
AUDIT_ACTIONS = {
    ("read", "victim_details"): "victim details viewed",
    ("read", "case"): "case opened",
    ("read", "case_list"): "case list viewed",
    ("create", "case"): "allegation recorded",
    ("transition", "case"): "case status changed",
    ("note", "case"): "note added to a case",
    ("read", "referral_clocks"): "referral deadlines viewed",
    ("read", "referral_list"): "referrals listed",
    ("list", "overdue_referrals"): "overdue referrals listed",
    ("preview", "escalation"): "escalation previewed",
    ("escalate", "referral"): "referral escalated",
    ("extend", "referral"): "referral deadline extended",
    ("create", "intake_report"): "anonymous report received",
    ("add", "intake_message"): "reporter added information",
    ("read", "intake_list"): "anonymous reports listed",
    ("read", "intake_previews"): "anonymous report previews viewed",
    ("read", "intake_report"): "anonymous report opened",
    ("reply", "intake_report"): "reply sent to a reporter",
    ("import", "misconduct_record"): "misconduct records imported",
    ("create", "misconduct_record"): "misconduct record added",
    ("screen", "screening"): "roster screened",
    ("submit", "screening_job"): "background screening started",
    ("read", "screening"): "screening hits viewed",
    ("read", "screening_list"): "screenings listed",
    ("read", "screening_summary"): "screening summary viewed",
    ("decide", "screening_hit"): "decision on a vetting hit",
    ("read", "person"): "personnel record viewed",
    ("create", "person"): "person registered for training",
    ("create", "training_module"): "training module defined",
    ("create", "training_completion"): "training completion recorded",
    ("create", "national_report"): "national report submitted",
    ("replace", "national_report"): "national report replaced",
    ("read", "aggregate"): "published figures viewed",
    ("login", "user"): "logged in",
    ("logout", "user"): "logged out",
    ("create", "user"): "account created",
    ("deactivate", "user"): "account deactivated",
    ("reactivate", "user"): "account reactivated",
    ("reset_password", "user"): "password set by a coordinator",
    ("revoke_sessions", "user"): "all sessions ended",
    ("read", "audit_log"): "audit trail viewed",
    ("verify", "audit_log"): "audit log checked",
    ("seal_chain", "audit_log"): "audit log sealed",
}
#: Kinds of record named in the audit trail.
ENTITY_NAMES = {
    "case": "case",
    "victim_details": "case",
    "referral": "referral",
    "intake_report": "anonymous report",
    "intake_message": "anonymous report",
    "misconduct_record": "misconduct record",
    "screening": "screening",
    "screening_hit": "vetting hit",
    "screening_job": "background screening",
    "person": "person",
    "training_module": "training module",
    "training_completion": "training completion",
    "national_report": "national report",
    "user": "account",
    "aggregate": "published figures",
    "audit_log": "audit log",
    "escalation": "escalation",
    "overdue_referrals": "overdue referrals",
}
#: Aggregate table columns -> headers.
AGGREGATE_HEADERS = {
    "nation_ccode": "Nation",
    "tcc_ccode": "TCC",
    "year": "Year",
    "allegations": "Allegations",
    "referrals": "Referrals",
    "referrals_answered": "Answered",
    "referrals_overdue": "Overdue",
    "prosecutions": "Prosecutions",
    "median_days_to_answer": "Median days to answer",
    "personnel": "Personnel registered",
    "trained": "Fully trained",
    "completion_rate": "Completion rate",
    "provisions_reported": "Provisions reported",
    "compliance_score": "Compliance score (0-1)",
    # The 2004 policy's provisions, short enough for a column header (the form shows the full text).
    "ratification": "Palermo Protocol ratified",
    "training": "Pre-deployment training",
    "legislation": "Legislation",
    "reporting": "Reporting to NATO",
    "whistleblower_policy": "Whistleblower policy",
    "misconduct_database": "Misconduct database",
}
assert set(PROVISIONS) <= set(AGGREGATE_HEADERS), "every provision needs a column header"
#: Columns that count people or cases: shown as whole numbers.
COUNT_COLUMNS = {
    "allegations",
    "referrals",
    "referrals_answered",
    "referrals_overdue",
    "prosecutions",
    "personnel",
    "trained",
    "provisions_reported",
}


def words(value: Any) -> str:
    """A stored code as words (role, category, outcome), else underscores as spaces."""
    if value is None:
        return "—"
    s = str(value)
    for table in (ROLE_NAMES, CATEGORY_LABELS, OUTCOME_LABELS, OTHER_WORDS):
        if s in table:
            return table[s]
    return s.replace("_", " ")


#: Who may read a case note besides investigators and coordinators.
VISIBILITY_LABELS = {
    "internal": "internal",
    "tcc": "shared with the TCC",
    "reporter": "shared with the reporter",
    "tcc_and_reporter": "shared with the TCC and the reporter",
}


def event_kind(value: Any) -> str:
    """A timeline event's kind in words ("Status change")."""
    return EVENT_KINDS.get(str(value), words(value))


def visibility_words(value: Any) -> str:
    """Who a note is shared with, in words."""
    return VISIBILITY_LABELS.get(str(value), words(value))


def status_words(value: Any) -> str:
    """A case status as words ("referred to the TCC"), never its stored key."""
    return STATUS_LABELS.get(str(value), words(value)) if value is not None else "—"


def move_words(value: Any) -> str:
    """The action that moves a case to status ``value`` ("Refer to the TCC")."""
    return MOVE_LABELS.get(str(value), f"Move to {status_words(value)}")


def audit_action(action: str, entity: str) -> str:
    """An audit entry's action in words ("victim details viewed")."""
    return AUDIT_ACTIONS.get((action, entity), f"{words(action)} ({ENTITY_NAMES.get(entity, words(entity))})")


def audit_record(entry: dict) -> str:
    """What an audit entry concerns, in words ("case #12", "account ines"; "" for lists)."""
    entity = cast(str, entry.get("entity"))  # the audit log's entity column is never empty
    ident = str(entry.get("entity_id") or "")
    if not ident or ident == "*":
        return ""
    if entity == "user":
        return f"account {entry.get('username') or '#' + ident}"
    return (
        f"{ENTITY_NAMES.get(entity, words(entity))} #{ident}"
        if ident.isdigit()
        else f"{ENTITY_NAMES.get(entity, words(entity))} {ident}"
    )


def yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def event_details(detail: dict | None, names: dict | None = None) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of a timeline event's detail, readable (country names, Yes/No ...)."""
    out = []
    for key, value in (detail or {}).items():
        if value is None:
            shown = "—"
        elif key == "tcc_ccode":
            shown = (names or {}).get(value, str(value))
        elif isinstance(value, bool):
            shown = yes_no(value)
        elif key == "level" and isinstance(value, int):
            shown = {1: "1 (mission head)", 2: "2 (coordinator)"}.get(value, str(value))
        elif key in ("from", "to", "from_status", "to_status", "status"):
            shown = status_words(value)
        elif key in ("category", "outcome", "target", "role", "visibility"):
            shown = words(value)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:20]) + (f" and {len(value) - 20} more" if len(value) > 20 else "")
        else:
            shown = str(value)
        out.append((DETAIL_KEYS.get(key, key.replace("_", " ")), shown))
    return out


def header(column: str) -> str:
    return AGGREGATE_HEADERS.get(column, column.replace("_", " ").capitalize())


def cell(column: str, value: Any, suppressed: bool = False, names: dict | None = None) -> str:
    """One aggregate cell: names for codes, whole counts, "suppressed" or "n/a" for a blank."""
    if column in ("nation_ccode", "tcc_ccode"):
        return (names or {}).get(value, str(value))
    if value is None or (isinstance(value, float) and value != value):
        return "suppressed" if suppressed else "n/a"
    if column == "year":
        return str(int(value))
    if column in COUNT_COLUMNS:
        return f"{int(round(float(value))):,}"
    if column in PROVISIONS:  # scored 1 (met), 0.5 (partial), 0 (not met)
        return f"{float(value):g}"
    if column == "completion_rate":
        return f"{float(value):.0%}"
    if isinstance(value, float):
        return f"{value:,.1f}" if column == "median_days_to_answer" else f"{value:.2f}"
    return str(value)


def install(env) -> None:
    """Register the filters on a Jinja environment."""
    env.filters["words"] = words
    env.filters["yes_no"] = yes_no
    env.filters["status"] = status_words
    env.filters["event_kind"] = event_kind
    env.filters["shared_with"] = visibility_words
    env.filters["move"] = move_words
    env.filters["agg_header"] = header
    env.globals["event_details"] = event_details
    env.globals["audit_action"] = audit_action
    env.globals["audit_record"] = audit_record
    env.globals["agg_cell"] = cell
