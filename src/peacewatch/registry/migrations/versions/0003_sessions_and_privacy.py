"""sessions, normalised usernames, event visibility, service numbers per nation

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 07:40:00

Adds the ``sessions`` table (several expiring, revocable sessions per user), moves each user's
single token into it as a script token valid for 90 days, drops ``users.token_hash`` and adds
``users.username_key`` (NFKC + casefold, unique); gives every case event a ``visibility``
(existing creation and transition events: shared with the TCC and the reporter; their free-text
notes stay internal, see ``cases.case_dict``); and makes a service number unique per nation
instead of worldwide, so a duplicate does not reveal another nation's personnel; and stores the
prepared name forms of misconduct records for the persistent screening index.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    # No batch (table rebuild) on users: on SQLite a rebuild of a table that others reference
    # fails its foreign-key check. Plain ALTER TABLE ADD/DROP COLUMN works on both backends.
    op.add_column("users", sa.Column("username_key", sa.String(length=80), nullable=False, server_default=""))

    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    seen: set[str] = set()
    for uid, username, token_hash in conn.execute(
        sa.text("SELECT id, username, token_hash FROM users ORDER BY id")
    ).all():
        key = unicodedata.normalize("NFKC", username).casefold()
        if key in seen:  # an older look-alike: keep it reachable under a distinct key
            key = f"{key}#{uid}"[:80]
        seen.add(key)
        conn.execute(sa.text("UPDATE users SET username_key = :k WHERE id = :i"), {"k": key, "i": uid})
        conn.execute(
            sa.text(
                "INSERT INTO sessions (user_id, token_hash, kind, created_at, last_seen_at, expires_at) "
                "VALUES (:u, :h, 'api', :now, :now, :exp)"
            ),
            {"u": uid, "h": token_hash, "now": now, "exp": now + dt.timedelta(days=90)},
        )

    op.create_index("ix_users_username_key", "users", ["username_key"], unique=True)
    op.drop_index("ix_users_token_hash", table_name="users")
    op.drop_column("users", "token_hash")

    op.add_column(
        "case_events", sa.Column("visibility", sa.String(length=20), nullable=False, server_default="internal")
    )
    conn.execute(
        sa.text("UPDATE case_events SET visibility = 'tcc_and_reporter' WHERE kind IN ('created', 'transition')")
    )

    _personnel_unique(("nation_ccode", "service_number"), "uq_personnel_nation_service_number", drop_global=True)

    # Prepared name forms of misconduct records (filled at import; older rows on first use).
    for col in ("name_ascii", "name_folded", "name_skeleton", "name_keys"):
        op.add_column("misconduct_records", sa.Column(col, sa.Text(), nullable=True))


_PERSONNEL_COLUMNS = ("id", "service_number", "full_name", "nation_ccode", "audience", "deployment_year")


def _personnel_table(unique: tuple[str, ...], name: str | None) -> sa.Table:
    return sa.Table(
        "personnel",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_number", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("nation_ccode", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("deployment_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*unique, name=name),
        sa.Index("ix_personnel_nation_ccode", "nation_ccode"),
    )


def _personnel_unique(unique: tuple[str, ...], name: str | None, drop_global: bool) -> None:
    """Change the unique key of ``personnel``.

    SQLite must rebuild the table; dropping a table that training completions reference fails the
    foreign-key check (which cannot be switched off inside the migration's transaction), so the
    completions are set aside during the rebuild and put back unchanged.
    """
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("CREATE TEMP TABLE _completions_aside AS SELECT * FROM training_completions"))
        conn.execute(sa.text("DELETE FROM training_completions"))
        with op.batch_alter_table("personnel", recreate="always", copy_from=_personnel_table(unique, name)):
            pass
        conn.execute(sa.text("INSERT INTO training_completions SELECT * FROM _completions_aside"))
        conn.execute(sa.text("DROP TABLE _completions_aside"))
    elif drop_global:
        op.drop_constraint("personnel_service_number_key", "personnel", type_="unique")
        op.create_unique_constraint(name, "personnel", list(unique))
    else:
        op.drop_constraint("uq_personnel_nation_service_number", "personnel", type_="unique")
        op.create_unique_constraint("personnel_service_number_key", "personnel", list(unique))


def downgrade() -> None:
    import secrets

    # Fails (unique violation) if two nations now share a service number: resolve those first.
    _personnel_unique(("service_number",), None, drop_global=False)
    for col in ("name_ascii", "name_folded", "name_skeleton", "name_keys"):
        op.drop_column("misconduct_records", col)
    op.drop_column("case_events", "visibility")
    op.add_column("users", sa.Column("token_hash", sa.String(length=64), nullable=False, server_default=""))
    conn = op.get_bind()
    # Each user gets back its newest live token hash (or an unusable random one).
    for (uid,) in conn.execute(sa.text("SELECT id FROM users")).all():
        row = conn.execute(
            sa.text("SELECT token_hash FROM sessions WHERE user_id = :u AND revoked_at IS NULL ORDER BY id DESC"),
            {"u": uid},
        ).first()
        conn.execute(
            sa.text("UPDATE users SET token_hash = :h WHERE id = :u"),
            {"h": row[0] if row else secrets.token_hex(32), "u": uid},
        )
    op.create_index("ix_users_token_hash", "users", ["token_hash"], unique=True)
    op.drop_index("ix_users_username_key", table_name="users")
    op.drop_column("users", "username_key")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
    op.drop_table("sessions")
