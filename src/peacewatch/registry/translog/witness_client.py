"""The log's side of C2SP ``tlog-witness``: submit a checkpoint with a consistency proof from the
witness's latest size, collect its cosignatures (C2SP ``tlog-cosignature/v1``).

Not on the append path: ``peacewatch registry audit witness`` runs it (e.g. from cron), so a slow or
unreachable witness never delays a request.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx

from peacewatch.registry import checkpoint as cp
from peacewatch.registry.errors import AuditProblem


def request_body(old: int, proof: list[bytes], note: str) -> str:
    """An add-checkpoint body: ``old <size>``, one base64 hash per line, an empty line, the checkpoint."""
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return "\n".join(lines) + "\n\n" + note


class WitnessRefused(AuditProblem):
    """The witness answered but did not cosign (403, 404, 409, 422...): its reason is in the message."""


def submit(
    http: httpx.Client,
    url: str,
    note: str,
    size: int,
    proof_from: Callable[[int], list[bytes]],
    witness_keys: list[cp.WitnessKey],
    old: int = 0,
) -> str:
    """POST ``note`` (a checkpoint of ``size`` entries) to the witness at ``url`` and return its
    cosignature lines that verify under one of ``witness_keys``.

    ``proof_from(m)`` gives the RFC 9162 consistency proof from ``m`` entries to ``size``. Starts
    from ``old`` (0 when the witness's size is not known) and follows one 409 answer carrying the
    witness's latest size. ``http`` is an ``httpx.Client``-like object.
    """
    endpoint = url.rstrip("/") + "/add-checkpoint"
    for _ in range(2):
        if old > size:
            raise WitnessRefused(
                f"witness {url} has cosigned {old} entries but this log has only {size}: "
                "the log was rolled back or truncated"
            )
        body = request_body(old, proof_from(old) if 0 < old < size else [], note)
        try:
            r = http.post(endpoint, content=body.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
        except (httpx.HTTPError, OSError) as exc:
            raise AuditProblem(f"witness {url} unreachable: {exc}") from exc
        reason = r.text.strip().splitlines()[0] if r.text.strip() else ""
        if r.status_code == 409 and r.headers.get("content-type", "").startswith("text/x.tlog.size"):
            try:
                seen = int(reason)
            except ValueError as exc:
                raise WitnessRefused(f"witness {url}: 409 without a tree size") from exc
            if seen == old:  # same size, other root: the witness saw a different tree of this size
                raise WitnessRefused(f"witness {url} holds another root for {seen} entries: the log was forked")
            old = seen
            continue
        if r.status_code != 200:
            raise WitnessRefused(
                f"witness {url} refused the checkpoint of {size} entries: HTTP {r.status_code} {reason}"
            )
        lines = [ln + "\n" for ln in r.text.splitlines() if ln.startswith("\u2014 ")]
        good = [
            ln for ln in lines if any(cp.cosigned_by(cp.add_signatures(note, ln), k) is not None for k in witness_keys)
        ]
        if not good:
            raise WitnessRefused(f"witness {url} answered, but with no cosignature by a pinned witness key")
        return "".join(good)
    raise WitnessRefused(f"witness {url} keeps answering 409; try again")


def http_client() -> httpx.Client:
    """The HTTP client ``audit witness`` uses (a function, so tests can hand in a local witness)."""
    return httpx.Client(timeout=10.0, follow_redirects=False)
