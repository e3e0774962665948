#!/usr/bin/env python3
"""Print the internal import graph of a package: edges, cycles, imports inside functions.

Run from the repository root:  python scripts/import_graph.py [anchor]

It reads the source with ``ast`` (nothing is imported). An edge A -> B means module A
imports module B (or a name from it) at module level; ``if TYPE_CHECKING:`` blocks are
left out, since they cost nothing at run time. Cycles are the strongly connected
components of more than one module in the module-level graph. Imports inside a function
(deferred imports) are counted apart, with where they are, since they hide edges.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["import_graph", "main", "strongly_connected"]

_Import = ast.Import | ast.ImportFrom


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _targets(node: _Import, module: str, is_pkg: bool, known: set[str]) -> set[str]:
    """Internal modules named by one import statement."""
    out: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
        return out
    if node.level:
        base = module.split(".") if is_pkg else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    for alias in node.names:
        full = f"{prefix}.{alias.name}"
        if full in known:  # "from anchor import text" names a module
            out.add(full)
        elif prefix in known:
            out.add(prefix)
    return out


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[_Import, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _walk(child, True)
        elif isinstance(child, ast.If) and _is_type_checking(child):
            continue
        else:
            yield from _walk(child, in_function)


def import_graph(root: Path) -> tuple[dict[str, set[str]], list[tuple[str, str, int]]]:
    """Module-level edges {module: {imported modules}} and the deferred imports
    (module, target, line) of the package at ``root``."""
    files = {_module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    known = set(files)
    edges: dict[str, set[str]] = {m: set() for m in files}
    deferred: list[tuple[str, str, int]] = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_pkg = path.name == "__init__.py"
        for node, in_function in _walk(tree, False):
            for target in _targets(node, module, is_pkg, known):
                if target == module:
                    continue
                if in_function:
                    deferred.append((module, target, node.lineno))
                else:
                    edges[module].add(target)
    return edges, deferred


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative); components of two or more modules, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return sorted(out)


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "anchor").resolve()
    edges, deferred = import_graph(root)
    n_edges = sum(len(v) for v in edges.values())
    cycles = strongly_connected(edges)
    print(f"modules: {len(edges)}")
    print(f"module-level internal import edges: {n_edges}")
    print(f"cycles (strongly connected components): {len(cycles)}")
    for comp in cycles:
        print("  " + " <-> ".join(comp))
    every: dict[str, set[str]] = {m: set(t) for m, t in edges.items()}
    for module, target, _line in deferred:
        every[module].add(target)
    hidden = [c for c in strongly_connected(every) if c not in cycles]
    print(f"cycles once imports inside functions count too: {len(hidden)} more")
    for comp in hidden:
        print("  " + " <-> ".join(comp))
    print(f"internal imports inside functions: {len(deferred)}")
    for module, target, line in sorted(deferred):
        print(f"  {module}:{line} -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
