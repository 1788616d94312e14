"""The dbt docs of the warehouse: every refresh that builds models publishes
`docs/index.html` (`dbt docs generate --static`: one file holding the manifest and the
catalog), which opens from the file in a real browser (headless Chromium) and shows the
models, their columns' descriptions and the tests."""

from __future__ import annotations

import shutil

import pytest

from pipelines.core.paths import WarehouseLayout
from tests.browser import rendered, without_scripts
from tests.pipeline_support import (
    TWO_AGENCIES_WITH_A_COPY,
    install_fake_parser,
    refresh,
    write_specs,
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    install_fake_parser(monkeypatch)
    raw = tmp_path_factory.mktemp("raw")
    write_specs(raw, TWO_AGENCIES_WITH_A_COPY)
    wh = tmp_path_factory.mktemp("wh")
    refresh(raw, wh)
    yield raw, wh
    monkeypatch.undo()


def test_the_docs_are_published_with_the_snapshot_and_render_in_a_browser(warehouse):
    raw, wh = warehouse
    page = wh / "docs" / "index.html"
    assert page.is_file()
    assert page.resolve() == WarehouseLayout(wh).current.resolve() / "docs" / "index.html"
    # a model's page, drawn by the site's scripts from the manifest and the catalog inside
    # the file (nothing of it is in the HTML as written)
    dom = without_scripts(
        rendered(f"file://{page.resolve()}#!/model/model.govreports.consistency_flags")
    )
    assert "One row per report × failed check" in dom  # its description
    assert "check_name" in dom  # a column, from the catalog
    assert "balance_identity" in dom  # a test on it: the asset check of that name
    assert "mart_agency_year" in dom  # the project's tree: every model
    # (none of it is in the page's markup as written: the browser drew it)
    written = without_scripts(page.read_text(encoding="utf-8"))
    assert "One row per report × failed check" not in written and "check_name" not in written


def test_a_refresh_with_nothing_new_keeps_the_docs(warehouse):
    raw, wh = warehouse
    before = (wh / "docs" / "index.html").read_bytes()
    outcome = refresh(raw, wh)
    assert outcome.metadata["mart_agency_year"]["rebuilt"] is False
    assert (wh / "docs" / "index.html").read_bytes() == before


def test_new_rows_keep_the_docs_page_and_only_a_new_schema_makes_a_new_one(warehouse, tmp_path):
    """The page holds the manifest and the catalog (names, types, comments), not rows: a
    refresh that loads a new report keeps the page it carried over (generating it again
    took ~1 s of every refresh at 100k); what the catalog reads changes its key."""
    import duckdb

    from pipelines.core import dbt_build
    from tests.pipeline_support import spec, table3

    raw, wh = tmp_path / "raw", tmp_path / "wh"
    shutil.copytree(warehouse[0], raw)
    shutil.copytree(warehouse[1], wh, symlinks=True)
    before = (wh / "docs" / "index.html").read_bytes()
    write_specs(raw, {"c.txt": spec("九江市柴桑区", 2023, natural=table3(new=3, granted=3))})
    outcome = refresh(raw, wh)
    assert outcome.metadata["mart_agency_year"]["rebuilt"] is True
    assert outcome.metadata["mart_agency_year"]["rows"] == 3
    assert (wh / "docs" / "index.html").read_bytes() == before

    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER)")
    key = dbt_build.docs_key(con, "project")
    con.execute("INSERT INTO t VALUES (1), (2)")
    assert dbt_build.docs_key(con, "project") == key  # rows: the same page
    assert dbt_build.docs_key(con, "another project") != key
    for change in (
        "COMMENT ON TABLE t IS 'described'",
        "ALTER TABLE t ADD COLUMN b VARCHAR",
        "COMMENT ON COLUMN t.b IS 'described'",
        "CREATE VIEW v AS SELECT a FROM t",
    ):
        con.execute(change)
        assert dbt_build.docs_key(con, "project") != key, change
        key = dbt_build.docs_key(con, "project")
