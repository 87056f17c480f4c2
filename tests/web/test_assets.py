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
