"""``peacewatch serve`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the web commands to the top-level app."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
        port: int = typer.Option(8000, help="TCP port."),
        db: str | None = typer.Option(
            None, "--db", help="Registry database URL (default: PEACEWATCH_DB_URL, else out/peacewatch.sqlite)."
        ),
        secure_cookies: bool = typer.Option(
            False, help="Mark the login cookie Secure (behind HTTPS; also PEACEWATCH_SECURE_COOKIES=1)."
        ),
        log_level: str = typer.Option("info", help="uvicorn log level."),
        workers: int = typer.Option(
            1,
            min=1,
            max=64,
            help="Worker processes (each builds its own panel and keeps its own rate-limit counters, so a "
            "client may get up to N times each limit; they share one CSRF secret).",
        ),
    ) -> None:
        """Serve the web app: map, country and mission pages, scorecards, risk model, registry.

        Builds the data panel once at start-up, then serves every page from memory.
        Open http://HOST:PORT/ in a browser; add ?format=json to any page for its data.
        """
        from peacewatch.bounds import LOG_LEVELS, check_choice
        from peacewatch.settings import current
        from peacewatch.web.settings import WebSettings

        log_level = check_choice(log_level, LOG_LEVELS, "--log-level")
        check_listen(host, port)
        env = current()
        settings = WebSettings(db_url=db or env.db_url, secure_cookies=secure_cookies or env.secure_cookies)
        serve_dashboard(host, port, settings, log_level, workers=workers)


def check_listen(host: str, port: int) -> None:
    """Refuse a port outside 1-65535 or an address already in use before anything is built."""
    import socket

    from peacewatch.bounds import PORT
    from peacewatch.errors import InputError

    PORT.check(port, "--port")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host: cannot resolve {host!r} ({exc.strerror})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(
                f"--port: cannot listen on {host}:{port} ({exc.strerror}); choose another --port or --host"
            ) from None


def worker_app():
    """App factory of one worker process when serving with ``--workers N`` (settings from env)."""
    from peacewatch.settings import current
    from peacewatch.web.app import create_app
    from peacewatch.web.settings import WebSettings

    env = current()
    return create_app(WebSettings(db_url=env.db_url, secure_cookies=env.secure_cookies))


def serve_dashboard(host: str, port: int, settings=None, log_level: str = "info", job=None, workers: int = 1) -> None:
    """Serve :func:`peacewatch.web.app.create_app` with uvicorn until interrupted.

    The access log is off: it would record client IP addresses next to the anonymous-report pages,
    which promise to store none. ``job`` (a :class:`peacewatch.jobs.MainJob` writing in the background)
    puts its status line on every page until it is done. With ``workers`` > 1 uvicorn forks that many
    processes; the audit sequencer serialises its batches through the database, so they can share one
    registry.
    uvicorn's own proxy-header handling is off (by default it believes
    ``X-Forwarded-For`` from 127.0.0.1, so anyone behind a local proxy could pick their address);
    the app applies forwarding headers only from ``PEACEWATCH_TRUSTED_PROXIES``.
    """
    import os
    import secrets

    import uvicorn

    from peacewatch.registry.crypto import load_key
    from peacewatch.registry.errors import KeyProblem, RegistryError
    from peacewatch.registry.service import Registry
    from peacewatch.web.app import create_app
    from peacewatch.web.settings import WebSettings

    settings = settings or WebSettings()
    try:
        # Refuse group/other-readable files and migrate once, before any worker starts.
        registry = Registry(settings.db_url)
        registry.engine  # noqa: B018
        registry.dispose()
    except RegistryError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    try:
        load_key()
    except KeyProblem as exc:
        # The public pages work without it; anonymous reports and victim details need it.
        typer.secho(
            f"note: {exc}. Until then the anonymous report form answers that reports cannot be received "
            "right now (visitors never see this detail).",
            fg=typer.colors.YELLOW,
            err=True,
        )
    preload = settings.preload
    first = "building the panel, then serving" if preload else "serving"
    typer.echo(f"peacewatch: {first} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    if workers > 1:
        # Every worker must accept the forms another one served: one CSRF secret for all of them
        # (random for this serve unless PEACEWATCH_CSRF_SECRET is set); the workers read it from the env.
        os.environ.setdefault("PEACEWATCH_CSRF_SECRET", secrets.token_urlsafe(32))
        typer.echo(
            f"peacewatch: {workers} workers; each keeps its own rate-limit counters (a client may get up to "
            f"{workers} times each limit)",
            err=True,
        )
        if settings.db_url:
            os.environ["PEACEWATCH_DB_URL"] = settings.db_url
        os.environ["PEACEWATCH_SECURE_COOKIES"] = "1" if settings.secure_cookies else "0"
        uvicorn.run(
            "peacewatch.web.cli:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
            proxy_headers=False,
            server_header=False,
        )
        return
    app = create_app(settings)
    app.state.main_job = job
    if job is not None:
        job.app = app  # the job warms the app's caches once it listens (see peacewatch.jobs)
    uvicorn.run(
        app, host=host, port=port, log_level=log_level, access_log=False, proxy_headers=False, server_header=False
    )
