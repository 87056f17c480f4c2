"""CLI commands of peacewatch.scorecards (mounted by :mod:peacewatch.cli)."""

from __future__ import annotations

import typer

app = typer.Typer(help="scorecards commands", no_args_is_help=True)
