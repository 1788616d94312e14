"""Consistency flags, asset checks and marts on reports with known figures (fake parser)."""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from pipelines.core.paths import SQL_DIR
from tests.pipeline_support import (
    install_fake_parser,
    query,
    query_dicts,
    refresh,
    spec,
    table3,
    write_specs,
)

X, Y, Z, W = (
    "樟树市鹿江街道办事处",
    "洛龙区学府街道办事处",
    "福州市鼓楼区安泰街道办事处",
    "新密市新华路办事处",
)

SPECS = {
    # one agency over two years: 2023's 上年结转 (2) is not 2022's 结转下年度 (3)
    "x/2022.txt": spec(X, 2022, natural=table3(new=8, carried=1, granted=5, partial=1)),
    "x/2023.txt": spec(
        X,
        2023,
        natural=table3(
            new=10, carried=2, granted=4, partial=2, unable=1, not_processed=1, denied=1
        ),
        review={"review": [1, 1, 0, 1, 3]},
        penalties=4,
        narrative={"received_applications": 10},
    ),
    # a broken report: 总计 of received.new printed 4 where the columns add up to 5, and a
    # table-4 group whose total is not the sum of its outcomes
    "y/2023.txt": spec(
        Y,
        2023,
        natural=table3(new=5, granted=5),
        cells={"received.new/total": 4},
        review={"litigation_direct": [1, 0, 0, 0, 2]},
        narrative={"received_applications": 5},
    ),
    # the same agency-year three times: a and c carry the same figures, b different ones
    "z/a.txt": spec(Z, 2023, natural=table3(new=3, granted=3)),
    "z/b.txt": spec(Z, 2023, natural=table3(new=4, granted=4)),
    "z/c.txt": spec(Z, 2023, natural=table3(new=3, granted=3), note="same figures, other bytes"),
    # a blank cell
    "w/2023.txt": spec(W, 2023, natural=table3(), cells={"result.granted/legal_service_org": None}),
    # a file the parser rejects
    "r/legacy.txt": spec(
        "上海市人民政府办公厅", 2015, status="rejected", status_reason="legacy format"
    ),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    install_fake_parser(monkeypatch)
    raw = tmp_path_factory.mktemp("raw")
    warehouse = tmp_path_factory.mktemp("warehouse")
    write_specs(raw, SPECS)
    outcome = refresh(raw, warehouse)
    yield warehouse, outcome
    monkeypatch.undo()


def flags(warehouse, check):
    return query_dicts(
        warehouse,
        "SELECT * FROM consistency_flags WHERE check_name = ? ORDER BY source_path, scope",
        [check],
    )


def test_tidy_tables_hold_every_file_and_fact(warehouse):
    wh, _ = warehouse
    assert query(wh, "SELECT count(*) FROM reports_all_files") == [(len(SPECS),)]
    # 25 categories × 7 applicant types for each report with facts
    assert query(wh, "SELECT count(*) FROM applications_all_files") == [(7 * 25 * 7,)]
    row = query(
        wh,
        """SELECT a.value, a.line FROM applications_all_files a JOIN reports_all_files r USING (report_id)
           WHERE r.source_path = 'x/2023.txt' AND category = 'received.new'
             AND applicant_type = 'total'""",
    )
    assert row[0][0] == 10 and row[0][1] is not None


def test_broken_report_is_flagged_as_printed(warehouse):
    wh, _ = warehouse
    [row_total] = flags(wh, "row_total")
    assert (row_total["source_path"], row_total["scope"]) == ("y/2023.txt", "received.new")
    assert (row_total["expected"], row_total["actual"], row_total["severity"]) == (5, 4, "error")
    [balance] = flags(wh, "balance_identity")
    assert (balance["source_path"], balance["scope"], balance["expected"], balance["actual"]) == (
        "y/2023.txt",
        "total",
        4,
        5,
    )
    [review] = flags(wh, "review_total")
    assert (review["source_path"], review["scope"], review["expected"], review["actual"]) == (
        "y/2023.txt",
        "litigation_direct",
        1,
        2,
    )
    # loaded exactly as printed, never corrected
    assert query(
        wh,
        """SELECT value FROM applications_all_files JOIN reports_all_files USING (report_id)
           WHERE source_path = 'y/2023.txt' AND category = 'received.new'
             AND applicant_type = 'total'""",
    ) == [(4,)]
    assert flags(wh, "result_total") == []


def test_narrative_figure_against_the_table(warehouse):
    wh, _ = warehouse
    rows = flags(wh, "narrative")
    # x/2023 says 10 and prints 10; y/2023 says 5 where its 总计 is 4
    assert [(r["source_path"], r["expected"], r["actual"], r["severity"]) for r in rows] == [
        ("y/2023.txt", 4, 5, "warning")
    ]


def test_carry_over_mismatch_across_years(warehouse):
    wh, _ = warehouse
    rows = flags(wh, "carry_over")
    assert [(r["source_path"], r["scope"], r["expected"], r["actual"]) for r in rows] == [
        ("x/2023.txt", "natural_person", 3, 2),
        ("x/2023.txt", "total", 3, 2),
    ]
    assert rows[0]["severity"] == "warning"
    assert "x/2022.txt" in rows[0]["detail"]


def test_duplicate_agency_year_with_different_figures(warehouse):
    wh, _ = warehouse
    rows = flags(wh, "duplicate_agency_year")
    paths = {r["report_id"]: r["source_path"] for r in rows}
    pairs = {(r["source_path"], paths.get(r["scope"])) for r in rows}
    # a and c agree with each other and disagree with b
    assert pairs == {
        ("z/a.txt", "z/b.txt"),
        ("z/b.txt", "z/a.txt"),
        ("z/b.txt", "z/c.txt"),
        ("z/c.txt", "z/b.txt"),
    }
    # received.new, result.granted and result.total, natural-person and 总计 columns
    assert {r["actual"] for r in rows} == {6}
    [(n_files, n_reports)] = query(
        wh, "SELECT n_files, n_reports FROM mart_agency_year WHERE agency = ?", [Z]
    )
    assert (n_files, n_reports) == (3, 3)
    # the figures two files agree on stand, not b's
    [row] = query_dicts(wh, "SELECT * FROM reports WHERE agency = ?", [Z])
    assert row["source_path"] in ("z/a.txt", "z/c.txt")
    assert (row["chosen_because"], row["n_files_agreeing"], row["copies_agree"]) == (
        "most_copies_agree",
        2,
        False,
    )


def test_blank_cells_and_rejected_files(warehouse):
    wh, _ = warehouse
    [blank] = flags(wh, "blank_cells")
    assert (blank["source_path"], blank["actual"]) == ("w/2023.txt", 1)
    assert "result.granted/legal_service_org" in blank["detail"]
    [rejected] = flags(wh, "not_parsed")
    assert (rejected["source_path"], rejected["severity"], rejected["detail"]) == (
        "r/legacy.txt",
        "error",
        "legacy format",
    )


def test_asset_checks_read_the_flags(warehouse):
    _, outcome = warehouse
    assert outcome.checks["row_total"] is False
    assert outcome.checks["duplicate_agency_year"] is False
    assert outcome.checks["result_total"] is True
    assert outcome.checks["outlier"] is True


def test_agency_year_mart_rates(warehouse):
    wh, _ = warehouse
    [row] = query_dicts(wh, "SELECT * FROM mart_agency_year WHERE agency = ? AND year = 2023", [X])
    assert (row["province"], row["city"], row["county"], row["level"]) == (
        "江西省",
        "宜春市",
        "樟树市",
        "township",
    )
    assert (row["received_new"], row["result_total"], row["carried_forward"]) == (10, 9, 3)
    assert row["granted_share"] == pytest.approx(6 / 9)
    assert row["unable_share"] == pytest.approx(1 / 9)
    assert row["not_processed_share"] == pytest.approx(1 / 9)
    assert row["carried_forward_share"] == pytest.approx(3 / 12)
    assert row["review_correction_rate"] == pytest.approx(1 / 2)
    assert row["received_new_prev_year"] == 8
    assert row["received_new_yoy"] == pytest.approx(0.25)
    assert row["penalty_decisions"] == 4
    assert (row["n_flags_error"], row["n_flags_warning"]) == (0, 2)  # carry_over ×2


def test_region_mart_aggregates(warehouse):
    wh, _ = warehouse
    [row] = query_dicts(
        wh,
        "SELECT * FROM mart_province_year WHERE province = '江西省' AND year = 2023",
    )
    assert (row["n_agencies"], row["received_new"], row["result_total"]) == (1, 10, 9)
    assert row["granted_share"] == pytest.approx(6 / 9)
    assert row["received_new_yoy"] == pytest.approx(0.25)
    levels = dict(
        query(
            wh,
            "SELECT level, n_agencies FROM mart_level_year WHERE year = 2023",
        )
    )
    assert levels == {"township": 4}
    [(unresolved,)] = query(
        wh, "SELECT count(*) FROM mart_agency_year WHERE province IS NULL AND agency IS NOT NULL"
    )
    assert unresolved == 0


#: One mart per grain, each with its grouping columns (and no `grain` column to forget).
GRAIN_MARTS = {
    "mart_national_year": (),
    "mart_level_year": ("level",),
    "mart_province_year": ("province",),
    "mart_province_level_year": ("province", "level"),
    "mart_city_year": ("province", "city"),
    "mart_city_level_year": ("province", "city", "level"),
}


def test_one_mart_per_grain_each_adding_up_to_the_national_figures(warehouse):
    """No table stacks grains: summing any region mart over a year gives the national
    figure (17 in 2023: X 10, Y 4, Z 3, W 0), not a multiple of it."""
    wh, _ = warehouse
    assert query(
        wh,
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        ["mart_region_year"],
    ) == [(0,)]
    for mart, keys in GRAIN_MARTS.items():
        columns = [c for (c,) in query(wh, f"SELECT column_name FROM (DESCRIBE {mart})")]
        assert columns[: len(keys) + 1] == ["year", *keys] and "grain" not in columns, mart
        assert query(
            wh,
            f"SELECT sum(received_new), sum(result_total), sum(n_agencies) FROM {mart}"
            " WHERE year = 2023",
        ) == [(17, 17, 4)], mart
        # one row per group
        group = ", ".join(("year", *keys))
        assert query(
            wh,
            f"SELECT count(*) FROM (SELECT {group} FROM {mart} GROUP BY ALL HAVING count(*) > 1)",
        ) == [(0,)], mart


def test_region_year_over_year_change_compares_the_same_agencies(warehouse):
    """Only X reports both 2022 (8) and 2023 (10): the national change is +25 % over that
    one agency, not 17 against 8 (three agencies first reporting in 2023)."""
    wh, _ = warehouse
    [row] = query_dicts(wh, "SELECT * FROM mart_national_year WHERE year = 2023")
    assert (
        row["received_new"],
        row["n_agencies"],
        row["n_agencies_both_years"],
        row["received_new_both_years"],
        row["received_new_prev_year"],
    ) == (17, 4, 1, 10, 8)
    assert row["received_new_yoy"] == pytest.approx(0.25)
    [first] = query_dicts(wh, "SELECT * FROM mart_national_year WHERE year = 2022")
    assert (first["n_agencies_both_years"], first["received_new_yoy"]) == (0, None)
    townships = query(
        wh,
        "SELECT n_agencies, n_agencies_both_years, received_new_yoy FROM mart_level_year"
        " WHERE year = 2023 AND level = 'township'",
    )
    assert townships == [(4, 1, pytest.approx(0.25))]


def test_region_marts_split_the_counts_and_name_their_snapshot(warehouse):
    """By reason (denied / unable / not processed, counts and shares of the results), by
    applicant (natural persons, organisations), table 4's upheld and other; and in every
    mart the refresh that computed it."""
    wh, outcome = warehouse
    [row] = query_dicts(wh, "SELECT * FROM mart_national_year WHERE year = 2023")
    assert (row["result_total"], row["denied"], row["unable"], row["not_processed"]) == (
        17,
        1,
        1,
        1,
    )
    reasons = {
        k: v
        for k, v in row.items()
        if k.startswith(("denied_", "unable_", "not_processed_"))
        and k not in ("unable_share", "not_processed_share")
    }
    assert len(reasons) == 2 * 16
    assert {k: v for k, v in reasons.items() if v and not k.endswith("_share")} == {
        "denied_state_secret": 1,
        "unable_not_held": 1,
        "not_processed_duplicate_request": 1,
    }
    assert reasons["denied_state_secret_share"] == pytest.approx(1 / 17)
    assert reasons["denied_third_party_rights_share"] == 0
    # Y prints 4 in 总计 beside 5 natural persons (flagged by row_total): as printed
    assert (row["received_new_natural_person"], row["received_new_organisations"]) == (18, 0)
    assert row["natural_person_share"] == pytest.approx(18 / 17)
    assert (row["review_upheld"], row["review_other"]) == (1, 0)  # X
    assert (row["litigation_upheld"], row["litigation_other"]) == (1, 0)  # Y
    [province] = query_dicts(
        wh, "SELECT * FROM mart_province_year WHERE year = 2023 AND province = '江西省'"
    )
    assert (province["denied_state_secret"], province["received_new_natural_person"]) == (1, 10)
    for mart in ("mart_agency_year", *GRAIN_MARTS):
        assert query(wh, f"SELECT DISTINCT snapshot_id, refreshed_at IS NOT NULL FROM {mart}") == [
            (outcome.run_id, True)
        ], mart
    assert (wh / "snapshots" / outcome.run_id).is_dir()


def test_marts_exported_as_parquet(warehouse):
    wh, _ = warehouse
    for mart in ("mart_agency_year", *GRAIN_MARTS, "reports"):
        path = wh / "marts" / f"{mart}.parquet"
        assert path.exists()
        assert query(wh, f"SELECT count(*) FROM read_parquet('{path}')") == query(
            wh, f"SELECT count(*) FROM {mart}"
        )
    # the table both marts are read from is kept in the warehouse, not exported
    dims = [p.stem for p in (SQL_DIR / "models" / "marts").glob("dim_*.sql")]
    assert len(dims) == 5
    assert sorted(p.name for p in (wh / "marts").iterdir()) == sorted(
        f"{m}.parquet" for m in ("mart_agency_year", *GRAIN_MARTS, "reports", *dims)
    )
    [(kind,)] = query(
        wh,
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'figures_with_rates'",
    )
    assert kind == "BASE TABLE"
    # every column's description (dbt schema files) is in its Parquet field's metadata, the
    # model's in the file's, for a BI tool to show
    import pyarrow.parquet as pq

    for path in (wh / "marts").iterdir():
        schema = pq.read_schema(path)
        assert schema.metadata[b"description"], path.name
        for field in schema:
            assert (field.metadata or {}).get(b"description"), f"{path.name}: {field.name}"
    fields = pq.read_schema(wh / "marts" / "mart_national_year.parquet")
    assert fields.field("received_new").metadata[b"description"].decode() == (
        "Table 3: applications received this year (新收, 总计 column)."
    )


def test_outlier_against_peers_of_the_same_level_and_year(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    towns = ["鹿江", "大桥", "淦阳", "福城", "张家山", "洲上", "经楼", "临江", "永泰"]
    specs = {
        f"{i}.txt": spec(f"樟树市{town}街道办事处", 2023, natural=table3(new=n, granted=n))
        for i, (town, n) in enumerate(zip(towns, [2, 3, 1, 2, 4, 2, 3, 1, 500], strict=True))
    }
    write_specs(tmp_path / "raw", specs)
    outcome = refresh(tmp_path / "raw", tmp_path / "wh")
    rows = flags(tmp_path / "wh", "outlier")
    assert [(r["source_path"], r["scope"], r["actual"], r["expected"]) for r in rows] == [
        ("8.txt", "applications_received", 500, 2)
    ]
    assert rows[0]["severity"] == "info"
    assert outcome.checks["outlier"] is True  # info flags do not fail the check


def test_blank_total_counts_as_zero_and_a_lacking_cell_is_no_duplicate_conflict(
    tmp_path, monkeypatch
):
    install_fake_parser(monkeypatch)
    agency = "宜春市教育局"
    write_specs(
        tmp_path / "raw",
        {
            # 总计 of result.granted printed blank beside a natural-person 2
            "blank-total.txt": spec(
                agency, 2022, natural=table3(new=2, granted=2), cells={"result.granted/total": None}
            ),
            # two files for 2023: b lacks a cell a holds, and agrees on every other one
            "a.txt": spec(agency, 2023, natural=table3(new=1, granted=1)),
            "b.txt": spec(
                agency, 2023, natural=table3(new=1, granted=1), drop=["result.granted/total"]
            ),
        },
    )
    wh = tmp_path / "wh"
    refresh(tmp_path / "raw", wh)
    [row_total] = flags(wh, "row_total")
    assert (row_total["source_path"], row_total["scope"]) == ("blank-total.txt", "result.granted")
    assert (row_total["expected"], row_total["actual"]) == (2, 0)
    # the text says the cell was blank, not that 0 was printed
    assert row_total["detail"] == (
        "result.granted: the six applicant columns add up to 2 but 总计 is blank (counted as 0)"
    )
    assert flags(wh, "duplicate_agency_year") == []
    assert [r["source_path"] for r in flags(wh, "blank_cells")] == ["blank-total.txt"]
    # in the sums a blank (or a lacking cell) counts as 0: (七)总计 against rows adding up to 0
    assert [
        (r["source_path"], r["scope"], r["expected"], r["actual"])
        for r in flags(wh, "result_total")
    ] == [("b.txt", "total", 0, 1), ("blank-total.txt", "total", 0, 2)]
    [(level, n_files)] = query(wh, "SELECT level, n_files FROM mart_agency_year WHERE year = 2023")
    assert (level, n_files) == ("city_department", 2)


def test_a_misread_the_identities_pin_down_is_named_in_its_flags(tmp_path, monkeypatch):
    """A scan whose 新收 总计 (printed 5) was recognised as 4: the flags of its row and
    column say that 5 there would make every identity hold; the figure stays 4. The same
    table read from text says nothing of the kind (what was printed was read)."""
    install_fake_parser(monkeypatch)
    broken = {"natural": table3(new=5, granted=5), "cells": {"received.new/total": 4}}
    write_specs(
        tmp_path / "raw",
        {
            "scan.txt": spec("宜春市教育局", 2023, **broken, ocr={"received.new/total": 0.41}),
            "text.txt": spec("宜春市财政局", 2023, **broken),
        },
    )
    wh = tmp_path / "wh"
    refresh(tmp_path / "raw", wh)
    rows = query(
        wh,
        "SELECT source_path, check_name, detail FROM consistency_flags "
        "WHERE check_name IN ('row_total', 'balance_identity') ORDER BY source_path, check_name",
    )
    assert [r[:2] for r in rows] == [
        ("scan.txt", "balance_identity"),
        ("scan.txt", "row_total"),
        ("text.txt", "balance_identity"),
        ("text.txt", "row_total"),
    ]
    note = (
        "; one figure read by OCR explains every broken identity of table 3: "
        "received.new/total, read as 4 (confidence 0.410); 5 there would make them all hold "
        "(the figure stays as read)"
    )
    assert [r[2].endswith(note) for r in rows] == [True, True, False, False], rows
    assert "explains" not in rows[2][2] + rows[3][2]
    assert query(
        wh,
        "SELECT value FROM applications WHERE category = 'received.new' "
        "AND applicant_type = 'total' ORDER BY value",
    ) == [(4,), (4,)]


def test_the_other_handling_subtotal_is_not_counted_twice(tmp_path, monkeypatch):
    """A 2021 report printing (六)其他处理 and its three parts: the marts count the parts,
    (七)总计 is checked against the parts, and the subtotal is checked against them."""
    install_fake_parser(monkeypatch)
    natural = table3(new=9, granted=4)
    natural.update({"result.other.overdue_correction": 2, "result.other.other": 1})
    natural["result.total"] += 3
    natural["carried_forward"] -= 3
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(
        raw,
        {
            "agrees.txt": spec(X, 2023, natural=natural, other_subtotal=3),
            "disagrees.txt": spec(Y, 2023, natural=natural, other_subtotal=5),
        },
    )
    refresh(raw, wh)
    assert query(
        wh, "SELECT agency, other_handling, result_total FROM mart_agency_year ORDER BY 1"
    ) == [
        (X, 3, 7),
        (Y, 3, 7),
    ]
    flags = query(wh, "SELECT agency, check_name, scope FROM consistency_flags ORDER BY 1, 3")
    assert flags == [(Y, "other_subtotal", "natural_person"), (Y, "other_subtotal", "total")]


def test_the_report_standing_for_an_agency_year_is_chosen_by_evidence(tmp_path, monkeypatch):
    """Two clean copies that agree are not outvoted by a newer copy with one altered figure
    (a table-2 figure no identity checks), nor a clean copy by a newer one that breaks an
    identity; the reason is in `reports.chosen_because`."""
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(
        raw,
        {
            "z/a.txt": spec(Z, 2023, natural=table3(new=3, granted=3), penalties=4),
            "z/c.txt": spec(Z, 2023, natural=table3(new=3, granted=3), penalties=4, note="c"),
            "y/clean.txt": spec(Y, 2023, natural=table3(new=5, granted=5)),
            "w/only.txt": spec(W, 2023, natural=table3(new=1, granted=1)),
        },
    )
    refresh(raw, wh)
    write_specs(  # re-scraped later
        raw,
        {
            "z/b.txt": spec(Z, 2023, natural=table3(new=3, granted=3), penalties=40),
            "y/broken.txt": spec(
                Y, 2023, natural=table3(new=6, granted=6), cells={"received.new/total": 60}
            ),
        },
    )
    refresh(raw, wh)
    chosen = {
        r["agency"]: r
        for r in query_dicts(
            wh, "SELECT agency, source_path, chosen_because, chosen_detail FROM reports"
        )
    }
    assert chosen[Z]["source_path"] in ("z/a.txt", "z/c.txt")
    assert chosen[Z]["chosen_because"] == "most_copies_agree"
    assert "figures agreed by 2 of 3 files" in chosen[Z]["chosen_detail"]
    assert (
        "over z/b.txt (parsed, 0 error flags, agreed by 1, seen later)"
        in chosen[Z]["chosen_detail"]
    )
    assert (chosen[Y]["source_path"], chosen[Y]["chosen_because"]) == (
        "y/clean.txt",
        "fewer_error_flags",
    )
    assert (chosen[W]["source_path"], chosen[W]["chosen_because"]) == ("w/only.txt", "only_file")
    # the marts and the clean facts carry the figures of the copies that agree
    assert query(
        wh,
        "SELECT agency, penalty_decisions, received_new, chosen_because FROM mart_agency_year"
        " ORDER BY agency",
    ) == sorted(
        [
            (Z, 4.0, 3, "most_copies_agree"),
            (Y, 0.0, 5, "fewer_error_flags"),
            (W, 0.0, 1, "only_file"),
        ],
        key=lambda r: r[0],
    )
    assert query(
        wh,
        "SELECT sum(value) FROM active_disclosure"
        " WHERE item = 'administrative_penalty' AND measure = 'decisions'",
    ) == [(4.0,)]


# --- analysts' entry points: `govreports sql` and `govreports shell`, read-only ----------


def test_govreports_sql_prints_the_result_and_refuses_writes(warehouse, capsys):
    wh, _ = warehouse
    query_text = "SELECT agency, received_new FROM mart_agency_year WHERE year = 2023 ORDER BY 2"
    assert main(["sql", query_text, "--warehouse-dir", str(wh), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "agency,received_new",
        f"{W},0",
        f"{Z},3",
        f"{Y},4",
        f"{X},10",
    ]
    assert main(["sql", "SELECT count(*) AS n FROM reports", "--warehouse-dir", str(wh)]) == 0
    assert capsys.readouterr().out.split() == ["n", "-", "6", "(1", "row)"]
    # a write fails with one line (no traceback) and leaves nothing behind
    assert main(["sql", "CREATE TABLE scratch AS SELECT 1", "--warehouse-dir", str(wh)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("govreports: ") and "read-only" in err and "Traceback" not in err
    assert query(
        wh, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'scratch'"
    ) == [(0,)]


def test_govreports_shell_reads_statements_and_refuses_writes(warehouse, capsys, monkeypatch):
    wh, _ = warehouse
    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO(
            "SELECT year, n_agencies\n  FROM mart_national_year ORDER BY year;\n"
            "INSERT INTO reports SELECT * FROM reports;\n"
            ".tables\n.quit\nSELECT 'never run';\n"
        ),
    )
    assert main(["shell", "--warehouse-dir", str(wh)]) == 1  # a statement failed
    out, err = capsys.readouterr()
    assert [line.split() for line in out.splitlines()[:5]] == [
        ["year", "n_agencies"],
        ["----", "----------"],
        ["2015", "1"],
        ["2022", "1"],
        ["2023", "4"],
    ]
    assert "dim_agency_level" in out and "never run" not in out
    assert err.startswith("Error: ") and "read-only" in err and "Traceback" not in err
    assert query(wh, "SELECT count(*) FROM reports") == [(6,)]


def test_sql_and_shell_without_a_warehouse_say_so(tmp_path, capsys):
    for command in (["sql", "SELECT 1"], ["shell"]):
        assert main([*command, "--warehouse-dir", str(tmp_path / "none")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("govreports: no warehouse in ") and "govreports refresh" in err


def test_the_published_database_refuses_a_read_write_connection(warehouse, tmp_path):
    """`duckdb.connect(path)` opens read-write by default: on the published file it fails
    (for anyone but root, whom no file mode stops: a refresh then drops what no sql/ model
    made, see test_pipeline_skips), and a read-only connection works."""
    wh, _ = warehouse
    published = (wh / "warehouse.duckdb").resolve()
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    if os.geteuid() != 0:
        with pytest.raises(duckdb.IOException, match="Permission denied"):
            duckdb.connect(str(published))
        return
    # as root: try it as an ordinary user, on a copy with the same mode in a dir they can read
    shared = Path(tempfile.mkdtemp(prefix="govreports-ro-"))
    try:
        os.chmod(shared, 0o755)
        copy = shared / "warehouse.duckdb"
        shutil.copy2(published, copy)
        assert as_nobody(lambda: _open_both(copy)) == "IOException Permission denied | 6"
    finally:
        shutil.rmtree(shared)


def _open_both(path: Path) -> str:
    try:
        duckdb.connect(str(path)).close()
        read_write = "opened read-write"
    except duckdb.Error as exc:
        read_write = f"{type(exc).__name__} {'Permission denied' if 'denied' in str(exc) else exc}"
    con = duckdb.connect(str(path), read_only=True)
    [(n,)] = con.execute("SELECT count(*) FROM reports").fetchall()
    con.close()
    return f"{read_write} | {n}"


def as_nobody(work) -> str:
    """work() in a forked child running as uid/gid 65534; its returned text."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest machinery, only work() and _exit
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            text = work()
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            text = f"child failed: {exc!r}"
        os.write(write, text.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        text = fh.read().decode()
    os.waitpid(pid, 0)
    return text
