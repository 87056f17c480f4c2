"""`peacewatch sources fetch` against a local HTTP server on 127.0.0.1, and the data CLI."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.sources.catalog import Catalog, data_dir
from peacewatch.sources.context import sha256_of
from peacewatch.sources.errors import ChecksumError
from peacewatch.sources.fetch import FetchError, fetch, fetch_file

runner = CliRunner()


@pytest.fixture()
def mirror(tmp_path):
    """Serve a directory over HTTP on 127.0.0.1 (a free port); yields (base_url, served_dir)."""

    def serve(directory: Path):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
        handler.log_message = lambda *a, **k: None  # keep test output clean
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    servers: list = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def test_fetch_downloads_checks_and_skips(mirror, tmp_path):
    base = mirror(data_dir())
    catalog = Catalog()
    dest = tmp_path / "data"
    seen = []
    results = fetch(catalog, ["hti", "polity5"], dest, mirror=base, progress=lambda label, done, total: seen.append((label, done, total)))
    assert [r.status for r in results] == ["downloaded", "downloaded"]
    assert sha256_of(dest / "hti" / "HTI.csv") == catalog.file("hti", "main").sha256
    assert seen[-1][1] == seen[-1][2]  # progress reached the announced size
    again = fetch(catalog, ["hti"], dest, mirror=base)
    assert again[0].status == "present"


def test_fetch_refuses_a_corrupted_download_and_keeps_nothing(mirror, tmp_path):
    served = tmp_path / "served" / "hti"
    served.mkdir(parents=True)
    (served / "HTI.csv").write_bytes((data_dir() / "hti" / "HTI.csv").read_bytes()[:-100])
    base = mirror(tmp_path / "served")
    dest = tmp_path / "data"
    with pytest.raises(ChecksumError, match="was not installed"):
        fetch_file(Catalog(), "hti", "main", dest, mirror=base)
    assert not (dest / "hti" / "HTI.csv").exists()
    assert not list((dest / "hti").glob(".*part*"))


def test_fetch_without_url_or_mirror_explains(tmp_path):
    with pytest.raises(FetchError, match="no canonical download URL"):
        fetch_file(Catalog(), "polity5" if not Catalog().file("polity5", "main").url else "countrycode", "codelist", tmp_path)


def test_fetch_http_error(mirror, tmp_path):
    base = mirror(tmp_path)  # empty: every file 404s
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_file(Catalog(), "hti", "main", tmp_path / "d", mirror=base)


def test_cli_fetch_with_progress(mirror, tmp_path):
    base = mirror(data_dir())
    result = runner.invoke(app, ["sources", "fetch", "hti", "--dest", str(tmp_path), "--mirror", base])
    assert result.exit_code == 0, result.output
    assert "downloaded" in result.output and (tmp_path / "hti" / "HTI.csv").is_file()


def test_cli_list_verify_cite():
    listed = runner.invoke(app, ["sources", "list"])
    assert listed.exit_code == 0 and "ipi_missions" in listed.output
    verified = runner.invoke(app, ["sources", "verify", "hti", "polity5"])
    assert verified.exit_code == 0 and "2 of 2 files verified" in verified.output
    cited = runner.invoke(app, ["sources", "cite", "hti"])
    assert "@techreport{frank2013hti" in cited.output
    bad = runner.invoke(app, ["sources", "verify", "nope"])
    assert bad.exit_code == 2 and "unknown source" in bad.output


def test_cli_panel_build(tmp_path):
    result = runner.invoke(app, ["panel", "build", "--start", "2004", "--end", "2005", "--add", "un", "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "panel.csv").read_text().splitlines()
    assert "un_troops" in lines[0]
    assert any(line.startswith("41,2004,Haiti,HTI,41,6008.0") for line in lines)
    assert (tmp_path / "CITATION.bib").read_text().count("@") >= 3
