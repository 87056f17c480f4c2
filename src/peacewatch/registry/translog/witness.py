"""Copies of every checkpoint for a witness directory (``PEACEWATCH_AUDIT_WITNESS_DIR``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from peacewatch.registry.files import write_private

log = logging.getLogger("peacewatch.registry.audit")


def witness_dir() -> Path | None:
    """Directory that receives a copy of every checkpoint (env ``PEACEWATCH_AUDIT_WITNESS_DIR``), if set."""
    raw = os.environ.get("PEACEWATCH_AUDIT_WITNESS_DIR", "").strip()
    return Path(raw) if raw else None


def send(size: int, note: str) -> None:
    """Write ``note`` as ``<size, 12 digits>.checkpoint`` (0600) into the witness directory, if set."""
    target = witness_dir()
    if target is None:
        return
    try:
        write_private(target / f"{size:012d}.checkpoint", note.encode())
    except OSError as exc:
        # The entries are durable already; a witness that is unreachable must not undo that.
        log.warning("audit checkpoint %s not written to witness directory %s: %s", size, target, exc)
