"""The package's layers, read from the code itself: every import, including those inside functions.

docs/architecture.md states the order; this test holds the tree to it. A module may import from its
own layer or a lower one; the feature packages of one layer (tabular, workbook, synth) do not import
one another; and no chain of imports leads back to where it started.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "thematic"

# Lowest first. A module's layer is that of its longest matching prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("thematic", "thematic.core"),
    ("thematic.model",),
    ("thematic.load",),
    ("thematic.stats",),
    ("thematic.scoring",),
    ("thematic.render",),
    ("thematic.tabular", "thematic.workbook", "thematic.synth"),
    ("thematic.demo",),  # the example programme: synth's cases scored, compared and rendered
    ("thematic.web",),  # the workspace in the browser: Django on top of the library
    ("thematic.commands", "thematic.cli", "thematic.__main__"),
)
# Peers on one layer that are independent features: none may import another.
INDEPENDENT = ("thematic.tabular", "thematic.workbook", "thematic.synth")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every `thematic` module this file imports, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # `from thematic.render import force` imports the module thematic.render.force
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "thematic" or name.startswith("thematic.")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # Keep only names that are modules or packages (`from x import function` adds x.function).
        graph[name] = {target for target in _imports(path, name) if target in modules and target != name}
    return graph


def _layer(module: str) -> int:
    best, best_length = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def _feature(module: str) -> str | None:
    return next((p for p in INDEPENDENT if module == p or module.startswith(p + ".")), None)


def _violations(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    wrong: set[tuple[str, str]] = set()
    for source, targets in graph.items():
        for target in targets:
            if _layer(target) > _layer(source):
                wrong.add((source, target))
            elif (feature := _feature(source)) and _feature(target) not in (None, feature):
                wrong.add((source, target))
    return wrong


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _is_package_init_of(source: str, target: str) -> bool:
    """A package's __init__ importing its own modules, or a module importing its package, is not a cycle
    of design; it is how Python packages work, and importing a package runs its __init__."""
    return target.startswith(source + ".") or source.startswith(target + ".")


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in _graph() if _layer(m) < 0)
    assert not unplaced, f"modules outside every layer of docs/architecture.md: {unplaced}"


def test_no_import_goes_up_a_layer_or_across_features() -> None:
    wrong = sorted(_violations(_graph()))
    assert not wrong, "imports against the layer order of docs/architecture.md:\n" + "\n".join(
        f"  {source} imports {target}" for source, target in wrong)


def test_no_import_cycles() -> None:
    graph = {source: {t for t in targets if not _is_package_init_of(source, t)} for source, targets in _graph().items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join("  " + " <-> ".join(c) for c in cycles)


# Reading a file is load/'s work. Outside it, these calls open files; the exceptions say why.
_READS = {"open", "read_text", "read_bytes", "load_workbook", "safe_load", "load", "fdopen"}
_MAY_OPEN = {
    "thematic.core.atomic": "writes outputs, and opens an existing output only to compare it with the inputs",
    "thematic.cli": "opens the null device for a standard output whose reader has gone",
    "thematic.scoring.screening": "reads back the sorted runs it spilled to its own temporary files",
    "thematic.scoring.columnar_batch": "writes each batch of validated lines to its own temporary file for DuckDB",
}


def _file_reads(path: Path) -> list[int]:
    """Lines of calls that open or read a file: open(...), x.open(...), x.read_text(...), yaml.safe_load(...)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            reads = node.func.id == "open"  # a bare read_text(...) is load/'s own function, imported
        else:
            reads = getattr(node.func, "attr", None) in _READS
        if reads:
            lines.append(node.lineno)
    return lines


def test_only_load_opens_input_files() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if module.startswith("thematic.load") or module in _MAY_OPEN:
            continue
        found += [f"{path.relative_to(PACKAGE.parent)}:{line}" for line in _file_reads(path)]
    assert not found, "files opened outside load/ (read through a function of load/ instead):\n" + "\n".join(found)


# A report is made from models its caller loaded: the command (or `run`'s work) loads each input once,
# so no renderer calls a loader of results or agreement files itself.
_REPORT_LOADERS = {"load_results", "load_results_files", "load_case_states", "load_case_states_files",
                   "load_agreement"}


def _loaders_called(path: Path) -> list[tuple[int, str]]:
    """Lines that import or call one of _REPORT_LOADERS."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            found += [(node.lineno, a.name) for a in node.names if a.name in _REPORT_LOADERS]
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in _REPORT_LOADERS:
                found.append((node.lineno, name))
    return found


def test_renderers_take_loaded_models() -> None:
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
             for path in sorted((PACKAGE / "render").rglob("*.py")) for line, name in _loaders_called(path)]
    assert not found, "renderers loading results or agreement files (load them in the command):\n" + "\n".join(found)


def test_renderers_work_out_no_interval() -> None:
    # Every rate a report shows comes with its interval from the model or stats/ (docs/architecture.md).
    found = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
             for path in sorted((PACKAGE / "render").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and any(a.name == "proportion" for a in node.names)]
    assert not found, "renderers working out an interval (do it in stats/):\n" + "\n".join(found)


def test_a_loader_call_is_found(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text("from thematic.load.results import Results, load_results\nx = results.load_agreement(p)\n",
                    encoding="utf-8")
    assert _loaders_called(path) == [(1, "load_results"), (2, "load_agreement")]


def test_a_file_read_is_found(tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text("import json\nwith open('x') as f:\n    json.load(f)\nPath('y').read_text()\n"
                    "read_text('z')\n", encoding="utf-8")
    assert sorted(_file_reads(path)) == [2, 3, 4]


# The checker itself, on small made-up graphs, so that a quiet result means a clean tree.

def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    source = "def f():\n    from thematic.scoring import inspection\n"
    tree_imports = _imports_of_text(tmp_path, source, "thematic.workbook.sample")
    assert "thematic.scoring.inspection" in tree_imports
    graph = {"thematic.a": {"thematic.b"}, "thematic.b": {"thematic.c"}, "thematic.c": {"thematic.a"},
             "thematic.d": set()}
    assert _cycles(graph) == [["thematic.a", "thematic.b", "thematic.c"]]


@pytest.mark.parametrize(("source", "target", "wrong"), [
    ("thematic.model.case", "thematic.scoring.expr", True),
    ("thematic.scoring.expr", "thematic.model.case", False),
    ("thematic.scoring.aggregate", "thematic.stats.proportion", False),
    ("thematic.stats.compare", "thematic.scoring.inspection", True),
    ("thematic.load.cases", "thematic.load.yaml_source", False),
    ("thematic.workbook.write", "thematic.synth.emit", True),
    ("thematic.workbook.write", "thematic.render.views", False),
    ("thematic.core.atomic", "thematic", False),
    ("thematic.core.atomic", "thematic.model.base", True),
])
def test_layer_rule(source: str, target: str, wrong: bool) -> None:
    assert (_violations({source: {target}}) == {(source, target)}) is wrong


def _imports_of_text(tmp_path: Path, text: str, module: str) -> set[str]:
    path = tmp_path / "module.py"
    path.write_text(text, encoding="utf-8")
    return _imports(path, module)
