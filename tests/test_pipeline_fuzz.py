"""The whole `govreports refresh` on an adversarial raw dir of 300 entries (mutated real
reports, absurd figures, odd and non-UTF-8 file names, junk, links, pipes): it completes,
every entry gets its one `reports` row with a reason, no figure is absurd, and a second
refresh parses nothing. `make fuzz-pipeline` runs the same on thousands of entries."""

from __future__ import annotations

from collections import Counter

from reportgen.raw_dir_fuzz import CLASSES, check_refresh, fill_raw_dir

SEED = 20240131
N = 300


def test_refresh_accounts_for_every_entry_of_an_adversarial_raw_dir(tmp_path):
    raw = tmp_path / "raw"
    entries = fill_raw_dir(raw, N, SEED)
    made = Counter(e.cls for e in entries)
    assert set(made) == set(CLASSES) and len(entries) == N, made
    assert any(e.verbatim is None for e in entries)  # names that are not UTF-8 are there

    result = check_refresh(raw, tmp_path / "wh", tmp_path / "dagster_home", entries)

    assert sum(result.statuses.values()) == N
    # the mix reaches every status (a fuzz where everything is rejected tests little)
    assert set(result.statuses) == {"parsed", "partial", "rejected"}, result.statuses
