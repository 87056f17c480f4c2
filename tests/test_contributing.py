"""docs/contributing.md followed literally, in a scratch directory: a data source (file, checksum
command, catalog entry, loader) and a panel verb that stays out of ``add_all()`` until it opts in."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.panel import core
from peacewatch.panel.core import Panel, create_country_years
from peacewatch.panel.verbs import registry
from peacewatch.sources.catalog import Catalog
from peacewatch.sources.context import SourceContext

ROWS = "ccode,year,walks\n41,2004,3\n2,2004,5\n"


def _sha256sum(path) -> str | None:
    """The coreutils answer, independent of peacewatch's own hashing."""
    if shutil.which("sha256sum") is None:
        return None
    return subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True).stdout.split()[0]


def test_a_data_source_from_file_to_loader(tmp_path, monkeypatch):
    # 0. the file goes into <data dir>/<key>/, and the checksum command gives its sha256 and path
    data = tmp_path / "data"
    (data / "walk_src").mkdir(parents=True)
    csv = data / "walk_src" / "walks.csv"
    csv.write_text(ROWS, encoding="utf-8")
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(data))
    result = CliRunner().invoke(app, ["sources", "checksum", str(csv)])
    assert result.exit_code == 0, result.output
    sha, path, size = result.output.split("  ")
    assert path == "walk_src/walks.csv" and size.strip() == f"({len(ROWS)} bytes)"
    assert sha == (_sha256sum(csv) or sha) and len(sha) == 64
    missing = CliRunner().invoke(app, ["sources", "checksum", str(data / "nope.csv")])
    assert missing.exit_code != 0 and "nope.csv: no such file" in missing.output

    # 1. the catalog entry, 2. the loader it names (a module outside the package here)
    catalog_dir = tmp_path / "catalog"
    catalog_dir.mkdir()
    (catalog_dir / "walk_src.yml").write_text(
        textwrap.dedent(f"""\
        key: walk_src
        title: Walks per country-year
        publisher: Contributing guide
        version: "1"
        license: test data
        loaders: [walk_loader:walk_src]
        unit: country-year
        coverage: {{start: 2004, end: 2004}}
        citation: |
          @misc{{walk, title = {{Walks}}, year = {{2026}}}}
        files:
          main:
            path: {path}
            sha256: {sha}
            format: csv
            assertions: {{rows: 2, columns: [ccode, year, walks]}}
        """),
        encoding="utf-8",
    )
    (tmp_path / "walk_loader.py").write_text(
        textwrap.dedent("""\
        def walk_src(ctx):
            return ctx.cached("walk_src", ["main"], "walk_src-v1", lambda read: read("main"))
        """),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    catalog = Catalog(catalog_dir, data_root=data)
    ctx = SourceContext(catalog=catalog, use_cache=False)
    frame = catalog.loaders("walk_src")["walk_src"](ctx)
    assert frame.set_index("ccode").loc[41, "walks"] == 3
    assert [(x["source"], x["files"][0]["sha256"]) for x in ctx.lineage(["walk_src"])] == [("walk_src", sha)]

    # a changed file is refused by its checksum, naming the file
    csv.write_text(ROWS.replace("41,2004,3", "41,2004,4"), encoding="utf-8")
    with pytest.raises(Exception, match="walks.csv: sha256"):
        catalog.loaders("walk_src")["walk_src"](SourceContext(catalog=catalog, use_cache=False))


def _walks(ctx, years):
    return years.assign(walks=years["ccode"] % 7)


def test_a_panel_verb_joins_add_all_only_when_it_opts_in(monkeypatch):
    baseline = [s.verb for s in create_country_years(2004, 2004).add_all().steps]
    for in_all in (False, True):
        spec = registry.Verb("walks", "add_walks", _walks, ("state_lists",), False, "Add walks.", in_all=in_all)
        verbs = (*registry.VERBS, spec)
        monkeypatch.setattr(registry, "BY_NAME", {v.name: v for v in verbs})
        monkeypatch.setattr(core, "ALL_NAMES", tuple(v.name for v in verbs if v.in_all))
        monkeypatch.setattr(Panel, spec.method, core._verb_method(spec), raising=False)
        panel = create_country_years(2004, 2004)
        assert panel.add_walks().df.set_index("ccode").loc[41, "walks"] == 41 % 7  # the method exists either way
        steps = [s.verb for s in panel.add_all().steps]
        assert steps == (baseline + ["add_walks"] if in_all else baseline)
