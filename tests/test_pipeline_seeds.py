"""End to end on the shipped sample data (the five seeds, two re-encoded copies and four
corpus reports with figures in every table), with the real parser, compared with the
figures read by hand in tests/expected/."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from parsers import APPLICANT_TYPES, OUTCOMES
from pipelines.core.tidy import FACT_KEYS
from tests.pipeline_support import (
    EXPECTED_DIR,
    SHARED_DIR,
    SHIPPED_SEEDS,
    query,
    query_dicts,
    refresh,
)

SAMPLE = SHIPPED_SEEDS.parent

#: Every shipped report read by hand (the variants are copies of seeds), by its path.
EXPECTED = {
    rel: json.loads((EXPECTED_DIR / f"{rel.replace('/', '__')}.json").read_text("utf-8"))
    for rel in sorted(
        p.relative_to(SAMPLE).as_posix()
        for p in SAMPLE.rglob("*")
        if p.is_file() and p.parent.name != "variants"
    )
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = tmp_path_factory.mktemp("sample") / "raw"
    shutil.copytree(SAMPLE, raw)
    warehouse = tmp_path_factory.mktemp("warehouse")
    refresh(raw, warehouse, workers=2)
    return warehouse


def tidy(warehouse, table, seed):
    """The seed's `reports` row and its cells of `table` as {(key, key): value}."""
    reports = pq.read_table(warehouse / "reports.parquet").to_pylist()
    [report] = [r for r in reports if r["source_path"] == seed]
    rows = pq.read_table(warehouse / f"{table}.parquet").to_pylist()
    keys = FACT_KEYS[table]
    cells = {
        (r[keys[0]], r[keys[1]]): (r["value"], r["line"])
        for r in rows
        if r["report_id"] == report["report_id"]
    }
    return report, cells


def expected_cells(expected, table):
    """tests/expected's figures for `table` as {(key, key): value}."""
    figures = expected[table]
    if table == "active_disclosure":  # item → measure → value
        return {(item, m): v for item, measures in figures.items() for m, v in measures.items()}
    columns = APPLICANT_TYPES if table == "applications" else OUTCOMES
    return {
        (row, column): value
        for row, values in figures.items()
        for column, value in zip(columns, values, strict=True)
    }


def test_shipped_seeds_are_the_projects_seeds():
    seeds = sorted((SHARED_DIR / "seeds").glob("*.txt"))
    assert [p.name for p in seeds] == sorted(p.name for p in SHIPPED_SEEDS.glob("*.txt"))
    for path in seeds:
        assert (SHIPPED_SEEDS / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_figures_reach_the_tidy_tables(warehouse, seed):
    expected = EXPECTED[seed]
    report, _ = tidy(warehouse, "applications", seed)
    assert (report["agency"], report["year"], report["format_version"]) == (
        expected["agency"],
        expected["year"],
        expected["format_version"],
    )
    assert report["status"] == expected["expected_status"]
    for table in FACT_KEYS:
        _, cells = tidy(warehouse, table, seed)
        assert {key: value for key, (value, _) in cells.items()} == expected_cells(expected, table)
        assert all(line for _, line in cells.values()), table


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_mart_row(warehouse, seed):
    expected = EXPECTED[seed]
    totals = {category: values[-1] for category, values in expected["applications"].items()}
    [row] = query_dicts(
        warehouse,
        "SELECT * FROM mart_agency_year WHERE agency = ? AND year = ?",
        [expected["agency"], expected["year"]],
    )
    assert row["received_new"] == totals["received.new"]
    assert row["result_total"] == totals["result.total"]
    if totals["result.total"]:  # (a blank 结果 cell counts as 0 in the share, as in the mart)
        granted = (totals["result.granted"] or 0) + (totals["result.partially_granted"] or 0)
        assert row["granted_share"] == pytest.approx(granted / totals["result.total"])
    else:
        assert row["granted_share"] is None
    assert row["province"] is not None and row["level"] != "unknown"


def test_reencoded_copies_count_as_the_same_agency_year(warehouse):
    encodings = dict(query(warehouse, "SELECT source_path, encoding FROM reports_all_files"))
    assert encodings["variants/000_3362babfcc868ba6.gb18030.txt"] == "gb18030"
    assert encodings["variants/003_2aa55f2180a4bd34.utf16.txt"].startswith("utf-16")
    assert query(
        warehouse,
        "SELECT count(*) FROM consistency_flags WHERE check_name = 'duplicate_agency_year'",
    ) == [(0,)]
    [(n_files,)] = query(
        warehouse, "SELECT n_files FROM mart_agency_year WHERE agency = '樟树市鹿江街道办事处'"
    )
    assert n_files == 2


def test_seed_region_and_level(warehouse):
    [row] = query_dicts(
        warehouse, "SELECT * FROM mart_agency_year WHERE agency = '樟树市鹿江街道办事处'"
    )
    assert (row["province"], row["city"], row["county"], row["level"]) == (
        "江西省",
        "宜春市",
        "樟树市",
        "township",
    )


def test_the_shipped_pdf_reaches_the_warehouse_with_pages(warehouse):
    kinds = dict(query(warehouse, "SELECT source_path, input_kind FROM reports_all_files"))
    assert kinds["corpus/pdf/huaian_city_2024.pdf"] == "pdf"
    assert kinds["corpus/html/shuyang_drc_2023.html"] == "html"
    assert kinds["seeds/000_3362babfcc868ba6.txt"] == "text"
    assert kinds["corpus/shanghai_gov_office_2019.js"] == "html"
    pages = dict(
        query(
            warehouse,
            "SELECT r.input_kind, count(DISTINCT c.page) FROM stg_cells c"
            " JOIN reports_all_files r USING (report_id) GROUP BY ALL",
        )
    )
    # table 2 on page 3 and 4, tables 3 and 4 on pages 4 and 5 (as the derived text's form
    # feeds put them); no page for the inputs that have none
    assert pages == {"pdf": 3, "text": 0, "html": 0}
    [(kinds_line,)] = query(
        warehouse,
        "SELECT string_agg(input_kind || ' ' || n_files, ', ' ORDER BY input_kind)"
        " FROM reports_by_input_kind",
    )
    assert kinds_line == "html 2, pdf 1, text 8"  # (the .js page holds HTML: read as such)


def test_a_flag_on_a_pdf_names_the_page_of_its_line(warehouse):
    flags = query(
        warehouse,
        "SELECT source_path, check_name, page, line FROM consistency_flags"
        " WHERE check_name = 'inferred_figures' ORDER BY source_path",
    )
    by_file = {path: (page, line) for path, _, page, line in flags}
    # the PDF's label-less rows (paired by position) sit on page 4, as in its derived text
    assert by_file["corpus/pdf/huaian_city_2024.pdf"][0] == 4
    assert by_file["corpus/pdf/huaian_city_2024.pdf"][1] is not None
    assert all(page is None for path, (page, _) in by_file.items() if not path.endswith(".pdf"))


def test_analysts_names_hold_each_agency_year_once(warehouse):
    """`applications` (and the other clean names) hold the facts of the report standing for
    each agency-year; every file's facts are under `*_all_files`. Seed 003 and its UTF-16
    copy both report 九江市柴桑区's 29 applications: summed over every file they are 58."""
    received = (
        "SELECT sum(a.value) FROM {} a JOIN reports_all_files r USING (report_id)"
        " WHERE r.agency = '九江市柴桑区人民政府办公室' AND a.category = 'received.new'"
        " AND a.applicant_type = 'total' AND r.source_path = (SELECT min(source_path)"
        " FROM reports_all_files WHERE report_id = a.report_id)"
    )
    assert query(warehouse, received.format("applications_all_files")) == [(58,)]
    assert query(warehouse, received.format("applications")) == [(29,)]
    # one row per agency-year in `reports`; the two copies are two rows of reports_all_files
    assert query(warehouse, "SELECT count(*) FROM reports_all_files") == [(11,)]
    assert query(warehouse, "SELECT count(*), count(DISTINCT (agency_key, year)) FROM reports") == [
        (9, 9)
    ]
    assert query(
        warehouse,
        "SELECT n_files, n_reports, chosen_because, copies_agree FROM reports"
        " WHERE agency = '九江市柴桑区人民政府办公室'",
    ) == [(2, 2, "same_figures", True)]
    # the clean facts add up to the mart's agency-year figures
    [(total,)] = query(
        warehouse,
        "SELECT sum(value) FROM applications"
        " WHERE category = 'received.new' AND applicant_type = 'total'",
    )
    assert total == 4129 == query(warehouse, "SELECT sum(received_new) FROM mart_agency_year")[0][0]
    for table in ("active_disclosure", "review_litigation"):
        [(n_reports, n_all)] = query(
            warehouse,
            f"SELECT count(DISTINCT report_id), (SELECT count(DISTINCT report_id)"
            f" FROM {table}_all_files) FROM {table}",
        )
        assert (n_reports, n_all) == (9, 11)
    # the stg_ names of the fact tables are gone (internal staging keeps its own prefix)
    assert query(
        warehouse,
        "SELECT string_agg(table_name, ' ' ORDER BY table_name) FROM information_schema.tables"
        " WHERE table_name LIKE 'stg%'",
    ) == [("stg_agencies stg_cells stg_raw_files",)]


def test_every_code_in_the_facts_has_a_dimension_row_with_its_printed_label(warehouse):
    """Tables 2-4 of 2019 and 2021 reports (text, HTML and PDF) and the agency levels: no
    code of the warehouse lacks its row in the dims built from sql/seeds/code_labels.csv."""
    missing = query(
        warehouse,
        """SELECT 'category', category FROM applications_all_files
               ANTI JOIN dim_application_category USING (category)
           UNION SELECT 'applicant_type', applicant_type FROM applications_all_files
               ANTI JOIN dim_applicant_type USING (applicant_type)
           UNION SELECT 'table 2', item || '/' || measure FROM active_disclosure_all_files
               ANTI JOIN dim_active_disclosure_cell USING (item, measure)
           UNION SELECT 'table 4', proceeding || '/' || outcome FROM review_litigation_all_files
               ANTI JOIN dim_review_litigation_cell USING (proceeding, outcome)
           UNION SELECT 'level', level FROM mart_agency_year
               ANTI JOIN dim_agency_level USING (level)""",
    )
    assert missing == []
    # the 2019 report's table 2 is there too (its own measures)
    assert query(
        warehouse,
        "SELECT count(DISTINCT measure) > 3 FROM active_disclosure_all_files"
        " JOIN dim_active_disclosure_cell USING (item, measure) WHERE formats = '2019'",
    ) == [(True,)]
    labels = query(
        warehouse,
        """SELECT d.label_zh, t.label_zh, sum(a.value)
           FROM applications a
           JOIN dim_application_category d USING (category)
           JOIN dim_applicant_type t USING (applicant_type)
           WHERE a.category = 'result.denied.state_secret' AND a.applicant_type = 'natural_person'
           GROUP BY ALL""",
    )
    assert [row[:2] for row in labels] == [("属于国家秘密", "自然人")]
    assert query(
        warehouse,
        "SELECT proceeding_label_zh, outcome_label_zh FROM dim_review_litigation_cell"
        " WHERE proceeding = 'litigation_after_review' AND outcome = 'corrected'",
    ) == [("行政诉讼 复议后起诉", "结果纠正")]
    assert query(warehouse, "SELECT label_zh FROM dim_agency_level WHERE level = 'township'") == [
        ("乡镇（街道）",)
    ]
    assert (SAMPLE.parent.parent / "sql" / "seeds" / "code_labels.csv").is_file()
