"""Copies of every checkpoint for a witness directory (``PEACEWATCH_AUDIT_WITNESS_DIR``)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from peacewatch.registry.files import read_no_follow, write_private
from peacewatch.settings import current

log = logging.getLogger("peacewatch.registry.audit")


def witness_dir() -> Path | None:
    """Directory that receives a copy of every checkpoint (env ``PEACEWATCH_AUDIT_WITNESS_DIR``), if set."""
    return current().audit_witness_dir


def keep(directory: Path, size: int, note: str) -> Path:
    """Write ``note`` as ``<size, 12 digits>.checkpoint`` (0600) in ``directory``, never losing one.

    The directory only grows: a file of that size is replaced only by the same checkpoint with more
    signatures (cosignatures); the same checkpoint with fewer is not written; a *different*
    checkpoint of that size (someone re-signed another tree) goes beside it as
    ``<size>.fork-<hash>.checkpoint``, where ``audit verify`` reports the fork.
    """
    path = directory / f"{size:012d}.checkpoint"
    try:
        old = read_no_follow(path).decode("utf-8", "replace")
    except FileNotFoundError:
        old = None
    if old is None or note.startswith(old):
        write_private(path, note.encode())
        return path
    if old.startswith(note):
        return path
    fork = directory / f"{size:012d}.fork-{hashlib.sha256(note.encode()).hexdigest()[:12]}.checkpoint"
    write_private(fork, note.encode())
    log.warning("audit checkpoint of %s entries differs from the one kept in %s: written to %s", size, directory, fork)
    return fork


def send(size: int, note: str) -> None:
    """Keep ``note`` in the witness directory (:func:`keep`), if one is set."""
    target = witness_dir()
    if target is None:
        return
    try:
        keep(target, size, note)
    except OSError as exc:
        # The entries are durable already; a witness that is unreachable must not undo that.
        log.warning("audit checkpoint %s not written to witness directory %s: %s", size, target, exc)
