"""``peacewatch sources fetch``: download catalogued files from their canonical URL (or a mirror),
with a progress bar, a sha256 check and an atomic move into the data directory.

Files published only as R data (``.rda``/``.rds``/``.RData``) are made the way the catalogued copy
was: the original is downloaded from ``derived_from``, read with pyreadr (the ``[fetch]`` extra) and
written as CSV; the result must have the catalog's sha256 like any download.

A file is only ever replaced by a result whose hash matches the catalog: a failed or corrupted
download leaves the existing file (if any) untouched, and no empty folder behind.

Downloads run in parallel (:func:`fetch`, ``--jobs``), each with connect and read timeouts and retries
with back-off (:class:`Network`). A host that fails to answer several times is given up on for the
rest of the run (:class:`Hosts`): its remaining files fail at once instead of each waiting out its
timeouts, so a network that does not answer ends the command in about one read timeout.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

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


#: Held while a download makes or removes its folders (parallel downloads share folders).
_FOLDERS = threading.Lock()

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


@dataclass(frozen=True)
class Network:
    """How patiently downloads wait: timeouts in seconds, attempts per file, back-off between them."""

    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # longest wait for the next bytes (or the first) of a response
    attempts: int = 3
    backoff: float = 1.0  # seconds before the 2nd attempt, doubled before each later one
    give_up_after: int = 3  # failures to reach a host before its remaining files are skipped

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_timeout, connect=self.connect_timeout)


class Hosts:
    """Failures to reach each host during one run (thread-safe); a host that failed ``limit`` times is
    given up on."""

    def __init__(self, limit: int):
        self._limit = limit
        self._failures: dict[str, int] = {}
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()

    def failed(self, host: str, problem: str) -> None:
        with self._lock:
            self._failures[host] = self._failures.get(host, 0) + 1
            self._last[host] = problem

    def last_problem(self, host: str) -> str:
        with self._lock:
            return self._last.get(host, "")

    def given_up(self, host: str) -> bool:
        with self._lock:
            return self._failures.get(host, 0) >= self._limit


#: Errors worth another attempt: the host did not answer, the connection broke, or the server said "later".
_UNREACHABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_RETRY_STATUS = {429, 500, 502, 503, 504}


def _download(
    url: str,
    dest: Path,
    label: str,
    progress: Progress | None,
    network: Network,
    client: httpx.Client | None = None,
    hosts: Hosts | None = None,
) -> str:
    """Stream ``url`` into ``dest`` (retrying as ``network`` says); return the sha256 of what was received."""
    host = urlsplit(url).netloc
    hosts = hosts or Hosts(network.give_up_after)
    own = client is None
    client = client or httpx.Client(timeout=network.timeout(), follow_redirects=True)
    problem = ""
    try:
        for attempt in range(network.attempts):
            if attempt:
                time.sleep(network.backoff * 2 ** (attempt - 1))
            if hosts.given_up(host):  # after the pause: the other downloads' failures count too
                raise FetchError(
                    f"{url}: {host} did not answer ({hosts.last_problem(host)}); gave up on its files for this run "
                    "(check the network, or use --mirror)"
                )
            try:
                return _stream(client, url, dest, label, progress)
            except _Retry as exc:
                problem = str(exc)
            except _UNREACHABLE as exc:
                problem = _describe(exc, network)
                hosts.failed(host, problem)
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: download of {label} failed: {exc}") from exc
        raise FetchError(f"{url}: download of {label} failed after {network.attempts} attempts ({problem})")
    finally:
        if own:
            client.close()


class _Retry(Exception):
    """A response worth asking again for (429, 5xx)."""


def _describe(exc: httpx.HTTPError, network: Network) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {network.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no data within {network.read_timeout:g} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _stream(client: httpx.Client, url: str, dest: Path, label: str, progress: Progress | None) -> str:
    digest = hashlib.sha256()
    with client.stream("GET", url) as response:
        if response.status_code in _RETRY_STATUS:
            raise _Retry(f"HTTP {response.status_code}")
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
    return digest.hexdigest()


def _require_pyreadr() -> Any:  # the pyreadr module (it has no type hints)
    try:
        import pyreadr
    except ImportError:
        raise ConverterMissing(f"files published as R data need pyreadr: {CONVERTER_HINT}") from None
    return pyreadr


def convert_r_data(original: Path, record: SourceFile, out: Path) -> None:
    """Read the R object of ``record.convert`` from ``original`` and write it to ``out`` as the catalog's CSV."""
    pyreadr = _require_pyreadr()
    recipe = record.convert
    assert recipe is not None  # only files catalogued with a conversion recipe are converted
    try:
        objects = pyreadr.read_r(str(original), use_objects=[recipe.object] if recipe.object else None)
    except Exception as exc:  # pyreadr raises its own error types for damaged or unknown files
        raise FetchError(f"{record.derived_from}: cannot read as R data with pyreadr: {exc}") from exc
    if recipe.object and recipe.object not in objects:
        raise FetchError(
            f"{record.derived_from}: no R object {recipe.object!r} in it (found: {', '.join(map(str, objects))})"
        )
    frame = objects[recipe.object] if recipe.object else next(iter(objects.values()))
    if record.path.endswith(".gz"):
        # the same bytes as the catalogued copy: level 9, the recorded header time, the file's own name
        frame.to_csv(
            out,
            index=False,
            lineterminator="\n",
            compression={"method": "gzip", "compresslevel": 9, "mtime": recipe.gzip_mtime or 0},
        )
    else:
        frame.to_csv(out, index=False, lineterminator="\n")


def fetch_file(
    catalog: Catalog,
    key: str,
    name: str,
    dest_root: Path,
    mirror: str | None = None,
    progress: Progress | None = None,
    network: Network | None = None,
    client: httpx.Client | None = None,
    hosts: Hosts | None = None,
    new_folders: set[Path] | None = None,
) -> FetchResult:
    """Download (or download and convert) one file into ``dest_root`` unless the right file is there.

    ``client``, ``hosts`` and ``new_folders`` (the folders the run created) are shared by the files of one
    run (:func:`fetch_all`)."""
    network = network or Network()
    record = catalog.file(key, name)
    target = dest_root / record.path
    if target.is_file() and sha256_of(target) == record.sha256:
        return FetchResult(key, name, target, "present")
    url = file_url(record, key, mirror)
    converting = not mirror and not record.url
    if converting:
        _require_pyreadr()  # before anything is downloaded or created
    new_folders = new_folders if new_folders is not None else set()
    with _FOLDERS:  # parallel downloads share folders: one may not remove what another just made
        new_folders.update(_missing_parents(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    label = f"{key}/{name}"
    try:
        if converting:
            original = work / f"original-{url.rsplit('/', 1)[-1].lstrip('.')}"
            got = _download(url, original, label, progress, network, client, hosts)
            assert record.convert is not None  # file_url raised for a file with neither url nor recipe
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
            got = _download(url, made, label, progress, network, client, hosts)
        if got != record.sha256:
            raise ChecksumError(
                f"{url}: {'converted' if converting else 'downloaded'} sha256 {got} != catalog {record.sha256} "
                f"for {label}; the file was not installed (the upstream file changed or the download was corrupted)."
            )
        os.replace(made, target)
    except BaseException:
        with _FOLDERS:
            shutil.rmtree(work, ignore_errors=True)
            # Leave no empty folder behind: of the folders this run made, remove those now empty,
            # deepest first (one still holding another download's work stays).
            for folder in sorted(new_folders, key=lambda f: len(f.parts), reverse=True):
                try:
                    folder.rmdir()
                except OSError:
                    continue
                new_folders.discard(folder)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return FetchResult(key, name, target, "converted" if converting else "downloaded")


def fetch_all(
    catalog: Catalog,
    files: list[tuple[str, str]],
    dest_root: Path,
    mirror: str | None = None,
    progress: Progress | None = None,
    network: Network | None = None,
    jobs: int = 6,
    done: Callable[[str, str, FetchResult | BaseException], None] | None = None,
) -> list[FetchResult | BaseException]:
    """Fetch ``files`` (``(source key, file name)`` pairs) with ``jobs`` parallel downloads.

    Returns, in the order given, each file's :class:`FetchResult` or the exception that stopped it;
    ``done(key, name, outcome)`` is called as each file ends (from a worker thread).
    """
    network = network or Network()
    hosts = Hosts(network.give_up_after)
    new_folders: set[Path] = set()
    limits = httpx.Limits(max_connections=max(jobs, 1) * 2, max_keepalive_connections=max(jobs, 1))
    with httpx.Client(timeout=network.timeout(), follow_redirects=True, limits=limits) as client:

        def one(key: str, name: str) -> FetchResult | BaseException:
            try:
                outcome: FetchResult | BaseException = fetch_file(
                    catalog, key, name, dest_root, mirror, progress, network, client, hosts, new_folders
                )
            except Exception as exc:  # noqa: BLE001 - handed back to the caller, which reports it
                outcome = exc
            if done is not None:
                done(key, name, outcome)
            return outcome

        with ThreadPoolExecutor(max_workers=max(jobs, 1), thread_name_prefix="fetch") as pool:
            futures = [pool.submit(one, key, name) for key, name in files]
            return [f.result() for f in futures]


def fetch(
    catalog: Catalog,
    keys: list[str],
    dest_root: Path,
    mirror: str | None = None,
    progress: Progress | None = None,
    network: Network | None = None,
    jobs: int = 6,
) -> list[FetchResult]:
    """Fetch every file of the given sources in parallel; raise the first failure (in catalog order)."""
    files = [(key, name) for key in keys for name in catalog.source(key).files]
    outcomes = fetch_all(catalog, files, dest_root, mirror, progress, network, jobs)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return cast(list[FetchResult], outcomes)  # every failure was raised above


def summary_line(results: list[FetchResult], failures: int, dest_root: Path) -> str:
    """``fetch: 20 downloaded, 12 converted, 0 already present, 0 failed (in DIR)``."""
    count = {s: sum(r.status == s for r in results) for s in ("downloaded", "converted", "present")}
    return (
        f"fetch: {count['downloaded']} downloaded, {count['converted']} converted, {count['present']} already "
        f"present, {failures} failed (in {dest_root})"
    )
