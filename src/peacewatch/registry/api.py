"""FastAPI JSON API of the registry.

``build_router()`` returns every route (mount it under ``/api/registry``); ``create_app()`` is the
standalone app. Authentication: ``Authorization: Bearer <token>`` or the ``pw_token`` cookie.
Every route checks the caller's role in the service layer; analysts only reach ``/aggregates``.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import asynccontextmanager
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from peacewatch.registry import (
    audit, auth, cases, compliance, intake, referrals, stats, training, vetting,
)
from peacewatch.registry.errors import RegistryError
from peacewatch.registry.schemas import (
    CaseIn, CompletionIn, DecisionIn, ExtendIn, Id, IntakeIn, LoginIn, ModuleIn, NationalReportIn, NoteIn, PersonIn,
    ReceiptIn, ReceiptMessageIn, RecordIn, ReplyIn, ScreeningIn, Status, TransitionIn, UserIn,
)
from peacewatch.registry.service import Registry

COOKIE = "pw_token"
_bearer = HTTPBearer(auto_error=False, description="API token from /login or `peacewatch registry users create`")
_cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="Same token, set by /login for the web UI")

PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]
YearQ = Annotated[int | None, Query(ge=1990, le=2100)]
CCodeQ = Annotated[int | None, Query(ge=1, le=999)]
TextQ = Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")]


def _token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie


Token = Annotated[str | None, Depends(_token)]


def _records(df: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-safe dicts (NaN becomes null)."""
    return json.loads(df.to_json(orient="records"))


class _Errors:
    """Context manager turning service-layer errors into HTTP errors."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, RegistryError):
            headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
            raise HTTPException(exc.status_code, str(exc), headers=headers) from exc
        return False


def build_router(registry: Registry | None = None, database_url: str | None = None,
                 intake_limiter: intake.RateLimiter | None = None) -> APIRouter:
    """All JSON routes of the registry.

    Parameters
    ----------
    registry
        Service object to use; default: a new :class:`Registry` for ``database_url``.
    database_url
        Database URL when ``registry`` is not given (default env ``PEACEWATCH_DB_URL``).
    intake_limiter
        Rate limiter of the anonymous intake routes (default 5 per client and 120 overall per minute).

    Returns
    -------
    fastapi.APIRouter
        Mount it with ``app.include_router(router, prefix="/api/registry")``.
    """
    reg = registry or Registry(database_url)
    limiter = intake_limiter or intake.RateLimiter()
    lookup_limiter = intake.RateLimiter(per_client=30, overall=600)
    login_limiter = intake.RateLimiter(per_client=20, overall=600)
    router = APIRouter()
    router.registry = reg  # type: ignore[attr-defined]  # for the web app and tests

    def client(request: Request) -> str | None:
        # Used only as an in-memory rate-limit key (hashed with a rotating salt), never stored.
        return request.client.host if request.client else None

    # --- authentication ---------------------------------------------------------------------
    @router.post("/login", tags=["auth"])
    def login(body: LoginIn, request: Request, response: Response) -> dict:
        """Check username and password; return a new token and set it as the ``pw_token`` cookie."""
        with _Errors():
            login_limiter.hit(client(request))
            # The password check (scrypt, ~50 ms of CPU) runs in a read-only session: a wrong
            # password never holds the database write lock; only a right one opens a short write.
            with reg.session(read_only=True) as s:
                user_id = auth.authenticate(s, body.username, body.password)
            with reg.session() as s:
                new = auth.issue_token(s, user_id)
                out = {"token": new.token, "username": new.user.username, "role": new.user.role,
                       "tcc_ccode": new.user.tcc_ccode}
        response.set_cookie(COOKIE, out["token"], httponly=True, samesite="strict")
        return out

    @router.post("/logout", tags=["auth"])
    def logout(response: Response, token: Token) -> dict:
        """End the session on the server and clear the ``pw_token`` cookie."""
        with reg.session() as s:
            auth.logout(s, token)
        response.delete_cookie(COOKIE)
        return {"ok": True}

    @router.get("/me", tags=["auth"])
    def me(token: Token) -> dict:
        """The calling user."""
        with _Errors(), reg.as_user(token, read_only=True) as (s, u):
            return {"username": u.username, "role": u.role, "tcc_ccode": u.tcc_ccode}

    @router.post("/users", tags=["auth"], status_code=201)
    def create_user(body: UserIn, token: Token) -> dict:
        """Create a user (coordinators); the token is shown once."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, auth.COORDINATOR)
            new = auth.create_user(s, body.username, body.password, body.role, body.tcc_ccode, actor=u.username)
            return {"id": new.user.id, "username": new.user.username, "role": new.user.role,
                    "tcc_ccode": new.user.tcc_ccode, "token": new.token}

    @router.get("/users", tags=["auth"])
    def list_users(token: Token) -> list[dict]:
        """All users (coordinators)."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, auth.COORDINATOR)
            return [{"id": x.id, "username": x.username, "role": x.role, "tcc_ccode": x.tcc_ccode, "active": x.active}
                    for x in auth.list_users(s)]

    # --- cases ------------------------------------------------------------------------------
    @router.post("/cases", tags=["cases"], status_code=201)
    def create_case(body: CaseIn, token: Token) -> dict:
        """Record an allegation (reporters, investigators, coordinators)."""
        with _Errors(), reg.as_user(token) as (s, u):
            victim = body.victim.model_dump(exclude_none=True) if body.victim else None
            c = cases.create_case(s, u, mission=body.mission, tcc_ccode=body.tcc_ccode, category=body.category,
                                  summary=body.summary, subject_name=body.subject_name,
                                  incident_date=body.incident_date, victim=victim)
            return cases.case_dict(c, u, s)

    @router.get("/cases", tags=["cases"])
    def list_cases(token: Token, status: Status | None = None, tcc_ccode: CCodeQ = None, mission: TextQ = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                   offset: Annotated[int, Query(ge=0, le=10**9)] = 0) -> list[dict]:
        """Cases visible to the caller, newest first."""
        with _Errors(), reg.as_user(token, read_only=True) as (s, u):
            return [cases.case_dict(c, u) for c in cases.list_cases(
                s, u, status=status, tcc_ccode=tcc_ccode, mission=mission, limit=limit, offset=offset)]

    @router.get("/cases/{case_id}", tags=["cases"])
    def get_case(case_id: PathId, token: Token) -> dict:
        """One case with its events."""
        with _Errors(), reg.as_user(token, read_only=True) as (s, u):
            return cases.case_dict(cases.get_case(s, u, case_id), u, s)

    @router.post("/cases/{case_id}/transitions", tags=["cases"])
    def transition(case_id: PathId, body: TransitionIn, token: Token) -> dict:
        """Move a case to a new status (409 with the allowed moves if invalid)."""
        with _Errors(), reg.as_user(token) as (s, u):
            c = cases.transition_case(s, u, case_id, body.to_status, note=body.note, officer_name=body.officer_name,
                                      outcome=body.outcome, repatriated=body.repatriated,
                                      note_visibility=body.note_visibility)
            return cases.case_dict(c, u, s)

    @router.post("/cases/{case_id}/notes", tags=["cases"], status_code=201)
    def add_note(case_id: PathId, body: NoteIn, token: Token) -> dict:
        """Add a note to a case; ``visibility`` says who besides investigators may read it."""
        with _Errors(), reg.as_user(token) as (s, u):
            cases.add_note(s, u, case_id, body.text, body.visibility)
            s.expire_all()
            return cases.case_dict(cases.get_case(s, u, case_id), u, s)

    @router.get("/cases/{case_id}/victim", tags=["cases"])
    def victim(case_id: PathId, token: Token) -> dict:
        """Decrypted victim details (investigators, coordinators)."""
        with _Errors(), reg.as_user(token, read_only=True) as (s, u):
            return {"case_id": case_id, "victim": cases.victim_details(s, u, case_id)}

    # --- referrals --------------------------------------------------------------------------
    @router.get("/referrals", tags=["referrals"])
    def list_referrals(token: Token) -> list[dict]:
        """Referrals visible to the caller (a TCC liaison: its own TCC's)."""
        with _Errors(), reg.as_user(token) as (s, u):
            rows = [referrals.referral_dict(r) for r in s.execute(referrals.visible_referrals(s, u)).scalars()]
            audit.record(s, u.username, "read", "referral_list", "*", {"count": len(rows)})
            return rows

    @router.get("/referrals/overdue", tags=["referrals"])
    def overdue(token: Token, as_of: dt.date | None = None) -> list[dict]:
        """Overdue deadlines as of a date (default today)."""
        with _Errors(), reg.as_user(token) as (s, u):
            return [i.as_dict() for i in referrals.list_overdue(s, u, as_of)]

    @router.post("/referrals/escalate", tags=["referrals"])
    def escalate(token: Token) -> list[dict]:
        """Escalate overdue referrals (to the mission head, then the coordinator)."""
        with _Errors(), reg.as_user(token) as (s, u):
            return [{"referral_id": e.referral_id, "level": e.level, "target": e.target, "reason": e.reason}
                    for e in referrals.escalate_overdue(s, u)]

    @router.post("/referrals/{referral_id}/extend", tags=["referrals"])
    def extend(referral_id: PathId, body: ExtendIn, token: Token) -> dict:
        """Extend the outcome deadline once (coordinators)."""
        with _Errors(), reg.as_user(token) as (s, u):
            return referrals.referral_dict(referrals.extend_outcome_deadline(s, u, referral_id, body.days))

    # --- anonymous intake -------------------------------------------------------------------
    @router.post("/intake", tags=["intake"], status_code=201)
    def intake_submit(body: IntakeIn, request: Request) -> dict:
        """Anonymous report: no login, no IP or user agent stored; keep the receipt."""
        with _Errors():
            limiter.hit(client(request))
            with reg.session() as s:
                receipt = intake.submit_report(s, body.message, body.mission, body.category)
        return {"receipt": receipt,
                "note": "Keep this receipt: it is the only way to read replies and add information."}

    @router.post("/intake/thread", tags=["intake"])
    def intake_thread(body: ReceiptIn, request: Request) -> dict:
        """Read replies to a report with its receipt."""
        with _Errors():
            lookup_limiter.hit(client(request))
            with reg.session() as s:
                return intake.read_thread(s, body.receipt)

    @router.post("/intake/thread/messages", tags=["intake"])
    def intake_add(body: ReceiptMessageIn, request: Request) -> dict:
        """Add information to a report with its receipt."""
        with _Errors():
            limiter.hit(client(request))
            with reg.session() as s:
                return intake.add_information(s, body.receipt, body.message)

    @router.get("/intake/reports", tags=["intake"])
    def intake_reports(token: Token, status: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]*$")] = None) -> list[dict]:
        """Reports for staff (investigators, coordinators)."""
        with _Errors(), reg.as_user(token) as (s, u):
            return intake.list_reports(s, u, status)

    @router.get("/intake/reports/{report_id}", tags=["intake"])
    def intake_report(report_id: PathId, token: Token) -> dict:
        with _Errors(), reg.as_user(token) as (s, u):
            return intake.staff_view(s, u, report_id)

    @router.post("/intake/reports/{report_id}/replies", tags=["intake"])
    def intake_reply(report_id: PathId, body: ReplyIn, token: Token) -> dict:
        """Reply to a reporter; optionally set the status or link a case."""
        with _Errors(), reg.as_user(token) as (s, u):
            return intake.reply(s, u, report_id, body.message, body.status, body.case_id)

    # --- vetting ----------------------------------------------------------------------------
    @router.post("/vetting/records", tags=["vetting"], status_code=201)
    def add_record(body: RecordIn, token: Token) -> dict:
        """Add a misconduct record (investigators, coordinators)."""
        with _Errors(), reg.as_user(token) as (s, u):
            r = vetting.add_record(s, u, full_name=body.full_name, date_of_birth=body.date_of_birth,
                                   nationality_ccode=body.nationality_ccode, category=body.category,
                                   source=body.source, case_id=body.case_id)
            return {"id": r.id, "full_name": r.full_name}

    @router.post("/vetting/screenings", tags=["vetting"], status_code=201)
    def screen(body: ScreeningIn, token: Token) -> dict:
        """Screen a roster CSV against the misconduct records; returns the hits to decide on."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, auth.INVESTIGATOR, auth.COORDINATOR)
            rows = vetting.parse_roster(body.csv, body.label)
            sc = vetting.screen_roster(s, u, rows, body.label, body.threshold)
            return {"screening_id": sc.id, "roster_rows": sc.roster_rows,
                    "hits": vetting.screening_hits(s, u, sc.id)}

    @router.get("/vetting/screenings/{screening_id}/hits", tags=["vetting"])
    def hits(screening_id: PathId, token: Token) -> list[dict]:
        with _Errors(), reg.as_user(token) as (s, u):
            return vetting.screening_hits(s, u, screening_id)

    @router.post("/vetting/hits/{hit_id}/decision", tags=["vetting"])
    def decide(hit_id: PathId, body: DecisionIn, token: Token) -> dict:
        """Record the human decision on a hit (final)."""
        with _Errors(), reg.as_user(token) as (s, u):
            h = vetting.decide(s, u, hit_id, body.decision, body.note)
            return {"hit_id": h.id, "decision": h.decision, "decided_at": h.decided_at.isoformat()}

    # --- compliance and training ------------------------------------------------------------
    @router.post("/compliance/reports", tags=["compliance"], status_code=201)
    def national_report(body: NationalReportIn, token: Token) -> dict:
        """A nation's annual report against the 2004 NATO THB policy provisions."""
        with _Errors(), reg.as_user(token) as (s, u):
            r = compliance.submit_report(s, u, body.nation_ccode, body.year, body.provisions.model_dump(),
                                         body.notes, body.replace)
            return compliance.report_dict(r)

    @router.get("/compliance/reports", tags=["compliance"])
    def national_reports(token: Token, year: YearQ = None) -> list[dict]:
        with _Errors(), reg.as_user(token) as (s, u):
            return [compliance.report_dict(r) for r in compliance.list_reports(s, u, year)]

    @router.post("/training/modules", tags=["training"], status_code=201)
    def add_module(body: ModuleIn, token: Token) -> dict:
        with _Errors(), reg.as_user(token) as (s, u):
            m = training.add_module(s, u, body.code, body.title, body.audience)
            return {"id": m.id, "code": m.code, "title": m.title, "audience": m.audience}

    @router.get("/training/modules", tags=["training"])
    def modules(token: Token) -> list[dict]:
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, auth.COORDINATOR, auth.TCC_LIAISON)
            return [{"code": m.code, "title": m.title, "audience": m.audience} for m in training.list_modules(s)]

    @router.post("/training/personnel", tags=["training"], status_code=201)
    def add_person(body: PersonIn, token: Token) -> dict:
        with _Errors(), reg.as_user(token) as (s, u):
            p = training.add_person(s, u, body.service_number, body.full_name, body.nation_ccode,
                                    body.deployment_year, body.audience)
            return {"id": p.id, "service_number": p.service_number}

    @router.get("/training/personnel/{service_number}", tags=["training"])
    def person(service_number: Annotated[str, Path(max_length=60, pattern=r"^[^\x00/]+$")], token: Token,
               nation_ccode: CCodeQ = None) -> dict:
        """A person's training record (``nation_ccode`` when the number exists in several nations)."""
        with _Errors(), reg.as_user(token) as (s, u):
            return training.person_record(s, u, service_number, nation_ccode)

    @router.post("/training/completions", tags=["training"], status_code=201)
    def completion(body: CompletionIn, token: Token) -> dict:
        with _Errors(), reg.as_user(token) as (s, u):
            c = training.record_completion(s, u, body.service_number, body.module_code, body.completed_on, body.score,
                                         body.nation_ccode)
            return {"id": c.id, "completed_on": c.completed_on.isoformat()}

    # --- published aggregates (small cells suppressed) --------------------------------------
    aggregate_roles = (auth.ANALYST, auth.COORDINATOR, auth.INVESTIGATOR)

    @router.get("/aggregates/tcc", tags=["aggregates"])
    def agg_tcc(token: Token, year: YearQ = None) -> list[dict]:
        """TCC accountability per ended year; small cells and their complements are suppressed (null)."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, *aggregate_roles)
            audit.record(s, u.username, "read", "aggregate", "tcc")
            return _records(stats.published_tcc_accountability(s, year))

    @router.get("/aggregates/compliance", tags=["aggregates"])
    def agg_compliance(token: Token, year: YearQ = None) -> list[dict]:
        """Compliance with the 2004 NATO THB policy per nation and ended year (nation-level facts)."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, *aggregate_roles)
            audit.record(s, u.username, "read", "aggregate", "compliance")
            return _records(stats.published_compliance_by_nation(s, year))

    @router.get("/aggregates/training", tags=["aggregates"])
    def agg_training(token: Token, year: YearQ = None) -> list[dict]:
        """Training completion per nation and ended deployment year; small cells and complements suppressed."""
        with _Errors(), reg.as_user(token) as (s, u):
            auth.require_role(u, *aggregate_roles)
            audit.record(s, u.username, "read", "aggregate", "training")
            return _records(stats.published_training_completion(s, year))

    # --- audit ------------------------------------------------------------------------------
    @router.get("/audit/verify", tags=["audit"])
    def verify(token: Token) -> dict:
        """Recompute the audit tree and check it against its stored signed checkpoints (coordinators)."""
        with _Errors(), reg.as_user(token, read_only=True) as (s, u):
            auth.require_role(u, auth.COORDINATOR)
            r = audit.verify(s)
            return {"ok": r.ok, "entries": r.entries, "first_bad_seq": r.first_bad_seq, "problem": r.problem}

    return router


def create_app(database_url: str | None = None, registry: Registry | None = None) -> FastAPI:
    """Standalone FastAPI app with the registry router at ``/api/registry``.

    The schema is migrated at start-up if it is missing or behind.
    """
    reg = registry or Registry(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        reg.engine  # noqa: B018 - runs migrations once at start-up
        yield
        reg.dispose()

    app = FastAPI(title="peacewatch registry", version="1", lifespan=lifespan,
                  description="Accountability registry: cases, referral clocks, anonymous intake, vetting, "
                              "compliance and training.")
    app.include_router(build_router(reg), prefix="/api/registry")
    return app
