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
# The wheel carries its catalog, and every third-party package the code imports is declared
# (a direct requirement or an extra), not merely present because another package pulls it in.
import ast, importlib.metadata as md, re, sys, zipfile

wheel = zipfile.ZipFile(sys.argv[1])
names = wheel.namelist()
catalog = [n for n in names if n.startswith("peacewatch/sources/catalog_entries/") and n.endswith(".yml")]
assert len(catalog) >= 16, f"the wheel carries {len(catalog)} catalog YAMLs"
rules = ["peacewatch/sources/country_overrides.yml", "peacewatch/sources/loaders/mission_families.yml",
         "peacewatch/panel/mission_starts.yml"]
assert not [r for r in rules if r not in names], f"the wheel lacks rule files {[r for r in rules if r not in names]}"
canon = lambda name: re.sub(r"[-_.]+", "-", name).lower()
meta = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
declared = {canon(re.split(r"[ ;<>=!~\[(]", line.split(":", 1)[1].strip())[0])
            for line in meta.splitlines() if line.startswith("Requires-Dist:")}
imported = set()
for name in names:
    if name.endswith(".py"):
        for node in ast.walk(ast.parse(wheel.read(name))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
third_party = sorted(m for m in imported - set(sys.stdlib_module_names) - {"peacewatch", "__future__"})
owners = md.packages_distributions()
undeclared = [m for m in third_party if not {canon(d) for d in owners.get(m, [m])} & declared]
assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
PY

# No pip inside the venv (ensurepip takes seconds): the system's pip installs into it.
python3 -m venv --system-site-packages --without-pip "$work/venv"
# --no-deps: the declared requirements were checked above and are already installed system-wide.
python3 -m pip --python "$work/venv/bin/python" install "${pip_q[@]}" --no-deps "$wheel"

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
