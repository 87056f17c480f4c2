"""The source catalog: every dataset covered, metadata complete, data-dir resolution, verify."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
import yaml

from peacewatch.sources.catalog import REPO_ROOT, Catalog, catalog_dir, data_dir, load_source_yaml
from peacewatch.sources.errors import CatalogError
from peacewatch.sources.fetch import R_DATA
from peacewatch.sources.verify import verify


def test_every_dataset_folder_is_catalogued():
    catalog = Catalog()
    folders = {p.name for p in catalog.data_root.iterdir() if p.is_dir()}
    covered = {f.path.split("/")[0] for s in catalog for f in s.files.values()}
    assert folders <= covered
    for source in catalog:
        assert source.citation.strip().startswith("@"), source.key
        assert source.license and source.version and source.unit
        for record in source.files.values():
            assert len(record.sha256) == 64
            # every file says where it comes from; one published as R data also says how to convert it
            assert record.url or record.derived_from, f"{source.key}: no address for {record.path}"
            if not record.url and R_DATA.search(record.derived_from):
                assert record.convert, f"{source.key}: {record.path} has no convert recipe"


def test_verify_passes_on_the_real_data():
    results = verify(Catalog(), ["hti", "polity5", "ipi_missions", "kelley_tip"])
    assert all(r.ok for r in results), [(r.source, r.name, r.problems) for r in results if not r.ok]
    hti = next(r for r in results if r.source == "hti")
    assert "rows 1587 (expected 1587)" in hti.checks and "unique ccode+year" in hti.checks


def test_verify_reports_each_problem(sandbox):
    sandbox.replace("polity5", "main", "p5,ccode,year\n1,2,1800\n")
    results = verify(Catalog(sandbox.catalog_dir, sandbox.data_dir), ["polity5"])
    (result,) = results
    assert not result.ok
    text = " ".join(result.problems)
    assert "sha256" in text and "rows 1 (expected 17574)" in text and "missing columns" in text


def test_data_dir_resolution(monkeypatch, tmp_path):
    # A checkout laid out in tmp_path, whatever the real one's surroundings: the order is
    # PEACEWATCH_DATA_DIR, then ../shared/data beside the checkout, then the user cache dir.
    from peacewatch.sources import catalog as catalog_module

    checkout = tmp_path / "peacewatch"
    checkout.mkdir()
    monkeypatch.setattr(catalog_module, "REPO_ROOT", checkout)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(tmp_path / "explicit"))
    assert data_dir() == tmp_path / "explicit"
    monkeypatch.delenv("PEACEWATCH_DATA_DIR")
    assert data_dir() == tmp_path / "cache" / "peacewatch" / "data"  # where `sources fetch` writes
    (tmp_path / "shared" / "data").mkdir(parents=True)
    assert data_dir() == tmp_path / "shared" / "data"


def test_invalid_catalog_entry_names_file_and_field(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text(yaml.safe_dump({"key": "broken", "title": "x"}))
    with pytest.raises(CatalogError, match=r"broken.yml: invalid catalog entry: publisher: Field required"):
        load_source_yaml(bad)
    wrong = tmp_path / "other.yml"
    data = yaml.safe_load((catalog_dir() / "hti.yml").read_text())
    wrong.write_text(yaml.safe_dump(data))
    with pytest.raises(CatalogError, match="must equal the file name"):
        load_source_yaml(wrong)


def test_unknown_source_lists_known_ones():
    with pytest.raises(CatalogError, match="known sources: .*hti"):
        Catalog().source("nope")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_catalog_files_are_not_committed_data():
    # data files are read through the catalog, never copied into the project.
    # Ask git what is tracked: a virtualenv or out/ inside the checkout holds such files legitimately.
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "-z"], capture_output=True, check=True)
    names = [name for name in listed.stdout.decode().split("\0") if name]
    assert [n for n in names if Path(n).suffix in {".dta", ".rda", ".rds", ".csv", ".xlsx"}] == []
    # No tracked file is a copy of a file in the data directory, whatever its name.
    data_files = [p for p in data_dir().rglob("*") if p.is_file() and p.name != "PROVENANCE.md"]
    sizes = {p.stat().st_size for p in data_files}
    candidates = [REPO_ROOT / n for n in names if (REPO_ROOT / n).is_file() and (REPO_ROOT / n).stat().st_size in sizes]
    candidate_sizes = {c.stat().st_size for c in candidates}
    data_digests = {_sha256(p) for p in data_files if p.stat().st_size in candidate_sizes}
    assert [str(c.relative_to(REPO_ROOT)) for c in candidates if _sha256(c) in data_digests] == []
    assert not list(catalog_dir().glob("*.csv"))


def test_catalog_ships_inside_the_package_and_can_be_overridden(monkeypatch, tmp_path):
    import peacewatch

    monkeypatch.delenv("PEACEWATCH_CATALOG_DIR", raising=False)
    builtin = catalog_dir()
    assert builtin.is_relative_to(Path(peacewatch.__file__).parent)  # a wheel carries it
    assert (builtin / "hti.yml").is_file() and "hti" in Catalog()
    (tmp_path / "hti.yml").write_text((builtin / "hti.yml").read_text())
    monkeypatch.setenv("PEACEWATCH_CATALOG_DIR", str(tmp_path))
    assert catalog_dir() == tmp_path and list(Catalog().sources) == ["hti"]


def test_every_source_names_its_loaders_and_every_loader_module_is_named():
    import pkgutil

    import peacewatch.sources.loaders as package

    catalog = Catalog()
    named_modules = set()
    for key in catalog.sources:
        loaders = catalog.loaders(key)
        assert loaders and all(callable(f) for f in loaders.values()), key
        named_modules |= {f.__module__.rsplit(".", 1)[1] for f in loaders.values()}
    assert catalog.loaders("ipi_missions")["ipi_missions"].__module__ == "peacewatch.sources.loaders.ipi"
    assert set(catalog.loaders("state_lists")) == {"cow_states", "gw_states"}
    # The outcome files a user must supply (no copy can be held, so no sha256 for a catalog entry)
    # name their loaders in models/supplied_sources.yml, with the same provenance fields.
    from peacewatch.models.supplied import supplied_sources

    supplied = {entry["loader"].split(":")[0].rsplit(".", 1)[1] for entry in supplied_sources().values()}
    assert supplied == {"gsi", "p3"} and not supplied & named_modules
    # a loader module no catalog entry names would be a source added half-way
    assert {m.name for m in pkgutil.iter_modules(package.__path__)} == named_modules | supplied


def test_a_loader_read_through_the_catalog_gives_real_rows():
    hti = Catalog().loaders("hti")["hti"]()
    assert len(hti) == 1587 and hti.loc[(hti["ccode"] == 41) & (hti["year"] == 2003), "pdest"].item() == 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "peacewatch.sources.loaders.hti:no_such_loader",
            r"hti.yml: loader 'peacewatch.sources.loaders.hti:no_such_loader': "
            r"module 'peacewatch.sources.loaders.hti' has no function 'no_such_loader'$",
        ),
        (
            "peacewatch.sources.loaders.nope:hti",
            r"hti.yml: loader 'peacewatch.sources.loaders.nope:hti': "
            r"module 'peacewatch.sources.loaders.nope' not found",
        ),
    ],
)
def test_a_wrong_loader_name_is_one_line_naming_the_yaml(tmp_path, entry, message):
    data = yaml.safe_load((catalog_dir() / "hti.yml").read_text())
    data["loaders"] = [entry]
    (tmp_path / "hti.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(CatalogError, match=message) as err:
        Catalog(tmp_path).loaders("hti")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("loaders", "message"), [(None, "loaders: Field required"), (["hti"], "must be written module:function")]
)
def test_a_missing_or_malformed_loader_entry_names_the_yaml(tmp_path, loaders, message):
    data = yaml.safe_load((catalog_dir() / "hti.yml").read_text())
    data.pop("loaders")
    if loaders is not None:
        data["loaders"] = loaders
    (tmp_path / "hti.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(CatalogError, match=rf"hti.yml: invalid catalog entry: .*{message}") as err:
        Catalog(tmp_path)
    assert "\n" not in str(err.value)
