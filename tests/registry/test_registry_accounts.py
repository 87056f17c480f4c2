"""Accounts (issue 20): look-alike and invisible-mark usernames are refused (TR39 skeletons),
passwords of any length get an answer, site and season words do not make a password, and the
first coordinator's username cannot be guessed."""

from __future__ import annotations

import re

import pytest
from support.sessions import login
from typer.testing import CliRunner

from peacewatch.registry import auth
from peacewatch.registry.errors import Conflict, ValidationFailed
from peacewatch.registry.usernames import normalise_username, skeleton

from .conftest import API

#: Lines of Unicode's confusables.txt (UTS #39 data), source -> prototype, written out here so the
#: skeleton is checked against the standard's own mapping rather than against itself.
CONFUSABLES_TXT = {
    "\u0430": "a",  # 0430 ; 0061  CYRILLIC SMALL LETTER A -> LATIN SMALL LETTER A
    "\u0131": "i",  # 0131 ; 0069  LATIN SMALL LETTER DOTLESS I
    "\u026a": "i",  # 026A ; 0069  LATIN LETTER SMALL CAPITAL I
    "\u0456": "i",  # 0456 ; 0069  CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "1": "l",  # 0031 ; 006C  DIGIT ONE
    "I": "l",  # 0049 ; 006C  LATIN CAPITAL LETTER I
    "0": "O",  # 0030 ; 004F  DIGIT ZERO
    "m": "rn",  # 006D ; 0072 006E
    "\u0440": "p",  # 0440 ; 0070  CYRILLIC SMALL LETTER ER
    "\u0435": "e",  # 0435 ; 0065  CYRILLIC SMALL LETTER IE
}


@pytest.mark.parametrize("source, prototype", CONFUSABLES_TXT.items())
def test_skeleton_follows_the_unicode_confusables_data(source, prototype):
    assert skeleton(source) == prototype
    assert skeleton(f"x{source}y\u034f") == f"x{prototype}y"  # default-ignorables vanish


@pytest.mark.parametrize("name", ["inv\u034f1", "inv1\ufe0f", "inv\u180b1", "inv\u200b1", "inv1\u00ad"])
def test_invisible_marks_are_refused(name):
    with pytest.raises(ValidationFailed, match=r"username contains U\+"):
        normalise_username(name)


@pytest.mark.parametrize("name", ["\u0131nv1", "\u026anv1", "INV1", "invl", "\u0131nvl", "\u026aNV1"])
def test_look_alikes_of_an_existing_name_are_refused(registry, name):
    """The issue's ``ınv1`` (dotless i) and ``ɪnv1`` (small capital I) beside ``inv1``."""
    with registry.session() as s:
        auth.create_user(s, "inv1", "quiet-harbour-lantern-42", auth.INVESTIGATOR)
    with registry.session() as s, pytest.raises(Conflict, match="(?i)inv1"):
        auth.create_user(s, name, "quiet-harbour-lantern-42", auth.INVESTIGATOR)


def test_whole_script_look_alikes_and_mixed_scripts(registry):
    with registry.session() as s:
        auth.create_user(s, "ape", "quiet-harbour-lantern-42", auth.ANALYST)
        with pytest.raises(Conflict, match="looks like the existing user 'ape'"):
            auth.create_user(s, "\u0430\u0440\u0435", "quiet-harbour-lantern-42", auth.ANALYST)  # all Cyrillic
        with pytest.raises(ValidationFailed, match="mixes scripts"):
            auth.create_user(s, "\u0430pe2", "quiet-harbour-lantern-42", auth.ANALYST)
        # a clearly different name and a name with a visible accent still work
        assert auth.create_user(s, "José.Ramos", "quiet-harbour-lantern-42", auth.ANALYST).user.username == "José.Ramos"


@pytest.mark.parametrize("password", ["peacewatch2026!", "Summer2026!!!", "Peace-Watch-2027", "registry-march-2026"])
def test_site_and_season_words_do_not_make_a_password(password):
    with pytest.raises(ValidationFailed, match="password"):
        auth.check_password_policy(password, "ines")


def test_passwords_longer_than_zxcvbn_takes_get_an_answer(client, people, registry):
    long_good = "quiet harbour lantern orchid gravel " * 4  # 144 characters
    r = client.post(
        f"{API}/users",
        json={"username": "longpass", "password": long_good, "role": "analyst"},
        headers=people.headers("coord"),
    )
    assert r.status_code == 201, r.text
    assert client.post(f"{API}/login", json={"username": "longpass", "password": long_good}).status_code == 200
    weak = "a" * 150
    r = client.post(
        f"{API}/users",
        json={"username": "weaklong", "password": weak, "role": "analyst"},
        headers=people.headers("coord"),
    )
    assert r.status_code == 422 and "password is too easy to guess" in str(r.json()["detail"])
    too_long = client.post(
        f"{API}/users",
        json={"username": "x2", "password": "b" * 500, "role": "analyst"},
        headers=people.headers("coord"),
    )
    assert too_long.status_code == 422


def test_init_picks_an_unguessable_username_and_takes_a_long_password(tmp_path, monkeypatch):
    from peacewatch.cli import app
    from peacewatch.registry.service import Registry

    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    password = "orchid lantern gravel harbour ferry " * 3  # 105 characters: zxcvbn's limit is 72
    r = CliRunner().invoke(app, ["registry", "init", "--password-stdin"], input=password + "\n")
    assert r.exit_code == 0, r.output
    creds = (tmp_path / "out" / "registry-coordinator.txt").read_text()
    name = creds.split("username: ")[1].split("\n")[0]
    assert re.fullmatch(r"coordinator-[a-z2-9]{8}", name) and name not in r.output
    reg = Registry()
    try:
        with reg.session() as s:
            assert login(s, name, password).user.role == auth.COORDINATOR
    finally:
        reg.dispose()
