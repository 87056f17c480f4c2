"""Bad input gets a clear error naming the file and the fix; it never yields a silently wrong panel."""

from __future__ import annotations

import pytest

from peacewatch.sources.errors import (
    ChecksumError,
    DuplicateKeyError,
    MalformedDataError,
    MissingDataFileError,
    UnmappedCountryError,
)
from peacewatch.sources.loaders.hti import hti
from peacewatch.sources.loaders.ipi import ipi_missions
from peacewatch.sources.loaders.kelley_tip import kelley_tiers


@pytest.mark.parametrize("cut_at_line_end", [False, True])
def test_truncated_csv_is_reported_with_file_and_fix(sandbox, cut_at_line_end):
    real = sandbox.path("ipi_missions", "mission_month").read_text(encoding="utf-8")
    cut = real[: len(real) // 3]  # as an interrupted download would leave it
    if cut_at_line_end:
        cut = cut[: cut.rindex("\n") + 1]
    target = sandbox.replace("ipi_missions", "mission_month", cut)
    with pytest.raises(MalformedDataError) as err:
        ipi_missions(sandbox.context())
    message = str(err.value)
    assert str(target) in message and "truncated" in message
    assert "peacewatch sources fetch ipi_missions" in message
    if cut_at_line_end:  # parses, but the row count gives it away
        assert "the catalog expects 5330" in message


def test_wrong_checksum_is_refused(sandbox):
    real = sandbox.path("hti", "main").read_bytes()
    # same rows and columns, one value changed: only the checksum can tell
    sandbox.replace("hti", "main", real.replace(b"Special Case", b"Special case", 1))
    with pytest.raises(ChecksumError) as err:
        hti(sandbox.context())
    assert "fcb4dd587536d00c0152fe684fe937cacd9d327b7f688761a290ee8341e4c33b" in str(err.value)
    assert "hti" in str(err.value) and "HTI.csv" in str(err.value)


def test_checksum_override_warns(sandbox, monkeypatch):
    real = sandbox.path("hti", "main").read_bytes()
    sandbox.replace("hti", "main", real.replace(b"Special Case", b"Special case", 1))
    monkeypatch.setenv("PEACEWATCH_ALLOW_CHANGED_DATA", "1")
    with pytest.warns(UserWarning, match="does not match") as seen:
        frame = hti(sandbox.context())
    assert len(frame) == 1587
    text = str(seen[0].message)  # says what happened, not how to make it happen
    assert (
        text.endswith("Used anyway because PEACEWATCH_ALLOW_CHANGED_DATA=1.") and "proceed with a warning" not in text
    )


def test_duplicate_country_year_is_refused(sandbox):
    lines = sandbox.path("hti", "main").read_bytes().split(b"\n")
    lines[2] = lines[1]  # the second data row becomes a copy of the first: same ccode-year twice
    sandbox.replace("hti", "main", b"\n".join(lines), update_sha=True)
    with pytest.raises(DuplicateKeyError, match=r"hti: duplicate country-years .*United States"):
        hti(sandbox.context())


def test_unknown_country_name_lists_names_and_fix(sandbox):
    text = sandbox.path("kelley_tip", "tiers_2015").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = "Atlantis,2"  # replaces Armenia: row count unchanged
    sandbox.replace("kelley_tip", "tiers_2015", "\n".join(lines) + "\n", update_sha=True)
    with pytest.raises(UnmappedCountryError) as err:
        kelley_tiers(sandbox.context())
    assert "['Atlantis']" in str(err.value)
    assert "country_overrides.yml" in str(err.value)


def test_missing_file_says_how_to_get_it(sandbox):
    sandbox.path("polity5", "main").unlink()
    from peacewatch.sources.loaders.polity5 import polity5

    with pytest.raises(MissingDataFileError, match=r"1 of \d+ data files are missing") as err:
        polity5(sandbox.context())
    assert "polity5/p5v2018.csv" in str(err.value) and "PEACEWATCH_DATA_DIR" in str(err.value)
    assert "peacewatch sources fetch" in str(err.value) and "../shared/data" in str(err.value)


def test_garbage_file_is_a_parse_error(sandbox):
    sandbox.replace("bara_hultman", "main", b"this is not a stata file")
    from peacewatch.sources.loaders.bara_hultman import bara_hultman

    with pytest.raises(MalformedDataError, match="cannot parse as dta"):
        bara_hultman(sandbox.context())
