"""``peacewatch sources cite`` and ``sources list`` (issue 24, item 5): BibTeX that BibTeX accepts (unique
keys, a year in every entry), with each source's licence and origin; checked with bibtexparser."""

from __future__ import annotations

import json
import re
from collections import Counter

import bibtexparser
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.sources.catalog import Catalog

runner = CliRunner()


def _cite(*keys: str) -> str:
    r = runner.invoke(app, ["sources", "cite", *keys])
    assert r.exit_code == 0, r.output
    return r.stdout


def test_cite_all_is_valid_bibtex_with_unique_keys_and_years():
    text = _cite()
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []  # a repeated key is a DuplicateBlockKeyBlock here
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys)) and len(keys) >= 25
    # the same check written independently of bibtexparser: every "@type{key," line
    assert max(Counter(re.findall(r"(?m)^@\w+\{([^,\s]+),", text)).values()) == 1
    no_year = [
        e.key
        for e in library.entries
        if not re.fullmatch(r"\d{4}", e.fields_dict.get("year").value if "year" in e.fields_dict else "")
    ]
    assert no_year == []


def test_a_work_cited_by_several_sources_is_printed_once():
    text = _cite()
    assert text.count("@article{miller2022peacesciencer,") == 1
    assert "also cites miller2022peacesciencer (printed above, with cow_nmc)" in text


def test_two_different_entries_under_one_key_get_suffixes():
    """IPI's database is cited as the 2014 contributors snapshot and the 2017 missions snapshot."""
    entries = {e.key: e for e in bibtexparser.parse_string(_cite("ipi_contributors", "ipi_missions")).entries}
    assert entries["ipi_pkdba"].fields_dict["year"].value == "2014"
    assert entries["ipi_pkdbb"].fields_dict["year"].value == "2017"
    assert "ipi_pkdb" not in entries


def test_cite_and_list_name_each_sources_licence_and_origin():
    catalog = Catalog()
    hti = catalog.source("hti")
    text = _cite("hti")
    assert f"%   licence: {' '.join(hti.license.split())}" in text
    assert "%   origin: Richard W. Frank, University of Sydney; http://www.humantraffickingindicators.org" in text
    listed = json.loads(runner.invoke(app, ["sources", "list", "--json"]).stdout)["sources"]
    row = next(r for r in listed if r["key"] == "hti")
    assert row["licence"].startswith("Research use with citation")
    assert row["origin"] == "Richard W. Frank, University of Sydney; http://www.humantraffickingindicators.org"
    assert {r["key"] for r in listed} == set(catalog.sources)
    table = runner.invoke(app, ["sources", "list"], env={"COLUMNS": "250"}).stdout
    assert "licence" in table and "origin" in table
