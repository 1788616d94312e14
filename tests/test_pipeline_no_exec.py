"""Nothing executes input: no eval/exec, no code-loading modules, HTML parsed by the stdlib
parser (never rendered), SQL never built from report text, paths quoted where they must be
written into SQL, and text shown in the Dagster UI escaped."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from pipelines.core.paths import PROJECT_ROOT
from pipelines.defs.checks import _table
from tests.pipeline_support import SHIPPED_SEEDS, query, refresh

CODE_DIRS = [PROJECT_ROOT / "parsers", PROJECT_ROOT / "pipelines"]
SOURCES = sorted(p for d in CODE_DIRS for p in d.rglob("*.py"))

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "input"}
FORBIDDEN_MODULES = {
    "pickle",
    "marshal",
    "shelve",
    "subprocess",
    "code",
    "codeop",
    "runpy",
    "importlib",
    "webbrowser",
    "ctypes",
}
FORBIDDEN_ATTRIBUTES = {"system", "popen", "execv", "execve", "execvp", "spawnv", "startfile"}

SQL_WORDS = re.compile(r"\b(SELECT|FROM|COPY|CREATE|DROP|INSERT|UPDATE|DELETE|read_parquet)\b")

# Every expression pipelines/ interpolates into SQL text, each reviewed: none carries text
# read from a report. A new one fails this test until it is reviewed and listed here.
REVIEWED_SQL_VALUES = {
    "query": "a SELECT composed in pipelines/ from the values listed here",
    "source": "read_parquet([...]) of quoted cache paths, or the name of a registered table",
    "files": "cache part paths, each quoted by sql_string",
    "kind": "TABLE or VIEW, from information_schema.tables.table_type",
    "FLAGS_TABLE": "the constant 'consistency_flags'",
    "table": "a key of FACT_KEYS (a constant)",
    "key1": "a value of FACT_KEYS (a constant)",
    "key2": "a value of FACT_KEYS (a constant)",
    "kv_metadata": "KV_METADATA of sql_identifier keys and sql_string values, or empty",
}
QUOTING_FUNCTIONS = {"sql_string", "sql_identifier"}


def parsed_sources():
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_no_eval_exec_or_code_loading_modules():
    found = []
    for path, tree in parsed_sources():
        rel = path.relative_to(PROJECT_ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in FORBIDDEN_CALLS:
                    found.append(f"{rel}:{node.lineno} {node.func.id}()")
            elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
                found.append(f"{rel}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names.append(node.module)
                for name in names:
                    if name.split(".")[0] in FORBIDDEN_MODULES:
                        found.append(f"{rel}:{node.lineno} import {name}")
    assert found == []


def test_html_is_parsed_with_the_stdlib_parser_never_rendered():
    html_grid = (PROJECT_ROOT / "parsers" / "html_grid.py").read_text(encoding="utf-8")
    assert "from html.parser import HTMLParser" in html_grid
    for path, tree in parsed_sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert (module or "").split(".")[0] not in {
                    "lxml",
                    "bs4",
                    "html5lib",
                    "selenium",
                    "playwright",
                    "pyppeteer",
                    "js2py",
                    "PyQt5",
                }, path


def is_sql(text: object) -> bool:
    return isinstance(text, str) and bool(SQL_WORDS.search(text))


def sql_templates(tree: ast.AST):
    """(line, interpolated expressions) of every f-string, .format() or %/+ on SQL text."""
    sql_constants = {  # NAME = "SELECT …" at any level, later used as NAME.format(…)
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        if is_sql(node.value.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if is_sql(text):
                yield (
                    node.lineno,
                    [v.value for v in node.values if isinstance(v, ast.FormattedValue)],
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            receiver = node.func.value
            if (isinstance(receiver, ast.Constant) and is_sql(receiver.value)) or (
                isinstance(receiver, ast.Name) and receiver.id in sql_constants
            ):
                yield node.lineno, [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            parts = [node.left, node.right]
            if any(isinstance(p, ast.Constant) and is_sql(p.value) for p in parts):
                yield node.lineno, [p for p in parts if not isinstance(p, ast.Constant)]


def reviewed(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.IfExp):
        return reviewed(expr.body) and reviewed(expr.orelse)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id in QUOTING_FUNCTIONS:
            return True
    return ast.unparse(expr) in REVIEWED_SQL_VALUES


def test_sql_is_never_formatted_with_unreviewed_values():
    """Report text reaches DuckDB only as data (Arrow tables, Parquet, `?` parameters)."""
    unreviewed = []
    for path, tree in parsed_sources():
        if "pipelines" not in path.parts:
            continue
        for line, values in sql_templates(tree):
            for expr in values:
                if not reviewed(expr):
                    rel = path.relative_to(PROJECT_ROOT)
                    unreviewed.append(f"{rel}:{line} {ast.unparse(expr)}")
    assert unreviewed == []


def test_the_parser_builds_no_sql():
    for path, tree in parsed_sources():
        if "parsers" in path.parts:
            for line, _ in sql_templates(tree):
                pytest.fail(f"{path}:{line}: SQL text in the parser library")


NASTY = 'it\'s "quoted"; -- {{warehouse_dir}} $x'


def test_paths_with_quotes_work(tmp_path):
    """Paths are the only values written into SQL text (COPY and read_parquet take no
    parameters): a raw dir, a warehouse dir and a file name with quotes must all work, and
    a warehouse dir with the characters of a DuckDB file pattern."""
    raw = tmp_path / f"raw {NASTY}"
    wh = tmp_path / f"warehouse {NASTY} [1]*"  # (DuckDB file patterns: matched as written)
    raw.mkdir()
    seed = sorted(SHIPPED_SEEDS.glob("*.txt"))[0]
    shutil.copy2(seed, raw / "o'brien's report.txt")
    (raw / "x'); DROP TABLE reports; --.txt").write_text("not a report")
    refresh(raw, wh)
    assert query(wh, "SELECT source_path, status FROM reports_all_files ORDER BY 1") == [
        ("o'brien's report.txt", "parsed"),
        ("x'); DROP TABLE reports; --.txt", "rejected"),
    ]
    assert query(wh, "SELECT count(*) FROM mart_agency_year") == [(1,)]
    assert (wh / "marts" / "mart_agency_year.parquet").is_file()
    assert Path(wh / "current").resolve().parent == (wh / "snapshots").resolve()


def test_text_from_reports_shown_in_the_dagster_ui_is_escaped():
    table = _table([("a|b <img src=x onerror=alert(1)> [x](javascript:1)", "s", 1.0, None, "**")])
    row = table.splitlines()[2]
    assert row.count("|") - row.count("\\|") == 6  # five cells, no extra column
    assert "<" not in row and "](" not in row and "**" not in row
