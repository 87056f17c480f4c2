"""A minimal witness speaking C2SP ``tlog-witness`` (https://c2sp.org/tlog-witness), for tests and
small deployments: ``POST /add-checkpoint`` with an old size, a consistency proof and a checkpoint;
answers with a C2SP ``tlog-cosignature/v1`` line.

It trusts the log keys it was given per origin, keeps the latest cosigned checkpoint per origin
(in memory, or in a JSON state file written 0600 through :func:`~peacewatch.registry.files.write_private`),
and checks and updates that record atomically under one lock, as the protocol requires.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.files import read_no_follow, write_private


@dataclass
class Witness:
    """A witness: its cosigning key, the log keys it trusts (by origin) and its latest view of each log."""

    cosigner: cp.Cosigner
    logs: dict[str, list[cp.Verifier]]
    state_file: Path | None = None
    latest: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.state_file is not None and self.state_file.exists():
            try:
                raw = json.loads(read_no_follow(self.state_file))
                self.latest = {o: (int(v["size"]), bytes.fromhex(v["root"])) for o, v in raw.items()}
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                raise AuditProblem(
                    f"witness state file {self.state_file} is unreadable or not this witness's "
                    f"JSON ({exc}); restore it from a backup: starting empty would let the log "
                    "roll back unseen"
                ) from exc

    def _save(self) -> None:
        if self.state_file is not None:
            data = {o: {"size": n, "root": r.hex()} for o, (n, r) in self.latest.items()}
            write_private(self.state_file, json.dumps(data, sort_keys=True).encode())

    def add_checkpoint(self, body: str) -> tuple[int, str, str]:
        """Handle one add-checkpoint body: (HTTP status, content type, response body)."""
        head, sep, note = body.partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            return 400, "text/plain", "body must be: old <size>, proof lines, an empty line, the checkpoint\n"
        try:
            old = int(lines[0][4:])
            if lines[0][4:] != str(old) or old < 0:
                raise ValueError
            proof = [base64.b64decode(x, validate=True) for x in lines[1:]]
            if len(proof) > 63 or any(len(h) != 32 for h in proof):
                raise ValueError
        except ValueError:
            return 400, "text/plain", "malformed old size or consistency proof line\n"
        origin = note.split("\n", 1)[0]
        keys = self.logs.get(origin)
        if not keys:
            return 404, "text/plain", f"unknown log {origin!r}\n"
        try:
            c = cp.open_checkpoint_any(note, keys, "checkpoint")
        except AuditProblem as exc:
            return 403, "text/plain", f"{exc}\n"
        if old > c.size:
            return 400, "text/plain", "old size is larger than the checkpoint's\n"
        with self.lock:
            have_size, have_root = self.latest.get(origin, (0, merkle.EMPTY_ROOT))
            if old != have_size:
                return 409, "text/x.tlog.size", f"{have_size}\n"
            if old == c.size:
                if c.root != have_root:
                    return 409, "text/x.tlog.size", f"{have_size}\n"
            else:
                try:
                    if old == 0 and proof:
                        raise merkle.InvalidProof("the proof from size 0 must be empty")
                    merkle.verify_consistency(old, c.size, have_root, c.root, proof)
                except merkle.InvalidProof as exc:
                    return 422, "text/plain", f"{exc}\n"
            self.latest[origin] = (c.size, c.root)
            self._save()
        return 200, "text/plain", self.cosigner.cosign(note, int(time.time()))

    def app(self) -> Starlette:
        """The ASGI app: ``POST /add-checkpoint``."""

        async def add_checkpoint(request: Request) -> PlainTextResponse:
            raw = await request.body()
            if len(raw) > 64 * 1024:
                return PlainTextResponse("request too large\n", status_code=413)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return PlainTextResponse("body is not UTF-8\n", status_code=400)
            status, ctype, body = self.add_checkpoint(text)
            return PlainTextResponse(body, status_code=status, media_type=ctype)

        return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])
