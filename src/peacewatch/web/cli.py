"""``peacewatch serve`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Add the web commands to the top-level app."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 for all)."),
        port: int = typer.Option(8000, help="TCP port."),
        db: Optional[str] = typer.Option(None, "--db", envvar="PEACEWATCH_DB_URL",
                                         help="Registry database URL (default out/peacewatch.sqlite)."),
        secure_cookies: bool = typer.Option(False, help="Mark the login cookie Secure (behind HTTPS)."),
        log_level: str = typer.Option("info", help="uvicorn log level."),
    ) -> None:
        """Serve the web app: map, country and mission pages, scorecards, risk model, registry.

        Builds the data panel once at start-up (a few seconds), then serves every page from memory.
        Open http://HOST:PORT/ in a browser; add ?format=json to any page for its data.
        """
        from peacewatch.web.settings import WebSettings

        serve_dashboard(host, port, WebSettings(db_url=db, secure_cookies=secure_cookies), log_level)


def serve_dashboard(host: str, port: int, settings=None, log_level: str = "info") -> None:
    """Serve :func:`peacewatch.web.app.create_app` with uvicorn until interrupted.

    The access log is off: it would record client IP addresses next to the anonymous-report pages,
    which promise to store none. uvicorn's own proxy-header handling is off (by default it believes
    ``X-Forwarded-For`` from 127.0.0.1, so anyone behind a local proxy could pick their address);
    the app applies forwarding headers only from ``PEACEWATCH_TRUSTED_PROXIES``.
    """
    import uvicorn

    from peacewatch.registry.crypto import load_key
    from peacewatch.registry.errors import KeyProblem
    from peacewatch.web.app import create_app

    try:
        load_key()
    except KeyProblem as exc:
        # The public pages work without it; anonymous reports and victim details need it.
        typer.secho(f"note: {exc}. Until then the anonymous report form answers that reports cannot be received "
                    "right now (visitors never see this detail).",
                    fg=typer.colors.YELLOW, err=True)
    typer.echo(f"peacewatch: building the panel, then serving on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, access_log=False,
                proxy_headers=False, server_header=False)
