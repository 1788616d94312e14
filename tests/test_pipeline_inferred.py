"""Figures not read beside their own label reach the warehouse saying so: `method` on every
fact, the `inferred_figures` check and the mart's `n_figures_inferred` (real parser)."""

from __future__ import annotations

from tests.pipeline_support import query, refresh
from tests.test_parser_units import swapped_unlabelled_rows


def test_figures_not_read_by_their_labels_are_flagged_and_counted(tmp_path):
    """Real parser: two table-3 rows whose labels were lost, in swapped order, are loaded as
    printed with method 'position', flagged (warning) and counted in the mart."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    (raw / "swapped.txt").write_text(swapped_unlabelled_rows(), encoding="utf-8")
    refresh(raw, wh)
    assert query(
        wh,
        "SELECT method, count(*) FROM applications_all_files GROUP BY method ORDER BY method",
    ) == [("label", 161), ("position", 14)]
    assert query(
        wh,
        "SELECT severity, scope, actual FROM consistency_flags WHERE check_name = ?",
        ["inferred_figures"],
    ) == [("warning", "position", 14.0)]
    # (the other warning: the narrative's 0 applications against table 3's 4, as edited)
    assert query(wh, "SELECT n_figures_inferred, n_flags_warning FROM mart_agency_year") == [
        (14, 2)
    ]
