"""The audit log served as C2SP tlog-tiles, read by a tiles client written here from the spec
(https://c2sp.org/tlog-tiles) with the RFC 6962 hashing of tests/registry/rfc9162.py: it rebuilds the
signed root of a log of 100,000 entries from the public, unauthenticated endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from peacewatch.registry import checkpoint as cp
from peacewatch.registry.api import create_app
from peacewatch.registry.translog import appender

from . import rfc9162 as rfc

API = "/api/registry/log"
N = 100_000


def _n_path(n: int) -> str:
    """Tile index as path elements (c2sp.org/tlog-tiles): 3 digits, all but the last with an x."""
    s = f"{n:03d}"
    if len(s) % 3:
        s = "0" * (3 - len(s) % 3) + s
    parts = [s[i : i + 3] for i in range(0, len(s), 3)]
    return "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])


class TilesClient:
    """A minimal tlog-tiles client: fetches the checkpoint and the tiles a tree size needs."""

    def __init__(self, http, vkey: str):
        self.http, self.vkey, self.fetched = http, vkey, {}

    def get(self, path: str) -> bytes:
        if path not in self.fetched:
            r = self.http.get(f"{API}/{path}")
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            self.fetched[path] = r
        return self.fetched[path].content

    def tile(self, level: int, index: int, size: int) -> list[bytes]:
        """Tile (level, index) of the tree of ``size`` leaves: full, or partial with the width that tree has."""
        width = min(256, (size >> (8 * level)) - index * 256)
        assert width > 0
        path = f"tile/{level}/{_n_path(index)}" + ("" if width == 256 else f".p/{width}")
        body = self.get(path)
        assert len(body) == 32 * width, path
        return [body[i : i + 32] for i in range(0, len(body), 32)]

    def subtree(self, height: int, index: int, size: int) -> bytes:
        """Root of the perfect subtree of 2**height leaves number ``index``, from one tile."""
        level, rest = divmod(height, 8)
        first = index << rest  # first node at level 8*level
        row = self.tile(level, first // 256, size)[first % 256 : first % 256 + (1 << rest)]
        while len(row) > 1:
            row = [rfc.sha(b"\x01" + row[i] + row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def root(self, size: int) -> bytes:
        """RFC 6962 root of ``size`` leaves: its perfect subtrees, largest first, folded right to left."""
        parts, start = [], 0
        for height in range(size.bit_length() - 1, -1, -1):
            if size >> height & 1:
                parts.append(self.subtree(height, start >> height, size))
                start += 1 << height
        node = parts[-1]
        for left in reversed(parts[:-1]):
            node = rfc.sha(b"\x01" + left + node)
        return node


def _bulk_log(registry, n: int) -> list[tuple]:
    """n entries appended in one batch (the appender the server uses), as raw row values."""
    leaves = [
        (
            f"2026-12-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000000:06d}",
            f"user{i % 37}",
            "read",
            "case",
            str(i % 911),
            "{}" if i % 5 else f'{{"note":"n\\u00e9 {i}"}}',
        )
        for i in range(n)
    ]
    with registry.engine.begin() as conn:
        appender.append(conn, leaves, dt.datetime(2026, 12, 1, 23, 0, 0))
    return leaves


@pytest.fixture
def http(registry):
    with TestClient(create_app(registry=registry)) as c:
        yield c


def test_a_tiles_client_rebuilds_the_signed_root_of_100000_entries(registry, http):
    rows = _bulk_log(registry, N)
    vkey = cp.load_signer(create=False).verifier_key()
    client = TilesClient(http, vkey)
    r = http.get(f"{API}/checkpoint")  # no token: public
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["cache-control"] == "no-cache"
    origin, size, root = rfc.open_checkpoint(r.text, vkey)
    assert origin == vkey.split("+")[0]
    assert size == N
    # The signed root from the few tiles on the right edge of the tree...
    assert client.root(size) == root
    assert "tile/2/000.p/1" in client.fetched and "tile/1/001.p/134" in client.fetched
    # ...and from every leaf hash of the level-0 tiles, with a hash recomputed from the leaf spec.
    leaves = [h for t in range((N + 255) // 256) for h in client.tile(0, t, size)]
    assert len(leaves) == N and rfc.mth(leaves) == root
    for i in range(0, N, 4999):
        at, actor, action, entity, entity_id, detail = rows[i]
        assert leaves[i] == rfc.leaf_hash(rfc.leaf_of(i + 1, at, actor, action, entity, entity_id, detail))
    # Older tree sizes (a client holding an older checkpoint) are served from the same tiles.
    for old in (1, 255, 256, 257, 65536, 65537, 99999):
        assert client.root(old) == rfc.mth(leaves[:old]), old
    # Level-1 nodes are the roots of the level-0 tiles.
    level1 = client.tile(1, 0, size)
    assert level1[5] == rfc.mth(leaves[5 * 256 : 6 * 256])
    # Entry bundles: redacted entries (uint16 length 32 + the leaf hash), nothing else.
    for index in (0, 17, N // 256):
        width = min(256, N - index * 256)
        path = f"tile/entries/{_n_path(index)}" + ("" if width == 256 else f".p/{width}")
        body = client.get(path)
        entries, at = [], 0
        while at < len(body):
            length = int.from_bytes(body[at : at + 2], "big")
            entries.append(body[at + 2 : at + 2 + length])
            at += 2 + length
        assert entries == leaves[index * 256 : index * 256 + width]
        assert b"user" not in body and b"case" not in body
    full, partial = client.fetched["tile/0/000"], client.fetched[f"tile/0/{_n_path(N // 256)}.p/{N % 256}"]
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert partial.headers["cache-control"] == "public, max-age=60"
    assert full.headers["content-type"] == "application/octet-stream"


def test_tiles_beyond_the_signed_tree_or_malformed_are_404(registry, http):
    _bulk_log(registry, 300)
    assert http.get(f"{API}/tile/0/000").status_code == 200
    assert http.get(f"{API}/tile/0/001.p/44").status_code == 200
    for path in (
        "tile/0/001",
        "tile/0/001.p/45",
        "tile/1/000",
        "tile/0/002.p/1",
        "tile/0/1",
        "tile/0/x000/001",
        "tile/entries/001",
        "tile/0/000.p/256",
        "tile/64/000",
        "tile/0/abc",
    ):
        r = http.get(f"{API}/{path}")
        assert r.status_code == 404, path
        assert "\n" not in r.text.strip()


def test_empty_log_has_no_checkpoint(http):
    r = http.get(f"{API}/checkpoint")
    assert r.status_code == 404 and "empty" in r.text


def test_the_web_app_serves_the_log_publicly_and_cacheably(registry, web):
    _bulk_log(registry, 600)
    r = web.get(f"{API}/checkpoint")
    assert r.status_code == 200 and r.text.split("\n")[1] == "600"
    assert r.headers["cache-control"] == "no-cache"
    tile = web.get(f"{API}/tile/0/001")
    assert tile.status_code == 200 and len(tile.content) == 256 * 32
    assert tile.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The rest of the registry stays private.
    assert web.get("/api/registry/me").headers["cache-control"] == "no-store"
