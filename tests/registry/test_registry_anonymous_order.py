"""Anonymous rows cannot be ordered against each other or against staff actions (issue 20):
intake reports and messages have random ids, no sequence shared with staff replies, and the
anonymous audit entries waiting for release are not kept in the order they were written."""

from __future__ import annotations

import bisect

import pytest
from sqlalchemy import text

from peacewatch.registry import auth, cases, intake
from peacewatch.registry.crypto import decrypt_json

from .conftest import TCC_A

#: Rounds of (staff case, report, staff reply, follow-up): a random order matches the true one
#: with probability 1/8! for the reports and less for the messages.
ROUNDS = 8


def _interleave(registry, people) -> tuple[list[int], list[str]]:
    """Staff actions (timed to the microsecond in the audit log) and anonymous ones in turn; the
    report ids and the message texts in the order they were written."""
    reports, messages = [], []
    for i in range(ROUNDS):
        with registry.session() as s:
            coord = auth.user_for_token(s, people.tokens["coord"])
            case = cases.create_case(
                s, coord, mission="MINUSCA", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"c{i}"
            )
        with registry.session() as s:
            receipt = intake.submit_report(s, f"report {i}")
        with registry.session() as s:
            coord = auth.user_for_token(s, people.tokens["coord"])
            new = [r["id"] for r in intake.list_reports(s, coord) if r["id"] not in reports]
            assert len(new) == 1
            reports.append(new[0])
            intake.reply(s, coord, new[0], f"staff {i}", case_id=case.id)
        with registry.session() as s:
            intake.add_information(s, receipt, f"follow-up {i}")
        messages += [f"report {i}", f"staff {i}", f"follow-up {i}"]
    return reports, messages


def test_no_column_of_the_database_orders_anonymous_rows(registry, people):
    truth_reports, truth_messages = _interleave(registry, people)
    sqlite = registry.engine.dialect.name == "sqlite"
    orders = ["id"] + (["rowid"] if sqlite else [])  # rowid: the storage order of a SQLite table
    with registry.engine.connect() as conn:
        for order in orders:
            reports = conn.execute(text(f"SELECT id FROM intake_reports ORDER BY {order}")).scalars().all()
            assert sorted(reports) == sorted(truth_reports)
            assert reports != truth_reports, order
            texts = [
                decrypt_json(c)["text"]
                for c in conn.execute(text(f"SELECT ciphertext FROM intake_messages ORDER BY {order}")).scalars()
            ]
            assert sorted(texts) == sorted(truth_messages)
            assert texts != truth_messages, order  # where the staff replies fall among the reporters'
        if sqlite:  # the held anonymous audit entries have no insertion order to read back
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'audit_anonymous'")).scalar()
            assert ddl.rstrip().upper().endswith("WITHOUT ROWID")
            held = conn.execute(text("SELECT entity_id FROM audit_anonymous WHERE action = 'create'")).scalars().all()
            assert sorted(int(x) for x in held) == sorted(truth_reports)
            assert [int(x) for x in held] != truth_reports
        # a report's own thread keeps its order (the reporter reads it anyway)
        thread = (
            conn.execute(
                text("SELECT ciphertext FROM intake_messages WHERE report_id = :r ORDER BY position"),
                {"r": truth_reports[0]},
            )
            .scalars()
            .all()
        )
        assert [decrypt_json(c)["text"] for c in thread] == ["report 0", "staff 0", "follow-up 0"]


def _row_order(conn, table: str, column: str) -> list:
    return conn.execute(text(f"SELECT {column} FROM {table} ORDER BY ctid")).scalars().all()


def test_postgres_row_versions_and_places_do_not_order_anonymous_rows(registry, people):
    """PostgreSQL stamps every row with its writing transaction (``xmin``, in transaction order) and
    keeps it where it was written (``ctid``); the staff entries' transactions are timed in the log.
    An attacker with the database places each anonymous row among the staff entries by ``xmin``
    and orders the rows by ``ctid``: neither recovers the order they were written in."""
    if registry.engine.dialect.name != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's (SQLite: see the test above)")
    truth_reports, truth_messages = _interleave(registry, people)
    tables = {
        "intake_reports": ("id", [str(r) for r in truth_reports]),
        "intake_messages": ("ciphertext", truth_messages),
        "audit_anonymous": ("entity_id", None),
    }

    def attack(conn) -> dict[str, set[int]]:
        staff = sorted(
            conn.execute(text("SELECT xmin::text::bigint FROM audit_log WHERE actor <> 'anonymous'")).scalars()
        )
        places = {}
        for table in tables:
            xmins = conn.execute(text(f"SELECT xmin::text::bigint FROM {table}")).scalars().all()
            places[table] = {bisect.bisect(staff, x) for x in xmins}  # staff entries written before each row
        return places

    with registry.engine.connect() as conn:
        # in the order written, the k-th report follows 2k+1 staff entries: here all rows share one place
        assert all(len(p) == 1 for p in attack(conn).values()), attack(conn)
        reports = [str(x) for x in _row_order(conn, "intake_reports", "id")]
        assert sorted(reports) == sorted(tables["intake_reports"][1]) and reports != tables["intake_reports"][1]
        texts = [decrypt_json(c)["text"] for c in _row_order(conn, "intake_messages", "ciphertext")]
        assert sorted(texts) == sorted(truth_messages) and texts != truth_messages
        held = [int(x) for x in _row_order(conn, "audit_anonymous", "entity_id")]
        assert sorted(held) == sorted(truth_reports * 2) and held != [r for r in truth_reports for _ in (1, 2)]
        xmin_before = conn.execute(text("SELECT DISTINCT xmin::text FROM intake_reports")).scalars().all()
    # a later batch of the sequencer (once a minute) moves them all to its own transaction,
    # which says nothing of when anyone reported
    registry._sequencer._resealed = -1e9
    registry._sequencer.sync()
    with registry.engine.connect() as conn:
        assert all(len(p) == 1 for p in attack(conn).values())
        xmin_after = conn.execute(text("SELECT DISTINCT xmin::text FROM intake_reports")).scalars().all()
        assert len(xmin_after) == 1 and xmin_after != xmin_before
