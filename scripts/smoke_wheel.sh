#!/usr/bin/env bash
# Packaging smoke test (run by scripts/test.sh before pytest): build a wheel, install it NON-editable
# into a fresh virtualenv, then, from another directory, list the catalog and build a one-year panel.
# It proves that the wheel carries everything it needs (catalog YAMLs, rule sets, templates) and that
# no import is undeclared. The venv is its own environment: it does not see the interpreter's packages
# (run from an activated virtualenv, `--system-site-packages` would see the base interpreter, not
# that virtualenv), so the wheel's declared requirements are installed into it (from pip's cache
# after the first time). Output is written to files and then searched: `cmd | grep -q` under
# pipefail fails with a broken pipe when grep exits first.
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
reports = {"peacewatch/templates/report/models.html", "peacewatch/templates/report/scorecards_methods.html"}
assert reports <= set(names), f"the wheel lacks the report templates {sorted(reports - set(names))}"
test_only = [n for n in names if n.startswith(("peacewatch/registry/synthetic", "peacewatch/registry/brute_force"))]
assert not test_only, f"test helpers shipped in the wheel: {test_only}"
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

# No pip inside the venv (ensurepip takes seconds): this interpreter's pip installs into it, the wheel
# with its declared requirements and nothing else.
python3 -m venv --without-pip "$work/venv"
python3 -m pip --python "$work/venv/bin/python" install "${pip_q[@]}" "$wheel"

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
  venv/bin/python -c "from peacewatch.reports import render_report; print(render_report(\"scorecards_methods.html\", blocks=[(\"h2\", \"Host states\")]))" > methods.html
  grep -q "<h2>Host states</h2>" methods.html
  # Data files read from other packages (no import names them): the TR39 confusables of usernames.
  venv/bin/python -c "from peacewatch.registry.usernames import skeleton; assert skeleton(\"\u0456nv1\") == skeleton(\"inv1\")"
'
echo "smoke: wheel $(basename "$wheel") installs and runs from another directory"
