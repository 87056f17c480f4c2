"""Every ``PEACEWATCH_*`` environment variable peacewatch reads: its type, default and meaning.

Two pydantic-settings classes hold them: :class:`Settings` (data, output, registry policy and keys)
and :class:`SecuritySettings` (the limits, proxies and form secret of the web app and the registry
API, which tests and apps also build with explicit values). Code reads a setting at call time,
``current().data_dir``, never ``os.environ``, so a changed environment (a test's ``monkeypatch``)
takes effect at once. ``peacewatch config`` prints the effective values with secrets masked and
``docs/configuration.md`` lists them (a test keeps it in step with this module).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, get_args

from pydantic import Field, PositiveInt, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from peacewatch.errors import InputError
from peacewatch.memo import Memo

PREFIX = "PEACEWATCH_"


class Settings(BaseSettings):
    """Where the data and outputs live, the registry's database, keys and policies, debugging."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", env_ignore_empty=True, frozen=True)

    # ----------------------------------------------------------------- data and outputs
    data_dir: Path | None = Field(
        None,
        description=(
            "Folder holding the data files; default: ../shared/data next to the checkout when it exists, "
            "else the user cache folder (where `peacewatch sources fetch` writes)."
        ),
    )
    catalog_dir: Path | None = Field(
        None,
        description=("Folder of catalog entries (<key>.yml) to use instead of the catalog shipped in the package."),
    )
    cache_dir: Path | None = Field(
        None, description=("Folder of the parquet cache of loader and verb outputs; default: the user cache folder.")
    )
    allow_changed_data: bool = Field(
        False,
        description=(
            "1: a data file whose sha256 differs from the catalog's is used with a warning instead of refused."
        ),
    )
    out_dir: Path = Field(
        Path("out"),
        description=("Output folder of the main job and of the registry's default SQLite database and key files."),
    )
    debug: bool = Field(False, description="1: a command that fails shows the full traceback (like --debug).")

    # ----------------------------------------------------------------- registry
    db_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the registry database; default: SQLite file peacewatch.sqlite in the output folder."
        ),
    )
    secret_key: SecretStr | None = Field(
        None,
        description=(
            "Fernet key encrypting the registry's personal data; default: the key file `registry init` creates."
        ),
    )
    token: SecretStr | None = Field(
        None, description=("API token of the acting user for `peacewatch registry` commands.")
    )
    min_cell: int = Field(
        5,
        description=(
            "Smallest count published in registry aggregates (smaller non-zero cells are suppressed; never below 5)."
        ),
    )
    referral_officer_working_days: PositiveInt = Field(
        10, description=("Working days a troop-contributing country has to name its investigation officer.")
    )
    referral_outcome_days: PositiveInt = Field(
        90, description=("Calendar days a troop-contributing country has to report the outcome of its investigation.")
    )
    referral_outcome_days_extended: PositiveInt = Field(
        180, description=("Longest outcome deadline a coordinator may grant by extension (at least the outcome days).")
    )
    referral_escalation_days: PositiveInt = Field(
        10,
        description=(
            "Days after an escalation to the mission head before a still-overdue referral goes to the coordinator."
        ),
    )
    session_idle_minutes: PositiveInt = Field(30, description="A browser login ends after this many idle minutes.")
    session_absolute_hours: PositiveInt = Field(12, description="A browser login ends this many hours after it began.")
    api_token_idle_days: PositiveInt = Field(30, description="An API token ends after this many idle days.")
    api_token_absolute_days: PositiveInt = Field(
        90, description=("An API token ends this many days after it was issued.")
    )
    audit_origin: str | None = Field(
        None,
        description=(
            "Name of the audit log in its signed checkpoints, fixed when the signing key is made (overrides "
            "`registry init --domain`; default `<domain>/audit-log`, or without a domain "
            "`peacewatch.registry/audit-log-<12 random hex digits>`, unique per deployment)."
        ),
    )
    audit_witness_dir: Path | None = Field(
        None, description=("Folder that receives a copy of every audit checkpoint (a witness outside the registry).")
    )
    audit_verifier_key: str | None = Field(
        None,
        description=(
            "Pinned verifier keys of the audit log that `registry audit verify` trusts (several separated by "
            "spaces; never the key file beside the database)."
        ),
    )
    secure_cookies: bool = Field(False, description="1: login cookies are marked Secure (serve over HTTPS).")


class SecuritySettings(BaseSettings):
    """Limits, proxies and secrets of the web app and the API.

    Rate limits are strings in the ``limits`` notation, several windows separated by ``;``
    (e.g. ``5/minute;20/hour``): a request must fit every window.
    """

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    # defaults by keyword: type checkers see a positional Field default as no default, so
    # `SecuritySettings()` would look like it misses every argument
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed; "
            "empty: the header is ignored and the client is the connecting address."
        ),
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1_000, description=("Largest request body of any route (413 above it).")
    )
    max_upload_bytes: int = Field(
        default=6_000_000, ge=1_000, description=("Largest body of the routes that take a CSV file (vetting uploads).")
    )
    csrf_secret: str | None = Field(
        default=None,
        description=(
            "Key that signs the web forms' CSRF tokens; default: random per process (set it when several "
            "worker processes serve the app)."
        ),
    )
    login_per_client: str = Field(default="20/minute", description="Login attempts per client address.")
    login_per_account: str = Field(
        default="5/minute;10/15 minutes;20/hour;50/day",
        description=(
            "Failed login attempts per account, whatever address they come from (the wait grows with each failure; "
            "not applied to a device the account logged in from before)."
        ),
    )
    login_per_network: str = Field(
        default="60/minute", description=("Login attempts from unknown devices per network (/24 IPv4, /64 IPv6).")
    )
    login_overall: str = Field(
        default="300/minute", description=("Login attempts from unknown devices for everyone together.")
    )
    login_per_device: str = Field(
        default="10/15 minutes;30/day",
        description=("Login attempts from one known device (a device the account logged in from before)."),
    )
    intake_per_client: str = Field(default="5/minute;30/hour", description="Anonymous reports per client address.")
    intake_per_network: str = Field(
        default="20/minute", description=("Anonymous reports per network (/24 for IPv4, /48 for IPv6).")
    )
    intake_overall: str = Field(
        default="600/minute",
        description=(
            "Anonymous reports from everyone together; a network that sent fewer than its quiet allowance "
            "(PEACEWATCH_INTAKE_QUIET_NETWORK) is let through even when this is spent."
        ),
    )
    intake_quiet_network: str = Field(
        default="2/10 minutes",
        description=(
            "Reports a quiet network (/24 IPv4, /48 IPv6) may send past a spent overall limit, so that a flood "
            "from many networks cannot close the anonymous channel for everyone."
        ),
    )
    lookup_per_client: str = Field(
        default="30/minute", description=("Receipt look-ups (reading a thread) per client address.")
    )
    lookup_overall: str = Field(default="1200/minute", description="Receipt look-ups from everyone together.")

    @field_validator(
        "login_per_client",
        "login_per_account",
        "login_per_network",
        "login_overall",
        "login_per_device",
        "intake_per_client",
        "intake_per_network",
        "intake_overall",
        "intake_quiet_network",
        "lookup_per_client",
        "lookup_overall",
    )
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        # Checked here, with the others, so a typo stops the command with one line naming the variable
        # instead of failing when the first request builds the limiter.
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit (write e.g. 20/minute, or several: 5/minute;30/hour)"
            ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    f"PEACEWATCH_TRUSTED_PROXIES: {part!r} is not an IP address or network "
                    "(write e.g. 127.0.0.1,10.0.0.0/8)"
                ) from None
        return value

    def proxy_list(self) -> list[str]:
        """The trusted proxies as a list (empty: trust no forwarding header)."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]


#: Settings whose values are never printed.
SECRETS = {"secret_key", "token", "csrf_secret"}
CLASSES: tuple[type[BaseSettings], ...] = (Settings, SecuritySettings)


class SettingsError(InputError):
    """An environment variable holds a value of the wrong type or range."""


_LOADED = Memo("settings", maxsize=16)


def _environment() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX)))


def _load(cls: type[BaseSettings]) -> Any:
    # Parsing takes pydantic-settings milliseconds and some settings are read on every request: the
    # parsed values are kept per snapshot of the PEACEWATCH_ variables, so a change still applies at once.
    return _LOADED.get((cls.__name__, _environment()), lambda: _parse(cls))


def _parse(cls: type[BaseSettings]) -> Any:
    try:
        return cls()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = PREFIX + str(first["loc"][0]).upper() if first["loc"] else "a PEACEWATCH_ variable"
        raise SettingsError(
            f"environment variable {name}: {first['msg']}; fix it or unset it (`peacewatch config` lists every setting)"
        ) from None


def current() -> Settings:
    """The settings as the environment says now (read at each call, so changes apply at once)."""
    return _load(Settings)


def security() -> SecuritySettings:
    """The web app's and API's security settings from the environment now."""
    return _load(SecuritySettings)


def no_color_requested() -> bool:
    """True when ``NO_COLOR`` is set to anything but empty (no-color.org: a convention of every tool,
    not a peacewatch setting, so read here, beside the settings, and not listed among them)."""
    return bool(os.environ.get("NO_COLOR"))


def env_names() -> list[str]:
    """Every environment variable name of both classes, e.g. ``PEACEWATCH_DATA_DIR``."""
    return [PREFIX + name.upper() for cls in CLASSES for name in cls.model_fields]


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if name in SECRETS or isinstance(value, SecretStr):
        return "********"
    if name == "db_url":
        from sqlalchemy.engine import make_url

        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - a malformed URL is shown without anything after "//"
            return str(value).split("//")[0] + "//***"
    return str(value)


def effective() -> list[dict[str, str]]:
    """Each setting: ``name`` (the variable), ``value`` (secrets masked), ``default``, ``set`` (from the
    environment or not), ``type`` and ``doc``."""
    rows = []
    for cls, values in ((Settings, current()), (SecuritySettings, security())):
        for field, info in cls.model_fields.items():
            env = PREFIX + field.upper()
            rows.append(
                {
                    "name": env,
                    "value": _shown(field, getattr(values, field)),
                    "default": _shown(field, info.default),
                    "set": "yes" if os.environ.get(env, "") != "" else "no",
                    "type": _type_name(info),
                    "doc": info.description or "",
                }
            )
    return rows


def _type_name(info: Any) -> str:
    """A field's type in words: "integer >= 1000", "folder, optional", "yes/no", "secret", ..."""
    args = [a for a in get_args(info.annotation) if a is not type(None)]
    base = args[0] if args else info.annotation
    name = {bool: "yes/no", int: "integer", str: "text", Path: "folder", SecretStr: "secret"}.get(base, str(base))
    for rule in info.metadata:
        if getattr(rule, "gt", None) is not None:
            name = f"integer > {rule.gt}"
        if getattr(rule, "ge", None) is not None:
            name = f"integer >= {rule.ge:,}"
    return name + (", optional" if len(args) < len(get_args(info.annotation)) else "")


def markdown() -> str:
    """The settings as the Markdown page ``docs/configuration.md`` (written by ``peacewatch config --markdown``)."""
    lines = [
        "# Configuration",
        "",
        "Every environment variable peacewatch reads, generated from `src/peacewatch/settings.py`",
        "(`peacewatch config --markdown > docs/configuration.md`; a test checks that this page matches).",
        "`peacewatch config` prints the values in effect, secrets masked. An empty variable counts as unset",
        "for the first table; booleans take `1`/`0` (or `true`/`false`).",
        "",
    ]
    titles = {Settings: "Data, outputs and the registry", SecuritySettings: "Web app and registry API security"}
    for cls in CLASSES:
        lines += [f"## {titles[cls]}", "", "| Variable | Type | Default | Meaning |", "|---|---|---|---|"]
        for field, info in cls.model_fields.items():
            default = _shown(field, info.default)
            lines.append(
                f"| `{PREFIX}{field.upper()}` | {_type_name(info)} | "
                f"{f'`{default}`' if default else '(none)'} | {info.description or ''} |"
            )
        lines.append("")
    return "\n".join(lines)
