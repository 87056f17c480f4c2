"""``peacewatch sources fetch``: download catalogued files from their canonical URL (or a mirror),
with a progress bar, a sha256 check and an atomic move into the data directory.

A file is only ever replaced by a download whose hash matches the catalog: a failed or corrupted
download leaves the existing file (if any) untouched.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from peacewatch.sources.catalog import Catalog, SourceFile
from peacewatch.sources.context import sha256_of
from peacewatch.sources.errors import ChecksumError, PeacewatchDataError

Progress = Callable[[str, int, int | None], None]  # (label, bytes so far, total or None)


class FetchError(PeacewatchDataError):
    """A download failed or a file has no download address."""


@dataclass
class FetchResult:
    """What happened to one file."""

    source: str
    name: str
    path: Path
    status: str  # "downloaded" | "present"


def file_url(record: SourceFile, key: str, mirror: str | None) -> str:
    """Download address of a file: ``<mirror>/<path>`` when a mirror is given, else its canonical URL."""
    if mirror:
        return f"{mirror.rstrip('/')}/{record.path}"
    if record.url:
        return record.url
    raise FetchError(
        f"{key}/{record.path}: no canonical download URL (it is a conversion made for peacewatch from "
        f"{record.derived_from}); fetch it from a mirror with --mirror, or convert the original with pyreadr."
    )


def fetch_file(
    catalog: Catalog, key: str, name: str, dest_root: Path, mirror: str | None = None,
    progress: Progress | None = None, timeout: float = 60.0,
) -> FetchResult:
    """Download one file into ``dest_root`` unless a file with the right hash is already there."""
    record = catalog.file(key, name)
    target = dest_root / record.path
    if target.is_file() and sha256_of(target) == record.sha256:
        return FetchResult(key, name, target, "present")
    url = file_url(record, key, mirror)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code} while fetching {key}/{name}")
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            done = 0
            with open(tmp, "wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(f"{key}/{name}", done, total)
        if digest.hexdigest() != record.sha256:
            raise ChecksumError(
                f"{url}: downloaded sha256 {digest.hexdigest()} != catalog {record.sha256} for {key}/{name}; "
                "the file was not installed (the upstream file changed or the download was corrupted)."
            )
        os.replace(tmp, target)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: download of {key}/{name} failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return FetchResult(key, name, target, "downloaded")


def fetch(
    catalog: Catalog, keys: list[str], dest_root: Path, mirror: str | None = None, progress: Progress | None = None
) -> list[FetchResult]:
    """Fetch every file of the given sources."""
    return [
        fetch_file(catalog, key, name, dest_root, mirror, progress)
        for key in keys
        for name in catalog.source(key).files
    ]
