"""An interrupted first ``peacewatch run`` and the rerun both say where the first coordinator's
credentials file is (issue 24)."""

from __future__ import annotations

from typer.testing import CliRunner

from peacewatch import jobs
from peacewatch.cli import app


def test_interrupted_first_run_and_rerun_name_the_credentials_file(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(out))
    for name in ("PEACEWATCH_DB_URL", "PEACEWATCH_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    real_steps = jobs.MainJob.steps

    def registry_then_ctrl_c(self):
        def interrupted():
            raise KeyboardInterrupt

        return [("registry", dict(real_steps(self))["registry"]), ("panel", interrupted)]

    monkeypatch.setattr(jobs.MainJob, "steps", registry_then_ctrl_c)
    credentials = out / "registry-coordinator.txt"
    first = CliRunner().invoke(app, ["run", "--out", str(out)])
    assert first.exit_code != 0
    assert credentials.is_file()
    assert f"password and token in {credentials}" in first.stderr
    again = CliRunner().invoke(app, ["run", "--out", str(out)])
    assert "users exist already" in again.stderr
    assert f"password and token are still in {credentials}" in again.stderr
