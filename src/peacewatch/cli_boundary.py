"""The command line's one error boundary: users see one line, never a Python traceback.

* An expected error (a :class:`peacewatch.errors.PeacewatchError`, a registry refusal, a file the
  system refuses, such as an output path without write permission) prints ``error: <message>`` on
  standard error and exits with status 2.
* Anything else is a bug: it prints one line naming the exception and how to see the traceback
  (``peacewatch --debug ...`` or ``PEACEWATCH_DEBUG=1``) and exits with status 1.
* Click's own exits and usage errors (wrong option types, ``--help``, Ctrl-C) pass through untouched.
"""

from __future__ import annotations

from typing import TextIO

import typer
from typer.core import TyperGroup

from peacewatch.errors import InputError, PeacewatchError
from peacewatch.settings import current

DEBUG_ENV = "PEACEWATCH_DEBUG"
EXPECTED_EXIT = 2
BUG_EXIT = 1


def _pass_through() -> tuple[type[BaseException], ...]:
    """Exits and usage errors of Typer (which may vendor its own click) and of click itself."""
    kinds: list[type[BaseException]] = [typer.Exit, typer.Abort, typer.BadParameter, KeyboardInterrupt, SystemExit]
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            mod = __import__(module, fromlist=["ClickException"])
        except ImportError:
            continue
        kinds += [getattr(mod, name) for name in ("ClickException", "Exit", "Abort") if hasattr(mod, name)]
    return tuple(kinds)


PASS_THROUGH = _pass_through()


def on_close(callback) -> None:
    """Run ``callback`` when the current command ends, whatever way it ends (e.g. dispose a database
    engine, so no connection is finalised noisily at the interpreter's exit). Outside a command: never."""
    for module in ("typer._click.globals", "click.globals"):  # Typer may vendor its own click
        try:
            mod = __import__(module, fromlist=["get_current_context"])
        except ImportError:
            continue
        ctx = mod.get_current_context(silent=True)
        if ctx is not None:
            ctx.call_on_close(callback)
            return


def _database_problem(exc: BaseException) -> BaseException | None:
    """The registry's one-line description of a database error (SQLAlchemy or a missing driver), else None."""
    module = type(exc).__module__ or ""
    if not (module.startswith("sqlalchemy") or isinstance(exc, ModuleNotFoundError)):
        return None
    from peacewatch.registry.db import describe_database_error

    return describe_database_error(exc, None)


def expected_errors() -> tuple[type[BaseException], ...]:
    """Exception classes whose message is meant for the user (the registry's imported here, lazily:
    importing it loads SQLAlchemy, which a data command does not need)."""
    from peacewatch.registry.errors import RegistryError

    return (PeacewatchError, RegistryError)


def one_line(exc: BaseException | str) -> str:
    """The exception's message (or the text) on a single line."""
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def debug_wanted(ctx) -> bool:
    """True when ``--debug`` was given or ``PEACEWATCH_DEBUG`` is set to a true value."""
    root = ctx.find_root() if ctx is not None else None
    if root is not None and root.params.get("debug"):
        return True
    try:
        return current().debug
    except InputError:  # a malformed PEACEWATCH_DEBUG is no reason to hide the error being reported
        return False


#: Errors of writing that the user fixes (space, quota, a read-only disk, a closed pipe), by errno name.
_CANNOT_WRITE = {
    "ENOSPC": "the disk is full",
    "EDQUOT": "the disk quota is used up",
    "EROFS": "the file system is read-only",
    "EFBIG": "the file is too large for the file system",
    "EIO": "the device reported an input/output error",
}


def _file_problem(exc: BaseException) -> str | None:
    """``path: reason`` for an operating-system error about a file the user named (permissions, a
    file where a folder is needed, a full disk), else ``None``."""
    import errno

    if not isinstance(exc, OSError):
        return None
    why = _CANNOT_WRITE.get(errno.errorcode.get(exc.errno or 0, ""))
    if why is not None:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}cannot write: {why} ({exc.strerror or exc}); free some space or write elsewhere (--out)"
    if exc.filename and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    return None


def no_color() -> bool:
    """True when the user asked for no colours (``NO_COLOR`` set to anything but empty, see no-color.org)."""
    from peacewatch.settings import no_color_requested

    return no_color_requested()


def say_error(text: str) -> None:
    """``text`` on standard error, red unless NO_COLOR is set."""
    typer.secho(text, fg=None if no_color() else typer.colors.RED, err=True)


def report(exc: BaseException) -> int:
    """Print the one-line report of ``exc`` on standard error; return the exit status to use."""
    exc = _database_problem(exc) or exc
    if isinstance(exc, expected_errors()):
        say_error(f"error: {one_line(exc)}")
        return EXPECTED_EXIT
    if (problem := _file_problem(exc)) is not None:
        say_error(f"error: {problem}")
        return EXPECTED_EXIT
    say_error(
        f"error: unexpected {type(exc).__name__}: {one_line(exc)} (this is a bug in peacewatch; run the command "
        f"again with --debug, e.g. `peacewatch --debug ...`, or with {DEBUG_ENV}=1 to see the traceback)",
    )
    return BUG_EXIT


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """``warnings.showwarning`` for the command line: ``warning: <message>`` on one line of standard
    error, without the source line Python adds."""
    text = " ".join(str(message).split())
    typer.secho(f"warning: {text}", fg=None if no_color() else typer.colors.YELLOW, err=True)


class BoundaryGroup(TyperGroup):
    """The top-level group: every subcommand runs inside :meth:`invoke`, so one ``try`` covers them all."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PASS_THROUGH:
            raise
        except Exception as exc:  # this is the boundary: every error ends here as one line
            if debug_wanted(ctx):
                raise
            raise typer.Exit(report(exc)) from None
