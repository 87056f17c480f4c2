"""The vendored front-end assets: pinned versions, licences, and a map that shows every host."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "peacewatch" / "web"
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_match_the_lock_file_and_carry_their_licences():
    lock = json.loads((WEB / "assets" / "package-lock.json").read_text())["packages"]
    listed = dict(re.findall(r"^- (\S+) (\S+) ", (VENDOR / "README.md").read_text(), flags=re.M))
    assert listed, "static/vendor/README.md lists no packages; run scripts/vendor_assets.sh"
    for name, version in listed.items():
        assert lock[f"node_modules/{name}"]["version"] == version, name
    licences = (VENDOR / "THIRD_PARTY_LICENSES.md").read_text()
    assert "Apache License" in licences and "## world-atlas/LICENSE" in licences
    bundle = (VENDOR / "echarts.custom.min.js").read_text()
    # esbuild keeps the legal comments, at the end of the bundle (--legal-comments=eof)
    assert "Apache Software Foundation" in bundle and "ZRender" in bundle[-3000:]


def test_every_un_host_country_is_on_the_vendored_world_map(server):
    geo = json.loads((VENDOR / "world-110m.geo.json").read_text())
    on_map = {f["properties"]["iso3"] for f in geo["features"]}
    df = server["app"].state.store.panel_df
    hosts = set(df.loc[df["un_personnel"] > 0, "iso3"].dropna())
    assert len(hosts) > 30 and hosts <= on_map, sorted(hosts - on_map)


def test_axe_for_the_tests_matches_the_lock_file_and_is_never_served(http):
    tests_vendor = Path(__file__).parent / "vendor"
    lock = json.loads((WEB / "assets" / "package-lock.json").read_text())["packages"]
    listed = dict(re.findall(r"^- (\S+) (\S+) ", (tests_vendor / "README.md").read_text(), flags=re.M))
    assert listed == {"axe-core": lock["node_modules/axe-core"]["version"]}
    assert (tests_vendor / "axe.min.js").read_text()[:40].startswith(f"/*! axe v{listed['axe-core']}")
    assert "Mozilla Public License" in (tests_vendor / "THIRD_PARTY_LICENSES.md").read_text()
    assert not list((WEB / "static").rglob("axe*"))
    assert http.get("/static/vendor/axe.min.js").status_code == 404
