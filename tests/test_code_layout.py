"""The code's layers, checked on its import statements (issue 15, part 3).

- Code outside `tests/` never imports `tests`: what bench/, fuzz/ and the code share with
  the tests (generated reports, mutations, fuzz checks) lives in `reportgen/`, and the tests
  import it from there, not the other way round.
- `pipelines/core/` is Dagster-free: none of its modules imports Dagster (nor dagster-dbt,
  dagster-dask, …), nor a module of `pipelines/` outside `core/` (those wire to Dagster).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable

from reportgen.paths import REPO

#: Code that must run without the test suite.
CODE_DIRS = ("bench", "fuzz", "reportgen", "parsers", "pipelines")
CORE = REPO / "pipelines" / "core"


def imported_modules(
    source: str, name: str = "<source>", package: str = ""
) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`: import statements at any depth (a relative
    one resolved against `package`, the package the source is a module of), and
    importlib.import_module / __import__ of a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, name)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and not package:  # (relative to what: unknown)
                continue
            if node.level:  # `from . import x` in package a.b: a.b.x; `from ..`: a.x
                parts = package.split(".")
                base = ".".join(p for p in [*parts[: len(parts) - node.level + 1], base] if p)
            # `from a import b` may import the module a.b: both are named
            modules = [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                modules = [node.args[0].value]
        found += [(node.lineno, m) for m in modules if m]
    return sorted(set(found))


def _matching(source: str, name: str, package: str, forbidden: Callable[[str], bool]) -> list[str]:
    """`line: module` of the imports `forbidden` refuses, one per line and package (the
    shortest name: `from a.b import c` names a.b, not a.b.c as well)."""
    first: dict[tuple[int, str], str] = {}
    for line, module in imported_modules(source, name, package):
        if forbidden(module):
            first.setdefault((line, module.split(".")[0]), module)
    return [f"{line}: {module}" for (line, _), module in sorted(first.items())]


def imports_of_tests(source: str, name: str = "<source>") -> list[str]:
    """`line: module` of every import of `tests` (or a module under it) in `source`."""
    return _matching(source, name, "", lambda module: module.split(".")[0] == "tests")


def is_dagster(module: str) -> bool:
    """Dagster or one of its libraries (dagster_dbt, dagster_dask, dagster_shared, …)."""
    top = module.split(".")[0]
    return top == "dagster" or top.startswith("dagster_")


def outside_core(module: str) -> bool:
    """A module of `pipelines/` that is not in `pipelines/core/` (the Dagster side)."""
    parts = module.split(".")
    return parts[0] == "pipelines" and len(parts) > 1 and parts[1] != "core"


def forbidden_in_core(source: str, name: str = "<source>") -> list[str]:
    """`line: module` of every import a module of `pipelines/core/` must not make."""
    return _matching(
        source, name, "pipelines.core", lambda module: is_dagster(module) or outside_core(module)
    )


def test_the_scan_finds_every_form_of_import():
    source = (
        "import tests\nimport os, tests.generator as g\nfrom tests import conftest\n"
        "from tests.mutations import real_reports\ndef f():\n    from tests.x import y\n"
        "importlib.import_module('tests.y')\n__import__('tests')\n"
        "import testsuite\nfrom .tests import z\nfrom reportgen import tests_like\n"
    )
    assert imports_of_tests(source) == [
        "1: tests",
        "2: tests.generator",
        "3: tests",
        "4: tests.mutations",
        "6: tests.x",
        "7: tests.y",
        "8: tests",
    ]


def test_bench_fuzz_reportgen_parsers_and_pipelines_never_import_tests():
    found = []
    scanned = 0
    for folder in CODE_DIRS:
        paths = sorted((REPO / folder).rglob("*.py"))
        assert paths, f"{folder}/ has no Python files"
        for path in paths:
            scanned += 1
            rel = path.relative_to(REPO)
            found += [f"{rel}:{hit}" for hit in imports_of_tests(path.read_text("utf-8"), str(rel))]
    assert scanned >= 40
    assert found == []


def test_the_core_scan_finds_dagster_and_the_dagster_side_of_pipelines():
    source = (
        "import dagster as dg\nimport os, dagster_dbt.asset_utils\n"
        "from dagster._core.events import DagsterEvent\ndef f():\n    import dagster_dask\n"
        "from pipelines import executors\nfrom pipelines.defs.resources import Warehouse\n"
        "from .. import runner\nfrom ..defs import ingest\n"
        "importlib.import_module('dagster')\n"
        "import dagsterish\nfrom pipelines.core import seals\nfrom . import tables\n"
        "from pipelines.core.paths import SQL_DIR\nimport duckdb\nfrom parsers import Report\n"
    )
    assert forbidden_in_core(source) == [
        "1: dagster",
        "2: dagster_dbt.asset_utils",
        "3: dagster._core.events",
        "5: dagster_dask",
        "6: pipelines.executors",
        "7: pipelines.defs.resources",
        "8: pipelines.runner",
        "9: pipelines.defs",
        "10: dagster",
    ]


def test_the_core_imports_no_dagster_and_nothing_of_the_dagster_side():
    found = []
    paths = sorted(CORE.rglob("*.py"))
    assert len(paths) >= 20
    for path in paths:
        rel = path.relative_to(REPO)
        found += [f"{rel}:{hit}" for hit in forbidden_in_core(path.read_text("utf-8"), str(rel))]
    assert found == []


def test_importing_every_core_module_loads_no_dagster():
    """What the scan cannot see (an import through a third module): every module of
    `pipelines/core/` imported in a fresh interpreter leaves Dagster unloaded."""
    names = sorted(f"pipelines.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('dagster')}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
