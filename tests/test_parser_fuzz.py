"""Mutated real reports never crash the parser: every input gives a record with a status,
and the parser's last-resort error handler never has to fire."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.fuzz_checks import check_one
from reportgen.mutations import mutated_reports, real_reports

CORPUS = real_reports()


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_reports(CORPUS))
def test_mutated_reports_never_crash(data: bytes) -> None:
    check_one(data)


# Markup that exercises the HTML reader's fast paths and their fallbacks: quoted `>` in
# attributes, odd spacing, comments, CDATA, script/style, unterminated tags.
_MARKUP = [
    "<", ">", "</td>", "<td>", "<tr>", "</tr>", "<br>", "<br/>", "&nbsp;", "&amp;", "<!--", "-->",
    "<script>", "</script>", '"', "'", "<p>", "</p>", "<table>", "</table>", "<th colspan=2>",
    "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml?>", "\n", "\t", "<td rowspan='3'>", "</ td>",
    "<TD>", "< td>", "<style>", "</style>", "<span>", "</span>", "&", '<td a="x>y">',
    "<td a='>'>", "<td a=b>", "<td a=b c>", "<td/>", "<p/>", '<td a="x"/>', "收到申请", "12",
    " ", "本年新收", "<div class=x>", "</div>", "<title>", "</title>", "<td\n>",
    "<td a='x\" b=\"y'>", '<a href="x?a=1&b=2">', "</a>", "<td  >", "</td >",
    "<TABLE BORDER=1>", "<noscript>", "</noscript>", "<td =x>",
]  # fmt: skip


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_MARKUP), max_size=80))
def test_html_scan_gives_the_stdlib_parsers_events(pieces: list[str]) -> None:
    # rows_from_html's own scan against HTMLParser.feed driving the same handlers
    from parsers import html_grid

    doc = "".join(pieces)
    builder = html_grid._GridBuilder()
    builder.feed(doc)
    builder.close()
    expected = [(r.explicit, [c.text for c in r.cells]) for r in builder.finish()]
    got = [(r.explicit, [c.text for c in r.cells]) for r in html_grid.rows_from_html(doc)]
    assert got == expected


def test_long_tag_texts_are_not_kept_between_pages():
    # the tag cache holds short tag texts only (a data: URL can be megabytes)
    from parsers import html_grid

    huge = (
        '<table><tr><td><img src="data:image/png;base64,' + "A" * 100_000 + '">1</td></tr></table>'
    )
    rows = html_grid.rows_from_html(huge)
    assert [[c.text for c in r.cells] for r in rows] == [["1"]]
    assert all(len(tag) <= html_grid._MAX_CACHED_TAG for tag in html_grid._PLAIN_TAGS)


# Text that exercises `normalise.nfkc`'s shortcut: full-width forms and odd spaces (replaced
# one by one) next to combining marks, compatibility characters and Hangul jamo (left to
# full NFKC), which compose with what precedes them.
_NFKC_PIECES = [
    "，", "；", "（", "）", "０", "９", "Ａ", "ａ", "\u3000", "\xa0", "\u2002", "\u202f", "\u205f",
    "\u0301", "\u0308", "\u0327", "\u3099", "\u309a", "カ", "ｶ", "ﾞ", "ﬁ", "①", "㈱", "Å",
    "\u1100", "\u1161", "\u11a8", "e", "A", "1", " ", "本年", "。", "、", "\n", "\t", "＿",
    "～", "￥", "＄", "\U0001d400", "\uf900", "\u2460",
]  # fmt: skip


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_NFKC_PIECES) | st.characters(), max_size=40))
def test_nfkc_is_unicodedata_nfkc(pieces: list[str]) -> None:
    import unicodedata

    from parsers.normalise import nfkc

    text = "".join(pieces)
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def _mixed_lines_reference(data: bytes) -> str | None:
    # decode's per-line reading of a file mixing UTF-8 and GB18030 lines, written plainly
    utf8_lines = gb_lines = 0
    out = []
    for raw in data.split(b"\n"):
        try:
            out.append(raw.decode("utf-8"))
            utf8_lines += not raw.isascii()
        except UnicodeDecodeError:
            out.append(raw.decode("gb18030", errors="replace"))
            gb_lines += 1
    return "\n".join(out) if utf8_lines >= 2 and gb_lines >= 1 else None


_LINE_BYTES = [
    "收到申请".encode(), "收到申请".encode("gb18030"), b"12", b"", "本年，".encode(),
    "，".encode("gb18030"), b"\xff", b"\xe4\xb8", b"\xed\xb2\x80", b"\x80", "€".encode(),
    "一、总体情况".encode("gb18030"), b"\r", "ｶ".encode(),
]  # fmt: skip


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_LINE_BYTES) | st.binary(max_size=4), max_size=4)))
def test_mixed_utf8_gb18030_lines_are_found_as_line_by_line(lines: list[list[bytes]]) -> None:
    from parsers.decode import _mixed_utf8_gb18030

    data = b"\n".join(b"".join(parts) for parts in lines)
    assert _mixed_utf8_gb18030(data) == _mixed_lines_reference(data)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(
            [
                "收",
                "到",
                "，",
                "。",
                "０",
                "7",
                "a",
                "\t",
                "\x01",
                "€",
                "龘",
                "涓",
                "ｶ",
                "\u3000",
                "\udc80",
            ]
        )
        | st.characters(),
        max_size=60,
    )
)
def test_decode_character_counts_are_the_per_character_definitions(chars: list[str]) -> None:
    import unicodedata

    from parsers import decode as d

    text = "".join(chars)
    plausible = sum(
        1
        for ch in text
        if ch in d._COMMON or " " <= ch <= "~" or ch in "\t\n\r" or ch in d._CJK_PUNCTUATION
    )
    assert d.plausible_share(text) == (plausible / len(text) if text else 0.0)
    assert d._score(text) == sum(1 for ch in text if ch in d._COMMON or ch in d._DIGITS_AND_MARKS)
    assert d._rare(text) == sum(
        1
        for ch in text
        if not ch.isascii()
        and ch not in d._COMMON
        and ch not in d._DIGITS_AND_MARKS
        and unicodedata.category(ch)[0] not in "PZ"
    )


def test_html_cells_read_the_same_from_the_normalised_cell_cache():
    # a cell's normalised text is kept per raw text; a page read again (the cache filled)
    # reads the same, and long cell texts are not kept
    from parsers import html_grid
    from parsers.normalise import normalise_line

    long_label = "收到" * 40
    doc = (
        "<table><tr><td>本年新收政府信息公开申请数量</td><td>１２</td>"
        f"<td>&nbsp;收到 申请\n数</td><td>{long_label}</td><td>ｶﾞ</td></tr></table>"
    )
    html_grid._NORMALISED_CELLS.clear()
    cold = [[c.text for c in r.cells] for r in html_grid.rows_from_html(doc)]
    warm = [[c.text for c in r.cells] for r in html_grid.rows_from_html(doc)]
    assert cold == warm == [["本年新收政府信息公开申请数量", "12", "收到 申请数", long_label, "ガ"]]
    assert "１２" in html_grid._NORMALISED_CELLS and long_label not in html_grid._NORMALISED_CELLS
    for raw, kept in html_grid._NORMALISED_CELLS.items():
        assert kept == normalise_line(raw.replace("\n", "")).strip()
