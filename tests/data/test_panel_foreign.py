"""Stata .dta and R .rds copies of the panel: read back with pyreadstat / pyreadr and compared."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadr
import pyreadstat
import pytest
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.panel.foreign import (
    CATEGORIES,
    stata_name,
    to_stata_frame,
    write_dta,
    write_rds,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("panel")
    result = runner.invoke(
        app,
        [
            "panel",
            "build",
            "--start",
            "2003",
            "--end",
            "2005",
            "--out",
            str(out),
            "--format",
            "dta",
            "--format",
            "rds",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)["written"]
    assert str(out / "panel.dta") in written and str(out / "panel.rds") in written
    return out


def _haiti_2004(df: pd.DataFrame) -> pd.Series:
    rows = df[(df["ccode"] == 41) & (df["year"] == 2004)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_dta_round_trip_haiti_2004(built):
    df, meta = pyreadstat.read_dta(str(built / "panel.dta"))
    csv = pd.read_csv(built / "panel.csv")
    assert len(df) == len(csv) and list(df.columns) == list(csv.columns)
    h = _haiti_2004(df)
    # the IPI December 2004 figures for MINUSTAH (docs/models.md)
    assert h["un_troops"] == 6008 and h["un_personnel"] == 7406 and h["un_tccs"] == 41
    assert h["country"] == "Haiti" and h["un_mission_names"] == "MINUSTAH" and h["hti_pdest"] == 1
    # the tier label is a labelled integer: Special Case = 5 in the order of CATEGORIES
    assert h["tip_tier_label"] == 5
    assert meta.variable_value_labels["tip_tier_label"][5] == "Special Case"
    assert meta.variable_value_labels["fh_status"] == {1: "Free", 2: "Partially Free", 3: "Not Free"}
    assert meta.column_names_to_labels["un_personnel"] == "UN personnel"
    # every numeric column equals the CSV (missing stays missing)
    for col in ("un_personnel", "polity2", "gdppc", "tip_tier", "p3_overall", "us_troops"):
        np.testing.assert_allclose(df[col].to_numpy(float), csv[col].to_numpy(float), rtol=1e-12, equal_nan=True)
    # the coded tier matches the text column row by row
    decoded = df["tip_tier_label"].map(meta.variable_value_labels["tip_tier_label"])
    assert (decoded.fillna("") == csv["tip_tier_label"].fillna("")).all()


def test_rds_round_trip_haiti_2004(built):
    df = pyreadr.read_r(str(built / "panel.rds"))[None]
    h = _haiti_2004(df)
    assert h["un_troops"] == 6008 and h["un_personnel"] == 7406 and h["country"] == "Haiti"
    assert str(h["tip_tier_label"]) == "Special Case"
    assert list(df["tip_tier_label"].cat.categories) == list(CATEGORIES["tip_tier_label"])
    assert df["gwcode"].dtype == float  # nullable Int64 became a numeric column with NA


def test_stata_names_are_cut_to_32_and_unique():
    long_a = "a_very_long_column_name_that_exceeds_stata_limit_1"
    long_b = "a_very_long_column_name_that_exceeds_stata_limit_2"
    df = pd.DataFrame({long_a: [1.0], long_b: [2.0], "2bad name": [3.0], "ok": pd.array([None], dtype="Int64")})
    sf = to_stata_frame(df, {"ok": "x" * 100})
    names = list(sf.df.columns)
    assert all(len(n) <= 32 for n in names) and len(set(names)) == 4
    assert sf.renamed[long_a] == long_a[:32] and sf.renamed[long_b] == long_a[:30] + "_1"
    assert sf.renamed["2bad name"] == "v2bad_name"
    assert len(sf.column_labels["ok"]) == 80
    assert stata_name("x" * 40, {"x" * 32}) == "x" * 30 + "_1"


def test_unknown_category_value_stays_text(tmp_path):
    # a tier label outside the known list is not silently coded as missing: the column stays text
    df = pd.DataFrame({"tip_tier_label": ["Tier 1", "Tier 4"], "y": [1.0, 2.0]})
    read, meta = pyreadstat.read_dta(str(write_dta(df, tmp_path / "x.dta")))
    assert list(read["tip_tier_label"]) == ["Tier 1", "Tier 4"] and "tip_tier_label" not in meta.variable_value_labels
    r = pyreadr.read_r(str(write_rds(df, tmp_path / "x.rds")))[None]
    assert list(r["tip_tier_label"]) == ["Tier 1", "Tier 4"]
