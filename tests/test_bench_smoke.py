"""The benchmark's smoke mode runs end to end and reports every row (no timing asserted).

`bench/run_bench.py --smoke`: 50 generated reports, parse throughput against the floor, and a
full, an incremental (+1 file) and a nothing-new refresh in-process. CI runs only this size.
"""

from __future__ import annotations

import re

from bench.run_bench import main


def _rows(report: str, section: str) -> list[list[str]]:
    """The data rows of the first Markdown table under `## section`."""
    body = report.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    table = body.strip().split("\n\n", 1)[0].splitlines()
    assert table and all(ln.startswith("|") for ln in table), body
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in table[2:]]


def test_smoke_mode_reports_every_row(tmp_path):
    out = tmp_path / "smoke.md"
    report = main(["--smoke", "--quiet", "--workdir", str(tmp_path / "work"), "--out", str(out)])
    assert out.read_text(encoding="utf-8") == report

    parse = _rows(report, "Parse throughput")
    assert [(r[0], r[4]) for r in parse] == [
        ("parse utf-8 typical", "1"),
        ("parse utf-8 typical", "2"),
        ("parse mixed", "1"),
        ("parse mixed", "2"),
    ]
    for row in parse:
        assert float(row[5].replace(",", "")) > 0  # reports/s (the median run)
        assert re.fullmatch(r"[\d,]+–[\d,]+ \(1\)", row[6])  # range of the runs: one in smoke
    assert all(re.fullmatch(r"[\d.,]+×", r[9]) for r in parse if r[4] == "1")  # parse / floor

    refresh = _rows(report, "Refresh")
    assert [(r[0], r[1], r[2], r[3]) for r in refresh] == [
        ("full", "50", "50", "50"),
        ("+1%", "51", "1", "1"),
        ("nothing new", "51", "0", "0"),  # a rerun with nothing new parses nothing
    ]
    for row in refresh:
        assert float(row[4]) > 0  # wall s

    targets = _rows(report, "Targets (issue 4)")
    assert len(targets) == 6
    assert targets[-1][0].startswith("a rerun with nothing new") and targets[-1][2] == "✅"

    # the PDF case: parse and floor measured on the same files in the same run
    pdf = report.split("## PDF reports\n", 1)[1]
    rows = _rows("## PDF reports\n" + pdf.split("\n\n", 1)[1], "PDF reports")
    assert [r[0] for r in rows] == [
        "parse (`parse_report`)",
        "floor (PDFium: open, every page's text)",
        "parse / floor (time)",
    ]
    assert float(rows[0][1].replace(",", "")) > 0 and float(rows[1][1].replace(",", "")) > 0
    assert re.fullmatch(r"[\d.]+×", rows[2][1])
    assert "rejected" not in pdf.split("\n\n", 1)[0]  # only files with a text layer
