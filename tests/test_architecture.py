"""The package's import graph: no cycle, and the layers of docs/contributing.md depend downwards only.

The graph is read statically (``ast``) from every module of ``src/peacewatch`` and holds *every*
import statement: module level, inside functions (the lazy imports) and under ``if TYPE_CHECKING:``,
since each of them ties the two modules together for a reader and for a type checker. An import of
``a.b.c`` is an edge to the deepest module of that name that exists (``from a.b import c`` names the
module ``a.b.c`` when there is one, else the package ``a.b``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "peacewatch"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(name: str) -> str | None:
    """The deepest module of the package that ``name`` names (``None`` outside the package)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.split(".")[0] == "peacewatch" else None
            if target and target != module:
                targets.add(target)
    return targets


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": {"e"}, "f": set()}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["e", "e2"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_and_type_checking_imports():
    # known edges of each kind, so the graph cannot silently miss them
    assert "peacewatch.panel.export" in GRAPH["peacewatch.panel.core"]  # inside a method
    assert "peacewatch.sources.context" in GRAPH["peacewatch.panel.export"]  # for a type only
    assert "peacewatch.scorecards.indicators.hosts" in GRAPH["peacewatch.scorecards.indicators"]  # from a package


def test_the_package_has_no_import_cycle():
    assert _cycles(GRAPH) == []


# ----------------------------------------------------------------------------- layers
#: Bottom to top; a module may import its own layer and the layers below it (docs/contributing.md).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "peacewatch.errors",
            "peacewatch.memo",
            "peacewatch.resources",
            "peacewatch.csvsafe",
            "peacewatch.progress",
            "peacewatch.bounds",
            "peacewatch.startup_heap",
            "peacewatch.works",
            "peacewatch.reports",
            "peacewatch.settings",
        ),
    ),
    ("sources", ("peacewatch.sources", "peacewatch.countries")),
    ("panel", ("peacewatch.panel", "peacewatch")),  # the package itself offers Panel lazily
    ("models", ("peacewatch.models",)),
    ("scorecards", ("peacewatch.scorecards",)),
    ("web", ("peacewatch.web",)),
    (
        "commands",
        ("peacewatch.cli", "peacewatch.cli_boundary", "peacewatch.jobs", "peacewatch.__main__"),
    ),  # wire everything together
]
#: The registry stands apart: it imports the base layer and the catalog's sources (its inputs are
#: checked against the catalogued states and missions, issue 24), and is reached through its doors.
REGISTRY = "peacewatch.registry"
#: Each package's command line (``peacewatch.<package>.cli``) belongs to the commands layer: it wires
#: its package to the boundary that turns user mistakes into one-line errors.
CLI_SUFFIX = ".cli"
#: The registry modules each layer may import (``name.*``: the modules inside too). Scorecards read
#: published registry data through one door, ``registry.publication``, and a staff member's live
#: counts through the operation the policy table checks; web adapts the operations and mounts the
#: API package (not its internals).
REGISTRY_DOORS: dict[str, tuple[str, ...]] = {
    "scorecards": ("peacewatch.registry.publication", "peacewatch.registry.operations.*"),
    "web": (
        "peacewatch.registry.publication",
        "peacewatch.registry.operations.*",
        "peacewatch.registry.policy",
        "peacewatch.registry.api",
        "peacewatch.registry.errors",
        "peacewatch.registry.settings",
        "peacewatch.registry.service",
    ),
    "commands": (REGISTRY + ".*",),
}
#: Imports that still break the layering, each with what is to replace it. The strict test below
#: (expected to fail until they are gone) lists them; the ratchet test keeps new ones out.
PENDING: dict[tuple[str, str], str] = {
    **{
        (src, dst): "web reaches the registry through its operations and publication door"
        for src, dst in [
            ("peacewatch.web.registry_labels", "peacewatch.registry.compliance"),
            ("peacewatch.web.routes.intake_pages", "peacewatch.registry.workflow"),
            ("peacewatch.web.routes.registry_compliance", "peacewatch.registry.compliance"),
            ("peacewatch.web.routes.registry_compliance", "peacewatch.registry.training"),
            ("peacewatch.web.routes.registry_pages", "peacewatch.registry.config"),
            ("peacewatch.web.routes.registry_pages", "peacewatch.registry.workflow"),
            ("peacewatch.web.routes.registry_vetting", "peacewatch.registry.screening_jobs"),
            ("peacewatch.web.routes.registry_vetting", "peacewatch.registry.vetting"),
            ("peacewatch.web.app", "peacewatch.registry.throttle"),
            ("peacewatch.web.routes.registry_pages", "peacewatch.registry.throttle"),
        ]
    },
    (
        "peacewatch.registry.api",
        "peacewatch.web.security",
    ): "the request safety shared by both apps belongs below them (registry or base), not in web",
}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> str:
    if module.endswith(CLI_SUFFIX) and module.count(".") == 2:
        return "commands"
    if _within(module, REGISTRY):
        return "registry"
    best = max(
        (
            (len(p), name)
            for name, prefixes in LAYERS
            for p in prefixes
            if _within(module, p) and (p != "peacewatch" or module == "peacewatch")
        ),
        default=None,
    )
    assert best is not None, f"{module} is in no layer: add it to LAYERS in {__file__}"
    return best[1]


RANK = {name: i for i, (name, _) in enumerate(LAYERS)}


def _violations() -> set[tuple[str, str]]:
    out = set()
    for src, targets in GRAPH.items():
        a = _layer(src)
        for dst in targets:
            b = _layer(dst)
            if a == "registry":
                ok = b in ("registry", "base", "sources")
            elif a == "commands":
                ok = True
            elif b == "registry":
                ok = any(
                    _within(dst, door[:-2]) if door.endswith(".*") else dst == door
                    for door in REGISTRY_DOORS.get(a, ())
                )
            else:
                ok = RANK[b] <= RANK[a]
            if not ok:
                out.add((src, dst))
    return out


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_the_layer_check_catches_an_upward_import():
    GRAPH["peacewatch.panel.core"].add("peacewatch.web.app")
    try:
        assert ("peacewatch.panel.core", "peacewatch.web.app") in _violations()
    finally:
        GRAPH["peacewatch.panel.core"].discard("peacewatch.web.app")


def test_layers_depend_downwards_except_the_pending_list():
    new = sorted(_violations() - set(PENDING))
    listed = "\n".join(f"{a} -> {b}" for a, b in new)
    assert new == [], f"imports against the layering of docs/contributing.md:\n{listed}"
    gone = sorted(set(PENDING) - _violations())
    assert gone == [], f"fixed, so remove from PENDING in {__file__}: {gone}"


@pytest.mark.xfail(
    strict=False, reason="issue 22 item 3: the registry's publication door (i20) and web's registry imports"
)
def test_layers_depend_downwards_only():
    assert sorted(_violations()) == []
