"""`parsers/` type-checks clean under mypy: its records are typed, and a compiled build of
it (`bench/compiled_trial.py`, mypyc) refuses a module with a type error."""

from __future__ import annotations

from pathlib import Path

from mypy import api

PARSERS = Path(__file__).resolve().parent.parent / "parsers"


def test_the_parser_library_type_checks(tmp_path):
    out, err, status = api.run(
        ["--ignore-missing-imports", "--cache-dir", str(tmp_path / "cache"), str(PARSERS)]
    )
    assert status == 0, out + err
    assert out.startswith("Success: no issues found"), out
