"""CLI commands of peacewatch.registry (mounted by :mod:peacewatch.cli)."""

from __future__ import annotations

import typer

app = typer.Typer(help="registry commands", no_args_is_help=True)
