#!/usr/bin/env bash
# Packaging smoke test (run by scripts/test.sh before pytest): build a wheel, install it NON-editable
# into a fresh virtualenv, then, from another directory, list the catalog and build a one-year panel.
# It proves that the wheel carries everything it needs (catalog YAMLs, rule sets, templates) and that
# no import is undeclared. The venv sees the system site-packages so the heavy dependencies already
# installed are reused instead of downloaded again; pip's cache is reused for the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d /tmp/peacewatch-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
pip_q=(-q --disable-pip-version-check --root-user-action=ignore)

# Build without isolation when setuptools can build wheels here (no download); otherwise pip fetches
# the build backend into an isolated environment (from its cache after the first time).
isolation=()
python3 -c "import setuptools.command.bdist_wheel" 2>/dev/null && isolation=(--no-build-isolation)
python3 -c "import setuptools, wheel.bdist_wheel" 2>/dev/null && isolation=(--no-build-isolation)
python3 -m pip wheel -q --disable-pip-version-check --no-deps "${isolation[@]}" -w "$work/dist" "$repo" >/dev/null
wheel=$(ls "$work"/dist/peacewatch-*.whl)
python3 - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
catalog = [n for n in names if n.startswith("peacewatch/sources/catalog_entries/") and n.endswith(".yml")]
assert len(catalog) >= 16, f"the wheel carries {len(catalog)} catalog YAMLs"
PY

python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install "${pip_q[@]}" "$wheel"

data=${PEACEWATCH_DATA_DIR:-$(cd "$repo/.." && pwd)/shared/data}
cd "$work"  # another directory: nothing may come from the checkout
env -u PYTHONPATH PEACEWATCH_DATA_DIR="$data" PEACEWATCH_CACHE_DIR="$work/cache" bash -c '
  set -euo pipefail
  where=$(venv/bin/python -c "import peacewatch, sys; print(peacewatch.__file__)")
  case "$where" in "$PWD"/venv/*) ;; *) echo "smoke: peacewatch imported from $where, not the wheel" >&2; exit 1;; esac
  venv/bin/peacewatch sources list > sources.txt
  grep -q "ipi_missions" sources.txt
  venv/bin/peacewatch panel build --start 2004 --end 2004 --format csv --out panel > /dev/null
  grep -q "^41,2004,Haiti,HTI,41,6008.0" panel/panel.csv
'
echo "smoke: wheel $(basename "$wheel") installs and runs from another directory"
