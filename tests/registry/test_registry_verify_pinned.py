"""`audit verify` trusts only pinned keys, checks every witnessed checkpoint, refuses forks and
symbolic links, and exits with the documented codes (0 intact, 1 not intact, 2 could not verify)."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from sqlalchemy import delete, insert, select, text, update
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry import audit, cases, merkle
from peacewatch.registry import checkpoint as cp
from peacewatch.registry.files import write_private
from peacewatch.registry.models import AuditEntry

from .conftest import TCC_A

runner = CliRunner()


def _verify(database_url, *args, env=None):
    r = runner.invoke(app, ["registry", "audit", "verify", "--db", database_url, *args], env=env)
    return r.exit_code, r.output.strip()


def _add_cases(registry, people, n):
    for i in range(n):
        with registry.as_user(people.tokens["inv"]) as (s, u):
            cases.create_case(s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"case {i}")


def _rebuild_head(registry) -> None:
    """What an attacker with the database does after editing entries: recompute hashes and head,
    drop the old checkpoints; the server's next batch signs the forged head."""
    with registry.session() as s:
        f = merkle.Frontier()
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
            e.leaf_hash = merkle.leaf_hash(
                audit.canonical(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            ).hex()
            f.append(bytes.fromhex(e.leaf_hash))
        s.execute(delete(audit.CHECKPOINTS))
        s.execute(delete(audit.TREE))
        s.execute(insert(audit.TREE).values(id=1, size=f.size, root=f.root().hex(), frontier=f.dumps()))
    registry.sequencer.sync()


@pytest.fixture
def witness(tmp_path, monkeypatch):
    d = tmp_path / "witness"
    monkeypatch.setenv("PEACEWATCH_AUDIT_WITNESS_DIR", str(d))
    return d


def test_key_swap_and_full_rewrite_fail_against_the_pinned_key(registry, people, database_url, monkeypatch):
    _add_cases(registry, people, 3)
    pinned = cp.load_signer(create=False).verifier_key()
    assert _verify(database_url, "--key", pinned)[0] == 0
    # The attacker holds the database and the key file: rewrite entry 3, swap in a key of their own
    # (same origin), rebuild the hashes and the head, re-sign everything.
    with registry.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="someone-else"))
    os.remove(cp.signing_key_file())
    cp._cache.clear()
    monkeypatch.setenv("PEACEWATCH_AUDIT_ORIGIN", pinned.split("+")[0])  # same origin, new key
    assert cp.load_signer().verifier_key() != pinned
    _rebuild_head(registry)
    # Without a pinned key the database agrees with itself, and says that nothing was signed-checked.
    code, out = _verify(database_url)
    assert code == 0 and "no pinned key" in out
    # With the pinned key: exit 1, one line.
    code, out = _verify(database_url, "--key", pinned)
    assert code == 1 and len(out.splitlines()) == 1
    assert out.startswith("audit log BROKEN") and "no signature by key" in out


def test_truncation_with_an_old_checkpoint_dropped_in_the_witness_dir_is_caught(
    registry, people, database_url, witness
):
    _add_cases(registry, people, 2)
    old = min(witness.glob("*.checkpoint"))
    _add_cases(registry, people, 3)
    pinned = cp.load_signer(create=False).verifier_key()
    assert _verify(database_url, "--key", pinned)[0] == 0
    n = int(old.read_text().splitlines()[1])
    with registry.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": n})
    _rebuild_head(registry)
    shutil.copy(old, witness / "999999999999.checkpoint")  # sorts last: the old code checked only that one
    code, out = _verify(database_url, "--key", pinned)
    assert code == 1 and len(out.splitlines()) == 1
    assert f"holds only {n} entries" in out and "rolled back" in out


def test_forked_witness_checkpoint_and_symbolic_links_are_refused(registry, people, database_url, witness, tmp_path):
    _add_cases(registry, people, 2)
    signer = cp.load_signer(create=False)
    pinned = signer.verifier_key()
    newest = max(witness.glob("*.checkpoint"))
    size = int(newest.read_text().splitlines()[1])
    fork = signer.sign(cp.checkpoint_text(signer.name, size, bytes(32), audit.E.now()))
    (witness / "fork.checkpoint").write_text(fork)
    code, out = _verify(database_url, "--key", pinned)
    assert code == 1 and "different roots" in out and "forked" in out
    (witness / "fork.checkpoint").unlink()
    outside = tmp_path / "elsewhere.checkpoint"
    outside.write_text(newest.read_text())
    (witness / "zz.checkpoint").symlink_to(outside)
    code, out = _verify(database_url, "--key", pinned)
    assert code == 1 and "symbolic link" in out
    (witness / "zz.checkpoint").unlink()
    assert _verify(database_url, "--key", pinned)[0] == 0


def test_exit_codes_and_pinned_key_sources(registry, people, database_url, witness, tmp_path):
    _add_cases(registry, people, 2)
    pinned = cp.load_signer(create=False).verifier_key()
    # Checkpoints to check but no pinned key: could not verify (2), never the server's key file.
    code, out = _verify(database_url)
    assert code == 2 and "no pinned verifier key" in out
    code, out = _verify(database_url, "--key", "nonsense")
    assert code == 2 and "malformed" in out
    keys = tmp_path / "trusted-keys"
    keys.write_text(f"# the registry's log key\n{pinned}\n")
    assert _verify(database_url, "--trusted-keys", str(keys))[0] == 0
    keys.write_text("not a key\n")
    code, out = _verify(database_url, "--trusted-keys", str(keys))
    assert code == 2 and "line 1" in out
    # A checkpoint altered after signing: not intact (1), as documented.
    altered = tmp_path / "altered.checkpoint"
    note = max(witness.glob("*.checkpoint")).read_text()
    altered.write_text(re.sub(r"^(.*)\n(\d+)\n", lambda m: f"{m.group(1)}\n{int(m.group(2)) + 1}\n", note, count=1))
    code, out = _verify(database_url, "--key", pinned, "--checkpoint", str(altered))
    assert code == 1 and "altered or signed by another key" in out


def test_key_rotation_keeps_old_checkpoints_verifiable(registry, people, database_url, witness, tmp_path):
    _add_cases(registry, people, 2)
    old = cp.load_signer(create=False).verifier_key()
    r = runner.invoke(app, ["registry", "audit", "rotate-key"])
    assert r.exit_code == 0, r.output
    new = r.output.split("new verifier key (pin it beside the old one): ")[1].strip()
    assert new != old and new.split("+")[0] == old.split("+")[0]  # same log, same origin
    registry.sequencer.sync()
    _add_cases(registry, people, 2)
    code, out = _verify(database_url, "--key", old, "--key", new)
    assert code == 0, out
    assert _verify(database_url, "--key", new)[0] == 1  # the old checkpoints need the old key


def test_checkpoint_files_follow_no_link_and_directories_are_private(tmp_path):
    os.umask(0)
    try:
        victim = tmp_path / "victim.txt"
        victim.write_text("keep")
        target = tmp_path / "new" / "deeper" / "000000000001.checkpoint"
        target.parent.mkdir(parents=True, mode=0o700)
        target.symlink_to(victim)
        write_private(target, b"checkpoint")
        assert victim.read_text() == "keep" and not target.is_symlink()
        assert target.stat().st_mode & 0o777 == 0o600
        fresh = tmp_path / "w1" / "w2" / "cp"
        write_private(fresh, b"x")
        assert (tmp_path / "w1").stat().st_mode & 0o777 == 0o700
        assert (tmp_path / "w1" / "w2").stat().st_mode & 0o777 == 0o700
    finally:
        os.umask(0o022)
