"""The Global Slavery Index: read from a workbook in the publisher's layout once supplied, merged by
country-year, used by the outcome model; a clear message while it is missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from peacewatch import memo
from peacewatch.models.supplied import SuppliedDataMissingError, supplied_frame
from peacewatch.sources.catalog import data_dir
from peacewatch.sources.errors import MalformedDataError
from peacewatch.sources.loaders.gsi import read_gsi_file

HEADER = [
    "Country",
    "Region",
    "Estimated prevalence of modern slavery per 1,000 population",
    "Estimated number of people in modern slavery",
    "Population",
    "Total Vulnerability score (%)",
    "Total Government Response score (%)",
]


def _published_workbook(path, rows: list[list]) -> None:
    """A workbook laid out like Walk Free's: a notes sheet first, then the data under two title rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["Global Slavery Index 2023"], ["See the methodology"]]).to_excel(
            xl, sheet_name="Read me", header=False, index=False
        )
        body = [["GSI 2023 summary data"] + [None] * 6, [None] * 7, HEADER, *rows]
        pd.DataFrame(body).to_excel(xl, sheet_name="GSI 2023 summary data", header=False, index=False)


@pytest.fixture
def data_with_gsi(tmp_path, monkeypatch):
    """A data directory of links to the real datasets plus supplied GSI workbooks (2018: estimates for
    2016; 2023: for 2021)."""
    real = data_dir()
    root = tmp_path / "data"
    root.mkdir()
    for item in real.iterdir():
        (root / item.name).symlink_to(item)
    from peacewatch.models.data import model_panel

    panel = model_panel((2016, 2021))
    rng = np.random.default_rng(1)
    for year, name, haiti in ((2016, "GSI-2018-Data.xlsx", 5.6), (2021, "2023-Global-Slavery-Index-Data.xlsx", 22.0)):
        countries = panel[panel["year"] == year]["country"].drop_duplicates()
        rows = [
            [
                c,
                "Somewhere",
                round(float(rng.gamma(2.0, 3.0)), 1),
                int(rng.integers(1000, 10**6)),
                10**7,
                round(float(rng.uniform(20, 80)), 0),
                round(float(rng.uniform(10, 70)), 0),
            ]
            for c in countries
        ]
        rows = [r if r[0] != "Haiti" else ["Haiti", "Americas", haiti, 254000, 11447569, 67.0, 30.0] for r in rows]
        _published_workbook(root / "walkfree_gsi" / name, rows)
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(root))
    memo.clear()
    yield root
    memo.clear()


def test_loader_reads_the_published_layout(tmp_path):
    path = tmp_path / "gsi.xlsx"
    _published_workbook(
        path,
        [
            ["Haiti", "Americas", 22.0, 254000, 11447569, 67.0, 30.0],
            ["Norway", "Europe", 0.5, 2700, 5400000, 8.0, 70.0],
        ],
    )
    rows = read_gsi_file(path)
    assert rows.attrs["sheet"] == "GSI 2023 summary data"
    haiti = rows.set_index("country").loc["Haiti"]
    assert (haiti["gsi_prevalence"], haiti["gsi_victims"], haiti["gsi_vulnerability"], haiti["gsi_response"]) == (
        22.0,
        254000,
        67.0,
        30.0,
    )
    # a CSV export of the same sheet reads the same
    csv = tmp_path / "gsi.csv"
    pd.DataFrame([["GSI 2023"], [None], HEADER, ["Haiti", "Americas", 22.0, 254000, 11447569, 67.0, 30.0]]).to_csv(
        csv, header=False, index=False
    )
    assert read_gsi_file(csv).iloc[0]["gsi_prevalence"] == 22.0


def test_loader_refuses_another_layout(tmp_path):
    path = tmp_path / "other.xlsx"
    pd.DataFrame({"Nation": ["Haiti"], "Score": [1]}).to_excel(path, index=False)
    with pytest.raises(MalformedDataError, match=r"other\.xlsx: no sheet has a header row with 'Country'"):
        read_gsi_file(path)


def test_missing_gsi_says_where_to_get_it(tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    for item in data_dir().iterdir():
        if item.name != "walkfree_gsi":
            (root / item.name).symlink_to(item)
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(root))
    memo.clear()
    with pytest.raises(
        SuppliedDataMissingError,
        match=r"walkfree\.org/global-slavery-index/downloads/.*walkfree_gsi/2023-Global-Slavery-Index-Data\.xlsx",
    ):
        supplied_frame("gsi")
    memo.clear()


def test_supplied_gsi_is_merged_and_modelled(data_with_gsi):
    frame = supplied_frame("gsi")
    haiti = frame[frame["ccode"] == 41].set_index("edition")
    assert (haiti.loc[2023, "year"], haiti.loc[2023, "gsi_prevalence"]) == (2021, 22.0)
    assert (haiti.loc[2018, "year"], haiti.loc[2018, "gsi_prevalence"]) == (2016, 5.6)
    from peacewatch.models.deployment_risk import fit

    m = fit("gsi_prevalence_ols")
    # UN deployments (IPI) end in 2016, so only the 2018 edition (estimates for 2016, deployments of 2015) enters
    assert set(m.data["year"]) == {2016}
    h = m.data[m.data["ccode"] == 41].iloc[0]
    assert h["gsi_prevalence"] == 5.6 and h["lag_un_tccs"] > 0
    # least squares written here on the merged data, clustered by country
    direct = smf.ols(m.spec.formula, data=m.data).fit(
        cov_type="cluster", cov_kwds={"groups": m.data["ccode"].to_numpy()}
    )
    np.testing.assert_allclose(m.params.to_numpy(), direct.params.to_numpy(), atol=1e-10)
    assert m.glance()["nobs"] == len(m.data) > 100
    published = sum(
        len(pd.read_excel(p, sheet_name=1, header=None, skiprows=3)) for p in (data_with_gsi / "walkfree_gsi").iterdir()
    )
    assert len(frame) == published  # every published row mapped to a COW code


def test_supplied_3p_release_to_2015(tmp_path, monkeypatch):
    from peacewatch.models.data import model_panel
    from peacewatch.models.deployment_risk import fit
    from peacewatch.sources.loaders.p3 import read_p3_file

    root = tmp_path / "data"
    root.mkdir()
    for item in data_dir().iterdir():
        (root / item.name).symlink_to(item)
    # the author's layout: one row per country-year; here the panel's (Kelley) values, 2015 = 2014 + 1 where possible
    panel = model_panel((2001, 2015))
    rows = panel.loc[
        panel["p3_overall"].notna(),
        ["country", "year", "p3_prosecution", "p3_protection", "p3_prevention", "p3_overall"],
    ]
    last = rows[rows["year"] == 2014].assign(year=2015, p3_overall=lambda d: (d["p3_overall"] + 1).clip(upper=15))
    table = pd.concat([rows, last]).rename(
        columns={
            "p3_prosecution": "Prosecution",
            "p3_protection": "Protection",
            "p3_prevention": "Prevention",
            "p3_overall": "3P",
        }
    )
    (root / "cho_3p").mkdir()
    table.rename(columns={"country": "Country", "year": "Year"}).to_csv(
        root / "cho_3p" / "3P_Index_2000-2015.csv", index=False
    )
    read = read_p3_file(root / "cho_3p" / "3P_Index_2000-2015.csv")
    assert list(read.columns) == [
        "country",
        "year",
        "cho_p3_prosecution",
        "cho_p3_protection",
        "cho_p3_prevention",
        "cho_p3_overall",
    ]
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(root))
    memo.clear()
    try:
        m = fit("p3_cho_ols")
        assert m.data["year"].max() == 2015
        same = m.data[m.data["year"] <= 2014]
        assert (same["cho_p3_overall"] == same["p3_overall"]).all()  # merged on the right country-years
        direct = smf.ols(m.spec.formula, data=m.data).fit(
            cov_type="cluster", cov_kwds={"groups": m.data["ccode"].to_numpy()}
        )
        np.testing.assert_allclose(m.params.to_numpy(), direct.params.to_numpy(), atol=1e-10)
    finally:
        memo.clear()
