"""What a registry keeps in memory belongs to its Registry object (issue 19, item 3): two Registry
objects on two databases in one process never see each other's record index, session touches,
hash tiles or audit sequencer, and a Registry opened afresh starts with nothing kept (so tests need
no global reset)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry import audit, auth, caches, policy, vetting
from peacewatch.registry import operations as ops
from peacewatch.registry.models import UserSession
from peacewatch.registry.service import Registry
from peacewatch.registry.translog import store, tiles
from tests.registry.conftest import PASSWORD_TAIL

RECORDS = {
    "a": "full_name,date_of_birth,nationality,category\nMuhammad Khan,1985-04-12,770,sexual_abuse\n",
    "b": "full_name,date_of_birth,nationality,category\nMaria Lopez,1990-01-01,100,sexual_abuse\n",
}


def _open(tmp_path, name: str) -> tuple[Registry, str, auth.User]:
    """A registry on its own SQLite file with one investigator holding a token, and its records."""
    reg = Registry(f"sqlite:///{tmp_path / name}.sqlite")
    with reg.session() as s:
        new = auth.create_user(s, "inv", f"inv-{PASSWORD_TAIL}", auth.INVESTIGATOR, None)
        policy.Actor(s, new.user, False)(ops.vetting.import_records, {"csv": RECORDS[name], "label": name})
    return reg, new.token, new.user


def test_two_registries_keep_their_own_record_index(tmp_path):
    a, _, inv_a = _open(tmp_path, "a")
    b, _, inv_b = _open(tmp_path, "b")
    try:
        with a.session() as s:
            index_a = vetting.record_index(s)
        with b.session() as s:
            index_b = vetting.record_index(s)
        assert list(index_a.records["name"]) == ["Muhammad Khan"]
        assert list(index_b.records["name"]) == ["Maria Lopez"]
        # Each kept on its own Registry, and found again there.
        assert a.caches.record_index.built is not None and a.caches.record_index.built[2] is index_a
        assert b.caches.record_index.built is not None and b.caches.record_index.built[2] is index_b
        with a.session() as s:
            assert vetting.record_index(s) is index_a
        # B's screening sees B's records only, though A's index was built first in this process.
        with b.session() as s:
            out = policy.Actor(s, inv_b, False)(
                ops.vetting.screen, {"csv": "name,date_of_birth,nationality\nMuhammad Khan,1985-04-12,770\n"}
            )
        assert out["hits"] == []
        with a.session() as s:
            out = policy.Actor(s, inv_a, False)(
                ops.vetting.screen, {"csv": "name,date_of_birth,nationality\nMuhammad Khan,1985-04-12,770\n"}
            )
        assert [h["record_name"] for h in out["hits"]] == ["Muhammad Khan"]
        assert a.sequencer is not b.sequencer and a.caches is not b.caches
        # A Registry opened afresh on A's database starts with nothing kept and builds its own.
        again = Registry(f"sqlite:///{tmp_path / 'a'}.sqlite", existing_only=True)
        try:
            assert again.caches.record_index.built is None
            with again.session() as s:
                fresh = vetting.record_index(s)
            assert fresh is not index_a and list(fresh.records["name"]) == ["Muhammad Khan"]
        finally:
            again.dispose()
    finally:
        a.dispose()
        b.dispose()


def test_a_session_opened_outside_a_registry_keeps_no_index(registry, people):
    with registry.session() as s:
        policy.Actor(s, people.users["inv"], False)(ops.vetting.import_records, {"csv": RECORDS["a"], "label": "a"})
    with Session(registry.engine) as s:
        first = vetting.record_index(s)
        assert vetting.record_index(s) is not first  # rebuilt: nothing to keep it on
        assert caches.of(s) is not caches.of(s)
    assert registry.caches.record_index.built is None


def _last_seen(reg: Registry) -> dt.datetime:
    with reg.session(read_only=True) as s:
        return s.execute(select(UserSession.last_seen_at)).scalar_one()


def test_session_touches_are_kept_per_registry(tmp_path):
    """A busy token writes its activity at most once a minute; which sessions were just touched is
    remembered by the Registry that served them, never by another one on another database."""
    a, token_a, _ = _open(tmp_path, "a")
    b, token_b, _ = _open(tmp_path, "b")
    try:
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        with a.session(read_only=True) as s:
            assert auth.user_for_token(s, token_a, now=later).username == "inv"
        assert _last_seen(a) == later  # written by A once its read-only session had closed
        assert a.caches.touches._seen == {1: later} and b.caches.touches._seen == {}
        # Another request of the same session that read the old time before that write: nothing
        # more is written within the minute.
        auth.touch_session(a.engine, a.caches.touches, 1, later + dt.timedelta(seconds=30))
        assert _last_seen(a) == later
        # Session 1 of B is another database's session: B writes its touch.
        with b.session(read_only=True) as s:
            assert auth.user_for_token(s, token_b, now=later).username == "inv"
        assert _last_seen(b) == later and b.caches.touches._seen == {1: later}
    finally:
        a.dispose()
        b.dispose()


def test_hash_tiles_are_kept_per_registry(tmp_path):
    a, _, _ = _open(tmp_path, "a")
    b, _, _ = _open(tmp_path, "b")
    try:
        with a.session() as s:  # a full tile's worth of entries in A's log only
            for i in range(tiles.WIDTH):
                audit.record(s, "inv", "read", "case", i)
        with a.read_connection() as conn:
            size = store.head_size(conn)
            tile = tiles.hash_tile(conn, size, 0, 0, tiles.WIDTH, a.caches.tiles)
        assert size > tiles.WIDTH and len(tile) == 32 * tiles.WIDTH
        assert a.caches.tiles.get((0, 0)) == tile and b.caches.tiles.get((0, 0)) is None
        with b.read_connection() as conn:
            size_b = store.head_size(conn)
            partial = tiles.hash_tile(conn, size_b, 0, 0, size_b, b.caches.tiles)
        assert size_b < tiles.WIDTH and partial != tile[: len(partial)]  # B's own log, not A's kept tile
    finally:
        a.dispose()
        b.dispose()
