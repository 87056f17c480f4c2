"""The source catalog: one YAML per public dataset, shipped inside the package
(``peacewatch/sources/catalog_entries/<key>.yml``, read through :mod:`importlib.resources`;
``PEACEWATCH_CATALOG_DIR`` points elsewhere).

Also resolves the data directory: ``PEACEWATCH_DATA_DIR``, else ``../shared/data`` next to the
repository when present, else ``<user cache dir>/peacewatch/data``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from platformdirs import user_cache_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from peacewatch.memo import memoize
from peacewatch.resources import package_path
from peacewatch.settings import current
from peacewatch.sources.errors import CatalogError, MissingDataFileError

#: The repository root when running from a checkout (``src/peacewatch/sources`` -> repo).
REPO_ROOT = Path(__file__).resolve().parents[3]

#: The three ways to provide the datasets, ending every missing-data message.
PROVIDE_DATA = (
    "Provide the data in one of three ways: put the datasets in ../shared/data beside the peacewatch "
    "checkout, set PEACEWATCH_DATA_DIR to the folder holding them, or run `peacewatch sources fetch` "
    "(downloads every file, checksum-checked)."
)


class YearAssertion(BaseModel):
    """Bounds on a year (or date) column."""

    model_config = ConfigDict(extra="forbid")
    column: str
    min: int
    max: int
    date: bool = False


class FileAssertions(BaseModel):
    """Facts about one file that ``peacewatch sources verify`` checks."""

    model_config = ConfigDict(extra="forbid")
    rows: int | None = None
    columns: list[str] = Field(default_factory=list)
    year: YearAssertion | None = None
    unique: list[str] = Field(default_factory=list)


class Conversion(BaseModel):
    """How ``peacewatch sources fetch`` makes a file published only as R data (``derived_from``).

    The original is downloaded, read with pyreadr (object ``object``; an ``.rds`` holds one) and
    written as CSV exactly as the catalogued copy was (gzip level 9 with ``gzip_mtime`` in the header
    for ``.csv.gz``), so the result has the catalog's sha256.
    """

    model_config = ConfigDict(extra="forbid")
    tool: Literal["pyreadr"] = "pyreadr"
    object: str | None = None
    original_sha256: str | None = None
    gzip_mtime: int | None = None


class SourceFile(BaseModel):
    """One file of a source, as recorded in the catalog."""

    model_config = ConfigDict(extra="forbid")
    path: str
    url: str | None = None
    derived_from: str | None = None
    convert: Conversion | None = None
    note: str | None = None
    sha256: str
    format: str
    read: dict[str, Any] = Field(default_factory=dict)
    assertions: FileAssertions = Field(default_factory=FileAssertions)


#: A loader entry point: a dotted module path, a colon, a function name.
LOADER_SPEC = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


class Source(BaseModel):
    """One public dataset: metadata, citation and its files."""

    model_config = ConfigDict(extra="forbid")
    key: str
    title: str
    publisher: str
    version: str
    license: str
    unit: str
    coverage: dict[str, Any]
    homepage: str | None = None
    citation: str
    quirks: list[str] = Field(default_factory=list)
    #: The functions that read this source, as ``package.module:function`` (zavod-style entry points).
    loaders: list[str] = Field(min_length=1)
    files: dict[str, SourceFile]

    @field_validator("loaders")
    @classmethod
    def _entry_points(cls, specs: list[str]) -> list[str]:
        bad = [s for s in specs if not LOADER_SPEC.fullmatch(s)]
        if bad:
            raise ValueError(f"{bad} must be written module:function, e.g. peacewatch.sources.loaders.hti:hti")
        return specs


#: Folder of the built-in catalog inside the package.
CATALOG_PACKAGE, CATALOG_FOLDER = "peacewatch.sources", "catalog_entries"


def builtin_catalog_dir() -> Path:
    """The catalog shipped with peacewatch (inside the installed package, so a wheel carries it)."""
    return package_path(CATALOG_PACKAGE, CATALOG_FOLDER)


def catalog_dir() -> Path:
    """Directory holding the ``<key>.yml`` files: ``PEACEWATCH_CATALOG_DIR``, else the built-in catalog."""
    return current().catalog_dir or builtin_catalog_dir()


def data_dir() -> Path:
    """Resolve where the data files live.

    Order: ``PEACEWATCH_DATA_DIR``; ``../shared/data`` relative to the repository when it exists;
    otherwise ``<user cache dir>/peacewatch/data`` (where ``peacewatch sources fetch`` writes).
    """
    env = current().data_dir
    if env:
        return env
    shared = REPO_ROOT.parent / "shared" / "data"
    if shared.is_dir():
        return shared
    return Path(user_cache_dir("peacewatch")) / "data"


def load_source_yaml(path: Path) -> Source:
    """Parse and validate one catalog YAML, naming the file and field on any error."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read catalog entry: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogError(f"{path}: expected a mapping at the top level (see docs/catalog-schema.md)")
    try:
        source = Source.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise CatalogError(f"{path}: invalid catalog entry: {problems} (see docs/catalog-schema.md)") from exc
    if source.key != path.stem:
        raise CatalogError(f"{path}: key {source.key!r} must equal the file name {path.stem!r}")
    return source


def resolve_loader(spec: str, origin: Path) -> Callable[..., Any]:
    """Import the function named by a ``module:function`` entry of the catalog file ``origin``."""
    module_name, _, function = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise CatalogError(
            f"{origin}: loader {spec!r}: module {module_name!r} not found ({exc}); write "
            "module:function with the loader's module under peacewatch/sources/loaders/"
        ) from None
    loader: Callable[..., Any] | None = getattr(module, function, None)
    if loader is None or not callable(loader):
        raise CatalogError(f"{origin}: loader {spec!r}: module {module_name!r} has no function {function!r}")
    return loader


class Catalog:
    """All sources of a catalog directory, by key."""

    def __init__(self, directory: Path | None = None, data_root: Path | None = None) -> None:
        self.directory = Path(directory) if directory else catalog_dir()
        self.data_root = Path(data_root) if data_root else data_dir()
        if not self.directory.is_dir():
            raise CatalogError(
                f"catalog directory {self.directory} not found; set PEACEWATCH_CATALOG_DIR to the "
                "folder holding the <key>.yml catalog files (or unset it to use the built-in catalog)"
            )
        self.sources: dict[str, Source] = {p.stem: load_source_yaml(p) for p in sorted(self.directory.glob("*.yml"))}

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources.values())

    def __contains__(self, key: str) -> bool:
        return key in self.sources

    def source(self, key: str) -> Source:
        """Return one source or fail listing the known keys."""
        try:
            return self.sources[key]
        except KeyError:
            raise CatalogError(f"unknown source {key!r}; known sources: {', '.join(sorted(self.sources))}") from None

    def loaders(self, key: str) -> dict[str, Callable[..., Any]]:
        """The loader functions named by ``<key>.yml``, by function name (imported on demand).

        A module or function that does not exist is a :class:`CatalogError` of one line naming the
        YAML file and the entry, so a typo in a new source's ``loaders:`` is found at once.
        """
        origin = self.directory / f"{key}.yml"
        return {spec.split(":")[1]: resolve_loader(spec, origin) for spec in self.source(key).loaders}

    def file(self, key: str, name: str) -> SourceFile:
        """Return the catalog record of one file of a source."""
        source = self.source(key)
        try:
            return source.files[name]
        except KeyError:
            raise CatalogError(f"source {key!r} has no file {name!r}; its files: {', '.join(source.files)}") from None

    def path(self, key: str, name: str) -> Path:
        """Absolute path of a file in the data directory; error with the fix when it is missing."""
        path = self.data_root / self.file(key, name).path
        if not path.is_file():
            raise MissingDataFileError(self.missing_message(f"{path}: data file of source {key!r} ({name}) not found."))
        return path

    def missing_files(self, keys: list[str] | None = None) -> list[str]:
        """Catalog paths (``<dir>/<file>``) of the files of ``keys`` (default all) not in the data directory."""
        wanted = keys or sorted(self.sources)
        return [
            record.path
            for key in wanted
            for record in self.source(key).files.values()
            if not (self.data_root / record.path).is_file()
        ]

    def missing_message(self, lead: str = "") -> str:
        """One line: every missing file of the catalog and the three ways to provide the data."""
        missing = self.missing_files()
        listing = (
            f"{len(missing)} of {sum(len(s.files) for s in self)} data files are missing from {self.data_root}: "
            f"{', '.join(missing)}."
        )
        return " ".join(part for part in (lead, listing, PROVIDE_DATA) if part)

    def require(self, keys: list[str] | None = None) -> None:
        """Raise :class:`MissingDataFileError` listing every missing file (and how to get them), if any."""
        if self.missing_files(keys):
            raise MissingDataFileError(self.missing_message())


@memoize(maxsize=8)
def _cached_catalog(directory: str, data_root: str) -> Catalog:
    return Catalog(Path(directory), Path(data_root))


def default_catalog() -> Catalog:
    """The catalog for the current environment settings (memoised per directory pair)."""
    return _cached_catalog(str(catalog_dir()), str(data_dir()))
