"""``peacewatch run``: the main job on embedded defaults (mounted by :mod:`peacewatch.cli`).

Steps, each timed and shown with a progress bar: the registry database (SQLite, migrated, the first
coordinator's credentials in a 0600 file); the 1990-2025 country-year panel with every verb and its
files (CSV, Parquet, Frictionless data package, lineage, citations) and a short summary; the models
report; the replication package of the models (data, codebook, R script, do-file); the three
scorecards (CSV + JSON) with their figures and methods page.

With ``--serve`` the dashboard starts serving right after the registry step, without building
anything first (its first page builds the panel it shows); once it listens, a background thread warms
its other caches and writes the remaining outputs, and every page shows a status line until they are done.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from peacewatch.settings import current


def _summary_markdown(panel: Any) -> str:
    df = panel.df
    latest = int(df.loc[df["un_personnel"].notna(), "year"].max())
    top = df[df["year"] == latest].nlargest(10, "un_personnel")[
        ["country", "un_personnel", "un_tccs", "un_missions", "un_mission_names"]
    ]
    lines = [
        "# peacewatch panel summary",
        "",
        (
            f"{len(df):,} country-years, {df['ccode'].nunique()} states, "
            f"{panel.start}-{panel.end} ({panel.system.upper()} system)."
        ),
        f"Verbs: {', '.join(s.verb for s in panel.steps)}.",
        "",
        f"## Largest UN deployments, December {latest}",
        "",
        "| host | personnel | TCCs | missions |",
        "|---|---:|---:|---|",
    ]
    for r in top.itertuples():
        lines.append(f"| {r.country} | {r.un_personnel:,.0f} | {r.un_tccs:.0f} | {r.un_mission_names} |")
    lines += ["", "## Coverage (non-missing values)", "", "| column | country-years |", "|---|---:|"]
    lines += [f"| {col} | {n:,} |" for col, n in panel.summary()["non_missing"].items()]
    lines += ["", "## Sources", ""]
    lines += [f"- **{x['source']}** {x['version']}" for x in panel.lineage]
    return "\n".join(lines) + "\n"


def init_registry(out: Path, admin: str | None = None) -> dict[str, Any]:
    """Create the key file, migrate the registry and create the first coordinator.

    The password and token go to ``out/registry-coordinator.txt`` (mode 0600), never to the terminal
    or a log. When users exist already nothing is created and no file is written.
    """
    from sqlalchemy import func, select

    from peacewatch.registry import auth, crypto
    from peacewatch.registry.credentials import CREDENTIALS_FILE, default_admin_username, write_credentials
    from peacewatch.registry.models import User
    from peacewatch.registry.service import Registry

    result: dict[str, Any] = {}
    if current().secret_key is None:
        result["key_file"] = str(crypto.create_key_file())
    registry = Registry(None)
    try:
        result["database"] = registry.engine.url.render_as_string(hide_password=True)
        with registry.session() as session:
            if session.execute(select(func.count(User.id))).scalar_one():
                result["coordinator"] = None
                if (out / CREDENTIALS_FILE).is_file():  # an earlier (perhaps interrupted) run wrote it
                    result["credentials_kept"] = str(out / CREDENTIALS_FILE)
                return result
            password = secrets.token_urlsafe(12)
            name = admin or default_admin_username()
            user = auth.create_user(session, name, password, auth.COORDINATOR)
            result["coordinator"] = name
            result["credentials"] = str(write_credentials(out / CREDENTIALS_FILE, name, user.token, password))
    finally:
        registry.dispose()
    return result


class MainJob:
    """The main job's steps into ``out``, in the foreground or in a background thread.

    ``status_line()`` says how far it is (shown on every page while ``run --serve`` writes outputs).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.results: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.current: str | None = None
        self.error: str | None = None
        self.finished = False
        self.app: Any = None  # the dashboard serving meanwhile (``run --serve``)
        self._panel: Any = None

    # ----------------------------------------------------------------- the steps
    def steps(self) -> list[tuple[str, Callable[[], Any]]]:
        """(name, function) of every step, in order."""
        return [
            ("registry", self._registry),
            ("panel", self._build_panel),
            ("panel files", self._panel_files),
            ("summary", self._summary),
            ("models report", self._models_report),
            ("replication", self._replication),
            ("scorecards", self._scorecards),
        ]

    def _registry(self) -> Any:
        # The registry lives in the same output directory unless PEACEWATCH_OUT_DIR/DB_URL say otherwise.
        os.environ.setdefault("PEACEWATCH_OUT_DIR", str(self.out))
        return init_registry(self.out)

    def _build_panel(self) -> str:
        from peacewatch.bounds import PANEL_YEARS
        from peacewatch.panel.store import CORE_START, panel

        self._panel = panel(CORE_START, int(PANEL_YEARS.hi))  # the process's one panel, shared with the pages
        return f"{len(self._panel.df):,} country-years"

    def _panel_files(self) -> list[str]:
        from peacewatch.panel.build import write_panel

        return [str(p) for p in write_panel(self._panel, self.out / "panel", ["csv", "parquet", "datapackage"])]

    def _summary(self) -> str:
        summary = self.out / "summary.md"
        summary.write_text(_summary_markdown(self._panel), encoding="utf-8")
        return str(summary)

    def _models_report(self) -> str:
        from peacewatch.models.report import write_report

        return str(write_report(self.out / "report"))

    def _replication(self) -> str:
        from peacewatch.models.replication import write_replication

        write_replication(self.out / "replication")
        return str(self.out / "replication")

    def _scorecards(self) -> list[str]:
        from peacewatch.scorecards.report import write_scorecards

        return [str(p) for p in write_scorecards(self.out / "scorecards")]

    # ----------------------------------------------------------------- running
    def prepare(self) -> None:
        """Check that every data file is there (all missing ones listed at once), then create ``out``."""
        from peacewatch.sources.catalog import default_catalog

        default_catalog().require()
        self.out.mkdir(parents=True, exist_ok=True)

    def run(
        self,
        only: list[str] | None = None,
        skip: tuple[str, ...] = (),
        on_step: Callable[[str, str, float | None], None] | None = None,
    ) -> dict[str, Any]:
        """Run the steps (``only`` those named, minus ``skip``); ``on_step(name, "start"|"done", seconds)``."""
        todo = [(n, fn) for n, fn in self.steps() if (only is None or n in only) and n not in skip]
        try:
            for name, fn in todo:
                self.current = name
                if on_step:
                    on_step(name, "start", None)
                t0 = time.perf_counter()
                self.results[name] = fn()
                self.timings[name] = time.perf_counter() - t0
                if on_step:
                    on_step(name, "done", self.timings[name])
        except Exception as exc:
            self.error = f"{self.current}: {exc}"
            raise
        finally:
            self.current = None
            self.finished = all(n in self.timings for n, _ in self.steps())
        return self.results

    def status_line(self) -> str:
        """One sentence for people: what is written, what is being written."""
        total = len(self.steps())
        if self.error:
            return f"Writing the outputs to {self.out} stopped at {self.error}"
        if self.finished:
            return f"All {total} steps of the main job are written to {self.out}."
        doing = f" (now: {self.current})" if self.current else ""
        return (
            f"The main job is still writing its outputs to {self.out}: {len(self.timings)} of {total} steps "
            f"done{doing}. The pages are up to date; the files follow."
        )


def run_with_progress(job: MainJob) -> dict[str, Any]:
    """Run ``job`` in the foreground with a rich progress bar (step n of N, the current step, elapsed time)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("main job", total=len(job.steps()))

        def on_step(name: str, event: str, seconds: float | None) -> None:
            if event == "start":
                bar.update(task, description=f"[bold]{name}[/bold]")
            else:
                bar.console.print(f"  {name:<14} done in {seconds:5.1f} s")
                bar.advance(task)

        results = job.run(on_step=on_step)
        bar.update(task, description="main job done")
    return results


def _report_registry(echo: Callable[[str], None], result: dict[str, Any] | None) -> None:
    if not result:
        return
    if result.get("credentials"):
        # The username is not printed either: it is unguessable on purpose (a lockout target otherwise).
        echo(
            f"registry: first coordinator created; username, password and token in {result['credentials']} "
            "(readable by you only)"
        )
    elif result.get("coordinator") is None:
        kept = result.get("credentials_kept")
        echo(
            "registry: users exist already; no new coordinator created"
            + (
                f"; the first coordinator's username, password and token are still in {kept} "
                "(store them safely, then delete the file)"
                if kept
                else ""
            )
        )


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the top-level app."""

    @app.command()
    def run(
        out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out"),
        serve: Annotated[
            bool, typer.Option("--serve/--no-serve", help="Serve the dashboard (starts at once; outputs follow).")
        ] = False,
        host: Annotated[str, typer.Option(help="Host to serve on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    ) -> None:
        """Run the main job: registry, panel, summary, models report, scorecards; optionally serve."""
        if serve:
            from peacewatch.web.cli import check_listen

            check_listen(host, port)
        existed = out.exists()
        job = MainJob(out)
        try:
            job.prepare()
            if serve:
                _run_and_serve(job, host, port)
                return
            run_with_progress(job)
        except BaseException:
            if not existed and out.is_dir() and not any(out.iterdir()):
                out.rmdir()  # a failed first run leaves no empty output folder behind
            # An interrupted or failed run still says where the new coordinator's credentials went.
            _report_registry(lambda line: typer.echo(line, err=True), job.results.get("registry"))
            raise
        _report_registry(typer.echo, job.results.get("registry"))
        typer.echo(f"outputs in {out.resolve()}; summary: {out / 'summary.md'}")


def _run_and_serve(job: MainJob, host: str, port: int) -> None:
    """Registry first (the server needs it), then serve while a background thread writes the rest."""
    from peacewatch.web.cli import serve_dashboard
    from peacewatch.web.settings import WebSettings

    job.run(only=["registry"])
    _report_registry(typer.echo, job.results.get("registry"))

    def background() -> None:
        def on_step(name: str, event: str, seconds: float | None) -> None:
            if event == "done":
                typer.echo(f"peacewatch: [{name}] written in {seconds:.1f} s", err=True)

        try:
            job.run(skip=("registry",), on_step=on_step)
            typer.echo(f"peacewatch: all outputs written to {job.out.resolve()}", err=True)
        except Exception:  # noqa: BLE001 - the server keeps running; the status line says what failed
            from peacewatch.cli_boundary import one_line

            typer.secho(
                f"error: writing the outputs stopped at {one_line(job.error or 'a step')}",
                fg=typer.colors.RED,
                err=True,
            )

    def after_start() -> None:
        # The app starts without building anything (preload off), so it listens within seconds and
        # the first page builds only the panel it shows. Once it listens, this thread does what the
        # app's start-up would have done (the rest of its caches, the model fits), then the files.
        _wait_listening(host, port)
        app = getattr(job, "app", None)
        if app is not None:
            try:
                app.state.store.warm()
                app.state.analysis.warm_in_background()
            except Exception:  # noqa: BLE001 - a page that needs the data reports the problem itself
                pass
        background()

    threading.Thread(target=after_start, name="peacewatch-main-job", daemon=True).start()
    serve_dashboard(host, port, WebSettings(preload=False), job=job)


def _wait_listening(host: str, port: int, timeout: float = 600) -> None:
    """Block until something accepts TCP connections on ``host:port`` (or ``timeout`` seconds pass)."""
    import socket

    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
