"""The import graph of the project's own modules, read from the source with ast: no circles
between files, and the layers of DESIGN.md (entry -> crawler, analysis, reporting -> storage
-> core) hold. A change that breaks either fails here with the offending import named.

Every import counts, including those inside functions (a deferred import is still a
dependency); imports under ``if TYPE_CHECKING:`` never run, so they make no circle, but they
still count for the layer rules.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "build", "dist", "data", "reports", "out"}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it names: a project module or a third-party module
    line: int
    type_only: bool


def project_modules() -> dict[str, Path]:
    """Dotted name -> file, for the top-level modules and packages of the repository."""
    modules: dict[str, Path] = {}
    for path in ROOT.glob("*.py"):
        modules[path.stem] = path
    for top in sorted(p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        if top.name in SKIP or top.name.startswith("."):
            continue
        for path in top.rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import in one file; `from package import submodule` names the submodule."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for inner in child.body:
                    visit_one(inner, True)
                for inner in child.orelse:
                    visit_one(inner, type_only)
            else:
                visit_one(child, type_only)

    def visit_one(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(name, alias.name, node.lineno, type_only))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append(Import(name, full if full in modules else base, node.lineno, type_only))
        else:
            visit(node, type_only)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return found


MODULES = project_modules()
IMPORTS = [i for name, path in MODULES.items() for i in imports_of(name, path, MODULES)]


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports at run time."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for imp in IMPORTS:
        if not imp.type_only and imp.target in MODULES and imp.target != imp.module:
            graph[imp.module].add(imp.target)
    return graph


def _one_circle(component: set[str], graph: dict[str, set[str]]) -> str:
    """A shortest way round one circle of a component, for the message: a -> b -> a."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & component):
            if w == start:
                return " -> ".join([*paths[v], start])
            if w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return " <-> ".join(sorted(component))


def _circles() -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[set[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return circles


# Circles kept for a stated reason (none today). An entry that no longer matches a circle fails
# the test too, so the list only shrinks.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}


def test_no_import_circles_between_files():
    circles = {frozenset(c) for c in _circles()}
    graph = _graph()
    unexplained = [_one_circle(set(c), graph) for c in circles if c not in KNOWN_CIRCLES]
    assert not unexplained, "import circles (a module imports one that imports it back):\n" + "\n".join(
        unexplained
    )
    stale = [sorted(c) for c in KNOWN_CIRCLES if c not in circles]
    assert not stale, f"KNOWN_CIRCLES lists circles that are gone, remove them: {stale}"


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


ENTRY = ("govwatch", "scheduler")
NOT_SHIPPED = ("sandbox", "bench", "checks", "tests")
NO_IO = ("storage", "sqlalchemy", "alembic", "psycopg", "httpx", "scrapy", "twisted", "urllib.request")
NO_IO += ("http.client", "socket", "smtplib")

# (who, may not import any of these, why). Checked on the project's production code.
LAYER_RULES = [
    (
        ("core",),
        ("govwatch", "scheduler", "crawler", "analysis", "reporting", "storage"),
        "core is the ground",
    ),
    (
        ("storage",),
        ("govwatch", "scheduler", "crawler", "analysis", "reporting"),
        "storage serves the layers above",
    ),
    (("crawler",), ("govwatch", "scheduler", "reporting"), "the crawler never renders nor calls the entry"),
    (("analysis",), ("govwatch", "scheduler", "crawler", "reporting"), "analysis reads storage only"),
    (("reporting",), ("govwatch", "scheduler", "crawler"), "reporting reads storage and analysis"),
    (
        ("crawler.parsers",),
        (*NO_IO, "crawler.spiders", "crawler.pipelines"),
        "parsers are pure: (url, body) -> items",
    ),
    (("analysis.text",), (*NO_IO, "analysis.status", "analysis.findings"), "text checks are pure"),
    (
        ("govwatch.web",),
        ("sqlalchemy", "crawler", "scrapy", "twisted"),
        "the web console holds no SQL (storage/web.py does) and never crawls in its process",
    ),
    (
        ("core", "storage", "crawler", "analysis", "reporting", "govwatch", "scheduler"),
        NOT_SHIPPED,
        "test code",
    ),
]


def test_layers_import_only_downwards():
    broken = []
    for who, forbidden, why in LAYER_RULES:
        for imp in IMPORTS:
            if _under(imp.module, *who) and _under(imp.target, *forbidden):
                broken.append(
                    f"{MODULES[imp.module].relative_to(ROOT)}:{imp.line} imports {imp.target} ({why})"
                )
    assert not broken, "layer rules broken:\n" + "\n".join(broken)


def test_pure_layers_import_nothing_of_the_project_but_the_ground():
    """crawler/parsers and analysis/text import only themselves and core (DESIGN.md)."""
    broken = [
        f"{MODULES[imp.module].relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for imp in IMPORTS
        if imp.target in MODULES
        for pure in ("crawler.parsers", "analysis.text")
        if _under(imp.module, pure) and not _under(imp.target, pure, "core")
    ]
    assert not broken, "\n".join(broken)


def test_the_graph_sees_the_imports_it_checks():
    """The reader finds deferred, relative and package imports (or the checks above prove nothing)."""
    targets = {(i.module, i.target) for i in IMPORTS}
    assert ("govwatch.cli", "govwatch.cli_ops") in targets  # `from govwatch import cli_ops`
    assert ("analysis.text.model", "analysis.text.model_batch") in targets  # relative, inside a method
    assert ("govwatch.cli_group", "storage.db") in targets  # inside a function
    assert ("storage.db", "sqlalchemy") in targets or any(
        i.module == "storage.db" and i.target.startswith("sqlalchemy") for i in IMPORTS
    )
