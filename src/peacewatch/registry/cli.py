"""CLI commands of peacewatch.registry (mounted by :mod:`peacewatch.cli` as ``peacewatch registry``).

Commands act as a registry user: pass ``--token`` or set ``PEACEWATCH_TOKEN`` (``init`` prints
the first coordinator's token). Each command adapts its options to one
:mod:`peacewatch.registry.operations` function performed through the registry's dispatcher
(:func:`peacewatch.registry.policy.perform`: role check and validation), which audits exactly as for
the API and the web screens.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import typer

from peacewatch.settings import current

if TYPE_CHECKING:
    from peacewatch.registry.service import Registry

T = TypeVar("T")

app = typer.Typer(
    help="Accountability registry: cases, referrals, intake, vetting, compliance, training, audit.",
    no_args_is_help=True,
)
users_app = typer.Typer(help="Users and tokens.", no_args_is_help=True)
cases_app = typer.Typer(help="Allegation cases.", no_args_is_help=True)
referrals_app = typer.Typer(help="Referral clocks.", no_args_is_help=True)
intake_app = typer.Typer(help="Anonymous whistleblower intake.", no_args_is_help=True)
vetting_app = typer.Typer(help="Misconduct records and roster screening.", no_args_is_help=True)
compliance_app = typer.Typer(help="National reports on the 2004 NATO THB policy.", no_args_is_help=True)
training_app = typer.Typer(help="Pre-deployment training.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit transparency log: verify, checkpoints, proofs.", no_args_is_help=True)
for _sub, _name in [
    (users_app, "users"),
    (cases_app, "cases"),
    (referrals_app, "referrals"),
    (intake_app, "intake"),
    (vetting_app, "vetting"),
    (compliance_app, "compliance"),
    (training_app, "training"),
    (audit_app, "audit"),
]:
    app.add_typer(_sub, name=_name)

TokenOpt = typer.Option(None, "--token", help="API token of the acting user (default: PEACEWATCH_TOKEN).")
DbOpt = typer.Option(None, "--db", help="Database URL (default: PEACEWATCH_DB_URL, else out/peacewatch.sqlite).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _registry(db: str | None, existing_only: bool = True) -> Registry:
    """The registry at ``db``; only ``init`` may create or migrate one (a typo in --db is an error).
    Its engine is disposed when the command ends (no connection is left to the interpreter's exit)."""
    from peacewatch.cli_boundary import on_close
    from peacewatch.registry.service import Registry

    reg = Registry(db, existing_only=existing_only)
    on_close(reg.dispose)
    return reg


def _fail(exc: Exception) -> NoReturn:
    from peacewatch.cli_boundary import one_line, say_error

    say_error(f"error: {one_line(exc)}")
    raise typer.Exit(2)


def _run(fn: Callable[[], T]) -> T:
    """Run ``fn`` turning registry errors into a one-line message and exit code 2."""
    from peacewatch.registry.errors import RegistryError

    try:
        return fn()
    except RegistryError as exc:
        _fail(exc)


def _echo(obj: object) -> None:
    typer.echo(json.dumps(obj, indent=2, default=str, ensure_ascii=False))


def _heading(field: str) -> str:
    """A column heading for people: ``tcc_ccode`` -> ``tcc (COW code)``, ``due_on`` -> ``due on``."""
    return field.replace("_ccode", " (COW code)").replace("_", " ")


def _listing(rows: list[dict[str, Any]], as_json: bool) -> None:
    """A listing: a table by default, JSON with ``--json`` (nested values shown as JSON in a cell)."""
    if as_json:
        _echo(rows)
        return
    flat = [
        {
            _heading(k): json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, (dict, list)) else v
            for k, v in r.items()
        }
        for r in rows
    ]
    _table(flat)


def _perform(db: str | None, token: str | None, operation: str, *args: Any, **kwargs: Any) -> Any:
    """Perform ``operation`` through the registry's dispatcher (:func:`peacewatch.registry.policy.perform`)
    as the user owning ``token`` (default: ``PEACEWATCH_TOKEN``); the anonymous operations take None."""
    from peacewatch.registry import policy

    reg = _registry(db)
    if not token and policy.operation(operation).roles is not None:
        secret = current().token
        token = secret.get_secret_value() if secret else None
    return _run(lambda: policy.perform(reg, token, operation, *args, **kwargs))


@app.command()
def init(
    db: str | None = DbOpt,
    admin: str | None = typer.Option(
        None,
        help="Username of the first coordinator [default: coordinator- and 8 random characters, "
        "written to the credentials file]",
    ),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the first coordinator's password from standard input "
        "(default: a random one, written to the credentials file).",
    ),
    credentials: Path | None = typer.Option(
        None,
        help="File (mode 0600) that receives the first coordinator's token and generated password "
        "[default: registry-coordinator.txt in the output directory]",
    ),
    domain: str | None = typer.Option(
        None,
        "--domain",
        help="Domain of this deployment: the audit log's origin becomes DOMAIN/audit-log "
        "(default: a random origin peacewatch.registry/audit-log-<12 hex digits>)",
    ),
) -> None:
    """Create the key files, migrate the database and create the first coordinator.

    Its token (and password, unless given) go to an owner-only file whose path is printed, never to
    the terminal or a log.
    """

    from sqlalchemy import func, select

    from peacewatch.registry import auth, crypto
    from peacewatch.registry import checkpoint as cp
    from peacewatch.registry.config import out_dir
    from peacewatch.registry.credentials import CREDENTIALS_FILE, default_admin_username, write_credentials
    from peacewatch.registry.models import User

    if current().secret_key is None:
        path = _run(crypto.create_key_file)
        typer.echo(f"encryption key: {path} (mode 0600; back it up, data cannot be read without it)")
    signer = _run(lambda: cp.load_signer(domain=domain))
    if domain and signer.name != cp.new_origin(domain) and not current().audit_origin:
        typer.echo(f"audit signing key exists already: its origin stays {signer.name}")
    typer.echo(f"audit signing key: {cp.signing_key_file()} (mode 0600), log origin {signer.name}")
    typer.echo(f"audit verifier key (keep it with exported checkpoints, off this server): {signer.verifier_key()}")
    reg = _registry(db, existing_only=False)
    engine = _run(lambda: reg.engine)
    typer.echo(f"database: {engine.url.render_as_string(hide_password=True)} (schema up to date)")

    password = _password_from_stdin() if password_stdin else None

    def go() -> None:
        with reg.session() as s:
            if s.execute(select(func.count(User.id))).scalar_one():
                typer.echo("users exist already; no new coordinator created")
                return
            pw = password or secrets.token_urlsafe(12)
            name = admin or default_admin_username()
            new = auth.create_user(s, name, pw, auth.COORDINATOR)
            target = write_credentials(
                credentials or out_dir() / CREDENTIALS_FILE, new.user.username, new.token, None if password else pw
            )
            what = ("username, " if admin is None else "") + ("token" if password else "password and token")
            who = f"coordinator: {new.user.username}; " if admin is not None else "coordinator created; "
            typer.echo(f"{who}{what} in {target} (mode 0600; store them safely, then delete the file)")

    _run(go)


def _password_from_stdin() -> str:
    """The first line of standard input, without its line end (``--password-stdin``)."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        _fail(
            ValueError("--password-stdin: standard input held no password (pipe it in, e.g. from a password manager)")
        )
    return line


def _password(from_stdin: bool) -> str:
    """A password from standard input, or typed at a hidden prompt (twice); never a command-line option,
    which would stay in the shell's history and show in ``ps``."""
    if from_stdin:
        return _password_from_stdin()
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _opts(**fields: Any) -> dict[str, Any]:
    """The options that were given (an option left out means "not given")."""
    return {k: v for k, v in fields.items() if v is not None}


@users_app.command("create")
def users_create(
    username: str,
    role: str = typer.Option(..., help="reporter|investigator|tcc_liaison|coordinator|analyst"),
    tcc: str | None = typer.Option(
        None, help="A TCC liaison's country: a COW code (770), ISO3 code (PAK) or name (Pakistan)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (default: ask for it, hidden)."
    ),
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Create a user (coordinators) and print its token."""

    body = _opts(username=username, password=_password(password_stdin), role=role, tcc_ccode=tcc)
    out = _perform(db, token, "users.create_user", body)
    _echo({k: out[k] for k in ("username", "role", "tcc_ccode", "token")})


@users_app.command("list")
def users_list(token: str | None = TokenOpt, db: str | None = DbOpt, as_json: bool = JsonOpt) -> None:
    """List users (coordinators)."""

    _listing(
        [
            {k: x[k] for k in ("username", "role", "tcc_ccode", "active")}
            for x in _perform(db, token, "users.list_users")
        ],
        as_json,
    )


@users_app.command("deactivate")
def users_deactivate(username: str, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Disable a user's login and end all its sessions (coordinators)."""

    out = _perform(db, token, "users.deactivate_user", username)
    _echo({k: out[k] for k in ("username", "active")})


@users_app.command("reactivate")
def users_reactivate(username: str, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Allow a deactivated user to log in again (coordinators)."""

    out = _perform(db, token, "users.reactivate_user", username)
    _echo({k: out[k] for k in ("username", "active")})


@cases_app.command("create")
def cases_create(
    mission: str = typer.Option(..., help="UN mission acronym, e.g. MINUSTAH."),
    tcc: str = typer.Option(..., help="The TCC: a COW code (770), ISO3 code (PAK) or name (Pakistan)."),
    category: str = typer.Option(..., help="sexual_exploitation|sexual_abuse|trafficking_related"),
    summary: str = typer.Option(...),
    subject: str | None = typer.Option(None, help="Name of the accused."),
    incident_date: str | None = typer.Option(None, help="YYYY-MM-DD"),
    victim_json: str | None = typer.Option(None, help="Victim details as JSON (stored encrypted)."),
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Record an allegation."""

    try:
        victim = json.loads(victim_json) if victim_json else None
    except ValueError as exc:
        _fail(ValueError(f"--victim-json is not valid JSON ({exc})"))
    body = _opts(
        mission=mission,
        tcc_ccode=tcc,
        category=category,
        summary=summary,
        subject_name=subject,
        incident_date=incident_date,
        victim=victim,
    )
    _echo(_perform(db, token, "cases.create_case", body))


@cases_app.command("list")
def cases_list(
    status: str | None = None,
    tcc: str | None = typer.Option(None, help="COW code, ISO3 or name."),
    mission: str | None = None,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List cases visible to the acting user."""

    query = _opts(status=status, tcc_ccode=tcc, mission=mission, limit=1000)
    _listing(_perform(db, token, "cases.list_cases", query), as_json)


@cases_app.command("show")
def cases_show(case_id: int, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Show one case with its events."""

    _echo(_perform(db, token, "cases.get_case", case_id))


@cases_app.command("transition")
def cases_transition(
    case_id: int,
    to_status: str,
    note: str | None = None,
    officer: str | None = None,
    outcome: str | None = None,
    repatriated: bool | None = None,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Move a case to a new status."""

    body = _opts(to_status=to_status, note=note, officer_name=officer, outcome=outcome, repatriated=repatriated)
    _echo(_perform(db, token, "cases.transition_case", case_id, body))


@referrals_app.command("list")
def referrals_list(token: str | None = TokenOpt, db: str | None = DbOpt, as_json: bool = JsonOpt) -> None:
    """List the referrals visible to you (a TCC liaison: its own TCC's)."""

    _listing(_perform(db, token, "referrals.list_referrals"), as_json)


@referrals_app.command("overdue")
def referrals_overdue(
    as_of: str | None = typer.Option(None, help="YYYY-MM-DD (default today)"),
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
    as_json: bool = JsonOpt,
) -> None:
    """List overdue referral deadlines."""

    _listing(_perform(db, token, "referrals.list_overdue", _opts(as_of=as_of)), as_json)


@referrals_app.command("escalate")
def referrals_escalate(token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Escalate overdue referrals one level (mission head, then coordinator)."""

    _echo(_perform(db, token, "referrals.escalate"))


@referrals_app.command("extend")
def referrals_extend(
    referral_id: int,
    days: int = typer.Option(..., help="New outcome deadline in days after referral."),
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Extend a referral's outcome deadline once (coordinators)."""

    _echo(_perform(db, token, "referrals.extend", referral_id, {"days": days}))


@cases_app.command("victim")
def cases_victim(case_id: int, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Show the decrypted victim details of a case (investigators, coordinators; audited)."""

    _echo(_perform(db, token, "cases.victim_details", case_id)["victim"])


@intake_app.command("submit")
def intake_submit(
    message: str | None = typer.Option(None, help="Text (default: read stdin)."),
    mission: str | None = None,
    category: str | None = None,
    db: str | None = DbOpt,
) -> None:
    """Submit an anonymous report and print its receipt."""

    text = message if message is not None else sys.stdin.read()
    body = _opts(message=text, mission=mission, category=category)
    typer.echo(f"receipt: {_perform(db, None, 'intake.submit', body)['receipt']}")


@intake_app.command("read")
def intake_read(receipt: str, db: str | None = DbOpt) -> None:
    """Read a report's replies with its receipt."""

    _echo(_perform(db, None, "intake.read_thread", {"receipt": receipt}))


@intake_app.command("list")
def intake_list(
    status: str | None = None, token: str | None = TokenOpt, db: str | None = DbOpt, as_json: bool = JsonOpt
) -> None:
    """List intake reports (investigators, coordinators)."""

    _listing(_perform(db, token, "intake.list_reports", _opts(status=status)), as_json)


@intake_app.command("show")
def intake_show(report_id: int, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Show one intake report with its messages (investigators, coordinators; audited)."""

    _echo(_perform(db, token, "intake.staff_view", report_id))


@intake_app.command("reply")
def intake_reply(
    report_id: int,
    message: str,
    status: str | None = None,
    case: int | None = None,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Reply to an intake report."""

    body = _opts(message=message, status=status, case_id=case)
    _echo(_perform(db, token, "intake.reply", report_id, body))


def _read_csv(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _fail(ValueError(f"{path}: not UTF-8 text; save the CSV as UTF-8"))
    except OSError as exc:
        _fail(ValueError(f"{path}: cannot be read ({exc.strerror})"))


@vetting_app.command("add-record")
def vetting_add_record(
    full_name: str,
    category: str = typer.Option(..., help="sexual_exploitation|sexual_abuse|trafficking_related|other_misconduct"),
    date_of_birth: str | None = typer.Option(None, help="YYYY-MM-DD"),
    nationality: str | None = typer.Option(None, help="A COW code (770), ISO3 code (PAK) or name (Pakistan)."),
    source: str | None = None,
    case: int | None = None,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Add one misconduct record (investigators, coordinators)."""

    body = _opts(
        full_name=full_name,
        category=category,
        date_of_birth=date_of_birth,
        nationality_ccode=nationality,
        source=source,
        case_id=case,
    )
    _echo(_perform(db, token, "vetting.add_record", body))


@vetting_app.command("import-records")
def vetting_import(csv_path: Path, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Import misconduct records (CSV: full_name,date_of_birth,nationality,category[,source]); all or nothing."""
    from peacewatch.progress import working

    body = {"csv": _read_csv(csv_path), "label": str(csv_path)[:200]}
    with working(f"importing {csv_path.name}"):
        out = _perform(db, token, "vetting.import_records", body)
    typer.echo(f"imported {out['imported']} records")


#: Columns of a screening's hits CSV (a hit's fields, its explanation reduced to who proposed it).
HIT_CSV_COLUMNS = [
    "hit_id",
    "row_number",
    "roster_name",
    "roster_dob",
    "roster_nationality",
    "record_id",
    "record_name",
    "record_dob",
    "record_nationality",
    "record_category",
    "score",
    "name_score",
    "dob_score",
    "nationality_score",
    "decision",
    "decided_at",
    "decision_note",
    "proposed_by",
]


@vetting_app.command("screen")
def vetting_screen(
    roster: Path,
    out: Path | None = typer.Option(None, help="Write hits to .csv or .json (default: stdout JSON)."),
    threshold: float = 0.8,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Screen a roster CSV (name,date_of_birth,nationality) against the misconduct records."""
    import pandas as pd

    if out is not None and out.suffix not in (".csv", ".json"):
        _fail(ValueError(f"--out {out}: use a .csv or .json file name"))
    from peacewatch.progress import counting

    body = {"csv": _read_csv(roster), "label": str(roster)[:200], "threshold": threshold}
    # The bar goes to standard error, so JSON on standard output stays clean.
    with counting(f"screening {roster.name}", "roster rows") as update:
        result = _perform(db, token, "vetting.screen", body, progress=update)
    sid, hits = result["screening_id"], result["hits"]
    if out is None:
        _echo({"screening_id": sid, "hits": hits})
        return
    from peacewatch.registry.files import write_private

    if out.suffix == ".json":
        text = json.dumps({"screening_id": sid, "hits": hits}, indent=2, ensure_ascii=False)
    else:
        flat = [
            {k: v for k, v in h.items() if k != "explanation"} | {"proposed_by": h["explanation"]["proposed_by"]}
            for h in hits
        ]
        from peacewatch.csvsafe import to_csv as safe_csv

        # Names come from uploaded rosters and records: never let a spreadsheet run them. The header is
        # written even without hits, so a "no hits" file reads as such.
        text = cast(str, safe_csv(pd.DataFrame(flat, columns=HIT_CSV_COLUMNS), index=False))  # no path: the text
    # Names of screened and accused people: owner-only (0600), written whole or not at all.
    _write_or_fail(write_private, out, text.encode("utf-8"))
    typer.echo(f"screening {sid}: {len(hits)} hits written to {out} (mode 0600)")


def _write_or_fail(write: Callable[[Path, bytes], None], path: Path, data: bytes) -> None:
    try:
        write(path, data)
    except OSError as exc:
        _fail(ValueError(f"--out {path}: cannot write it ({exc.strerror}); choose a writable place"))


@vetting_app.command("hits")
def vetting_hits(screening_id: int, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Show the hits of a screening (investigators, coordinators; audited)."""

    _echo(_perform(db, token, "vetting.screening_hits", screening_id))


@vetting_app.command("decide")
def vetting_decide(
    hit_id: int, decision: str, note: str = "", token: str | None = TokenOpt, db: str | None = DbOpt
) -> None:
    """Record a human decision (confirmed_match|not_a_match) on a screening hit."""

    _perform(db, token, "vetting.decide", hit_id, {"decision": decision, "note": note})
    typer.echo(f"hit {hit_id}: {decision}")


@compliance_app.command("submit")
def compliance_submit(
    nation: str = typer.Option(..., help="A COW code (770), ISO3 code (PAK) or name (Pakistan)."),
    year: int = typer.Option(...),
    ratification: str | None = None,
    training: str | None = None,
    legislation: str | None = None,
    reporting: str | None = None,
    whistleblower_policy: str | None = None,
    misconduct_database: str | None = None,
    notes: str = "",
    replace: bool = False,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Submit a national report (each provision: met|partial|not_met; omit if unknown)."""

    provisions = _opts(
        ratification=ratification,
        training=training,
        legislation=legislation,
        reporting=reporting,
        whistleblower_policy=whistleblower_policy,
        misconduct_database=misconduct_database,
    )
    body = {"nation_ccode": nation, "year": year, "provisions": provisions, "notes": notes, "replace": replace}
    _echo(_perform(db, token, "nations.submit_report", body))


@compliance_app.command("reports")
def compliance_reports(
    year: int | None = None, token: str | None = TokenOpt, db: str | None = DbOpt, as_json: bool = JsonOpt
) -> None:
    """National reports visible to you (coordinators; a TCC liaison: its own nation's)."""

    _listing(_perform(db, token, "nations.list_reports", _opts(year=year)), as_json)


def _table(rows: list[dict[str, Any]]) -> None:
    import pandas as pd

    typer.echo(pd.DataFrame(rows).to_string(index=False) if rows else "(no rows)")


@compliance_app.command("show")
def compliance_show(year: int | None = None, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Compliance scores per nation-year (coordinators, analysts, investigators; audited)."""

    _table(_perform(db, token, "aggregates.compliance", _opts(year=year)))


@compliance_app.command("tcc")
def compliance_tcc(year: int | None = None, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """TCC accountability per year, small cells suppressed (coordinators, analysts, investigators; audited)."""

    _table(_perform(db, token, "aggregates.tcc", _opts(year=year)))


@compliance_app.command("tcc-live")
def compliance_tcc_live(year: int | None = None, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """The TCC scorecard's registry counts, live and unsuppressed, the open year included
    (coordinators, investigators; audited)."""

    _table(_perform(db, token, "aggregates.tcc_live", _opts(year=year)))


@compliance_app.command("close-period")
def compliance_close_period(year: int, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """Close an ended YEAR for publication now (coordinators): its statistics are frozen and published."""

    _echo(_perform(db, token, "aggregates.close_period", {"year": year}))


@training_app.command("add-module")
def training_add_module(
    code: str, title: str, audience: str = "all", token: str | None = TokenOpt, db: str | None = DbOpt
) -> None:
    """Define a training module (audience: all|commanders|military_police)."""

    _perform(db, token, "nations.add_module", {"code": code, "title": title, "audience": audience})
    typer.echo(f"module {code} added")


@training_app.command("modules")
def training_modules(token: str | None = TokenOpt, db: str | None = DbOpt, as_json: bool = JsonOpt) -> None:
    """List training modules (coordinators, TCC liaisons)."""

    _listing(_perform(db, token, "nations.list_modules"), as_json)


@training_app.command("add-person")
def training_add_person(
    service_number: str,
    full_name: str,
    nation: str = typer.Option(..., help="A COW code (770), ISO3 code (PAK) or name (Pakistan)."),
    deployment_year: int = typer.Option(...),
    audience: str = "all",
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Register a member of deploying personnel."""

    body = {
        "service_number": service_number,
        "full_name": full_name,
        "nation_ccode": nation,
        "deployment_year": deployment_year,
        "audience": audience,
    }
    _perform(db, token, "nations.add_person", body)
    typer.echo(f"person {service_number} added")


@training_app.command("person")
def training_person(service_number: str, token: str | None = TokenOpt, db: str | None = DbOpt) -> None:
    """A person's required modules and completions (audited)."""

    _echo(_perform(db, token, "nations.person_record", {"service_number": service_number}))


@training_app.command("complete")
def training_complete(
    service_number: str,
    module_code: str,
    completed_on: str = typer.Option(..., help="YYYY-MM-DD"),
    score: float | None = None,
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Record a module completion."""

    body = _opts(service_number=service_number, module_code=module_code, completed_on=completed_on, score=score)
    _perform(db, token, "nations.record_completion", body)
    typer.echo(f"{service_number} completed {module_code}")


@training_app.command("show")
def training_show(
    year: int | None = None,
    unsuppressed: bool = typer.Option(False, help="Exact counts, small cells included (coordinators)."),
    token: str | None = TokenOpt,
    db: str | None = DbOpt,
) -> None:
    """Training completion per nation-year, small cells suppressed (audited)."""

    _table(_perform(db, token, "aggregates.training", _opts(year=year), unsuppressed=unsuppressed))


@audit_app.command("verify")
def audit_verify(
    checkpoint: list[Path] = typer.Option([], "--checkpoint", help="A checkpoint exported earlier (repeatable)."),
    key: list[str] = typer.Option(
        [],
        "--key",
        help="A pinned verifier key of the log, kept off the server (repeatable: "
        "old and new key during a rotation; default PEACEWATCH_AUDIT_VERIFIER_KEY).",
    ),
    trusted_keys: Path | None = typer.Option(
        None, "--trusted-keys", help="File of pinned verifier keys, one per line (# comments)."
    ),
    witness_key: list[str] = typer.Option(
        [], "--witness-key", help="A pinned witness key (repeatable): turns on the cosignature policy."
    ),
    witnesses: int | None = typer.Option(
        None, "--witnesses", min=1, help="K of the pinned witness keys must cosign (default: all of them)."
    ),
    db: str | None = DbOpt,
) -> None:
    """Recompute the audit tree and prove that it extends each checkpoint.

    Trusts only the pinned keys (--key, --trusted-keys), never the key file beside the database.
    Checks every checkpoint in PEACEWATCH_AUDIT_WITNESS_DIR too. Exit code 0: intact; 1: not intact
    (one-line reason); 2: could not verify (no pinned key for the checkpoints, unreadable file,
    malformed key).
    """
    from peacewatch.registry import audit
    from peacewatch.registry.translog import witness_check as wc

    def broken(problem: str | None, seq: int | None = None) -> NoReturn:
        where = f" at entry {seq}" if seq else ""
        typer.secho(f"audit log BROKEN{where}: {problem}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)

    from peacewatch.registry import checkpoint as cp
    from peacewatch.registry.errors import AuditProblem

    keys = _run(lambda: wc.pinned_keys(key, trusted_keys))
    witness_keys = _run(lambda: [cp.WitnessKey.parse(k) for k in witness_key])
    quorum = witnesses if witnesses is not None else len(witness_keys)
    if quorum > len(witness_keys):
        _fail(AuditProblem(f"--witnesses {quorum} needs at least {quorum} --witness-key (got {len(witness_keys)})"))
    files = _run(lambda: wc.checkpoint_files(checkpoint, audit.witness_dir()))
    notes: dict[Path, str] = {}
    opened, problem = _run(lambda: wc.open_all(files, keys, notes))
    problem = problem or wc.cosignature_problem(notes, list(checkpoint), witness_keys, quorum)
    if problem:
        broken(problem)

    def go() -> audit.VerifyResult:
        with _registry(db).session(read_only=True) as s:
            return audit.verify(s, opened, verifier=keys)

    r = _run(go)
    if not r.ok:
        broken(r.problem, r.first_bad_seq)
    extra = (
        f"; extends {r.checkpoints_checked} checkpoint(s) (consistency proofs verified)"
        if r.checkpoints_checked
        else ""
    )
    waiting = f"; {r.held_anonymous} anonymous entries held until their day is over" if r.held_anonymous else ""
    pinned = "" if keys else " (internal consistency only: no pinned key, so no signature was checked)"
    cosigned = f"; cosignature policy {quorum} of {len(witness_keys)} witnesses met" if witness_keys else ""
    typer.echo(f"audit log intact: {r.entries} entries, root {r.root}{extra}{cosigned}{waiting}{pinned}")


@audit_app.command("witness")
def audit_witness(
    url: list[str] = typer.Option(..., "--url", help="Submission prefix of a C2SP tlog-witness (repeatable)."),
    witness_key: list[str] = typer.Option(..., "--witness-key", help="The witnesses' verifier keys (repeatable)."),
    out: Path | None = typer.Option(None, "--out", help="Also write the cosigned checkpoint here (0600)."),
    db: str | None = DbOpt,
) -> None:
    """Submit the newest checkpoint to witnesses (C2SP tlog-witness) and keep their cosignatures.

    The cosigned checkpoint replaces the plain copy in PEACEWATCH_AUDIT_WITNESS_DIR. Exit code 1 when
    a witness refused (e.g. the log is not consistent with what it saw before), 2 on a usage error.
    """
    from peacewatch.registry import checkpoint as cp
    from peacewatch.registry import merkle
    from peacewatch.registry.errors import AuditProblem
    from peacewatch.registry.files import write_private
    from peacewatch.registry.translog import store, witness, witness_client
    from peacewatch.registry.translog.store import SqlLeaves

    keys = _run(lambda: [cp.WitnessKey.parse(k) for k in witness_key])

    def go() -> tuple[int, str, list[str]]:
        reg = _registry(db)
        reg.sequencer.sync()
        lines, refused = "", []
        with reg.read_connection() as conn, witness_client.http_client() as http:
            size, note = store.head_size(conn), store.checkpoint_note(conn)
            if note is None:
                raise AuditProblem("the audit log is empty: no checkpoint to submit")
            leaves: list[bytes] = []

            def proof_from(m: int) -> list[bytes]:
                if not leaves:
                    leaves.extend(SqlLeaves(conn, size).all())
                return merkle.consistency_proof(leaves, m, size)

            for u in url:
                try:
                    lines += witness_client.submit(http, u, note, size, proof_from, keys)
                except witness_client.WitnessRefused as exc:
                    refused.append(str(exc))
        return size, cp.add_signatures(note, lines), refused

    size, cosigned, refused = _run(go)
    target = witness.witness_dir()
    try:
        if out is not None:
            write_private(out, cosigned.encode())
        if target is not None:
            witness.keep(target, size, cosigned)
    except OSError as exc:
        _fail(
            AuditProblem(
                f"cannot write the cosigned checkpoint to {exc.filename}: {exc.strerror}; "
                "check the directory's owner and mode"
            )
        )
    typer.echo(f"checkpoint of {size} entries cosigned by {len(url) - len(refused)} of {len(url)} witnesses")
    for reason in refused:
        typer.secho(reason, fg=typer.colors.RED, err=True)
    if refused:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Path | None = typer.Option(None, "--out", help="Write the checkpoint here (mode 0600); default stdout."),
    db: str | None = DbOpt,
) -> None:
    """Export the newest signed checkpoint (keep it off the server, e.g. with the verifier key)."""
    from peacewatch.registry import audit
    from peacewatch.registry.errors import AuditProblem
    from peacewatch.registry.files import write_private

    def go() -> str:
        reg = _registry(db)
        reg.sequencer.sync()
        with reg.session(read_only=True) as s:
            note = audit.latest_checkpoint(s)
        if note is None:
            raise AuditProblem("the audit log is empty: no checkpoint yet")
        return note

    note = _run(go)
    if out is None:
        typer.echo(note, nl=False)
        return
    write_private(out, note.encode())
    typer.echo(f"checkpoint of {note.splitlines()[1]} entries written to {out}")


@audit_app.command("prove")
def audit_prove(
    seq: int,
    size: int | None = typer.Option(
        None, "--size", help="Tree size to prove against (default: the newest checkpoint)."
    ),
    db: str | None = DbOpt,
) -> None:
    """Print an RFC 9162 inclusion proof that entry SEQ (leaf index SEQ-1) is in the tree of --size entries."""
    from peacewatch.registry import audit

    def go() -> dict[str, Any]:
        with _registry(db).session(read_only=True) as s:
            return audit.prove(s, seq, size)

    _echo(_run(go))


@audit_app.command("consistency")
def audit_consistency(
    first: int = typer.Option(..., "--from", help="Size of the older tree (e.g. of a checkpoint you kept)."),
    second: int | None = typer.Option(None, "--to", help="Size of the newer tree (default: the newest checkpoint)."),
    db: str | None = DbOpt,
) -> None:
    """Print an RFC 9162 consistency proof that the tree of --to entries extends the tree of --from entries."""
    from peacewatch.registry import audit

    def go() -> dict[str, Any]:
        with _registry(db).session(read_only=True) as s:
            return audit.prove_consistency(s, first, second)

    _echo(_run(go))


@audit_app.command("check")
def audit_check(
    proof: Path = typer.Argument(..., help="JSON output of `audit prove` or `audit consistency`."),
    key: list[str] = typer.Option(
        [], "--key", help="A pinned verifier key of the log (repeatable; default PEACEWATCH_AUDIT_VERIFIER_KEY)."
    ),
    trusted_keys: Path | None = typer.Option(
        None, "--trusted-keys", help="File of pinned verifier keys, one per line (# comments)."
    ),
) -> None:
    """Check a proof against its signed checkpoint(s) with pinned keys only; needs no database.

    Exit code 0: the proof holds; 1: it does not; 2: no pinned key or an unreadable or malformed file.
    """
    from peacewatch.registry.errors import AuditProblem
    from peacewatch.registry.translog import verifier
    from peacewatch.registry.translog import witness_check as wc

    keys = _run(lambda: wc.pinned_keys(key, trusted_keys))
    if not keys:
        _fail(AuditProblem("no pinned verifier key: pass --key or --trusted-keys"))

    def load() -> dict[str, Any]:
        try:
            doc = json.loads(wc.read_text(proof, "proof file"))
        except json.JSONDecodeError as exc:
            raise AuditProblem(
                f"{proof} is not JSON (line {exc.lineno}); pass the output of `audit prove` or `audit consistency`"
            ) from exc
        if not isinstance(doc, dict) or not ({"inclusion_path", "consistency_path"} & doc.keys()):
            raise AuditProblem(f"{proof} is neither an inclusion nor a consistency proof of this log")
        need = (
            ["leaf_index", "leaf_data", "inclusion_path", "checkpoint"]
            if "inclusion_path" in doc
            else ["consistency_path", "first_checkpoint", "second_checkpoint"]
        )
        missing = [k for k in need if k not in doc]
        if missing:
            raise AuditProblem(
                f"{proof} lacks {', '.join(missing)}; pass the unedited output of `audit prove` or `audit consistency`"
            )
        return doc

    doc = _run(load)
    try:
        if "inclusion_path" in doc:
            head = verifier.check_inclusion(doc, keys)
            typer.echo(
                f"entry {doc.get('seq')} is leaf {doc.get('leaf_index')} of the signed tree of "
                f"{head.size} entries ({head.origin})"
            )
        else:
            old, new = verifier.check_consistency(doc, keys)
            typer.echo(
                f"the signed tree of {new.size} entries extends the signed tree of {old.size} entries ({new.origin})"
            )
    except (AuditProblem, KeyError, TypeError, ValueError) as exc:
        typer.secho(f"proof does NOT hold: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Replace the audit signing key by a new one for the same log (the old one is kept, retired).

    Stop the server first; give the new verifier key to every verifier and witness, who pin it
    beside the old one (see docs/registry.md, Key rotation).
    """
    from peacewatch.registry import checkpoint as cp

    old, new, retired = _run(cp.rotate_signing_key)
    typer.echo(f"old key retired to {retired} (mode 0600)")
    typer.echo(f"old verifier key: {old.verifier_key()}")
    typer.echo(f"new verifier key (pin it beside the old one): {new.verifier_key()}")


@audit_app.command("public-key")
def audit_public_key() -> None:
    """Print the verifier key of the audit signing key (give it to whoever keeps checkpoints)."""
    from peacewatch.registry import checkpoint as cp

    typer.echo(_run(lambda: cp.load_signer(create=False)).verifier_key())
