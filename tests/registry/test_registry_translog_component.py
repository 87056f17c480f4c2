"""The log as its own component: an outsider's verifier that needs only the Merkle and checkpoint
modules, and a Registry that calls the appender explicitly (no listener on SQLAlchemy's Session)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import peacewatch.registry.translog.verifier as verifier_module
from peacewatch.cli import app
from peacewatch.registry import audit, cases
from peacewatch.registry import checkpoint as cp
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.translog import verifier

from .conftest import TCC_A

runner = CliRunner()


def _imports(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {
                f"{node.module}.{a.name}" if node.module == "peacewatch.registry" else node.module for a in node.names
            }
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_verifier_depends_only_on_the_merkle_and_checkpoint_modules():
    project = {m for m in _imports(verifier_module) if m.startswith("peacewatch")}
    assert project == {"peacewatch.registry.merkle", "peacewatch.registry.checkpoint", "peacewatch.registry.errors"}
    merkle_imports = _imports(__import__("peacewatch.registry.merkle", fromlist=["x"]))
    assert not {m for m in merkle_imports if m.startswith(("peacewatch", "sqlalchemy"))}
    checkpoint_top = {m for m in _imports(cp) if m.startswith("peacewatch")}
    # Key storage imports config/files inside its functions only; parsing notes needs errors alone.
    tree = ast.parse(Path(cp.__file__).read_text())
    top = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
    assert {m for m in top if m and m.startswith("peacewatch")} == {"peacewatch.registry.errors"}
    assert checkpoint_top >= {"peacewatch.registry.errors"}


def test_no_listener_is_registered_on_sqlalchemys_session_class():
    import peacewatch.registry.service
    import peacewatch.web  # noqa: F401 - everything the server imports

    for name in Session.dispatch._event_names:
        # A listener on a sessionmaker lives on that factory's own Session subclass, not on Session.
        assert not getattr(Session.dispatch, name)._clslevel.get(Session), name


def test_entries_recorded_outside_a_registry_session_are_refused(registry, engine):
    with Session(engine) as s, pytest.raises(RuntimeError, match="Registry.session"):
        audit.record(s, "someone", "read", "case", 1)


def test_verifier_checks_the_cli_proofs_with_a_pinned_key(registry, people, database_url):
    for i in range(3):
        with registry.as_user(people.tokens["inv"]) as (s, u):
            cases.create_case(s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"c {i}")
    key = cp.Verifier.parse(cp.load_signer(create=False).verifier_key())
    proof = json.loads(runner.invoke(app, ["registry", "audit", "prove", "2", "--db", database_url]).output)
    head = verifier.check_inclusion(proof, key)
    assert head.size == proof["tree_size"]
    forged = dict(proof, leaf_data=proof["leaf_data"].replace(f'"{proof["entry"]["action"]}"', '"nothing"', 1))
    assert forged["leaf_data"] != proof["leaf_data"]
    with pytest.raises(AuditProblem, match="entry 2"):
        verifier.check_inclusion(forged, key)
    stranger = cp.Verifier.parse(cp.Signer(key.name, cp.Ed25519PrivateKey.generate()).verifier_key())
    with pytest.raises(AuditProblem, match="no signature by key"):
        verifier.check_inclusion(proof, stranger)
    with registry.engine.connect() as conn:
        sizes = [r[0] for r in conn.exec_driver_sql("SELECT size FROM audit_checkpoints ORDER BY size")]
    doc = json.loads(
        runner.invoke(app, ["registry", "audit", "consistency", "--from", str(sizes[0]), "--db", database_url]).output
    )
    old, new = verifier.check_consistency(doc, key)
    assert (old.size, new.size) == (sizes[0], sizes[-1])
    doc["consistency_path"] = list(reversed(doc["consistency_path"]))
    with pytest.raises(AuditProblem, match="does not extend"):
        verifier.check_consistency(doc, key)
