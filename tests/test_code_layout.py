"""Code outside `tests/` never imports `tests`: what bench/, fuzz/ and the code share with the
tests (generated reports, mutations, fuzz checks) lives in `reportgen/`, and the tests import
it from there, not the other way round (issue 15, part 3)."""

from __future__ import annotations

import ast

from reportgen.paths import REPO

#: Code that must run without the test suite.
CODE_DIRS = ("bench", "fuzz", "reportgen", "parsers", "pipelines")


def imports_of_tests(source: str, name: str = "<source>") -> list[str]:
    """`line: module` of every import of `tests` (or a module under it) in `source`: import
    statements at any depth, and importlib.import_module / __import__ of a literal name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, name)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                modules = [node.args[0].value]
        found += [(node.lineno, m) for m in modules if m.split(".")[0] == "tests"]
    return [f"{line}: {module}" for line, module in sorted(found)]


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
