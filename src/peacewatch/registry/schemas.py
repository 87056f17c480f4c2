"""Request bodies of the registry API (pydantic); constraints here are also the OpenAPI spec."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from peacewatch.registry import reference
from peacewatch.registry.compliance import PROVISIONS
from peacewatch.registry.reference import canonical_mission
from peacewatch.registry.workflow import CATEGORIES, OUTCOMES, STATES

# No NUL characters: PostgreSQL refuses them in text columns.
_NO_NUL = r"^[^\x00]*$"
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_NUL)]
Long = Annotated[str, StringConstraints(min_length=1, max_length=20_000, pattern=_NO_NUL)]
#: A state: its COW code (a name or ISO3 code is turned into it), checked against the COW state list.
CCode = Annotated[
    int,
    BeforeValidator(reference.country_code),
    Field(ge=1, le=999, description="COW code of a state (e.g. 770, Pakistan)"),
    AfterValidator(reference.known_state),
]
Year = Annotated[int, Field(ge=1990, le=2100)]
#: The year of a national report: 1990 up to the current year.
ReportYear = Annotated[
    int, Field(ge=1990, le=2100, description="1990 up to the current year"), AfterValidator(reference.report_year)
]
#: The year of a deployment: 1990 up to next year.
DeploymentYear = Annotated[
    int, Field(ge=1990, le=2100, description="1990 up to next year"), AfterValidator(reference.deployment_year)
]
PastDate = Annotated[dt.date, AfterValidator(reference.not_in_future)]
IncidentDate = Annotated[dt.date, AfterValidator(reference.incident_date)]
BirthDate = Annotated[dt.date, AfterValidator(reference.birth_date)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=_NO_NUL)]
Role = Literal["reporter", "investigator", "tcc_liaison", "coordinator", "analyst"]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Status = Literal[STATES]  # type: ignore[valid-type]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
ProvisionStatus = Literal["met", "partial", "not_met"]


#: A mission name, stored and compared in its canonical form (:func:`canonical_mission`), one of the
#: UN missions of the catalogued data.
MissionName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL),
    AfterValidator(canonical_mission),
    AfterValidator(reference.known_mission),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: Short
    password: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_NUL)]


class UserIn(Strict):
    username: Username
    password: Annotated[str, StringConstraints(min_length=12, max_length=200, pattern=_NO_NUL)]
    role: Role
    tcc_ccode: CCode | None = None


class PasswordResetIn(Strict):
    """A new password for a user, set by a coordinator."""

    password: Annotated[str, StringConstraints(min_length=12, max_length=200, pattern=_NO_NUL)]


class VictimIn(Strict):
    name: Short | None = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Annotated[str, StringConstraints(max_length=20, pattern=_NO_NUL)] | None = None
    contact: Short | None = None
    notes: Long | None = None


class CaseIn(Strict):
    mission: MissionName
    tcc_ccode: CCode
    category: Category
    summary: Long
    subject_name: Short | None = None
    incident_date: IncidentDate | None = None
    victim: VictimIn | None = None


Visibility = Literal["internal", "tcc", "reporter", "tcc_and_reporter"]


class TransitionIn(Strict):
    to_status: Status
    note: Long | None = None
    note_visibility: Visibility = Field(
        "internal",
        description="Who besides investigators and coordinators "
        "may read the note: internal, tcc, reporter or tcc_and_reporter",
    )
    officer_name: Short | None = None
    outcome: Outcome | None = None
    repatriated: bool | None = None


class ReferIn(Strict):
    """Refer a case to its TCC in one action: the investigation found the allegation substantiated."""

    note: Long | None = None
    note_visibility: Visibility = "internal"
    repatriated: bool | None = None


class NoteIn(Strict):
    text: Long
    visibility: Visibility = "internal"


class ExtendIn(Strict):
    """The one extension of an outcome deadline: ``days`` after the referral or the new date
    ``until`` (one of the two), and why."""

    days: Annotated[int, Field(ge=1, le=3650)] | None = None
    until: dt.date | None = None
    reason: Long | None = None

    @model_validator(mode="after")
    def _one_deadline(self) -> ExtendIn:
        if (self.days is None) == (self.until is None):
            raise ValueError("give the new outcome deadline: either days after the referral or a date")
        return self


class IntakeIn(Strict):
    message: Long
    mission: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)] | None = None
    category: Category | None = None


class ReceiptIn(Strict):
    receipt: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_NO_NUL)]


class ReceiptMessageIn(ReceiptIn):
    message: Long


class ReplyIn(Strict):
    message: Long
    status: Literal["new", "triaged", "linked_to_case", "closed"] | None = None
    case_id: Id | None = None


class RecordIn(Strict):
    full_name: Short
    date_of_birth: BirthDate | None = None
    nationality_ccode: CCode | None = None
    category: Literal["sexual_exploitation", "sexual_abuse", "trafficking_related", "other_misconduct"]
    source: Annotated[str, StringConstraints(max_length=200, pattern=_NO_NUL)] = ""
    case_id: Id | None = None


class ScreeningIn(Strict):
    label: Short = "roster"
    csv: Annotated[str, StringConstraints(min_length=1, max_length=5_000_000, pattern=_NO_NUL)] = Field(
        description="CSV text with header name,date_of_birth,nationality"
    )
    threshold: Annotated[float, Field(ge=0.5, le=1.0)] = 0.8


class DecisionIn(Strict):
    decision: Literal["confirmed_match", "not_a_match"]
    note: Annotated[str, StringConstraints(max_length=2000, pattern=_NO_NUL)] = ""


class ProvisionsIn(Strict):
    """Status of each provision of the 2004 NATO THB policy; leave out what is unknown."""

    ratification: ProvisionStatus | None = None
    training: ProvisionStatus | None = None
    legislation: ProvisionStatus | None = None
    reporting: ProvisionStatus | None = None
    whistleblower_policy: ProvisionStatus | None = None
    misconduct_database: ProvisionStatus | None = None


assert set(ProvisionsIn.model_fields) == set(PROVISIONS), "ProvisionsIn must list every provision"


class NationalReportIn(Strict):
    nation_ccode: CCode
    year: ReportYear
    provisions: ProvisionsIn
    notes: Annotated[str, StringConstraints(max_length=20_000, pattern=_NO_NUL)] = ""
    replace: bool = False


class ModuleIn(Strict):
    code: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)]
    title: Short
    audience: Literal["all", "commanders", "military_police"] = "all"


class PersonIn(Strict):
    service_number: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=_NO_NUL)]
    full_name: Short
    nation_ccode: CCode
    deployment_year: DeploymentYear
    audience: Literal["all", "commanders", "military_police"] = "all"


class CompletionIn(Strict):
    service_number: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=_NO_NUL)]
    module_code: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)]
    completed_on: PastDate
    score: Annotated[float, Field(ge=0, le=100)] | None = None
    nation_ccode: CCode | None = Field(
        None, description="Needed only when the service number exists in several nations"
    )


# --- query parameters (the API reads them as query models; CLI and web pass the same fields) ------
Mission = MissionName


class CaseQuery(Strict):
    status: Status | None = None
    tcc_ccode: CCode | None = None
    mission: Mission | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    offset: Annotated[int, Field(ge=0, le=10**9)] = 0


class YearQuery(Strict):
    year: Year | None = None


class PeriodIn(Strict):
    """A year to close for publication (see :mod:`peacewatch.registry.publication`)."""

    year: Year


class AuditQuery(Strict):
    """Filters of the audit screen: one case (its reads, changes, referral and victim details), an
    actor, an action on a kind of record, a date range (UTC days, both ends included), a page."""

    case_id: Id | None = None
    actor: Username | None = None
    action: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)] | None = None
    entity: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=10_000)] = 50


class OverdueQuery(Strict):
    as_of: dt.date | None = None


class IntakeQuery(Strict):
    status: Literal["new", "triaged", "linked_to_case", "closed"] | None = None


class ServiceNumber(Strict):
    service_number: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00/]+$")]
    nation_ccode: CCode | None = Field(
        None, description="Needed only when the service number exists in several nations"
    )


class RecordsImportIn(Strict):
    label: Short = "records"
    csv: Annotated[str, StringConstraints(min_length=1, max_length=5_000_000, pattern=_NO_NUL)] = Field(
        description="CSV text with header full_name,date_of_birth,nationality,category[,source]"
    )
