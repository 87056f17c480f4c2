"""Files with personal data are owner-only wherever written (issue 20: `vetting screen --out`
wrote the names of screened and accused people 0644)."""

from __future__ import annotations

import os
import stat

import pytest

from .test_registry_cli import cli_env, run  # noqa: F401 - the CLI fixture


@pytest.mark.parametrize("name", ["hits.csv", "hits.json"])
def test_screening_hits_file_is_0600_whatever_the_umask(cli_env, name):  # noqa: F811
    (cli_env / "records.csv").write_text(
        "full_name,date_of_birth,nationality,category\nЮрий Иванов,1970-05-06,365,trafficking_related\n",
        encoding="utf-8",
    )
    (cli_env / "roster.csv").write_text(
        "name,date_of_birth,nationality\nYuri Ivanov,1970-06-05,365\n", encoding="utf-8"
    )
    assert run("vetting", "import-records", "records.csv").exit_code == 0
    old = os.umask(0o022)
    try:
        r = run("vetting", "screen", "roster.csv", "--out", name)
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    path = cli_env / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Yuri Ivanov" in path.read_text(encoding="utf-8")


def test_an_unwritable_hits_file_is_one_line(cli_env):  # noqa: F811
    (cli_env / "roster.csv").write_text(
        "name,date_of_birth,nationality\nYuri Ivanov,1970-06-05,365\n", encoding="utf-8"
    )
    r = run("vetting", "screen", "roster.csv", "--out", str(cli_env / "roster.csv" / "hits.csv"))
    assert r.exit_code == 2 and "cannot write it" in r.output and "Traceback" not in r.output
