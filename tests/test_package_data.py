"""Package data is located through one API (peacewatch.resources, on importlib.resources), so that
the same code finds it in a checkout and in an installed wheel."""

from __future__ import annotations

import re
from pathlib import Path

import peacewatch
from peacewatch.panel.core import RULE_FILES
from peacewatch.resources import load_yaml, package_path
from peacewatch.sources.crosswalk import OVERRIDES


def test_rule_files_are_found_inside_the_package():
    package = Path(peacewatch.__file__).parent
    assert [p.name for p in RULE_FILES] == ["country_overrides.yml", "mission_families.yml", "mission_starts.yml"]
    assert all(p.is_file() and p.is_relative_to(package) for p in RULE_FILES)
    overrides = load_yaml(*OVERRIDES)
    assert overrides["names"]["Serbia and Montenegro"] == 345  # Yugoslavia's successor keeps COW 345
    assert package_path("peacewatch.web", "templates", "base.html").is_file()


def test_no_module_builds_a_data_path_from_its_own_file():
    # REPO_ROOT (sources/catalog.py) locates the checkout beside ../shared/data, not package data.
    source = Path(peacewatch.__file__).parent
    hits = [
        f"{p.relative_to(source)}: {line.strip()}"
        for p in source.rglob("*.py")
        for line in p.read_text(encoding="utf-8").splitlines()
        if re.search(r"\b(Path|os\.path\.\w+)\(\s*__file__", line) and "REPO_ROOT" not in line
    ]
    assert hits == []
