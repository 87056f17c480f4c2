"""The ``peacewatch`` command line: one Typer app with a sub-app per area.

Each area owns its commands in ``peacewatch.<area>.cli`` so that areas can grow
independently; this module only mounts them, adds the top-level ``run`` job and the global
``--debug`` option. Every command runs inside one error boundary (:mod:`peacewatch.cli_boundary`).
"""

from __future__ import annotations

import typer

from peacewatch import __version__
from peacewatch.cli_boundary import DEBUG_ENV, BoundaryGroup, show_warning
from peacewatch.jobs import register as register_jobs
from peacewatch.models.cli import app as model_app
from peacewatch.models.cli import report as report_command
from peacewatch.panel.cli import app as panel_app
from peacewatch.registry.cli import app as registry_app
from peacewatch.scorecards.cli import app as score_app
from peacewatch.sources.cli import app as sources_app
from peacewatch.web.cli import register as register_web

app = typer.Typer(
    help="peacewatch: peace operations x human trafficking data, models, scorecards and registry.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=BoundaryGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"peacewatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    debug: bool = typer.Option(
        False, "--debug", help=f"Show the full traceback of unexpected errors (or set {DEBUG_ENV}=1)."
    ),
    version: bool = typer.Option(
        False, "--version", "-V", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """peacewatch: peace operations x human trafficking data, models, scorecards and registry.

    Colours follow NO_COLOR (set it to turn them off).
    """
    import warnings

    from peacewatch.cli_boundary import no_color

    warnings.showwarning = show_warning  # one line per warning, never a source line
    if no_color():
        ctx.color = False  # every command's coloured output (click's secho) comes out plain


app.add_typer(sources_app, name="sources")
app.add_typer(panel_app, name="panel")
app.add_typer(model_app, name="model")
app.add_typer(score_app, name="score")
app.add_typer(registry_app, name="registry")
app.command("report")(report_command)


@app.command("config")
def config_command(
    as_json: bool = typer.Option(False, "--json", help="Print the settings as JSON."),
    as_markdown: bool = typer.Option(False, "--markdown", help="Print the reference page docs/configuration.md."),
) -> None:
    """Print the effective settings: every PEACEWATCH_* variable, its value (secrets masked) and meaning."""
    import json

    from peacewatch.settings import effective, markdown

    if as_markdown:
        typer.echo(markdown(), nl=False)
        return
    rows = effective()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        origin = "set" if row["set"] == "yes" else "default"
        typer.echo(f"{row['name']}={row['value']}  ({origin}; {row['type']})")
        typer.echo(f"    {row['doc']}")


register_web(app)
register_jobs(app)

if __name__ == "__main__":  # pragma: no cover
    app()
