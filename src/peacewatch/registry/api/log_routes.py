"""Public, unauthenticated read endpoints of the audit log in the C2SP ``tlog-tiles`` layout.

``GET /log/checkpoint`` (newest signed checkpoint), ``GET /log/tile/<L>/<N>[.p/<W>]`` (hash tiles)
and ``GET /log/tile/entries/<N>[.p/<W>]`` (entry bundles of redacted entries: leaf hashes only). No
token, no audit entry: nothing here names a user, a case or a time finer than the checkpoints'.
Full tiles never change, so they are served ``immutable``; see :mod:`peacewatch.registry.translog.tiles`.
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from peacewatch.registry.api.deps import Deps, on_threads
from peacewatch.registry.translog import store, tiles

FULL = "public, max-age=31536000, immutable"
PARTIAL = "public, max-age=60"
CHECKPOINT = "no-cache"


def router(deps: Deps) -> APIRouter:
    r = APIRouter()
    cache = deps.registry.caches.tiles  # full tiles of this registry's log (they never change)

    def read_checkpoint() -> str | None:
        with deps.registry.read_connection() as conn:
            return store.checkpoint_note(conn)

    def read_tile(path: str) -> tuple[bytes, int]:
        level, index, width = tiles.parse_tile_path(path)
        with deps.registry.read_connection() as conn:
            size = store.head_size(conn)
            if level == "entries":
                return tiles.entry_bundle(conn, size, index, width), width
            # parse_tile_path gives a level number or "entries", handled above.
            return tiles.hash_tile(conn, size, cast(int, level), index, width, cache), width

    # Not JSON operations: left out of the OpenAPI schema, specified by C2SP tlog-tiles and docs/registry.md.
    @r.get("/log/checkpoint", include_in_schema=False)
    async def checkpoint() -> Response:
        """The newest signed checkpoint (C2SP tlog-checkpoint in a signed note). Public."""
        note = await on_threads(deps.threads, read_checkpoint)
        if note is None:
            return PlainTextResponse("the audit log is empty: no checkpoint yet\n", status_code=404)
        return PlainTextResponse(note, headers={"Cache-Control": CHECKPOINT})

    @r.get("/log/tile/{path:path}", include_in_schema=False)
    async def tile(path: str) -> Response:
        """A hash tile or an entry bundle (C2SP tlog-tiles; entries are leaf hashes). Public."""
        try:
            body, width = await on_threads(deps.threads, read_tile, path)
        except tiles.NotATile as exc:
            return PlainTextResponse(f"{exc}\n", status_code=404)
        return Response(
            body,
            media_type="application/octet-stream",
            headers={"Cache-Control": FULL if width == tiles.WIDTH else PARTIAL},
        )

    return r
