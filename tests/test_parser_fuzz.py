"""Mutated real reports never crash the parser: every input gives a record with a status,
and the parser's last-resort error handler never has to fire."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse_report
from tests.mutations import mutated_reports, real_reports

CORPUS = real_reports()
STATUSES = {"parsed", "partial", "rejected"}


def check_one(data: bytes) -> None:
    report = parse_report(data, "fuzz")
    assert report.status in STATUSES
    if report.status != "parsed":
        assert report.status_reason
    assert not (report.status_reason or "").startswith("internal parser error"), (
        report.status_reason
    )
    for fact in report.applications + report.review_litigation:
        assert fact.value is None or isinstance(fact.value, int)
    for fact in report.active_disclosure:
        assert fact.value is None or isinstance(fact.value, float)


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
