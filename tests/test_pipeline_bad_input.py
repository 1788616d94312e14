"""Every raw file is accounted for: after a refresh `reports` has exactly one row per entry
under the raw dir, and every row that is not `parsed` says why. Real parser, real files."""

from __future__ import annotations

import errno
import io
import os
import random
import zipfile
from pathlib import Path

import chardet
import pytest

from pipelines.core import parse_file, parse_step, raw_dir
from pipelines.core.raw_dir import FileTooLarge
from reportgen.raw_dir_fuzz import LEGACY, WEB_PAGE
from tests.pipeline_support import SHIPPED_SEEDS, query, query_dicts, refresh

SEED = SHIPPED_SEEDS / "001_389509ebf14147a7.txt"
OUTSIDE_SEED = SHIPPED_SEEDS / "002_85dfb0a95ba47af5.txt"
MB = 1024 * 1024


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def truncated_in_table3(text: str) -> str:
    """The report cut a few rows into 三、本年度办理结果 (table 3)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("三、本年度办理结果"))
    return "\n".join(lines[: start + 20])


def png_bytes() -> bytes:
    rng = random.Random(5)
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(20_000))


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.txt", SEED.read_bytes())
    return buffer.getvalue()


def gbk_after_ascii_header() -> bytes:
    """A GBK report behind 40 KB of script (a saved page's head): chardet, seeing few high
    bytes, guesses a Latin codepage (MacRoman)."""
    script = "<script>\n" + "var a = 1;\n" * 4000 + "</script>\n"
    return script.encode() + seed_text().encode("gbk")


def mixed_encodings() -> bytes:
    text = seed_text()
    half = len(text) // 2
    return text[:half].encode("utf-8") + text[half:].encode("gbk")


def write_big_file(path: Path, size: int) -> None:
    """A real report padded with repeated copies of itself to `size` bytes."""
    chunk = SEED.read_bytes()
    with path.open("wb") as fh:
        written = 0
        while written < size:
            piece = chunk[: size - written]
            fh.write(piece)
            written += len(piece)


@pytest.fixture
def bad_raw_dir(tmp_path):
    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "report.txt").write_bytes(OUTSIDE_SEED.read_bytes())

    (raw / "good.txt").write_bytes(SEED.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    (raw / "images" / "photo.png").write_bytes(png_bytes())
    (raw / "archive.zip").write_bytes(zip_bytes())
    (raw / "truncated.txt").write_text(truncated_in_table3(seed_text()), encoding="utf-8")
    write_big_file(raw / "big.txt", 50 * MB)
    (raw / "page.html").write_text(WEB_PAGE, encoding="utf-8")
    (raw / "legacy-2017.txt").write_text(LEGACY, encoding="utf-8")
    (raw / "chardet-wrong.txt").write_bytes(gbk_after_ascii_header())
    (raw / "mixed-encodings.txt").write_bytes(mixed_encodings())
    (raw / "locked.txt").write_bytes(SEED.read_bytes() + b"\n")
    (raw / "vanishing.txt").write_bytes(SEED.read_bytes() + b"\n\n")
    os.symlink(outside / "report.txt", raw / "link-outside.txt")
    os.symlink(outside, raw / "link-to-dir")
    os.mkfifo(raw / "pipe")
    return raw


def make_unreadable(path: Path, monkeypatch) -> None:
    """chmod 000; as root (CI) that does not stop reads, so opening it fails by patching."""
    path.chmod(0)
    try:
        path.open("rb").close()
    except PermissionError:
        return  # the real thing
    real_open = raw_dir.open_regular

    def refuse(target, follow_links=False):
        if Path(target) == path:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
        return real_open(target, follow_links)

    monkeypatch.setattr(raw_dir, "open_regular", refuse)


def delete_after_the_scan(path: Path, monkeypatch) -> None:
    """The file is listed and hashed by the scan, then removed before the parser reads it."""
    real_parse_all = parse_step.parse_all

    def parse_all(*args):
        path.unlink()
        return real_parse_all(*args)

    monkeypatch.setattr(parse_step, "parse_all", parse_all)


def record_parser_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = parse_file.parse_report

    def parse_report(data, source_path=None):
        calls.append(source_path)
        return real(data, source_path)

    monkeypatch.setattr(parse_file, "parse_report", parse_report)
    return calls


def test_every_raw_file_gets_one_row_with_a_reason(bad_raw_dir, tmp_path, monkeypatch):
    raw = bad_raw_dir
    make_unreadable(raw / "locked.txt", monkeypatch)
    delete_after_the_scan(raw / "vanishing.txt", monkeypatch)
    calls = record_parser_calls(monkeypatch)
    # the precondition of the "chardet gets it wrong" case
    guess = chardet.detect(gbk_after_ascii_header()[:65536])["encoding"] or ""
    assert guess.lower() not in {"gb2312", "gbk", "gb18030"}, guess

    wh = tmp_path / "wh"
    outcome = refresh(raw, wh)

    rows = {
        r["source_path"]: r
        for r in query_dicts(wh, "SELECT * FROM reports_all_files ORDER BY source_path")
    }
    expected_paths = {
        "good.txt",
        "empty.txt",
        "images/photo.png",
        "archive.zip",
        "truncated.txt",
        "big.txt",
        "page.html",
        "legacy-2017.txt",
        "chardet-wrong.txt",
        "mixed-encodings.txt",
        "locked.txt",
        "vanishing.txt",
        "link-outside.txt",
        "link-to-dir",
        "pipe",
    }
    assert set(rows) == expected_paths
    assert query(wh, "SELECT count(*) FROM reports_all_files") == [(len(expected_paths),)]
    for path, row in rows.items():
        assert row["status"] in {"parsed", "partial", "rejected"}, path
        if row["status"] != "parsed":
            assert row["status_reason"], f"{path}: no reason"

    def status(path: str) -> tuple[str, str]:
        return rows[path]["status"], rows[path]["status_reason"] or ""

    assert status("good.txt") == ("parsed", "")
    assert status("empty.txt") == ("rejected", "empty file")
    assert status("images/photo.png")[0] == "rejected"
    assert status("images/photo.png")[1].startswith(
        "scanned image (PNG image): no text layer to read"
    )
    assert status("archive.zip")[0] == "rejected"
    assert status("archive.zip")[1].startswith("archive: ")
    kinds = {path: row["input_kind"] for path, row in rows.items()}
    assert (kinds["good.txt"], kinds["page.html"], kinds["images/photo.png"]) == (
        "text",
        "html",
        "image",
    )
    assert (kinds["archive.zip"], kinds["empty.txt"], kinds["locked.txt"]) == (
        "archive",
        "empty",
        "unknown",
    )
    assert status("truncated.txt")[0] == "partial"
    assert "table 3 rows not found" in status("truncated.txt")[1]
    assert status("page.html")[0] == "rejected"
    assert "no statutory table" in status("page.html")[1]
    legacy = rows["legacy-2017.txt"]
    assert (legacy["status"], legacy["format_version"], legacy["year"]) == (
        "rejected",
        "legacy",
        2017,
    )
    assert "legacy" in legacy["status_reason"]
    # whatever the decoder makes of these, the row says which codec it used
    for damaged in ("chardet-wrong.txt", "mixed-encodings.txt"):
        assert rows[damaged]["encoding"], damaged

    # the pipeline's own reasons: nothing read, nothing handed to the parser
    assert status("big.txt")[0] == "rejected"
    assert status("big.txt")[1].startswith("file too large to parse: 52,428,800 bytes")
    assert status("locked.txt") == ("rejected", "cannot read file: Permission denied")
    assert status("vanishing.txt") == ("rejected", "cannot read file: No such file or directory")
    assert rows["vanishing.txt"]["report_id"]  # the scan had hashed it
    assert status("link-outside.txt")[0] == "rejected"
    assert "symbolic link" in status("link-outside.txt")[1]
    assert "outside the raw dir" in status("link-outside.txt")[1]
    assert "symbolic link" in status("link-to-dir")[1]
    assert status("pipe") == ("rejected", "not read: a named pipe, not a regular file")
    for not_read in ("big.txt", "locked.txt", "vanishing.txt", "link-outside.txt", "pipe"):
        assert not_read not in calls, not_read
    # the report behind the link was never read: its agency appears nowhere
    assert query(wh, "SELECT count(*) FROM reports_all_files WHERE agency LIKE '%学府%'") == [(0,)]

    # every file that is not parsed is flagged, with the same reason
    not_parsed = {p for p, r in rows.items() if r["status"] != "parsed"}
    flagged = dict(
        query(
            wh, "SELECT source_path, detail FROM consistency_flags WHERE check_name = 'not_parsed'"
        )
    )
    assert set(flagged) == not_parsed
    assert all(flagged[p] == rows[p]["status_reason"] for p in not_parsed)
    assert outcome.metadata["raw_manifest"]["files_present"] == len(expected_paths)
    # not read by the scan: the links and the pipe (listed only), the locked file (no hash)
    assert outcome.metadata["raw_manifest"]["files_unreadable"] == 4


def test_size_cap_is_pipeline_config_and_reads_nothing_above_it(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(SEED.read_bytes())
    size = path.stat().st_size
    sha, report = parse_file.read_and_parse(path, "report.txt", max_bytes=size)
    assert sha and report.status == "parsed"
    sha, report = parse_file.read_and_parse(path, "report.txt", max_bytes=size - 1)
    assert sha is None and report.status == "rejected"
    assert report.status_reason == str(FileTooLarge(size, size - 1))
    assert "max_file_mb" in report.status_reason


def test_a_file_that_grows_past_the_cap_while_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 10)
    real_open = raw_dir.open_regular

    def open_then_grow(target, follow_links=False):
        fh = real_open(target, follow_links)
        path.write_bytes(b"x" * 100)  # same inode, more bytes after the size check
        return fh

    monkeypatch.setattr(raw_dir, "open_regular", open_then_grow)
    with pytest.raises(FileTooLarge):
        raw_dir.read_bytes(path, max_bytes=50)


@pytest.mark.parametrize("max_bytes", [50, 200])
def test_a_file_that_grows_after_its_size_is_taken_is_read_whole_or_refused(
    tmp_path, monkeypatch, max_bytes
):
    # the read asks for the stat's size and one byte more: a file that grew between the
    # stat and the read is read on to its end (under the cap), or refused (over it)
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat
    taken = []

    def fstat_then_grow(fd):
        if not taken:  # the first stat of the file: 10 bytes, then it grows to 100
            taken.append(real_fstat(fd))
            path.write_bytes(b"y" * 100)  # same inode, more bytes after the size was taken
        return taken[0]

    monkeypatch.setattr(raw_dir.os, "fstat", fstat_then_grow)
    if max_bytes < 100:
        with pytest.raises(FileTooLarge):
            raw_dir.read_bytes(path, max_bytes=max_bytes)
    else:
        assert raw_dir.read_bytes(path, max_bytes=max_bytes) == b"y" * 100


def test_links_are_refused_when_opened_even_if_swapped_in_after_the_listing(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("secret")
    link = tmp_path / "link.txt"
    os.symlink(target, link)
    with pytest.raises(raw_dir.NotRegularFile):
        raw_dir.open_regular(link)
    assert raw_dir.read_bytes(link, 100, follow_links=True) == b"secret"  # `govreports parse`
