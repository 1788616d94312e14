"""`govreports parse` and `govreports refresh`: output, and clear messages instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from reportgen.refresh_subprocess import dagster_home as fast_dagster_home
from tests.pipeline_support import SHIPPED_SEEDS

SEED = SHIPPED_SEEDS / "001_389509ebf14147a7.txt"


def test_parse_prints_one_json_line_per_file(tmp_path, capsys):
    missing = str(tmp_path / "missing.txt")
    assert main(["parse", str(SEED), missing]) == 1  # a file is rejected
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["source_path"] == str(SEED)
    for key in ("report_id", "encoding", "layout", "format_version", "agency", "year", "status"):
        assert key in first
    for key in ("applications", "active_disclosure", "review_litigation"):
        assert isinstance(first[key], list)
    assert (second["source_path"], second["status"]) == (missing, "rejected")
    assert "cannot read file" in second["status_reason"]


def test_parse_summary_is_a_line_per_file_and_the_status_says_if_any_was_rejected(tmp_path, capsys):
    missing = str(tmp_path / "missing.txt")
    assert main(["parse", "--summary", str(SEED)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split() == [
        "parsed",
        "福州市鼓楼区安泰街道办事处",
        "2023",
        "text/cell_per_line_pipe",
        "figures",
        "10/175/15",
        str(SEED),
    ]
    assert main(["parse", "--summary", str(SEED), missing]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith(
        "rejected  (agency?)  (year?)  unknown/unknown  figures 0/0/0"
    )
    assert "— cannot read file: No such file or directory" in out
    assert err == "2 files, 1 rejected\n"
    assert main(["parse", "--summary", "--allow-rejected", missing]) == 0


def test_parse_is_fast_and_never_loads_dagster(tmp_path):
    code = (
        "import sys; from pipelines.cli import main; rc = main(sys.argv[1:]); "
        "assert 'dagster' not in sys.modules, 'dagster imported'; sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "parse", "--allow-rejected", str(tmp_path), str(SEED)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    statuses = [json.loads(line)["status"] for line in done.stdout.splitlines()]
    assert statuses[0] == "rejected"  # a directory is not a readable file
    assert len(statuses) == 2


@pytest.fixture
def dagster_home(tmp_path, monkeypatch):
    home = fast_dagster_home(tmp_path / "dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_refresh_runs_the_graph_and_prints_a_summary(tmp_path, dagster_home, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SEED.name).write_bytes(SEED.read_bytes())
    (raw / "junk.txt").write_text("not a report")
    # kinds told by content: a PDF saved as .html, a Word file with no extension
    fixtures = Path(__file__).parent / "fixtures"
    pdf = fixtures / "reports" / "corpus" / "pdf" / "huaian_hongze_district_2023.pdf"
    (raw / "report.html").write_bytes(pdf.read_bytes())
    (raw / "attachment").write_bytes((fixtures / "word" / "framed_nested.docx").read_bytes())
    rc = main(
        [
            "refresh",
            "--raw-dir",
            str(raw),
            "--warehouse-dir",
            str(tmp_path / "wh"),
            "--workers",
            "1",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "files     4 seen · 4 new" in out
    assert "rejected 1" in out
    assert "inputs    text 2 (parsed 1, rejected 1) · docx 1 (parsed 1) · pdf 1 (parsed 1)" in out
    assert "not_parsed" in out
    assert "mart_agency_year" in out
    assert "raw_manifest ok" in err and "sql_models ok" in err  # progress on stderr (dbt: one step)
    assert (tmp_path / "wh" / "warehouse.duckdb").exists()
    for table in ("reports", "applications", "active_disclosure", "review_litigation"):
        assert (tmp_path / "wh" / f"{table}.parquet").exists()


def test_refresh_missing_and_empty_raw_dir(tmp_path, capsys):
    assert (
        main(
            [
                "refresh",
                "--raw-dir",
                str(tmp_path / "nope"),
                "--warehouse-dir",
                str(tmp_path / "wh"),
            ]
        )
        == 1
    )
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert (
        main(
            [
                "refresh",
                "--raw-dir",
                str(tmp_path / "empty"),
                "--warehouse-dir",
                str(tmp_path / "wh"),
            ]
        )
        == 1
    )
    assert "holds no files" in capsys.readouterr().err


def test_refresh_unwritable_warehouse_dir(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("x")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert main(["refresh", "--raw-dir", str(raw), "--warehouse-dir", str(blocker / "wh")]) == 1
    err = capsys.readouterr().err
    assert "cannot write to the warehouse dir" in err and "Traceback" not in err
