"""``peacewatch sources fetch``: download catalogued files from their canonical URL (or a mirror),
with a progress bar, a sha256 check and an atomic move into the data directory.

Files published only as R data (``.rda``/``.rds``/``.RData``) are made the way the catalogued copy
was: the original is downloaded from ``derived_from``, read with pyreadr (the ``[fetch]`` extra) and
written as CSV; the result must have the catalog's sha256 like any download.

A file is only ever replaced by a result whose hash matches the catalog: a failed or corrupted
download leaves the existing file (if any) untouched, and no empty folder behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from peacewatch.sources.catalog import Catalog, SourceFile
from peacewatch.sources.context import sha256_of
from peacewatch.sources.errors import ChecksumError, PeacewatchDataError

Progress = Callable[[str, int, int | None], None]  # (label, bytes so far, total or None)

CONVERTER_HINT = "install the converter with `pip install 'peacewatch[fetch]'` (pyreadr)"


class FetchError(PeacewatchDataError):
    """A download failed or a file has no download address."""


class ConverterMissing(FetchError):
    """A file must be converted from R data but pyreadr is not installed."""


@dataclass
class FetchResult:
    """What happened to one file."""

    source: str
    name: str
    path: Path
    status: str  # "downloaded" | "converted" | "present"


#: ``derived_from`` addresses of files published as R data (converted after download).
R_DATA = re.compile(r"\.(rda|rds|RData)$")


def file_url(record: SourceFile, key: str, mirror: str | None) -> str:
    """Download address of a file: ``<mirror>/<path>`` when a mirror is given, else its canonical URL
    (for R data: the original's, converted after download)."""
    if mirror:
        return f"{mirror.rstrip('/')}/{record.path}"
    if record.url:
        return record.url
    if record.derived_from and record.convert:
        return record.derived_from
    if record.derived_from:
        raise FetchError(
            f"{key}/{record.path}: transcribed for peacewatch from {record.derived_from} (see its catalog note), "
            "so there is nothing to download; get it from a peacewatch data mirror with --mirror, or copy it "
            "into the data directory."
        )
    raise FetchError(
        f"{key}/{record.path}: no download address in the catalog (neither `url` nor `derived_from` with "
        "`convert`); fetch it from a mirror with --mirror or add the address to its catalog entry."
    )


def _missing_parents(path: Path) -> list[Path]:
    """Folders above ``path`` that do not exist yet, deepest first."""
    missing = []
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    return missing


def _download(url: str, dest: Path, label: str, progress: Progress | None, timeout: float) -> str:
    """Stream ``url`` into ``dest``; return the sha256 of what was received."""
    digest = hashlib.sha256()
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code} while fetching {label}")
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            done = 0
            with open(dest, "wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(label, done, total)
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: download of {label} failed: {exc}") from exc
    return digest.hexdigest()


def _require_pyreadr():
    try:
        import pyreadr
    except ImportError:
        raise ConverterMissing(f"files published as R data need pyreadr: {CONVERTER_HINT}") from None
    return pyreadr


def convert_r_data(original: Path, record: SourceFile, out: Path) -> None:
    """Read the R object of ``record.convert`` from ``original`` and write it to ``out`` as the catalog's CSV."""
    pyreadr = _require_pyreadr()
    recipe = record.convert
    try:
        objects = pyreadr.read_r(str(original), use_objects=[recipe.object] if recipe.object else None)
    except Exception as exc:  # pyreadr raises its own error types for damaged or unknown files
        raise FetchError(f"{record.derived_from}: cannot read as R data with pyreadr: {exc}") from exc
    if recipe.object and recipe.object not in objects:
        raise FetchError(f"{record.derived_from}: no R object {recipe.object!r} in it (found: {', '.join(map(str, objects))})")
    frame = objects[recipe.object] if recipe.object else next(iter(objects.values()))
    if record.path.endswith(".gz"):
        # the same bytes as the catalogued copy: level 9, the recorded header time, the file's own name
        frame.to_csv(out, index=False, lineterminator="\n",
                     compression={"method": "gzip", "compresslevel": 9, "mtime": recipe.gzip_mtime or 0})
    else:
        frame.to_csv(out, index=False, lineterminator="\n")


def fetch_file(
    catalog: Catalog, key: str, name: str, dest_root: Path, mirror: str | None = None,
    progress: Progress | None = None, timeout: float = 60.0,
) -> FetchResult:
    """Download (or download and convert) one file into ``dest_root`` unless the right file is there."""
    record = catalog.file(key, name)
    target = dest_root / record.path
    if target.is_file() and sha256_of(target) == record.sha256:
        return FetchResult(key, name, target, "present")
    url = file_url(record, key, mirror)
    converting = not mirror and not record.url
    if converting:
        _require_pyreadr()  # before anything is downloaded or created
    created = _missing_parents(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    label = f"{key}/{name}"
    try:
        if converting:
            original = work / f"original-{url.rsplit('/', 1)[-1].lstrip('.')}"
            got = _download(url, original, label, progress, timeout)
            expected = record.convert.original_sha256
            if expected and got != expected:
                raise ChecksumError(
                    f"{url}: downloaded sha256 {got} != catalog {expected} for the original of {label}; "
                    "nothing was installed (the upstream file changed or the download was corrupted)."
                )
            made = work / target.name  # the final name: a .csv.gz header records it
            convert_r_data(original, record, made)
            got = sha256_of(made)
        else:
            made = work / target.name
            got = _download(url, made, label, progress, timeout)
        if got != record.sha256:
            raise ChecksumError(
                f"{url}: {'converted' if converting else 'downloaded'} sha256 {got} != catalog {record.sha256} "
                f"for {label}; the file was not installed (the upstream file changed or the download was corrupted)."
            )
        os.replace(made, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        for folder in created:  # deepest first: leave no empty folder behind
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    shutil.rmtree(work, ignore_errors=True)
    return FetchResult(key, name, target, "converted" if converting else "downloaded")


def fetch(
    catalog: Catalog, keys: list[str], dest_root: Path, mirror: str | None = None, progress: Progress | None = None
) -> list[FetchResult]:
    """Fetch every file of the given sources."""
    return [
        fetch_file(catalog, key, name, dest_root, mirror, progress)
        for key in keys
        for name in catalog.source(key).files
    ]


def summary_line(results: list[FetchResult], failures: int, dest_root: Path) -> str:
    """``fetch: 20 downloaded, 12 converted, 0 already present, 0 failed (in DIR)``."""
    count = {s: sum(r.status == s for r in results) for s in ("downloaded", "converted", "present")}
    return (f"fetch: {count['downloaded']} downloaded, {count['converted']} converted, {count['present']} already "
            f"present, {failures} failed (in {dest_root})")
