"""Fixtures for the data tests: the real panel, and temporary copies of the catalog / data dir
that a test may damage without touching the real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from peacewatch import create_country_years
from peacewatch.sources.catalog import Catalog, catalog_dir, data_dir
from peacewatch.sources.context import SourceContext, sha256_of


@pytest.fixture(scope="session")
def full_panel():
    """The 1990-2020 panel with every verb (built once per session)."""
    return create_country_years(1990, 2020).add_all()


@pytest.fixture()
def sandbox(tmp_path: Path):
    """A private catalog dir (copy of the real one) and data dir (symlinks to the real files).

    ``sandbox.replace(key, name, text_or_bytes, update_sha=False)`` writes a damaged copy of one file
    and optionally records its new sha256 in the private catalog (as a user who updated it would).
    """

    class Sandbox:
        def __init__(self) -> None:
            self.catalog_dir = tmp_path / "catalog"
            self.data_dir = tmp_path / "data"
            self.cache_dir = tmp_path / "cache"
            shutil.copytree(catalog_dir(), self.catalog_dir)
            real = Catalog()
            for source in real:
                for record in source.files.values():
                    target = self.data_dir / record.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(data_dir() / record.path)

        def path(self, key: str, name: str) -> Path:
            return self.data_dir / Catalog(self.catalog_dir, self.data_dir).file(key, name).path

        def replace(self, key: str, name: str, content: str | bytes, update_sha: bool = False) -> Path:
            target = self.path(key, name)
            target.unlink()
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
            if update_sha:
                yml = self.catalog_dir / f"{key}.yml"
                raw = yaml.safe_load(yml.read_text(encoding="utf-8"))
                raw["files"][name]["sha256"] = sha256_of(target)
                yml.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
            return target

        def context(self) -> SourceContext:
            return SourceContext(catalog=Catalog(self.catalog_dir, self.data_dir), use_cache=False)

    return Sandbox()
