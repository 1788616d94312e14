"""Word reports in the real structure: the official blank template filled with figures.

`tests/fixtures/reports/corpus/docx/official_template_2021.docx` is the 2021 form as a Word
file (the three statutory tables with their merged cells and two-line header labels,
section headings, "（文字描述）" placeholders). `filled_docx(figures)` fills it the way an
office fills it in: a title naming the body and the year replaces the template's, the
placeholders become narrative paragraphs (reportgen.generator's narrative), every value cell of
tables 2-4 gets its figure, and a signature closes the report.

What real Word producers do is drawn per report from `WordStyle` (`random_style`):

- a blank figure (None) is a cell left as the template had it (empty, or holding the
  template's ideographic spaces `\u3000`), cleared, or filled with ideographic spaces; a 0
  is printed `0`;
- figures as the generator's printer writes them: full-width digits, 件, thousands
  separators, NBSP/ideographic padding, 万元 on the fee;
- table 3 split in two by a page-break paragraph (Ctrl+Enter inside a table): the rows
  after the break form a second table; the group labels merged across the break are
  continued (`w:vMerge` continue with no restart in that table) or restarted empty;
- the title split over two lines by a manual line break, or in two paragraphs;
- a value cell holding two paragraphs (the figure, then an empty paragraph);
- the whole report inside a one-cell layout table (a web page pasted into Word);
- a narrative sentence with a hyperlink and a complex HYPERLINK field (code + result);
- content controls: table 2 inside a block `w:sdt`, table 4's values inside inline ones.

Only figures of the 2021 form fit the template (its table 3 prints （六）其他处理 as three
rows, so `other_single` is False).

`python -m reportgen.word_reports` writes the committed Word 97-2003 fixtures of
tests/fixtures/word/ (`make_fixtures`; needs LibreOffice, see the README there).
"""

from __future__ import annotations

import copy
import io
import random
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from lxml import etree

from reportgen import paths
from reportgen.generator import (
    T2_ITEM_LABELS,
    T3_LABELS,
    Figures,
    Noise,
    _narrative,
    _Printer,
    random_figures,
    with_blanks,
)

TEMPLATE = paths.SHARED / "corpus" / "docx" / "official_template_2021.docx"
_T3_FIRST_VALUE_COLUMN = 3


@dataclass(frozen=True)
class WordStyle:
    """How one Word report is filled in (see the module docstring)."""

    blank: str = "keep"  # a blank figure's cell: "keep" (as the template), "clear", "ideographic"
    noise: Noise = Noise()  # how figures are printed (fullwidth, units, thousands, odd_spaces)
    split_table3_after: int | None = None  # table 3 row index after which a page break splits it
    split_merge: str = "continue"  # merged labels across the split: "continue" or "restart"
    title: str = "one_line"  # "one_line", "line_break", "two_paragraphs"
    extra_paragraph: bool = False  # value cells hold a trailing empty paragraph
    signature: bool = True
    framed: bool = False  # the whole report inside a one-cell layout table (pasted from a page)
    links: bool = False  # a narrative sentence with a hyperlink and a HYPERLINK field
    content_controls: bool = False  # table 2 in a block content control, table 4 values inline


def random_style(rng: random.Random) -> WordStyle:
    def p(x: float) -> bool:
        return rng.random() < x

    return WordStyle(
        blank=rng.choice(("keep", "clear", "ideographic")),
        noise=Noise(fullwidth=p(0.25), units=p(0.2), thousands=p(0.3), odd_spaces=p(0.3)),
        split_table3_after=rng.randint(5, 24) if p(0.5) else None,
        split_merge=rng.choice(("continue", "restart")),
        title=rng.choice(("one_line", "one_line", "line_break", "two_paragraphs")),
        extra_paragraph=p(0.3),
        signature=p(0.7),
        framed=p(0.15),
        links=p(0.3),
        content_controls=p(0.2),
    )


def word_figures(rng: random.Random, *, blanks: bool | None = None) -> Figures:
    """Random figures of the 2021 form the template can print; some printed blank (None)
    when `blanks` (None: for 60% of reports)."""
    fig = random_figures(rng, "2021", other_single=False)
    if blanks is None:
        blanks = rng.random() < 0.6
    if blanks:
        fig = with_blanks(fig, rng)
    return fig


def filled_docx(
    figures: Figures, *, rng: random.Random | None = None, style: WordStyle | None = None
) -> bytes:
    """The official template filled with `figures` (2021 form), as `.docx` bytes."""
    if figures.format != "2021" or "result.other" in figures.table3:
        raise ValueError("the 2021 template prints the 2021 form with （六） as three rows")
    rng = rng or random.Random(f"{figures.agency}:{figures.year}")
    style = style or WordStyle()
    document = docx.Document(str(TEMPLATE))
    pr = _Printer(rng, style.noise, "html_table")
    t2, t3, t4 = document.tables
    _fill_table2(t2, figures, pr, style)
    _fill_table3(t3, figures, pr, style)
    _fill_table4(t4, figures, pr, style)
    _write_text(document, figures, rng, style)
    if style.content_controls:
        _wrap_block(t2._tbl)
        for cell in _grid(t4)[-1]:
            for r in cell._tc.iter(qn("w:r")):
                _wrap_inline(r)
    if style.split_table3_after is not None:
        _split_table(t3, style.split_table3_after, style.split_merge)
    if style.framed:
        _frame(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- cells
def _set_text(p: etree._Element, text: str) -> None:
    """A paragraph's text replaced, its paragraph and first run formatting kept."""
    runs = p.findall(qn("w:r"))
    r_pr = None
    if runs and runs[0].find(qn("w:rPr")) is not None:
        r_pr = copy.deepcopy(runs[0].find(qn("w:rPr")))
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    if not text:
        return
    parts = text.split("\n")
    r = etree.SubElement(p, qn("w:r"))
    if r_pr is not None:
        r.append(r_pr)
    for k, part in enumerate(parts):
        if k:
            etree.SubElement(r, qn("w:br"))
        t = etree.SubElement(r, qn("w:t"))
        t.text = part
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _put(cell, text: str | None, style: WordStyle) -> None:
    """A value cell's figure (None: blank, as `style.blank` leaves it)."""
    paragraphs = cell._tc.findall(qn("w:p"))
    if text is None or text == "":
        if style.blank == "keep":
            return
        text = "\u3000\u3000" if style.blank == "ideographic" else ""
    for extra in paragraphs[1:]:
        cell._tc.remove(extra)
    _set_text(paragraphs[0], text)
    if style.extra_paragraph and text.strip():
        cell._tc.append(copy.deepcopy(paragraphs[0]))
        _set_text(cell._tc.findall(qn("w:p"))[-1], "")


def _fill_table2(table: DocxTable, fig: Figures, pr: _Printer, style: WordStyle) -> None:
    labels = {label: item for item, label in T2_ITEM_LABELS["2021"].items()}
    grid = _grid(table)
    done = set()
    for row in grid:
        item = labels.get(row[0].text.strip())
        if item is None:
            continue
        measures = fig.table2[item]
        for k, (m, v) in enumerate(measures.items()):
            if m == "amount_10k_yuan":
                text = pr.money(v, m)
            else:
                text = pr.count(None if v is None else int(v))
            _put(row[1 + k], text, style)
        done.add(item)
    assert done == set(fig.table2), f"table 2 items not in the template: {set(fig.table2) - done}"


def _fill_table3(table: DocxTable, fig: Figures, pr: _Printer, style: WordStyle) -> None:
    labels = {label: code for code, label in T3_LABELS.items()}
    done = set()
    for row in _grid(table):
        code = labels.get(row[_T3_FIRST_VALUE_COLUMN - 1].text.strip())
        if code is None or code not in fig.table3:
            continue
        for k, v in enumerate(fig.table3[code]):
            _put(row[_T3_FIRST_VALUE_COLUMN + k], pr.count(v), style)
        done.add(code)
    assert done == set(fig.table3), f"table 3 rows not in the template: {set(fig.table3) - done}"


def _fill_table4(table: DocxTable, fig: Figures, pr: _Printer, style: WordStyle) -> None:
    last = _grid(table)[-1]
    for k, v in enumerate(fig.table4):
        _put(last[k], pr.count(v), style)


def _grid(table: DocxTable) -> list:
    """The table's cells by grid position, rows of python-docx `_Cell`s (a merged cell at
    every position it covers). (`Table.cell` recomputes this at every call.)"""
    cells = table._cells
    width = len(table.columns)
    return [cells[k : k + width] for k in range(0, len(cells), width)]


def _split_table(table: DocxTable, after: int, merge: str) -> None:
    """Rows after index `after` moved to a second table behind a page-break paragraph."""
    tbl = table._tbl
    rows = tbl.findall(qn("w:tr"))
    second = etree.Element(qn("w:tbl"))
    for keep in (qn("w:tblPr"), qn("w:tblGrid")):
        el = tbl.find(keep)
        if el is not None:
            second.append(copy.deepcopy(el))
    for tr in rows[after + 1 :]:
        second.append(tr)  # (moved)
    if merge == "restart":
        for tc in rows[after + 1].findall(qn("w:tc")):
            vm = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if vm is not None and vm.get(qn("w:val")) != "restart":
                vm.set(qn("w:val"), "restart")
    brk = etree.Element(qn("w:p"))
    r = etree.SubElement(brk, qn("w:r"))
    etree.SubElement(r, qn("w:br")).set(qn("w:type"), "page")
    tbl.addnext(brk)
    brk.addnext(second)


def _sdt(alias: str) -> tuple[etree._Element, etree._Element]:
    """A content control (`w:sdt`) and its content element."""
    sdt = etree.Element(qn("w:sdt"))
    pr = etree.SubElement(sdt, qn("w:sdtPr"))
    etree.SubElement(pr, qn("w:alias")).set(qn("w:val"), alias)
    etree.SubElement(pr, qn("w:tag")).set(qn("w:val"), alias)
    return sdt, etree.SubElement(sdt, qn("w:sdtContent"))


def _wrap_block(el: etree._Element) -> None:
    sdt, content = _sdt("表格")
    el.addprevious(sdt)
    content.append(el)  # (moved)


def _wrap_inline(run: etree._Element) -> None:
    sdt, content = _sdt("数值")
    run.addprevious(sdt)
    content.append(run)  # (moved)


def _frame(document) -> None:
    """Every block of the body moved into the one cell of a borderless layout table."""
    body = document.element.body
    blocks = [el for el in body if el.tag != qn("w:sectPr")]
    frame = document.add_table(rows=1, cols=1)._tbl
    cell = frame.find(f"{qn('w:tr')}/{qn('w:tc')}")
    for el in cell.findall(qn("w:p")):
        cell.remove(el)
    for el in blocks:
        cell.append(el)  # (moved)
    if cell[-1].tag != qn("w:p"):
        cell.append(etree.Element(qn("w:p")))  # a cell ends with a paragraph
    body.insert(0, frame)
    body.insert(1, etree.Element(qn("w:p")))  # (and a table is followed by one)


# ---------------------------------------------------------------- text
def _write_text(document, fig: Figures, rng: random.Random, style: WordStyle) -> None:
    paragraphs = document.paragraphs
    title_p = next(p for p in paragraphs if p.text == "政府信息公开工作年度报告格式模板")
    placeholders = [p for p in paragraphs if p.text.startswith("（文字描述")]
    narrative = _narrative(fig, rng, untitled=False)
    y, a = fig.year, fig.agency
    title = rng.choice((f"{a}{y}年政府信息公开工作年度报告", f"{a}{y}年度政府信息公开工作年度报告"))
    if style.title == "line_break":
        _set_text(title_p._p, f"{a}\n{y}年度政府信息公开工作年度报告")
    elif style.title == "two_paragraphs":
        _set_text(title_p._p, a)
        _after(title_p._p, [f"{y}年度政府信息公开工作年度报告"])
    else:
        _set_text(title_p._p, title)
    # the preamble right before 一、总体情况 (after the blank paragraph under the title)
    heading = next(p for p in paragraphs if p.text == "一、总体情况")
    prev = heading._p.getprevious()
    _after(prev, narrative["preamble"])
    _fill_placeholder(placeholders[0]._p, narrative["overview"])
    if style.links:
        _link_sentence(document, placeholders[0]._p)
    _fill_placeholder(placeholders[1]._p, narrative["problems"])
    _fill_placeholder(placeholders[2]._p, narrative["other"])
    if style.signature:
        last = document.paragraphs[-1]._p
        sig = [a, f"{y + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
        _after(last, sig)


LINK_SENTENCE = (
    "政府信息公开指南详见本机关门户网站",
    "http://www.example.gov.cn/zwgk/",
    "，政策文件同步发布于",
    "中国政府网",
    "。",
)


def _link_sentence(document, after: etree._Element) -> None:
    """A paragraph holding a hyperlink (`w:hyperlink`) and a complex HYPERLINK field, as
    Word writes them: the reader must print their text, never the field's code."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    lead, url, middle, site, tail = LINK_SENTENCE
    p = copy.deepcopy(after)
    _set_text(p, lead)
    r_id = document.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = etree.SubElement(p, qn("w:hyperlink"))
    link.set(qn("r:id"), r_id)
    _run(link, url)
    _run(p, middle)
    _run(p, None, fld="begin")
    _run(p, ' HYPERLINK "http://www.gov.cn/" ', instr=True)
    _run(p, None, fld="separate")
    _run(p, site)
    _run(p, None, fld="end")
    _run(p, tail)
    after.addnext(p)


def _run(parent: etree._Element, text: str | None, *, fld: str = "", instr: bool = False) -> None:
    r = etree.SubElement(parent, qn("w:r"))
    if fld:
        etree.SubElement(r, qn("w:fldChar")).set(qn("w:fldCharType"), fld)
        return
    t = etree.SubElement(r, qn("w:instrText" if instr else "w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _fill_placeholder(p: etree._Element, texts: list[str]) -> None:
    _set_text(p, texts[0])
    _after(p, texts[1:])


def _after(p: etree._Element, texts: list[str]) -> None:
    """Paragraphs formatted like `p` inserted after it, in order."""
    anchor = p
    for text in texts:
        new = copy.deepcopy(p)
        _set_text(new, text)
        anchor.addnext(new)
        anchor = new


# ---------------------------------------------------------------- committed .doc fixtures
FIXTURES = paths.FIXTURES / "word"
#: Word 97-2003 fixtures: name (without extension) → (seed, figures with blanks, style).
#: Each is filled_docx(word_figures(Random(seed), blanks=…), rng=that Random, style=…),
#: saved as `<name>.docx` and converted by LibreOffice to `<name>.doc` (or `.wps`).
DOC_FIXTURES: dict[str, tuple[int, bool, WordStyle]] = {
    "split_table_links": (
        101,
        True,
        WordStyle(split_table3_after=14, title="line_break", links=True),
    ),
    "printed_noise": (
        102,
        True,
        WordStyle(
            blank="ideographic",
            noise=Noise(fullwidth=True, units=True, thousands=True, odd_spaces=True),
            split_table3_after=9,
            split_merge="restart",
            extra_paragraph=True,
        ),
    ),
    "framed_nested": (103, False, WordStyle(blank="clear", framed=True, signature=False)),
    "wps_copy": (104, True, WordStyle(title="two_paragraphs")),
}
#: The one fixture saved as `.wps` (WPS Office's .wps is the Word 97-2003 binary format).
WPS_FIXTURE = "wps_copy"


def fixture_report(name: str) -> tuple[Figures, WordStyle, bytes]:
    """A fixture's figures, style and `.docx` bytes (the bytes differ run to run only in
    the ZIP's time stamps)."""
    seed, blanks, style = DOC_FIXTURES[name]
    rng = random.Random(seed)
    fig = word_figures(rng, blanks=blanks)
    return fig, style, filled_docx(fig, rng=rng, style=style)


_ENCRYPT_WITH_UNO = r"""
import subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
def pv(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p
src, dst, password, profile = sys.argv[1:5]
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore",
    "-env:UserInstallation=" + profile, "--accept=socket,host=127.0.0.1,port=2099;urp;"])
ctx = uno.getComponentContext()
resolver = ctx.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", ctx)
for _ in range(120):
    try:
        remote = resolver.resolve("uno:socket,host=127.0.0.1,port=2099;urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.5)
desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (pv("Hidden", True),))
doc.storeToURL(uno.systemPathToFileUrl(dst), (pv("FilterName", "MS Word 97"), pv("Password", password)))
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
office.wait(timeout=60)
"""


def make_fixtures() -> None:
    """Write tests/fixtures/word/ (needs LibreOffice: `soffice`, and python3-uno for the
    encrypted file). See tests/fixtures/word/README.md."""
    import dataclasses
    import json
    import shutil
    import subprocess
    import tempfile

    FIXTURES.mkdir(parents=True, exist_ok=True)
    expected: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        profile = (tmp / "profile").as_uri()
        sources = []
        for name in DOC_FIXTURES:
            fig, style, data = fixture_report(name)
            (FIXTURES / f"{name}.docx").write_bytes(data)
            shutil.copy(FIXTURES / f"{name}.docx", tmp / f"{name}.docx")
            sources.append(str(tmp / f"{name}.docx"))
            ext = "wps" if name == WPS_FIXTURE else "doc"
            expected[f"{name}.{ext}"] = {
                "source": f"{name}.docx",
                "seed": DOC_FIXTURES[name][0],
                "style": dataclasses.asdict(style),
                "figures": dataclasses.asdict(fig),
            }
        convert = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
        subprocess.run(
            [*convert, "--convert-to", "doc:MS Word 97", "--outdir", str(tmp), *sources],
            check=True,
        )
        for name in DOC_FIXTURES:
            ext = "wps" if name == WPS_FIXTURE else "doc"
            shutil.copy(tmp / f"{name}.doc", FIXTURES / f"{name}.{ext}")
        # an encrypted .doc (RC4 CryptoAPI, password "secret") of a one-paragraph document
        tiny = docx.Document()
        tiny.add_paragraph("某县人民政府2023年政府信息公开工作年度报告（加密）")
        tiny.save(str(tmp / "encrypted.docx"))
        subprocess.run(
            ["/usr/bin/python3", "-c", _ENCRYPT_WITH_UNO, str(tmp / "encrypted.docx"),
             str(FIXTURES / "encrypted.doc"), "secret", profile],
            check=True,
        )  # fmt: skip
        # an Excel 97-2003 workbook: another OLE2 file type
        (tmp / "workbook.csv").write_text("item,count\nlicense,12\npenalty,3\n")
        subprocess.run(
            [*convert, "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp),
             str(tmp / "workbook.csv")],
            check=True,
        )  # fmt: skip
        shutil.copy(tmp / "workbook.xls", FIXTURES / "workbook.xls")
    (FIXTURES / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    make_fixtures()
