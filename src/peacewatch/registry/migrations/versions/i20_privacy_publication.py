"""frozen published periods, thread positions of intake messages, unordered anonymous audit holding

Revision ID: i20_privacy_publication
Revises: 0003
Create Date: 2026-12-04 14:40:00

Adds ``published_periods`` (the statistics of each closed year, frozen at its close); gives each
intake message its ``position`` in its report's thread, so that message ids can be random (new
reports and messages get random ids: see ``models.random_id``); and on SQLite rebuilds
``audit_anonymous`` as a ``WITHOUT ROWID`` table, stored in the order of its random key instead
of the order rows were written; adds ``receipt_handles`` (receipt cookies not shown yet, so a
receipt is shown once server-side).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i20_privacy_publication"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_periods",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("tables", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.add_column("intake_messages", sa.Column("position", sa.Integer(), nullable=False, server_default="1"))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, report_id FROM intake_messages ORDER BY report_id, id")).all()
    last, n = None, 0
    for mid, rid in rows:
        n = n + 1 if rid == last else 1
        last = rid
        conn.execute(sa.text("UPDATE intake_messages SET position = :p WHERE id = :i"), {"p": n, "i": mid})
    if conn.dialect.name == "sqlite":
        _rebuild_anonymous(without_rowid=True)
    op.create_table(
        "receipt_handles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        sqlite_with_rowid=False,
    )


def _rebuild_anonymous(without_rowid: bool) -> None:
    op.execute(
        sa.text(
            "CREATE TABLE audit_anonymous_new (key VARCHAR(32) NOT NULL PRIMARY KEY, day VARCHAR(10) NOT NULL, "
            "action VARCHAR(40) NOT NULL, entity VARCHAR(40) NOT NULL, entity_id VARCHAR(40) NOT NULL, "
            "detail TEXT NOT NULL)" + (" WITHOUT ROWID" if without_rowid else "")
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO audit_anonymous_new SELECT key, day, action, entity, entity_id, detail "
            "FROM audit_anonymous ORDER BY key"
        )
    )
    op.execute(sa.text("DROP TABLE audit_anonymous"))
    op.execute(sa.text("ALTER TABLE audit_anonymous_new RENAME TO audit_anonymous"))
    op.create_index("ix_audit_anonymous_day", "audit_anonymous", ["day"], unique=False)


def downgrade() -> None:
    op.drop_table("receipt_handles")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_anonymous(without_rowid=False)
    op.drop_column("intake_messages", "position")
    op.drop_table("published_periods")
