"""Package data (rule files, catalog entries, rule sets) read through one API: :mod:`importlib.resources`.

Every YAML or text file shipped inside the ``peacewatch`` package is located with
:func:`package_path` (or read with :func:`read_text` / :func:`load_yaml`), never by a path built
from ``__file__``, so that the same code works from a checkout and from an installed wheel.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml


def package_path(package: str, *parts: str) -> Path:
    """Filesystem path of ``parts`` inside ``package`` (e.g. ``("peacewatch.sources", "country_overrides.yml")``).

    A wheel installs the package unzipped, so the resource is a real file; the path is also what
    error messages show users who want to edit a rule file.
    """
    return Path(str(files(package).joinpath(*parts)))


def read_text(package: str, *parts: str) -> str:
    """The UTF-8 text of a file shipped in ``package``."""
    return files(package).joinpath(*parts).read_text(encoding="utf-8")


def load_yaml(package: str, *parts: str) -> Any:
    """A YAML file shipped in ``package``, parsed with ``yaml.safe_load``."""
    return yaml.safe_load(read_text(package, *parts))
