"""Encryption key handling: clear errors when the key is missing or wrong."""

from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import Fernet

from peacewatch.registry import cases, crypto
from peacewatch.registry.errors import KeyProblem

from .conftest import TCC_A


def test_key_file_is_private_and_used(monkeypatch, tmp_path):
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    with pytest.raises(KeyProblem, match="peacewatch registry init"):
        crypto.load_key()
    path = crypto.create_key_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    token = crypto.encrypt_json({"name": "A"})
    assert crypto.decrypt_json(token) == {"name": "A"}


def test_invalid_and_wrong_keys(monkeypatch, registry, people):
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", "not-a-key")
    with pytest.raises(KeyProblem, match="not a valid Fernet key"):
        crypto.load_key()
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c = cases.create_case(
            s, inv, mission="UNMIL", tcc_ccode=TCC_A, category="sexual_abuse", summary="x", victim={"name": "V"}
        )
        cid = c.id
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    with registry.session() as s, pytest.raises(KeyProblem, match="not the one the data was written with"):
        cases.victim_details(s, s.merge(people.users["inv"]), cid)
