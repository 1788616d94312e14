"""Unit tests of the parser's parts: decoding, normalising, values, splits, garbage in."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import parse_report
from parsers.decode import decode, repair_mojibake
from parsers.grid import split_line
from parsers.normalise import normalise_line
from parsers.runsplit import split_runs
from parsers.values import parse_value
from tests.conftest import SHARED

SEEDS_DIR = SHARED / "seeds"

TEXT = "一、总体情况\n本年度收到政府信息公开申请29件。"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16"),
        (TEXT.encode("utf-16-be"), "utf-16"),
        ((TEXT * 20).encode("gb18030"), "gb18030"),
    ],
)
def test_decode_round_trips(data: bytes, codec: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == codec
    assert decoded.text.startswith(TEXT)


def test_gbk_family_is_decoded_as_gb18030() -> None:
    # 䶮 and € exist in GB18030 only: GBK would fail on them
    data = ("政府信息公开工作年度报告" * 10 + "䶮").encode("gb18030")
    decoded = decode(data)
    assert decoded.encoding == "gb18030"
    assert decoded.text.endswith("䶮")


def test_mojibake_is_repaired_where_it_round_trips() -> None:
    # from corpus/encoding_damage: UTF-8 once decoded as GBK (cp936, 0x80 = €)
    broken = "涓€銆佹€讳綋鎯呭喌\n收到申请29件"
    text, repaired, suspect = repair_mojibake(broken)
    assert text == "一、总体情况\n收到申请29件"
    assert repaired == 1
    assert suspect == 0


def test_real_mojibake_file_is_partly_repaired_and_rejected_as_not_a_report() -> None:
    from tests.conftest import shared_path

    path = shared_path("corpus/encoding_damage/jinhu_county_2023.llm_parsed.mojibake.json")
    decoded = decode(path.read_bytes())
    assert "一、总体情况" in decoded.text
    report = parse_report(path.read_bytes(), "jinhu.json")
    assert report.status == "rejected"


def test_clean_text_is_not_touched_by_mojibake_repair() -> None:
    assert repair_mojibake(TEXT) == (TEXT, 0, 0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("第二十条第（一）项", "第二十条第(一)项"),
        ("１２３", "123"),
        ("0\u00a0件", "0 件"),
        ("a&nbsp;b", "a b"),
        ("商业\u3000企业", "商业 企业"),
        ("政\u200b府", "政府"),
        ("**五是**政务", "五是政务"),
        ("## 一、总体情况", "一、总体情况"),
    ],
)
def test_normalise_line(raw: str, expected: str) -> None:
    assert normalise_line(raw) == expected


@pytest.mark.parametrize(
    ("raw", "number", "unit"),
    [
        ("0", 0, None),
        ("0件", 0, "件"),
        ("1,234", 1234, None),
        ("-2", -2, None),
        ("+3", 3, None),
        ("增加3", 3, None),
        ("减少2", -2, None),
        ("251000元", 251000, "元"),
        ("12.5万元", 12.5, "万元"),
    ],
)
def test_parse_value_numbers(raw: str, number: float, unit: str | None) -> None:
    value = parse_value(raw)
    assert value is not None
    assert value.number == number
    assert value.unit == unit


@pytest.mark.parametrize("raw", ["", "/", "—", "-", "无"])
def test_blank_and_dash_are_null_with_raw_kept(raw: str) -> None:
    value = parse_value(raw)
    assert value is not None and value.number is None and value.raw == raw


@pytest.mark.parametrize("raw", ["规章", "1.属于国家秘密", "总计"])
def test_labels_are_not_values(raw: str) -> None:
    assert parse_value(raw) is None


def test_run_split_uses_group_identities() -> None:
    # corpus/pingtan_2021.txt table 4
    assert split_runs(["10203120001200000"], 15, [5, 5, 5]) == [
        (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    ]


def test_run_split_reports_every_fit_and_respects_separators() -> None:
    assert split_runs(["220000325"], 7, [7]) == [(2, 20, 0, 0, 0, 3, 25), (22, 0, 0, 0, 0, 3, 25)]
    assert split_runs(["500000", "5"], 7, [7]) == [(5, 0, 0, 0, 0, 0, 5)]
    assert split_runs(["000"], 3) == [(0, 0, 0)]


def test_run_split_sign_starts_a_cell() -> None:
    fits = split_runs(["35", "-15"], 2)
    assert fits == [(35, -15)]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (bytes(range(256)) * 50, "not text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(2000), "scanned image (PNG image): no text layer"),
        ("<html><body><p>欢迎访问</p></body></html>".encode(), "no statutory table"),
    ],
)
def test_garbage_in_gives_a_rejected_record(data: bytes, reason: str) -> None:
    report = parse_report(data, "junk")
    assert report.status == "rejected"
    assert reason in report.status_reason
    assert not report.applications and not report.review_litigation


def test_legacy_report_is_detected_not_guessed() -> None:
    text = (
        "某某县人民政府2017年政府信息公开工作年度报告\n"
        "一、概述\n二、主动公开政府信息情况\n本年度主动公开政府信息1234条。\n"
        "三、依申请公开政府信息情况\n共受理申请15件。\n"
    )
    report = parse_report(text.encode(), "legacy.txt")
    assert report.format_version == "legacy"
    assert report.year == 2017
    assert report.status == "rejected"
    assert "legacy" in report.status_reason
    assert not report.applications


def test_report_id_is_stable_per_content() -> None:
    a = parse_report(b"abc", "x")
    b = parse_report(b"abc", "y")
    assert a.report_id == b.report_id == "ba7816bf8f01cfea"


def test_whole_text_normalisation_equals_line_by_line() -> None:
    from parsers.normalise import normalise_text
    from reportgen.mutations import real_reports

    samples = [decode(data).text for data in real_reports()]
    samples.append("## 标题\r\n１２\u3000**三**\t&nbsp;x \r\n\r\n#不是标题\n  ### 三、")
    for text in samples:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        assert normalise_text(text) == [normalise_line(line) for line in lines]


def test_gbk_report_behind_page_script_is_not_taken_for_a_latin_codec() -> None:
    from tests.conftest import shared_path

    text = shared_path("seeds/003_2aa55f2180a4bd34.txt").read_text(encoding="utf-8")
    script = "<script>var a = 'abcdefghijklmnopqrstuvwxyz0123456789';</script>\n" * 700
    data = (script + text).encode("gb18030")
    decoded = decode(data)
    assert decoded.encoding == "gb18030"
    assert "九江市柴桑区人民政府办公室" in decoded.text
    report = parse_report(data, "gbk_behind_script.html")
    assert report.agency == "九江市柴桑区人民政府办公室"


def test_gbk_report_behind_page_script_with_a_stray_byte_goes_through_chardet() -> None:
    # one byte GB18030 cannot read: no strict decode, so chardet guesses (a Latin codec,
    # with next to no confidence) and the GB18030 reading wins on plausibility
    from tests.conftest import shared_path

    text = shared_path("seeds/003_2aa55f2180a4bd34.txt").read_text(encoding="utf-8")
    script = "<script>var a = 'abcdefghijklmnopqrstuvwxyz0123456789';</script>\n" * 700
    decoded = decode((script + text).encode("gb18030") + b"\x80")
    assert decoded.encoding == "gb18030"
    assert decoded.confidence <= 0.6
    assert decoded.replacement_chars == 1
    assert "九江市柴桑区人民政府办公室" in decoded.text


def test_strict_gb18030_that_reads_as_chinese_skips_chardet(monkeypatch) -> None:
    from parsers import decode as decode_module
    from tests.conftest import shared_path

    def no_chardet(data: bytes) -> dict:
        raise AssertionError("chardet was asked")

    monkeypatch.setattr(decode_module.chardet, "detect", no_chardet)
    text = shared_path("seeds/000_3362babfcc868ba6.txt").read_text(encoding="utf-8")
    decoded = decode(text.encode("gb18030"))
    assert (decoded.encoding, decoded.confidence) == ("gb18030", 0.9)
    assert decoded.text == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (
            "정보공개 연차보고서. 대한민국 정부는 정보공개법에 따라 연차보고서를 발표합니다. "
            "이 보고서는 2023년 1월 1일부터 12월 31일까지의 정보공개 업무 현황을 담고 있습니다. "
            "신청 건수는 총 120건이며 처리 결과는 다음과 같습니다. "
            "공개 80건, 부분공개 20건, 비공개 20건입니다. " * 20,
            "euc-kr",
        ),
        (
            "本報告は、令和五年一月一日から十二月三十一日までの情報公開業務の状況をまとめたもの"
            "です。申請件数は合計百二十件でした。" * 10,
            "euc-jp",
        ),
    ],
)
def test_korean_and_japanese_bytes_are_left_to_chardet(monkeypatch, text, codec) -> None:
    # Hangul and kanji read as GB18030 land on common hanzi; no Chinese sentence punctuation
    # (Korean) or kana (Japanese) keeps them off the strict-GB18030 shortcut
    import chardet

    from parsers import decode as decode_module

    asked, real_detect = [], chardet.detect

    def detect(data: bytes) -> dict:
        asked.append(len(data))
        return real_detect(data)

    monkeypatch.setattr(decode_module.chardet, "detect", detect)
    decoded = decode(text.encode(codec))
    assert asked
    assert decoded.confidence <= 0.6


def test_big5_bytes_are_not_taken_for_gb18030() -> None:
    # Big5 bytes are mostly valid GB18030 too, but read as rare hanzi: chardet decides
    from tests.conftest import shared_path

    text = shared_path("seeds/003_2aa55f2180a4bd34.txt").read_text(encoding="utf-8")
    decoded = decode(text.encode("big5", errors="replace"))
    assert decoded.encoding == "big5"
    assert "人民政府" in decoded.text


def test_mixed_utf8_and_gb18030_lines_are_each_decoded() -> None:
    from tests.conftest import shared_path

    lines = shared_path("seeds/002_85dfb0a95ba47af5.txt").read_text(encoding="utf-8").split("\n")
    half = len(lines) // 2
    data = (
        "\n".join(lines[:half]).encode("utf-8") + b"\n" + "\n".join(lines[half:]).encode("gb18030")
    )
    decoded = decode(data)
    assert decoded.encoding == "utf-8+gb18030"
    assert decoded.text.split("\n") == lines
    report = parse_report(data, "mixed.txt")
    assert report.status == "parsed"
    assert report.agency == "洛龙区学府街道办事处"


def _same_with_types(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_with_types(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(_same_with_types, a, b))
    return a == b


def test_to_dict_is_what_dataclasses_asdict_gives() -> None:
    from dataclasses import asdict

    from reportgen.generator import LAYOUTS, make_case
    from tests.conftest import SHARED

    datas = [p.read_bytes() for p in sorted((SHARED / "seeds").glob("*.txt"))]
    datas += [make_case(k, layout, "utf-8").data for k, layout in enumerate(LAYOUTS)]
    datas += [b"", b"\x00\x01binary", "<p>新闻</p>".encode()]
    reports = [parse_report(d, f"r{k}.txt") for k, d in enumerate(datas)]
    assert any(r.applications and r.warnings and r.narrative for r in reports)
    for report in reports:
        converted = report.to_dict()
        assert _same_with_types(converted, asdict(report))
        assert converted["applications"] is not report.applications  # a copy, not a view


def test_fast_fact_makers_give_the_dataclass_objects() -> None:
    import pickle

    from parsers.model import (
        ApplicationFact,
        DisclosureFact,
        ReviewFact,
        new_application_fact,
        new_disclosure_fact,
        new_review_fact,
    )

    for cls, make, args in (
        (ApplicationFact, new_application_fact, ("received.new", "total", 29, "29", 40, "label")),
        (DisclosureFact, new_disclosure_fact, ("regulation", "issued", 1.5, "1.5", None, "split")),
        (ReviewFact, new_review_fact, ("review", "upheld", None, "/", 88, "position")),
    ):
        made, expected = make(*args), cls(*args)
        assert type(made) is cls
        assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
        assert pickle.loads(pickle.dumps(made)) == expected
        with pytest.raises(AttributeError):  # still frozen
            made.raw = "x"  # type: ignore[misc]


def _lines_to_check() -> list[str]:
    from parsers.normalise import normalise_text
    from reportgen.mutations import real_reports

    lines = [ln for data in real_reports() for ln in normalise_text(decode(data).text)]
    # the edge cases of the one-cell fast path: page markers, separators, tabs, pipes
    lines += ["--", "---", "\t--", "- 3 -", "第3页", "3/12", "\t3/12", "12", "\t12", "\t\t收到",
              "收到\t", " |", "|", "||", "a|b", "\tA\tB", "A\fB", "\f12", "—", "第二十条",
              "\t---", "\t:--:", "\t- 3 -", "\t-3-", "\t第3页", "\t１２", "\t12/30", "\t|", "\t\x1c",
              "\ta b", "\tA\x0cB", " \tX", "X\t", "--- |", "-- | -- |", "a |", "a | b |", "| a |",
              "\x1c |", "\x85 |", "3 |", "第3页 |", " a |", "a ||", "\ta |", "\u3000 |"]  # fmt: skip
    return lines


def test_one_line_reads_as_split_line_says():
    # rows_from_lines handles a line holding one cell inline; it must agree with split_line
    from parsers.grid import is_run_together, rows_from_lines, split_line

    for n, line in enumerate(_lines_to_check(), 1):
        if is_run_together(line):
            continue  # (read by rows_from_run_together instead)
        split = split_line(line, n)
        rows = rows_from_lines([line], n)
        if split is None:
            assert rows == [], repr(line)
        else:
            assert [c for r in rows for c in r.cells] == split[0], repr(line)


def test_a_cell_holds_the_value_parse_value_reads():
    # Cell parses its value inline (one call fewer per cell); it must agree with parse_value
    from parsers.grid import Cell

    for text in [*_lines_to_check(), "", "0", "1,234", "-5", "增加3", "无", "12件", "3.5万元"]:
        cell = Cell(text.strip(), 1)
        assert cell.value == parse_value(text.strip()), repr(text)
        assert cell.is_label == (cell.value is None and text.strip() != ""), repr(text)


UNTITLED = (
    (SEEDS_DIR / "002_85dfb0a95ba47af5.txt")
    .read_text(encoding="utf-8")
    .replace("洛龙区学府街道办事处 2023 年政府信息公开工作 年度报告", "", 1)
)


@pytest.mark.parametrize(
    "sentence",
    [
        "本报告由洛龙区学府街道办事处根据《中华人民共和国政府信息公开条例》编制。",
        "本年度报告由洛龙区学府街道办事处编制。",
        "为做好政务公开，洛龙区学府街道办事处（以下简称“本机关”）认真落实条例。",
        "洛龙区学府街道办事处编制了本单位2023年度政府信息公开工作年度报告。",
    ],
)
def test_an_untitled_report_takes_its_agency_from_a_sentence(sentence):
    assert parse_report(UNTITLED.encode(), "x").agency is None  # the precondition
    report = parse_report((sentence + "\n" + UNTITLED).encode(), "x")
    assert (report.agency, report.year, report.status) == ("洛龙区学府街道办事处", 2023, "parsed")
    if "年度报告" not in sentence:  # (the last one reads as a title, name cut at 本单位)
        assert "agency taken from a sentence" in " ".join(report.warnings)


def test_a_sentence_naming_no_organ_gives_no_agency():
    report = parse_report(("本报告由我们根据条例编制。\n" + UNTITLED).encode(), "x")
    assert report.agency is None and "agency not found" in report.status_reason


def test_the_parser_version_is_derived_from_its_source(tmp_path):
    """A new label spelling (a one-line change to forms.py) is a new parser version: the
    parse cache is keyed by it, so every file is parsed again, with no number to bump."""
    import shutil
    import subprocess
    import sys

    import parsers

    code = "import parsers; print(parsers.PARSER_VERSION)"
    here = Path(parsers.__file__).parent
    shutil.copytree(here, tmp_path / "parsers", ignore=shutil.ignore_patterns("__pycache__"))

    def version() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONPATH": str(tmp_path), "PATH": ""},
            cwd=tmp_path,  # not the repository's own parsers/
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert version() == parsers.PARSER_VERSION
    forms = tmp_path / "parsers" / "forms.py"
    forms.write_text(
        forms.read_text("utf-8").replace('r"上年结转"', 'r"上年结转|上年度结转"'), "utf-8"
    )
    assert version() != parsers.PARSER_VERSION
    assert version().startswith(parsers.PARSER_VERSION.split("+")[0] + "+")


def swapped_unlabelled_rows() -> str:
    """Seed 002 with 4 applications, 3 granted and 1 partly granted, whose two result rows
    lost their labels (a PDF conversion detaching them) and are printed in swapped order."""
    text = (SEEDS_DIR / "002_85dfb0a95ba47af5.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = {
        k: i for i, ln in enumerate(lines) for k in ("本年新收", "予以公开", "部分公开") if k in ln
    }
    row = "\t".join
    lines[at["本年新收"]] = row(["一、本年新收政府信息公开申请数量", "", "4", *"00000", "4", ""])
    lines[at["予以公开"]] = row(["", "", "1", *"00000", "1", ""])  # 部分公开's figures
    lines[at["部分公开"]] = row(["", "", "3", *"00000", "3", ""])  # 予以公开's figures
    total = next(i for i, ln in enumerate(lines) if "(七) 总计" in ln or "（七）总计" in ln)
    lines[total] = lines[total].replace("\t0\t0\t0\t0\t0\t0\t0", "\t4\t0\t0\t0\t0\t0\t4", 1)
    return "\n".join(lines)


def test_rows_placed_by_position_say_so():
    """The case `parsed` once hid: labels detached and order swapped keep every identity."""
    report = parse_report(swapped_unlabelled_rows().encode(), "swapped.txt")
    assert report.status == "parsed", report.status_reason
    cells = {(f.category, f.applicant_type): f for f in report.applications}
    granted = cells[("result.granted", "total")]
    assert (granted.value, granted.method) == (1, "position")  # as printed, and said so
    assert cells[("result.partially_granted", "total")].method == "position"
    assert cells[("received.new", "total")].method == "label"
    assert cells[("result.total", "total")].value == 4


def test_run_together_figures_say_they_were_split():
    report = parse_report((SEEDS_DIR.parent / "corpus" / "pingtan_2022.txt").read_bytes(), "p")
    methods = {f.method for f in report.applications}
    assert "split" in methods and methods <= {"split", "label"}


def test_a_title_whose_year_a_crawler_broke_over_lines_is_still_the_title():
    text = (SEEDS_DIR / "002_85dfb0a95ba47af5.txt").read_text(encoding="utf-8")
    title = "洛龙区学府街道办事处 2023 年政府信息公开工作 年度报告"
    broken = text.replace(title, "洛龙区学府街道办事处\n20\n23\n年政府信息公开工作年度报告", 1)
    report = parse_report(broken.encode(), "x")
    assert (report.agency, report.year, report.status) == ("洛龙区学府街道办事处", 2023, "parsed")
    assert not any("year taken" in w for w in report.warnings)  # read from the title


@pytest.mark.parametrize("layout", ["tab_rows", "html_table", "pdf_text", "cell_per_line_pipe"])
def test_an_agency_named_with_rare_han_characters_is_read_whole(layout: str) -> None:
    """Names may need characters outside the basic block (𬌗 U+2C317, 𠀀 U+20000): the
    name was once cut at them ("区人民政府") while the report said `parsed`."""
    import random
    from dataclasses import replace

    from reportgen.generator import Noise, random_figures, render

    fig = replace(random_figures(random.Random(3), "2021"), agency="𬌗州市𠀀区人民政府")
    report = parse_report(render(fig, layout, random.Random(1), Noise()).encode())
    assert (report.agency, report.status) == ("𬌗州市𠀀区人民政府", "parsed")


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        # a PDF or OCR text layer that spaced out a separator: one number again
        (
            "2.重复申请 2, 219 0 0 584 0 0 2803",
            ["2.重复申请", "2,219", "0", "0", "584", "0", "0", "2803"],
        ),
        ("行政事业性收费 7558. 07", ["行政事业性收费", "7558.07"]),
        ("合计 1,234, 567 3", ["合计", "1,234,567", "3"]),
    ],
)
def test_a_number_cut_after_its_separator_is_one_cell(line: str, cells: list[str]) -> None:
    split = split_line(line, 1)
    assert split is not None
    assert [c.text for c in split[0]] == cells


def test_half_a_number_that_cannot_be_rejoined_makes_its_row_unreadable() -> None:
    """`2, 21`: no thousands group follows the comma. The `2,` is a cell without a figure
    (never folded into the label, which once lost the 2 and read 21 as `parsed`)."""
    [label, cut, *values] = split_line("2.重复申请 2, 21 0 0 584 0 0 605", 1)[0]
    assert (label.text, label.is_label) == ("2.重复申请", True)
    assert (cut.text, cut.is_label, cut.value.number) == ("2,", False, None)
    assert [v.value.number for v in values] == [21, 0, 0, 584, 0, 0, 605]


def test_an_item_number_opening_a_line_is_never_half_a_number() -> None:
    """`8.` opening a line is a wrapped label's item number: `8. 0 0` must not read 8.0."""
    cells = split_line("8. 0 0 0 0 0 0 0", 1)[0]
    assert [c.text for c in cells] == ["8.", "0", "0", "0", "0", "0", "0", "0"]
    assert cells[0].is_label


PINGTAN_DEPTS = SHARED / "corpus" / "pingtan_depts"


def test_a_year_glued_to_the_prose_after_a_table_is_not_a_cell() -> None:
    """`行政事业性收费02025年，我局…`: the fee cell 0, then the paragraph `2025年，…` (the
    crawler lost the break). It once read as a fee of 2025 万元."""
    from parsers.grid import rows_from_run_together

    rows = rows_from_run_together(
        "行政事业性收费02025年，我局公开395条。结转下年度20000022025年，共", 1
    )
    cells = [c.text for row in rows for c in row.cells]
    assert cells == [
        "行政事业性收费",
        "0",
        "2025年，我局公开",
        "395",
        "条。结转下年度",
        "2000002",
    ] + ["2025年，共"]


def test_a_run_together_cell_with_a_leading_zero_is_never_one_number() -> None:
    """`012` in a crawler dump is the digits of more than one cell, or a cell and the
    prose: no figure, and the row named in status_reason (it once read 12)."""
    text = (PINGTAN_DEPTS / "scj_2025.txt").read_text(encoding="utf-8")
    glued = text.replace("行政事业性收费02025年，我局严格", "行政事业性收费012，我局严格", 1)
    assert glued != text
    report = parse_report(glued.encode(), "glued.txt")
    assert "administrative_fee" not in {f.item for f in report.active_disclosure}
    assert report.status == "partial"
    assert "table 2 row administrative_fee: '012' starts with 0" in report.status_reason


def test_the_case_file_row_is_read_by_its_label_spelled_an_jian() -> None:
    """`7.属于行政执法案件` (案件 for 案卷) is the 执法案卷 row, read by its label."""
    report = parse_report((PINGTAN_DEPTS / "scj_2025.txt").read_bytes(), "scj_2025.txt")
    cells = {(f.category, f.applicant_type): f for f in report.applications}
    fact = cells[("result.denied.enforcement_case_file", "total")]
    assert (fact.value, fact.method) == (3, "split")
    assert not any("paired by position" in w for w in report.warnings)


def test_a_row_printed_with_too_few_numbers_is_not_called_missing() -> None:
    """2019 form, crawler dump: `政府集中采购82059.2090万元` is the count and the amount run
    together. The row is there, so status_reason names what it printed (once: "not found")."""
    report = parse_report((PINGTAN_DEPTS / "zrz_2019.txt").read_bytes(), "zrz_2019.txt")
    assert "centralized_procurement" not in {f.item for f in report.active_disclosure}
    assert (
        "table 2 row centralized_procurement: '82059.2090万元' is fewer cells than its 2"
        in report.status_reason
    )
    assert "centralized_procurement not found" not in report.status_reason


def test_a_wrapped_item_number_after_a_vertical_label_is_never_a_figure() -> None:
    """PDF text of a table whose first label column prints 三、本年度办理结果 one character
    per line and whose row label wraps after its item number: `三 6. 0 1 0 0 0 0 1`, then
    `属于四类过程性信息`. `6.` then `0` looks like a number cut after its point (`6.0`), which
    once put 6 under 自然人 (read by position, `parsed`); a count printed with a decimal
    point is refused instead, and the report says so."""
    from reportgen.generator import Noise, make_case

    text = make_case(9, "pdf_text", "utf-8", noise=Noise()).text
    row = next(ln for ln in text.split("\n") if ln.startswith("6.属于四类过程性信息"))
    figures = row.split()[1:]
    assert figures == ["0", "1", "0", "0", "0", "0", "1"]
    wrapped = "三 6. " + " ".join(figures) + "\n属于四类过程性信息"
    report = parse_report(text.replace(row, wrapped).encode("utf-8"))
    got = {
        f.applicant_type: f.value
        for f in report.applications
        if f.category == "result.denied.process_information"
    }
    assert "natural_person" not in got, got
    assert got == {
        "commercial_enterprise": 1,
        "research_institution": 0,
        "public_interest_org": 0,
        "legal_service_org": 0,
        "other_org": 0,
        "total": 1,
    }
    assert report.status == "partial"
    assert "'6.0' printed with a decimal point where counts belong" in report.status_reason
