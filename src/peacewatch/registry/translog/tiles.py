"""The log as C2SP ``tlog-tiles`` (https://c2sp.org/tlog-tiles): hash tiles and redacted entry bundles.

A tile at level ``L`` and index ``N`` holds the hashes of the nodes of tree level ``8 * L`` with
indexes ``256 * N`` to ``256 * N + W - 1`` (``W = 256`` for a full tile, ``1..255`` for a partial
one, path suffix ``.p/<W>``); node ``i`` of level ``h`` is the root of the perfect subtree over leaves
``[i * 2^h, (i + 1) * 2^h)``, so a level-0 tile is 256 leaf hashes and a node of tile level ``L`` is
the perfect-tree root of one full tile of level ``L - 1``. ``N`` is written as 3-digit path
elements, all but the last prefixed with ``x`` (1234067 -> ``x001/x234/067``).

Entry bundles (``tile/entries/<N>[.p/<W>]``) hold entries ``256 * N`` onwards, each as a big-endian
uint16 length and the entry. This log serves **redacted** entries: each entry is the 32-byte leaf
hash, never the leaf (which names users and cases). A client checks an entry against the level-0
tile (they must be equal) instead of hashing it.

Only what the newest signed checkpoint covers is served. Full tiles never change in an
append-only log; :class:`TileCache` keeps recently computed full tiles.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.engine import Connection

from peacewatch.registry import merkle
from peacewatch.registry.translog.store import LOG

HEIGHT = 8
WIDTH = 1 << HEIGHT
_ELEMENT = re.compile(r"^x\d{3}$")
_LAST = re.compile(r"^(\d{3})(?:\.p)?$")


class NotATile(ValueError):
    """A tile path that is malformed, or a tile this log does not have (yet)."""


def encode_index(n: int) -> str:
    """C2SP tile index path: 3-digit elements, all but the last prefixed with ``x``."""
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def tile_path(level: int | str, index: int, width: int = WIDTH) -> str:
    """``tile/<level>/<N>[.p/<W>]`` (level ``"entries"`` for an entry bundle)."""
    return f"tile/{level}/{encode_index(index)}" + (f".p/{width}" if width < WIDTH else "")


def parse_tile_path(path: str) -> tuple[int | str, int, int]:
    """Parse ``<level>/<N>[.p/<W>]`` (the part after ``tile/``): (level or ``"entries"``, N, W)."""
    parts = path.split("/")
    if len(parts) < 2:
        raise NotATile("a tile path is tile/<level>/<index>")
    level_text, rest = parts[0], parts[1:]
    if level_text == "entries":
        level: int | str = "entries"
    elif level_text.isdigit() and str(int(level_text)) == level_text and int(level_text) < 64:
        level = int(level_text)
    else:
        raise NotATile(f"tile level {level_text!r} is not 0-63 or 'entries'")
    width = WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        w = rest[-1]
        if not (w.isdigit() and str(int(w)) == w and 1 <= int(w) < WIDTH):
            raise NotATile(f"partial tile width {w!r} is not 1-255")
        width, rest = int(w), rest[:-1]
    elif rest[-1].endswith(".p"):
        raise NotATile("a partial tile path ends in .p/<width>")
    last = _LAST.match(rest[-1])
    if not last or (rest[-1].endswith(".p") != (width < WIDTH)) or not all(_ELEMENT.match(e) for e in rest[:-1]):
        raise NotATile("tile index must be 3-digit path elements, all but the last prefixed with 'x'")
    digits = "".join(e[1:] for e in rest[:-1]) + last.group(1)
    index = int(digits)
    if encode_index(index) != "/".join(rest[:-1] + [last.group(1)]):
        raise NotATile("tile index has a leading zero element")
    return level, index, width


def _perfect_root(hashes: list[bytes]) -> bytes:
    """Root of a perfect tree whose bottom row is ``hashes`` (a power-of-two count)."""
    row = hashes
    while len(row) > 1:
        row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


class TileCache:
    """Full tiles (8 KiB each), most recently used kept: a tile of level L >= 1 is built from 256
    full tiles below it, so an unauthenticated reader cannot make the server rehash them each time."""

    def __init__(self, capacity: int = 2048):
        self._tiles: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int]) -> bytes | None:
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def put(self, key: tuple[int, int], tile: bytes) -> None:
        with self._lock:
            self._tiles[key] = tile
            while len(self._tiles) > self._capacity:
                self._tiles.popitem(last=False)


def available_width(size: int, level: int, index: int) -> int:
    """How many nodes of tile (level, index) a tree of ``size`` leaves has complete (0-256)."""
    nodes = size >> (HEIGHT * level)
    return max(0, min(WIDTH, nodes - index * WIDTH))


def _leaf_hashes(conn: Connection, first: int, count: int) -> list[bytes]:
    rows = (
        conn.execute(select(LOG.c.leaf_hash).where(LOG.c.seq > first, LOG.c.seq <= first + count).order_by(LOG.c.seq))
        .scalars()
        .all()
    )
    if len(rows) != count:
        raise NotATile(f"audit entries {first + 1}-{first + count} are not all stored")
    return [bytes.fromhex(h) for h in rows]


def hash_tile(conn: Connection, size: int, level: int, index: int, width: int, cache: TileCache) -> bytes:
    """Contents of hash tile (level, index) of width ``width`` in the tree of ``size`` leaves."""
    have = available_width(size, level, index)
    if width > have:
        raise NotATile(f"tile {tile_path(level, index, width)} is not in the tree of {size} entries")
    if width == WIDTH:
        cached = cache.get((level, index))
        if cached is not None:
            return cached
    if level == 0:
        tile = b"".join(_leaf_hashes(conn, index * WIDTH, width))
    else:
        nodes = []
        for i in range(index * WIDTH, index * WIDTH + width):
            below = hash_tile(conn, size, level - 1, i, WIDTH, cache)
            nodes.append(_perfect_root([below[j : j + 32] for j in range(0, len(below), 32)]))
        tile = b"".join(nodes)
    if width == WIDTH:
        cache.put((level, index), tile)
    return tile


def entry_bundle(conn: Connection, size: int, index: int, width: int) -> bytes:
    """Entry bundle ``index`` of width ``width``: redacted entries (uint16 length 32 + leaf hash)."""
    if width > available_width(size, 0, index):
        raise NotATile(f"entry bundle {tile_path('entries', index, width)} is not in the tree of {size} entries")
    return b"".join(b"\x00\x20" + h for h in _leaf_hashes(conn, index * WIDTH, width))
