"""Reading catalogued files: parsing, row/column checks, sha256 check, parquet cache, lineage.

Loaders never touch the network or the file system themselves; they ask a :class:`SourceContext`
for raw tables. The context

* parses a file by its catalog ``format`` (and ``read`` options),
* checks the catalog's row count and columns (a truncated file fails here, by name),
* checks the sha256 against the catalog (``PEACEWATCH_ALLOW_CHANGED_DATA=1`` downgrades a mismatch
  to a warning for users who knowingly run on a newer release),
* caches each loader's tidy output as parquet in the user cache dir, keyed by the loader, its
  version and the input files' size and mtime, so a warm build reads a few small parquet files,
* records which source versions and file hashes were used (the lineage of a panel).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from platformdirs import user_cache_dir

from peacewatch.settings import current
from peacewatch.sources.catalog import Catalog, default_catalog
from peacewatch.sources.crosswalk import Crosswalk
from peacewatch.sources.errors import ChecksumError
from peacewatch.sources.reading import parse_file, require_shape

Reader = Callable[..., Any]


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where loader outputs are cached (``PEACEWATCH_CACHE_DIR`` or the user cache dir)."""
    return current().cache_dir or Path(user_cache_dir("peacewatch")) / "frames"


@dataclass
class FileRecord:
    """Provenance of one file actually used."""

    source: str
    name: str
    path: str
    version: str
    sha256: str


@dataclass
class SourceContext:
    """Gives loaders their raw tables and remembers what was used.

    Parameters
    ----------
    catalog
        The catalog to read from; default: the environment's catalog.
    use_cache
        Read/write the parquet cache of loader outputs.
    """

    catalog: Catalog = field(default_factory=default_catalog)
    use_cache: bool = True
    used: dict[str, dict[str, FileRecord]] = field(default_factory=dict)

    @cached_property
    def crosswalk(self) -> Crosswalk:
        """The country crosswalk (COW, G-W, ISO3, Polity and source names) bound to this context."""
        return Crosswalk(self)

    # ----------------------------------------------------------------- raw files
    def read(self, key: str, name: str, **options: Any) -> Any:
        """Parse one catalogued file and check its shape and checksum (no cache).

        ``options`` go to the pandas reader on top of the catalog's (e.g. ``usecols`` for a loader
        that needs a few columns of a wide file); asserted columns outside them are not checked.
        """
        record = self.catalog.file(key, name)
        path = self.catalog.path(key, name)
        table = parse_file(path, record.format, {**record.read, **options}, key)
        if isinstance(table, pd.DataFrame):
            subset = options.get("usecols", options.get("columns"))
            wanted = [c for c in record.assertions.columns if subset is None or c in subset]
            require_shape(table, path, key, record.assertions.rows, wanted)
        actual = sha256_of(path)
        self._check_sha(key, name, path, record.sha256, actual)
        self._remember(key, name, path, actual)
        return table

    def _check_sha(self, key: str, name: str, path: Path, expected: str, actual: str) -> None:
        if actual == expected:
            return
        message = (
            f"{path}: sha256 {actual} does not match the catalog's {expected} for source {key!r} "
            f"({name}). The file was changed or replaced; re-fetch it with `peacewatch sources fetch "
            f"{key}`, or, if you mean to use a newer release, update sources/{key}.yml"
        )
        if current().allow_changed_data:
            warnings.warn(f"{message}. Used anyway because PEACEWATCH_ALLOW_CHANGED_DATA=1.", stacklevel=3)
        else:
            raise ChecksumError(f"{message} (or set PEACEWATCH_ALLOW_CHANGED_DATA=1 to proceed with a warning).")

    def _remember(self, key: str, name: str, path: Path, sha: str) -> None:
        version = self.catalog.source(key).version
        self.used.setdefault(key, {})[name] = FileRecord(key, name, str(path), version, sha)

    # ----------------------------------------------------------------- cached loader outputs
    def cached(self, key: str, files: list[str], tag: str, build: Callable[[Reader], pd.DataFrame]) -> pd.DataFrame:
        """Return ``build(read)`` for source ``key``, from the parquet cache when inputs are unchanged.

        ``tag`` names the loader and its version; bump it when the loader's logic changes.
        """
        paths = {name: self.catalog.path(key, name) for name in files}
        stamp = {name: [p.stat().st_size, p.stat().st_mtime_ns, str(p)] for name, p in paths.items()}
        digest = hashlib.sha256(json.dumps([key, tag, stamp], sort_keys=True).encode()).hexdigest()[:20]
        return self._through_cache(
            cache_dir() / f"{key}-{tag}-{digest}.parquet",
            lambda: build(lambda name, **options: self.read(key, name, **options)),
            lambda: {key: [self.used[key][name] for name in files]},
        )

    def cached_derived(
        self,
        name: str,
        sources: list[str],
        params: dict[str, Any],
        build: Callable[[], pd.DataFrame],
        extra_files: tuple[Path, ...] = (),
    ) -> pd.DataFrame:
        """Cache a frame computed from several sources (e.g. a panel verb's columns).

        The key covers ``name``, ``params``, the size/mtime of every catalogued file of ``sources``
        and of ``extra_files`` (rule files such as country_overrides.yml); a hit restores the lineage
        of those sources as recorded when the frame was built.
        """
        stamp: list[Any] = [name, params]
        for key in sorted(sources):
            for fname, record in self.catalog.source(key).files.items():
                path = self.catalog.data_root / record.path
                st = path.stat() if path.is_file() else None
                stamp.append([key, fname, st.st_size if st else None, st.st_mtime_ns if st else None])
        for path in extra_files:
            st = path.stat()
            stamp.append([str(path), st.st_size, st.st_mtime_ns])
        digest = hashlib.sha256(json.dumps(stamp, sort_keys=True, default=str).encode()).hexdigest()[:20]
        return self._through_cache(
            cache_dir() / f"derived-{name}-{digest}.parquet",
            build,
            lambda: {k: list(self.used.get(k, {}).values()) for k in sources},
        )

    def _through_cache(
        self, target: Path, build: Callable[[], pd.DataFrame], records: Callable[[], dict[str, list[FileRecord]]]
    ) -> pd.DataFrame:
        """Read ``target`` (restoring the lineage stored beside it) or build, store and return it."""
        meta_path = target.with_suffix(".json")
        if self.use_cache and target.is_file() and meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text())
                restored = [FileRecord(**rec) for recs in meta["used"].values() for rec in recs]
                frame = pd.read_parquet(target)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                pass  # a damaged or older-format cache entry is rebuilt below
            else:
                for rec in restored:
                    self.used.setdefault(rec.source, {})[rec.name] = rec
                return frame
        frame = build()
        if not self.use_cache:
            return frame
        target.parent.mkdir(parents=True, exist_ok=True)
        # per process and thread: `run --serve` builds in a background thread while the server warms up
        tmp = target.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        try:
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, target)  # atomic: readers never see half a file
            used = {k: [vars(r) for r in recs] for k, recs in records().items()}
            meta_path.write_text(json.dumps({"used": used}))
        except (OSError, ValueError, TypeError) as exc:  # caching is an optimisation, never fatal
            tmp.unlink(missing_ok=True)
            warnings.warn(f"could not cache {target.name} in {target.parent}: {exc}", stacklevel=3)
        return frame

    # ----------------------------------------------------------------- lineage
    def lineage(self, keys: list[str] | None = None) -> list[dict[str, Any]]:
        """Source key, version and file hashes of everything read (or of ``keys``)."""
        out = []
        for key in sorted(keys if keys is not None else self.used):
            source = self.catalog.source(key)
            out.append(
                {
                    "source": key,
                    "title": source.title,
                    "version": source.version,
                    "files": [
                        {"name": r.name, "path": r.path, "sha256": r.sha256} for r in self.used.get(key, {}).values()
                    ],
                }
            )
        return out
