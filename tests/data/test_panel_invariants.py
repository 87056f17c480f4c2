"""Every add_* verb adds columns and never rows; lineage, citations and exports."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from peacewatch import create_country_years
from peacewatch.sources.errors import DuplicateKeyError

VERBS = ["add_un_deployments", "add_nonun_deployments", "add_trafficking", "add_democracy", "add_controls"]


@pytest.fixture(scope="module")
def base():
    return create_country_years(1990, 2020)


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_keeps_rows_and_unique_country_years(base, verb):
    after = getattr(base, verb)()
    assert len(after.df) == len(base.df)
    assert not after.df.duplicated(["ccode", "year"]).any()
    assert after.df[["ccode", "year"]].equals(base.df[["ccode", "year"]])
    assert len(after.df.columns) > len(base.df.columns)


def test_gw_system_keys(base):
    gw = create_country_years(1990, 2020, system="gw")
    assert not gw.df.duplicated(["ccode", "year"]).any()
    assert len(gw.add_all().df) == len(gw.df)
    with pytest.raises(ValueError, match="system"):
        create_country_years(1990, 2020, system="iso")


def test_verb_applied_twice_is_refused(base):
    with pytest.raises(ValueError, match="already in the panel"):
        base.add_democracy().add_democracy()


def test_duplicate_country_year_from_a_source_is_refused(base):
    def duplicating(ctx, years):
        frame = years.assign(x=1.0)
        return pd.concat([frame, frame.iloc[[0]]])

    with pytest.raises(DuplicateKeyError, match="duplicate country-years"):
        base._add("add_bad", {}, ["hti"], duplicating)


def test_lineage_and_citations(full_panel):
    lineage = {item["source"]: item for item in full_panel.lineage}
    assert {
        "ipi_missions",
        "bara_hultman",
        "hti",
        "kelley_tip",
        "polity5",
        "freedom_house",
        "wdi_population",
        "wdi_gdppc",
        "cow_nmc",
        "ucdp_acd",
        "countrycode",
        "state_lists",
    } <= set(lineage)
    hti = lineage["hti"]
    assert hti["version"].startswith("2013.1")
    assert hti["files"][0]["sha256"] == "fcb4dd587536d00c0152fe684fe937cacd9d327b7f688761a290ee8341e4c33b"
    bib = full_panel.cite()
    assert "@techreport{frank2013hti" in bib
    assert bib.count("@") >= len(lineage)


def test_exports(full_panel, tmp_path):
    from frictionless import validate

    csv = full_panel.to_csv(tmp_path / "p.csv")
    parquet = full_panel.to_parquet(tmp_path / "p.parquet")
    package = full_panel.to_datapackage(tmp_path / "pkg")
    assert csv.read_text().splitlines()[0].startswith("ccode,year,country,iso3,gwcode")
    assert parquet.stat().st_size > 0
    meta = json.loads(package.read_text())
    assert meta["resources"][0]["schema"]["primaryKey"] == ["ccode", "year"]
    assert {s["source"] for s in meta["peacewatch:lineage"]} >= {"hti", "ipi_missions"}
    report = validate(str(package))
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_damaged_or_old_cache_entries_are_rebuilt(tmp_path, monkeypatch):
    from peacewatch.sources.catalog import Catalog
    from peacewatch.sources.context import SourceContext
    from peacewatch.sources.loaders.polity5 import polity5

    monkeypatch.setenv("PEACEWATCH_CACHE_DIR", str(tmp_path))
    first = polity5(SourceContext(catalog=Catalog()))
    metas = list(tmp_path.glob("polity5-*.json"))
    assert len(metas) == 1
    metas[0].write_text('{"sha256": {"main": "x"}}')  # an older cache format
    ctx = SourceContext(catalog=Catalog())
    again = polity5(ctx)
    assert again.equals(first)
    assert ctx.lineage(["polity5"])[0]["files"][0]["sha256"] != "x"
    next(tmp_path.glob("polity5-*.parquet")).write_bytes(b"not parquet")  # a damaged entry
    assert polity5(SourceContext(catalog=Catalog())).equals(first)
