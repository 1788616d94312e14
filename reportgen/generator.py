"""Generated annual reports: known figures re-rendered in every layout and encoding.

A pure module (no file system; it reads the forms' row order from parsers.forms and uses
parsers.runsplit to check splits; its only side effect is registering a codec error
handler for cp936's 0x80 = €): `Figures` hold what one report prints
(agency, year, form version, the three statutory tables); `random_figures` makes
non-zero figures that satisfy the form's identities; `break_identities` makes some that
do not (they must still come back exactly as printed); `figures_from_expected` turns the
hand-read figures of a real report (tests/expected/*.json) into `Figures`.

`render(figures, layout, rng, noise)` writes a whole report as text: a title (or none,
with the body named only in a signature), the six sections with narrative, and the three
tables in one of the layouts real reports arrive in:

    tab_rows             one row per line, cells separated by tabs (Word/PDF copy, seeds 002/004)
    cell_per_line_tab    one cell per line, tab-indented, blank line between rows (seed 000)
    cell_per_line_pipe   one cell per line ending in " |", "|||" spacers (HTML flattened, seed 001)
    cell_per_line_blank  one cell per line, blank line between cells (web copy, seed 003)
    html_table           <table> with rowspan/colspan, optionally inside a web page with debris
    html_in_js_string    the same markup inside a JS string literal with \\" escapes
    markdown_pipe        Markdown pipe tables
    pdf_text             space-separated numbers after labels, wrapped labels, page markers
    run_together         every cell glued together on one line (crawler dump)

One renderer per layout is in RENDERERS. Noise (`Noise`): full-width digits, header cells
split over two lines, NBSP/ideographic spaces, 0件, thousands separators, a page marker
inside table 3, web debris, no title, CRLF, wrapped labels, colspan padding, trailing tabs;
blank cells (None) only in BLANK_LAYOUTS. `run_together` is only given figures whose every
row splits one way (`run_together_unique`); `ambiguous_run_together_figures` are the others.

`encode(text, encoding)` gives the bytes a scraper would have saved: UTF-8 with or without
BOM, GB18030, UTF-16 with BOM (LE or BE), or mojibake: UTF-8 read once as GBK and saved
again as UTF-8 ("mojibake": Python's GBK codec, every run of text whose damage round-trips;
"mojibake-cp936": as Windows does it, user-defined GBK pairs read as private-use
characters, every run). `make_case` ties it together: one reproducible report from a seed.
"""

from __future__ import annotations

import codecs
import random
import re
from dataclasses import dataclass, field, replace

from parsers.forms import FORMS
from parsers.model import APPLICANT_TYPES, OUTCOMES, PROCEEDINGS
from parsers.runsplit import split_runs

LAYOUTS = (
    "tab_rows",
    "cell_per_line_tab",
    "cell_per_line_pipe",
    "cell_per_line_blank",
    "html_table",
    "html_in_js_string",
    "markdown_pipe",
    "pdf_text",
    "run_together",
)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-be", "mojibake", "mojibake-cp936")
# Layouts that can print a blank cell (null, not 0) so that it reads back as blank.
BLANK_LAYOUTS = frozenset(
    {"tab_rows", "cell_per_line_pipe", "html_table", "html_in_js_string", "markdown_pipe"}
)
# How a signature names the body (an organ, not a bare place name).
ORGAN_NAME = re.compile(r"(办事处|政府|办公室|办公厅|委员会|管委会|局|厅|委|街道|镇|乡|中心)$")
HTML_LAYOUTS = frozenset({"html_table", "html_in_js_string"})

T3_WIDTH = len(APPLICANT_TYPES)
T4_WIDTH = len(PROCEEDINGS) * len(OUTCOMES)

AGENCIES = (
    "樟树市鹿江街道办事处",
    "福州市鼓楼区安泰街道办事处",
    "洛龙区学府街道办事处",
    "九江市柴桑区人民政府办公室",
    "新密市新华路办事处",
    "上海市人民政府办公厅",
    "淮安市洪泽区人民政府",
    "沭阳县发展和改革局",
    "平潭综合实验区管委会",
    "宁波市海曙区市场监督管理局",
    "成都市武侯区人民政府",
    "桂林市临桂区教育局",
    "兰州市城关区卫生健康委员会",
    "合肥市蜀山区南七街道办事处",
    "江门市新会区司前镇人民政府",
)


# ====================================================================== figures
@dataclass
class Figures:
    """What one report prints. `None` is a cell printed blank (null, not 0)."""

    agency: str
    year: int
    format: str  # "2021" or "2019"
    table2: dict[str, dict[str, float | None]]  # item → measure → value (money as the contract)
    table3: dict[str, list[int | None]]  # category code → 7 values, in the form's order
    table4: list[int | None]  # 15 values: review, litigation_direct, litigation_after_review
    origin: str = "random"
    broken: list[str] = field(default_factory=list)  # identities deliberately broken

    def has_blanks(self) -> bool:
        return (
            any(v is None for vals in self.table3.values() for v in vals)
            or any(v is None for v in self.table4)
            or any(v is None for ms in self.table2.values() for v in ms.values())
        )

    def without_blanks(self) -> Figures:
        """The same figures with every blank printed as 0 (for layouts that cannot print blanks)."""
        return replace(
            self,
            table2={
                i: {m: 0.0 if v is None else v for m, v in ms.items()}
                for i, ms in self.table2.items()
            },
            table3={c: [0 if v is None else v for v in vals] for c, vals in self.table3.items()},
            table4=[0 if v is None else v for v in self.table4],
        )

    def copy(self) -> Figures:
        return replace(
            self,
            table2={i: dict(ms) for i, ms in self.table2.items()},
            table3={c: list(v) for c, v in self.table3.items()},
            table4=list(self.table4),
            broken=list(self.broken),
        )


def form_codes(fmt: str, other_single: bool = False) -> list[str]:
    """Table 3 category codes in print order (2021 may print a single （六）其他处理 row)."""
    codes = []
    for row in FORMS[fmt].table3:
        if fmt == "2021" and row.code == "result.other" and not other_single:
            continue
        if fmt == "2021" and row.code.startswith("result.other.") and other_single:
            continue
        codes.append(row.code)
    return codes


def t2_measures(fmt: str) -> dict[str, tuple[str, ...]]:
    return {row.code: row.measures for row in FORMS[fmt].table2}


def _small(rng: random.Random, p_nonzero: float, hi: int) -> int:
    return rng.randint(1, hi) if rng.random() < p_nonzero else 0


def random_figures(
    rng: random.Random,
    fmt: str,
    *,
    small: bool = False,
    agency: str | None = None,
    year: int | None = None,
    other_single: bool | None = None,
) -> Figures:
    """Random non-zero figures that satisfy every identity of the form.

    `small` keeps every cell, the 总计 column included, to one digit (what a run-together
    dump can still be split by).
    """
    agency = agency or rng.choice(AGENCIES)
    if year is None:
        year = rng.choice((2019, 2020)) if fmt == "2019" else rng.randint(2021, 2025)
    if other_single is None:
        other_single = fmt == "2021" and rng.random() < 0.15
    codes = form_codes(fmt, other_single)
    for _ in range(1000):
        t3 = _random_table3(rng, codes, small)
        if any(v for vals in t3.values() for v in vals) and (
            not small or all(vals[-1] <= 9 for vals in t3.values())
        ):
            break
    else:  # pragma: no cover
        raise RuntimeError("no small table 3 found")
    t4: list[int | None] = []
    for _ in PROCEEDINGS:
        parts = [_small(rng, 0.4, 2 if small else 12) for _ in range(4)]
        t4.extend(parts + [sum(parts)])
    t2: dict[str, dict[str, float | None]] = {}
    for item, measures in t2_measures(fmt).items():
        t2[item] = {m: float(_t2_value(rng, m, small and len(measures) > 1)) for m in measures}
    return Figures(agency, year, fmt, t2, t3, t4)


def _random_table3(
    rng: random.Random, codes: list[str], small: bool
) -> dict[str, list[int | None]]:
    results = [c for c in codes if c.startswith("result.") and c != "result.total"]
    t3: dict[str, list[int | None]] = {c: [0] * T3_WIDTH for c in codes}
    scale = 3 if small else rng.choice((9, 9, 30, 200, 3000))
    for col in range(T3_WIDTH - 1):
        busy = 0.8 if col == 0 else (0.3 if col == 1 else 0.1)
        if small:
            busy /= 3
        hi = max(1, scale if col == 0 else scale // 5)
        for code in results:
            t3[code][col] = _small(rng, busy * 0.6, hi)
        total = sum(t3[code][col] for code in results)
        forward = _small(rng, busy * 0.4, max(1, hi // 2))
        carried = rng.randint(0, total + forward) if rng.random() < busy * 0.5 else 0
        t3["result.total"][col] = total
        t3["carried_forward"][col] = forward
        t3["received.carried_over"][col] = carried
        t3["received.new"][col] = total + forward - carried
    for code in codes:
        t3[code][T3_WIDTH - 1] = sum(t3[code][: T3_WIDTH - 1])
    return t3


def _t2_value(rng: random.Random, measure: str, one_digit: bool) -> float:
    if measure == "change":
        hi = 9 if one_digit else 40
        return rng.choice((0, 0, rng.randint(1, hi), -rng.randint(1, hi)))
    if measure == "amount_10k_yuan":
        return rng.choice((0, round(rng.uniform(0.01, 9999), 2), rng.randint(1, 500)))
    if measure == "amount_yuan":
        return rng.choice((0, rng.randint(1, 900) * 100, round(rng.uniform(1, 10**7), 2)))
    if one_digit:
        return _small(rng, 0.6, 9)
    return rng.choice((0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 3000)))


def break_identities(fig: Figures, rng: random.Random, k: int | None = None) -> Figures:
    """Figures that break `k` of the form's identities, as real reports sometimes do."""
    fig = fig.copy()
    k = k or rng.randint(1, 3)
    for _ in range(k):
        kind = rng.choice(("row_total", "result_total", "balance", "review_total"))
        if kind == "row_total":
            code = rng.choice(list(fig.table3))
            fig.table3[code][-1] = (fig.table3[code][-1] or 0) + rng.randint(1, 5)
        elif kind == "result_total":
            col = rng.randrange(T3_WIDTH - 1)
            fig.table3["result.total"][col] = (fig.table3["result.total"][col] or 0) + 1
        elif kind == "balance":
            col = rng.randrange(T3_WIDTH)
            fig.table3["received.new"][col] = (fig.table3["received.new"][col] or 0) + 2
        else:
            i = rng.choice((4, 9, 14))
            fig.table4[i] = (fig.table4[i] or 0) + rng.randint(1, 3)
        fig.broken.append(kind)
    return fig


def with_blanks(fig: Figures, rng: random.Random, share: float = 0.3) -> Figures:
    """Some zero cells printed blank instead (they must read back as null). Every row keeps
    at least one printed value."""
    fig = fig.copy()
    for vals in fig.table3.values():
        _blank_some(vals, rng, share)
    _blank_some(fig.table4, rng, share)
    for ms in fig.table2.values():
        if len(ms) > 1:
            vals = list(ms.values())
            _blank_some(vals, rng, share)
            for m, v in zip(list(ms), vals, strict=True):
                ms[m] = v
    return fig


def _blank_some(vals: list, rng: random.Random, share: float) -> None:
    zeros = [i for i, v in enumerate(vals) if v == 0]
    rng.shuffle(zeros)
    for i in zeros:
        if sum(1 for v in vals if v is not None) <= 1:
            break
        if rng.random() < share:
            vals[i] = None


def figures_from_expected(exp: dict) -> Figures | None:
    """The hand-read figures of a real report, where every cell is known (cells the text
    leaves ambiguous are taken from the report's archived web page when the reading names it)."""
    fmt = exp.get("format_version")
    if fmt not in FORMS or not exp.get("agency") or not exp.get("year"):
        return None
    t2 = {i: dict(ms) for i, ms in exp["active_disclosure"].items()}
    for u in exp.get("unreadable", []):
        if u.get("table") != "active_disclosure":
            return None
        known = u.get("archive_page_html") or u.get("most_likely")
        if not known:
            return None
        t2.setdefault(u["item"], {}).update(dict(zip(u["measures"], known, strict=True)))
    table2: dict[str, dict[str, float | None]] = {}
    for item, measures in t2_measures(fmt).items():
        if item not in t2 or any(m not in t2[item] for m in measures):
            return None
        table2[item] = {m: None if t2[item][m] is None else float(t2[item][m]) for m in measures}
    apps = exp["applications"]
    other_single = "result.other" in apps
    codes = form_codes(fmt, other_single and fmt == "2021")
    if any(c not in apps for c in codes):
        return None
    t4 = [v for p in PROCEEDINGS for v in exp["review_litigation"][p]]
    return Figures(
        exp["agency"],
        int(exp["year"]),
        fmt,
        table2,
        {c: list(apps[c]) for c in codes},
        t4,
        origin=exp.get("file", "expected"),
    )


# ====================================================================== noise
@dataclass(frozen=True)
class Noise:
    fullwidth: bool = False  # digits printed ０-９
    split_headers: bool = False  # header cells broken over two lines (商业\n企业)
    odd_spaces: bool = False  # NBSP / ideographic spaces in labels and around values
    units: bool = False  # counts printed like 0件
    thousands: bool = False  # 1,234
    page_break: bool = False  # a page marker (and blank lines) inside table 3
    web_debris: bool = False  # 索引号, 发布日期, 字号〖大 中 小〗, nav, scripts, 扫一扫…
    untitled: bool = False  # no title: the body is named in the signature only
    crlf: bool = False  # Windows line ends
    wrapped_labels: bool = False  # long labels wrapped around their numbers (PDF text)
    gaps: bool = False  # run-together: a few cells still separated by a space
    signature: bool = True  # a signature block at the end
    one_line_html: bool = False  # HTML markup without line breaks
    colspan_cells: bool = False  # tab rows / Markdown: a colspan printed as empty cells too
    trailing_tab: bool = False  # tab rows end in a tab (seed 002)

    def tags(self) -> str:
        on = [k for k, v in self.__dict__.items() if v is True and k != "signature"]
        return ",".join(on) or "plain"


def random_noise(rng: random.Random, layout: str) -> Noise:
    def p(x: float) -> bool:
        return rng.random() < x

    noise = Noise(
        fullwidth=p(0.25),
        split_headers=p(0.5),
        odd_spaces=p(0.3),
        units=p(0.2),
        thousands=p(0.3),
        page_break=p(0.5),
        web_debris=p(0.5),
        untitled=p(0.2),
        crlf=p(0.15),
        wrapped_labels=p(0.6),
        gaps=p(0.4),
        signature=p(0.6),
        one_line_html=p(0.4),
        colspan_cells=p(0.5),
        trailing_tab=p(0.4),
    )
    return effective_noise(noise, layout)


def effective_noise(noise: Noise, layout: str) -> Noise:
    """`noise` without the options `layout` has no way to print (so that a case's label
    names only what is really in its text)."""
    text_layout = layout not in HTML_LAYOUTS and layout != "run_together"
    glued = layout == "run_together"
    return replace(
        noise,
        # run-together digits: a unit, a separator or a space would be a cell boundary
        split_headers=noise.split_headers and not glued,
        odd_spaces=noise.odd_spaces and not glued,
        units=noise.units and not glued,
        thousands=noise.thousands and not glued,
        page_break=noise.page_break and text_layout,
        wrapped_labels=noise.wrapped_labels and layout == "pdf_text",
        gaps=noise.gaps and glued,
        one_line_html=noise.one_line_html and layout == "html_table",
        colspan_cells=noise.colspan_cells and layout in ("tab_rows", "markdown_pipe"),
        trailing_tab=noise.trailing_tab and layout == "tab_rows",
    )


# ====================================================================== the document model
@dataclass
class C:
    """One printed cell of a table grid."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # label | header | value | note
    parts: tuple[str, ...] | None = None  # a header cell printed over two lines
    money: bool = False  # a money amount (may carry decimals and a unit)


@dataclass
class Table:
    rows: list[list[C]]
    width: int
    name: str
    page_break_after: int | None = None  # row index after which a page ends (table 3)


@dataclass
class Doc:
    blocks: list  # str (a paragraph/heading) or Table
    title: str | None
    debris_top: list[str]
    debris_bottom: list[str]
    signature: list[str]


_FULLWIDTH = str.maketrans("0123456789,.-+", "０１２３４５６７８９，．－＋")
_ODD_SPACES = ("\u00a0", "\u3000", "\u2002")


class _Printer:
    """Prints values consistently for one report (noise decided per cell)."""

    def __init__(self, rng: random.Random, noise: Noise, layout: str):
        self.rng, self.noise, self.layout = rng, noise, layout

    def digits(self, s: str) -> str:
        return s.translate(_FULLWIDTH) if self.noise.fullwidth else s

    def pad(self, s: str) -> str:
        if self.noise.odd_spaces and self.rng.random() < 0.2 and self.layout != "pdf_text":
            sp = self.rng.choice(_ODD_SPACES)
            return sp + s if self.rng.random() < 0.5 else s + sp
        return s

    def count(self, v: int | None) -> str:
        if v is None:
            return ""
        s = str(v)
        if self.noise.thousands and abs(v) >= 1000 and self.rng.random() < 0.7:
            s = f"{v:,}"
        if self.noise.units and self.rng.random() < 0.4:
            s += "件"
        return self.pad(self.digits(s))

    def change(self, v: float | None) -> str:
        if v is None:
            return ""
        n = int(v)
        if self.layout == "run_together":
            return str(n)
        if n > 0:
            s = self.rng.choice((str(n), f"+{n}", f"增加{n}"))
        elif n < 0:
            s = self.rng.choice((str(n), f"减少{-n}"))
        else:
            s = "0"
        if self.layout == "pdf_text" and s.startswith(("增", "减")):
            s = str(n)
        return self.pad(self.digits(s))

    def money(self, v: float | None, measure: str) -> str:
        if v is None:
            return ""
        if measure == "amount_10k_yuan":
            s = _num(v)
            if self.layout != "run_together" and self.rng.random() < 0.2:
                s += "万元"
            return self.pad(self.digits(s))
        # amount_yuan: printed in 元, or in 万元 when that is exact
        if v and v == int(v) and int(v) % 100 == 0 and self.rng.random() < 0.4:
            s = _num(int(v) / 10000) + "万元"
        else:
            s = _num(v) + self.rng.choice(("元", "元", ""))
        return self.pad(self.digits(s))


def _num(v: float) -> str:
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.6f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- labels
T3_LABELS = {
    "received.new": "一、本年新收政府信息公开申请数量",
    "received.carried_over": "二、上年结转政府信息公开申请数量",
    "result.granted": "（一）予以公开",
    "result.partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "result.denied.state_secret": "1.属于国家秘密",
    "result.denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "result.denied.security_stability": "3.危及“三安全一稳定”",
    "result.denied.third_party_rights": "4.保护第三方合法权益",
    "result.denied.internal_affairs": "5.属于三类内部事务信息",
    "result.denied.process_information": "6.属于四类过程性信息",
    "result.denied.enforcement_case_file": "7.属于行政执法案卷",
    "result.denied.administrative_query": "8.属于行政查询事项",
    "result.unable.not_held": "1.本机关不掌握相关政府信息",
    "result.unable.needs_creation": "2.没有现成信息需要另行制作",
    "result.unable.unclear_after_correction": "3.补正后申请内容仍不明确",
    "result.not_processed.petition_complaint": "1.信访举报投诉类申请",
    "result.not_processed.duplicate_request": "2.重复申请",
    "result.not_processed.publication_request": "3.要求提供公开出版物",
    "result.not_processed.excessive_requests": "4.无正当理由大量反复申请",
    "result.not_processed.confirmation_request": "5.要求行政机关确认或重新出具已获取信息",
    "result.other.overdue_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "result.other.overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "result.other.other": "3.其他",
    "result.other": "（六）其他处理",
    "result.total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
T3_TOP = "三、本年度办理结果"
T3_GROUPS = {
    "result.denied.": "（三）不予公开",
    "result.unable.": "（四）无法提供",
    "result.not_processed.": "（五）不予处理",
    "result.other.": "（六）其他处理",
}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_ORGS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
T3_SPLITS = {"商业企业": ("商业", "企业"), "科研机构": ("科研", "机构")}

T2_ITEM_LABELS = {
    "2021": {
        "regulation": "规章",
        "normative_document": "行政规范性文件",
        "administrative_license": "行政许可",
        "administrative_penalty": "行政处罚",
        "administrative_coercion": "行政强制",
        "administrative_fee": "行政事业性收费",
    },
    "2019": {
        "regulation": "规章",
        "normative_document": "规范性文件",
        "administrative_license": "行政许可",
        "other_management_service": "其他对外管理服务事项",
        "administrative_penalty": "行政处罚",
        "administrative_coercion": "行政强制",
        "administrative_fee": "行政事业性收费",
        "centralized_procurement": "政府集中采购",
    },
}
# blocks of table 2: (article clause, column headers, items)
T2_BLOCKS = {
    "2021": [
        (
            "（一）",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            ("regulation", "normative_document"),
        ),
        ("（五）", ("本年处理决定数量",), ("administrative_license",)),
        ("（六）", ("本年处理决定数量",), ("administrative_penalty", "administrative_coercion")),
        ("（八）", ("本年收费金额（单位：万元）",), ("administrative_fee",)),
    ],
    "2019": [
        (
            "（一）",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            ("regulation", "normative_document"),
        ),
        (
            "（五）",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            ("administrative_license", "other_management_service"),
        ),
        (
            "（六）",
            ("上一年项目数量", "本年增/减", "处理决定数量"),
            ("administrative_penalty", "administrative_coercion"),
        ),
        ("（八）", ("上一年项目数量", "本年增/减"), ("administrative_fee",)),
        ("（九）", ("采购项目数量", "采购总金额"), ("centralized_procurement",)),
    ],
}
T4_HEAD_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _t3_path(code: str) -> tuple[str | None, str | None]:
    """(top label, group label) a table-3 row sits under."""
    if code.startswith("received.") or code == "carried_forward":
        return None, None
    for prefix, group in T3_GROUPS.items():
        if code.startswith(prefix):
            return T3_TOP, group
    return T3_TOP, None


def _split(text: str, rng: random.Random) -> tuple[str, str]:
    if text in T3_SPLITS:
        return T3_SPLITS[text]
    k = max(1, len(text) // 2 + rng.choice((-1, 0, 0, 1)))
    k = min(k, len(text) - 1)
    return text[:k], text[k:]


def _label(text: str, pr: _Printer) -> str:
    """A label with the odd spacing real reports carry (1. 属于…, （一） 予以公开)."""
    if pr.noise.odd_spaces and pr.rng.random() < 0.3:
        m = re.match(r"^(\d\.|（[一二三四五六七]）|[一二三四]、)", text)
        if m:
            return text[: m.end()] + pr.rng.choice(_ODD_SPACES + (" ",)) + text[m.end() :]
    return text


def build_table2(fig: Figures, pr: _Printer) -> Table:
    rows: list[list[C]] = []
    width = 4
    measures = t2_measures(fig.format)
    for clause, heads, items in T2_BLOCKS[fig.format]:
        sep = " " if pr.rng.random() < 0.15 else ""
        rows.append([C(f"第二十条{sep}第{clause}项", colspan=width, kind="header")])
        head_row = [C("信息内容", kind="header")]
        spans = _spans(len(heads), width - 1)
        for h, span in zip(heads, spans, strict=True):
            head_row.append(C(h, colspan=span, kind="header"))
        rows.append(head_row)
        for item in items:
            row = [C(_label(T2_ITEM_LABELS[fig.format][item], pr))]
            for m, span in zip(measures[item], spans, strict=True):
                v = fig.table2[item][m]
                if m == "change":
                    text = pr.change(v)
                elif m in ("amount_10k_yuan", "amount_yuan"):
                    text = pr.money(v, m)
                else:
                    text = pr.count(None if v is None else int(v))
                money = m in ("amount_10k_yuan", "amount_yuan")
                row.append(C(text, colspan=span, kind="value", money=money))
            rows.append(row)
    return Table(rows, width, "table2")


def _spans(n: int, width: int) -> list[int]:
    if n == width:
        return [1] * n
    if n == 1:
        return [width]
    return [1] * (n - 1) + [width - (n - 1)]


def build_table3(fig: Figures, pr: _Printer) -> Table:
    width = 3 + T3_WIDTH
    split = pr.noise.split_headers
    orgs = [
        C(o, kind="header", parts=_split(o, pr.rng) if split and pr.rng.random() < 0.7 else None)
        for o in T3_ORGS
    ]
    rows: list[list[C]] = [
        [C(T3_NOTE, rowspan=3, colspan=3, kind="note"), C("申请人情况", colspan=7, kind="header")],
        [
            C("自然人", rowspan=2, kind="header"),
            C("法人或其他组织", colspan=5, kind="header"),
            C("总计", rowspan=2, kind="header"),
        ],
        orgs,
    ]
    codes = list(fig.table3)
    top_count = sum(1 for c in codes if _t3_path(c)[0])
    group_count: dict[str, int] = {}
    for c in codes:
        g = _t3_path(c)[1]
        if g:
            group_count[g] = group_count.get(g, 0) + 1
    seen_top = False
    seen_groups: set[str] = set()
    for code in codes:
        top, group = _t3_path(code)
        row: list[C] = []
        if top is None:
            row.append(C(_label(T3_LABELS[code], pr), colspan=3))
        else:
            if not seen_top:
                row.append(C(top, rowspan=top_count))
                seen_top = True
            if group is None:
                row.append(C(_label(T3_LABELS[code], pr), colspan=2))
            else:
                if group not in seen_groups:
                    row.append(C(group, rowspan=group_count[group]))
                    seen_groups.add(group)
                row.append(C(_label(T3_LABELS[code], pr)))
        for v in fig.table3[code]:
            row.append(C(pr.count(v), kind="value"))
        rows.append(row)
    brk = None
    if pr.noise.page_break:
        brk = pr.rng.randint(5, len(rows) - 3)
    return Table(rows, width, "table3", page_break_after=brk)


def build_table4(fig: Figures, pr: _Printer) -> Table:
    split = pr.noise.split_headers

    def head(text: str, **kw) -> C:
        parts = (text[:2], text[2:]) if split and len(text) == 4 and pr.rng.random() < 0.7 else None
        return C(text, kind="header", parts=parts, **kw)

    rows = [
        [C("行政复议", colspan=5, kind="header"), C("行政诉讼", colspan=10, kind="header")],
        [head(t, rowspan=2) for t in T4_HEAD_OUTCOMES]
        + [
            C("未经复议直接起诉", colspan=5, kind="header"),
            C("复议后起诉", colspan=5, kind="header"),
        ],
        [head(t) for t in T4_HEAD_OUTCOMES * 2],
        [C(pr.count(v), kind="value") for v in fig.table4],
    ]
    return Table(rows, 15, "table4")


# ---------------------------------------------------------------- narrative
def _narrative(fig: Figures, rng: random.Random, untitled: bool) -> dict[str, list[str]]:
    y, a = fig.year, fig.agency
    new_total = fig.table3["received.new"][-1] or 0
    overview = [
        rng.choice(
            (
                f"{y}年，{a}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作，"
                "不断提升政务公开质量和实效。",
                f"{y}年，在上级部门的坚强领导下，{a}严格对照年度政务公开工作要点，完善政务公开工作机制，"
                "以公开促落实、促规范、促服务。",
            )
        ),
        "（一）主动公开",
        f"{y}年度，我单位通过门户网站、政务新媒体等渠道主动公开政府信息{rng.randint(20, 900)}条，"
        f"其中政策文件{rng.randint(1, 60)}件，政策解读{rng.randint(1, 40)}条。",
        "（二）依申请公开",
        f"{y}年度共收到政府信息公开申请{new_total}件，均在法定期限内予以答复。",
        "（三）政府信息管理",
        "严格落实信息发布“三审”制度，按照谁审查、谁负责的要求，确保公开信息全面、准确、及时。",
        "（四）平台建设",
        "持续推进政府网站集约化建设，及时更新政府信息公开指南和公开目录。",
        "（五）监督保障",
        f"将政务公开工作纳入{y}年度绩效考核，定期开展检查，及时通报整改。",
    ]
    problems = [
        "（一）存在的问题",
        "一是公开内容的深度和广度有待加强；二是政策解读形式较为单一，解读质量有待提高。",
        "（二）改进措施",
        "一是加强业务培训，提升工作人员能力；二是丰富解读形式，提高政策知晓度。",
    ]
    other = [rng.choice((f"本机关{y}年度未收取信息处理费。", f"{y}年度无其他需要报告的事项。"))]
    preamble = []
    if not untitled or rng.random() < 0.5:
        preamble.append(
            "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
            f"要求编制。本报告所列数据的统计期限自{y}年1月1日至{y}年12月31日止。"
        )
    return {"preamble": preamble, "overview": overview, "problems": problems, "other": other}


HEADINGS = {
    "overview": ("一、总体情况",),
    "t2": ("二、主动公开政府信息情况", "二、行政机关主动公开政府信息情况"),
    "t3": ("三、收到和处理政府信息公开申请情况", "三、收到和处理政府信息公开申报情况"),
    "t4": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
    "problems": ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    "other": ("六、其他需要报告的事项",),
}


def build_doc(fig: Figures, rng: random.Random, noise: Noise, layout: str) -> Doc:
    pr = _Printer(rng, noise, layout)
    narrative = _narrative(fig, rng, noise.untitled)
    title = None
    if not noise.untitled:
        y = pr.digits(str(fig.year)) if rng.random() < 0.3 else str(fig.year)
        title = rng.choice(
            (
                f"{fig.agency}{y}年政府信息公开工作年度报告",
                f"{fig.agency}{y}年度政府信息公开工作年度报告",
                f"{fig.agency} {y} 年政府信息公开工作年度报告",
                f"{y}年{fig.agency}政府信息公开工作年度报告",
            )
        )
    blocks: list = []
    blocks += narrative["preamble"]
    blocks.append(rng.choice(HEADINGS["overview"]))
    blocks += narrative["overview"]
    blocks.append(rng.choice(HEADINGS["t2"]))
    blocks.append(build_table2(fig, pr))
    blocks.append(rng.choice(HEADINGS["t3"]))
    blocks.append(build_table3(fig, pr))
    blocks.append(rng.choice(HEADINGS["t4"]))
    blocks.append(build_table4(fig, pr))
    blocks.append(rng.choice(HEADINGS["problems"]))
    blocks += narrative["problems"]
    blocks.append(HEADINGS["other"][0])
    blocks += narrative["other"]
    signature = []
    if noise.untitled or noise.signature:
        signature = [fig.agency, f"{fig.year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"]
    top, bottom = [], []
    if noise.web_debris:
        top = [
            "首页 > 政务公开 > 政府信息公开年报",
            f"索引号：{rng.randint(10**8, 10**9 - 1):09d}/{fig.year + 1}-{rng.randint(1, 99999):05d}",
            f"发布日期：{fig.year + 1}-01-{rng.randint(10, 31)} {rng.randint(8, 18)}:{rng.randint(10, 59)}",
            "字号：〖大 中 小〗",
        ]
        bottom = ["扫一扫在手机上查看当前页面", "【打印本页】【关闭窗口】"]
    return Doc(blocks, title, top, bottom, signature)


# ====================================================================== layouts
def render(fig: Figures, layout: str, rng: random.Random, noise: Noise) -> str:
    """The whole report as text in `layout`."""
    noise = effective_noise(noise, layout)
    if layout not in BLANK_LAYOUTS and fig.has_blanks():
        raise ValueError(f"{layout} cannot print blank cells; use figures.without_blanks()")
    doc = build_doc(fig, rng, noise, layout)
    if layout in HTML_LAYOUTS:
        text = _render_html(doc, rng, noise, js=layout == "html_in_js_string")
    elif layout == "run_together":
        text = _render_run_together(doc, rng, noise)
    else:
        lines: list[str] = []
        lines += doc.debris_top
        if doc.title:
            lines += _title_lines(doc.title, rng, layout)
        for block in doc.blocks:
            if isinstance(block, Table):
                lines += TEXT_TABLES[layout](block, rng, noise)
            else:
                lines.append(block)
                if layout in ("cell_per_line_blank", "cell_per_line_tab") or rng.random() < 0.3:
                    lines.append("")
        lines += doc.signature + doc.debris_bottom
        text = "\n".join(lines) + "\n"
    if noise.crlf:
        text = text.replace("\n", "\r\n")
    return text


def _renderer(layout: str):
    def render_layout(fig: Figures, rng: random.Random, noise: Noise) -> str:
        return render(fig, layout, rng, noise)

    render_layout.__name__ = f"render_{layout}"
    return render_layout


# One renderer per layout: RENDERERS["pdf_text"](figures, rng, noise) → the report's text.
RENDERERS = {layout: _renderer(layout) for layout in LAYOUTS}


def _title_lines(title: str, rng: random.Random, layout: str) -> list[str]:
    if rng.random() < 0.2 and title.endswith("年度报告"):
        return [title[:-4], "年度报告", ""]  # a title split over two lines (seed 000)
    return [title, ""]


def _matrix(table: Table) -> list[list[tuple[C | None, int, int]]]:
    """The grid with spans expanded: (cell, rows below its origin, columns right of its
    origin) per position; (None, 0, 0) where nothing is printed."""
    height = len(table.rows)
    grid: list[list[tuple[C | None, int, int] | None]] = [
        [None] * table.width for _ in range(height)
    ]
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while c < table.width and grid[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if r + dr < height and c + dc < table.width:
                        grid[r + dr][c + dc] = (cell, dr, dc)
            c += cell.colspan
    return [[g if g is not None else (None, 0, 0) for g in row] for row in grid]


def _page_marker(rng: random.Random) -> list[str]:
    n = rng.randint(2, 9)
    return [
        "",
        rng.choice((f"- {n} -", f"— {n} —", f"第 {n} 页 共 {n + 3} 页", f"{n} / {n + 3}")),
        "",
    ]


# ---------------------------------------------------------------- tab rows
def _tab_rows(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    """Seeds 002/004: a row per line; cells under a rowspan print empty, cells under a
    colspan print empty or not at all; split header cells continue on the next line."""
    out: list[str] = []
    expand_colspan = noise.colspan_cells
    trailing_tab = noise.trailing_tab
    for r, row in enumerate(_matrix(table)):
        cells: list[str] = []
        second: list[str] = []
        for cell, dr, dc in row:
            if cell is not None and dr == 0 and dc > 0 and not expand_colspan:
                continue
            if cell is None or dr or dc:
                cells.append("")
                second.append("")
            elif cell.parts:
                cells.append(cell.parts[0])
                second.append(cell.parts[1])
            else:
                cells.append(cell.text)
                second.append("")
        out.append("\t".join(cells) + ("\t" if trailing_tab else ""))
        if any(second):
            out.append("\t".join(second))
        if table.page_break_after == r:
            out += _page_marker(rng)
    out.append("")
    return out


# ---------------------------------------------------------------- one cell per line
def _cell_per_line_tab(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    """Seed 000: a cell per tab-indented line (an empty one under a rowspan), a blank line
    after each row; a split header cell continues on an unindented line."""
    out: list[str] = []
    for r, row in enumerate(_matrix(table)):
        for cell, dr, dc in row:
            if cell is not None and dr == 0 and dc > 0:
                continue
            if cell is None or dr or dc:
                out.append("\t")
            elif cell.parts:
                out += ["\t" + cell.parts[0], cell.parts[1]]
            else:
                out.append("\t" + cell.text)
        out.append("")
        if table.page_break_after == r:
            out += _page_marker(rng)
    out.append("")
    return out


def _cell_per_line_pipe(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    out: list[str] = []
    for r, row in enumerate(_matrix(table)):
        spare = 0
        for cell, dr, dc in row:
            if cell is None or dr or dc:
                spare += 1
                continue
            if cell.kind == "value" and cell.text == "":
                out.append(" |")  # a blank value cell, flattened
                continue
            if cell.parts:
                sep = rng.choice((" ", "\n"))
                out.append(f"{cell.parts[0]}{sep}{cell.parts[1]} |")
            else:
                out.append(f"{cell.text} |")
        if spare:
            out.append("|" * spare)
        if table.page_break_after == r:
            out += _page_marker(rng)
    return out


def _cell_per_line_blank(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    out: list[str] = [""]
    for r, row in enumerate(_matrix(table)):
        for cell, dr, dc in row:
            if cell is None or dr or dc:
                continue
            if cell.parts:
                out += [cell.parts[0], "", cell.parts[1], ""]
            else:
                out += [cell.text, ""]
        if table.page_break_after == r:
            out += _page_marker(rng)
    return out


# ---------------------------------------------------------------- Markdown
def _markdown(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    out: list[str] = [""]
    matrix = _matrix(table)
    repeat_groups = rng.random() < 0.3  # OCR tools often repeat a spanning label
    for r, row in enumerate(matrix):
        cells, second = [], []
        for cell, dr, dc in row:
            if cell is not None and dr == 0 and dc > 0 and not noise.colspan_cells:
                continue
            if cell is None:
                text, low = "", ""
            elif not dr and not dc:
                text, low = cell.parts if cell.parts else (cell.text, "")
            elif cell.kind == "label" and dr and not dc and repeat_groups:
                text, low = cell.text, ""
            else:
                text, low = "", ""
            cells.append(text)
            second.append(low)
        out.append("| " + " | ".join(cells) + " |")
        if any(second):
            out.append("| " + " | ".join(second) + " |")
        if r == 0:
            out.append("|" + "---|" * len(cells))
        if table.page_break_after == r:
            out += _page_marker(rng)
            out.append("|" + "---|" * len(cells))
    out.append("")
    return out


# ---------------------------------------------------------------- PDF text
def _pdf_text(table: Table, rng: random.Random, noise: Noise) -> list[str]:
    out: list[str] = []
    sp = (" ", " ", "  ", "   ")
    if table.name == "table3":
        out += _pdf_t3_header(rng, noise)
        body = table.rows[3:]
        offset = 3
    elif table.name == "table4":
        out += [
            "行政复议 行政诉讼",
            "未经复议直接起诉 复议后起诉",
        ]
        if noise.split_headers:
            out += [
                " ".join(["结果", "结果", "其他", "尚未", "总计"] * 3),
                " ".join(["维持", "纠正", "结果", "审结", ""] * 3).replace("  ", " ").strip(),
            ]
        else:
            out.append(" ".join(T4_HEAD_OUTCOMES * 3))
        out.append(rng.choice(sp).join(c.text for c in table.rows[3]))
        return out
    else:
        body = table.rows
        offset = 0
    for k, row in enumerate(body):
        labels = [c.text for c in row if c.kind != "value"]
        values = [c.text for c in row if c.kind == "value"]
        if not values:
            out.append(" ".join(labels))
            continue
        # group labels (三、本年度办理结果, （三）不予公开) on their own line, or dropped
        leaf = labels[-1] if labels else ""
        for g in labels[:-1]:
            if rng.random() < 0.6:
                out.append(g)
        nums = rng.choice(sp).join(values)
        if noise.wrapped_labels and len(leaf) > 14 and rng.random() < 0.7:
            a, b = leaf[: len(leaf) // 2], leaf[len(leaf) // 2 :]
            if rng.random() < 0.5:
                out += [a, nums, b]
            else:
                out += [f"{a} {nums}", b]
        else:
            out.append(f"{leaf} {nums}")
        if table.page_break_after == k + offset:
            out += _page_marker(rng)
    return out


def _pdf_t3_header(rng: random.Random, noise: Noise) -> list[str]:
    if noise.split_headers:
        return [
            "申请人情况",
            "法人或其他组织",
            "（本列数据的勾稽关系为：第一项加第二项之和，等",
            "于第三项加第四项之和）",
            "自然人 社会 法律 总计",
            "商业 科研",
            "公益 服务 其他",
            "企业 机构",
            "组织 机构",
        ]
    return [
        T3_NOTE,
        "申请人情况",
        "自然人 法人或其他组织 总计",
        "商业企业 科研机构 社会公益组织 法律服务机构 其他",
    ]


TEXT_TABLES = {
    "tab_rows": _tab_rows,
    "cell_per_line_tab": _cell_per_line_tab,
    "cell_per_line_pipe": _cell_per_line_pipe,
    "cell_per_line_blank": _cell_per_line_blank,
    "markdown_pipe": _markdown,
    "pdf_text": _pdf_text,
}


# ---------------------------------------------------------------- HTML
_JS_DEBRIS = (
    '<script type="text/javascript">var _hmt = _hmt || []; (function(){var hm = '
    'document.createElement("script"); hm.src = "https://hm.example.cn/hm.js?1";})();</script>'
)


def _html_table(table: Table, rng: random.Random, noise: Noise, nl: str) -> str:
    out = [f'<table border="1" cellspacing="0" style="border-collapse:collapse">{nl}<tbody>{nl}']
    wrap_p = rng.random() < 0.5
    for row in table.rows:
        out.append("<tr>")
        for cell in row:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            if cell.kind == "value":
                attrs += ' align="center"'
            if cell.parts:
                inner = rng.choice(("<br/>", "<br>", "\n")).join(cell.parts)
            elif cell.kind == "value" and cell.text == "":
                inner = rng.choice(("&nbsp;", "", "<br/>", "\u00a0"))
            else:
                inner = cell.text.replace("&", "&amp;")
            if wrap_p and inner:
                inner = f'<p style="text-indent: 0em;">{inner}</p>'
            out.append(f"{nl}<td{attrs}>{inner}</td>")
        out.append(f"{nl}</tr>{nl}")
    out.append(f"</tbody>{nl}</table>")
    return "".join(out)


def _render_html(doc: Doc, rng: random.Random, noise: Noise, js: bool) -> str:
    nl = "" if (js or noise.one_line_html) else "\n"
    body: list[str] = []
    if doc.title:
        tag = rng.choice(("h1", "p", "div"))
        body.append(f'<{tag} class="title" style="text-align:center">{doc.title}</{tag}>')
    for block in doc.blocks:
        if isinstance(block, Table):
            body.append(_html_table(block, rng, noise, nl))
        else:
            body.append(f'<p style="text-indent: 2em;">{block}</p>')
    for line in doc.signature:
        body.append(f'<p style="text-align: right;">{line}</p>')
    content = nl.join(body)
    if js:
        escaped = content.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return (
            "//字典项\n"
            'let secondMenu = [{\n\t"id": "1",\n\t"name": "政策文件"\n}, {\n\t"id": "4",\n'
            '\t"name": "政府信息公开年报"\n}]\n\n'
            f'let content = "{escaped}"\n\n'
            "function render() {\n\tdocument.getElementById('content').innerHTML = content;\n}\n"
        )
    if not noise.web_debris and rng.random() < 0.3:
        return content + "\n"  # a bare fragment: the article's markup only
    head = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{doc.title or '政府信息公开年报'}</title>\n"
        "<style>.title{font-size:22px}</style>\n</head>\n<body>\n"
    )
    parts = [head]
    if noise.web_debris:
        parts.append(_JS_DEBRIS + "\n")
        parts.append(
            '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            "<span>政府信息公开年报</span></div>\n"
        )
        parts.append('<div class="meta">\n')
        for line in doc.debris_top[1:]:
            if line.startswith("字号"):
                line = "字号：〖<a>大</a> <a>中</a> <a>小</a>〗"
            parts.append(f"<span>{line}</span>\n")
        parts.append("</div>\n")
    parts.append(f'<div class="article">{nl}{content}{nl}</div>\n')
    if noise.web_debris:
        parts.append('<div class="share"><span>扫一扫在手机上查看当前页面</span></div>\n')
        parts.append(
            '<div class="foot"><a href="javascript:window.print()">【打印本页】</a>'
            '<a href="javascript:window.close()">【关闭窗口】</a></div>\n'
        )
        parts.append("<script>function share(){return false;}</script>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


# ---------------------------------------------------------------- run together
def _render_run_together(doc: Doc, rng: random.Random, noise: Noise) -> str:
    pieces: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            pieces.append(_run_table(block, rng, noise))
        else:
            pieces.append(block)
    lines = list(doc.debris_top)
    if doc.title:
        lines.append(rng.choice(("标题: ", "")) + doc.title)
        lines.append("==================== 正文 =============")
    lines.append("".join(pieces))
    lines += doc.signature + doc.debris_bottom
    return "\n".join(lines) + "\n"


def _run_table(table: Table, rng: random.Random, noise: Noise) -> str:
    """Cells glued together. A money cell is kept apart from the count before it by a
    space (glued, 采购项目数量 and 采购总金额 cannot be told apart: see `run_splits`)."""
    out: list[str] = []
    prev_value = False
    for row in table.rows:
        for cell in row:
            if cell.kind == "value":
                if prev_value and (cell.money or (noise.gaps and rng.random() < 0.15)):
                    out.append(" ")
                out.append(cell.text)
                prev_value = True
            else:
                out.append(cell.text)
                prev_value = False
    return "".join(out)


# ====================================================================== splitting checks
def run_splits(fig: Figures) -> dict[str, int]:
    """How many ways each run-together row of `fig` can be split (gaps not counted):
    table-3 rows under their row total, table 4 under its group totals, table 2 rows
    (no identity; a signed change may be negative). 1 everywhere = uniquely readable."""
    out: dict[str, int] = {}
    for code, vals in fig.table3.items():
        out[f"t3:{code}"] = len(split_runs(["".join(str(v) for v in vals)], T3_WIDTH, [T3_WIDTH]))
    out["t4"] = len(split_runs(["".join(str(v) for v in fig.table4)], T4_WIDTH, [5, 5, 5]))
    measures = t2_measures(fig.format)
    for item, ms in measures.items():
        if len(ms) < 2:
            continue
        # a money cell is printed apart (see _run_table): only the counts before it are glued
        ms = tuple(m for m in ms if m not in ("amount_10k_yuan", "amount_yuan"))
        vals = [fig.table2[item][m] for m in ms]
        if len(ms) < 2:
            continue
        tokens = signed_tokens([int(v) for v in vals])
        fits = [
            f
            for f in split_runs(tokens, len(ms))
            if all(v >= 0 or m == "change" for v, m in zip(f, ms, strict=True))
        ]
        out[f"t2:{item}"] = len({tuple(f) for f in fits})
    return out


def signed_tokens(vals: list[int]) -> list[str]:
    tokens: list[str] = []
    for v in vals:
        if v < 0 or not tokens:
            tokens.append(str(v))
        else:
            tokens[-1] += str(v)
    return tokens


def run_together_unique(fig: Figures) -> bool:
    return all(n == 1 for n in run_splits(fig).values())


def random_run_together_figures(rng: random.Random, fmt: str, tries: int = 50) -> Figures:
    """Small random figures whose every run-together row splits one way only."""
    for _ in range(tries):
        fig = random_figures(rng, fmt, small=True)
        if run_together_unique(fig):
            return fig
    raise RuntimeError("no uniquely splittable figures found")


def ambiguous_run_together_figures(rng: random.Random, fmt: str, tries: int = 50) -> Figures:
    """Figures (identities kept) whose run-together digits split more than one way: small
    figures with the 自然人 column and table 4's review group multiplied up to two digits,
    and one table-2 row of two-digit counts (a table with no identity to split it by)."""
    for _ in range(tries):
        fig = random_figures(rng, fmt, small=True)
        k = rng.randint(5, 13)
        for vals in fig.table3.values():
            vals[0] = (vals[0] or 0) * k
            vals[-1] = sum(v or 0 for v in vals[:-1])
        fig.table4[:4] = [(v or 0) * rng.choice((1, k)) for v in fig.table4[:4]]
        fig.table4[4] = sum(fig.table4[:4])
        rows = [i for i, ms in t2_measures(fmt).items() if len(ms) == 3]
        item = rng.choice(rows)
        for m in fig.table2[item]:
            fig.table2[item][m] = float(rng.randint(10, 99) if m != "change" else rng.randint(0, 9))
        if not run_together_unique(fig):
            fig.origin = "ambiguous"
            return fig
    raise RuntimeError("no ambiguous figures found")  # pragma: no cover


# ====================================================================== encodings
def _euro(err: UnicodeError) -> tuple[bytes | str, int]:
    """cp936 reads byte 0x80 as € (Python's GBK codec has no mapping for it)."""
    if isinstance(err, UnicodeEncodeError) and set(err.object[err.start : err.end]) == {"€"}:
        return b"\x80" * (err.end - err.start), err.end
    if isinstance(err, UnicodeDecodeError) and err.object[err.start] == 0x80:
        return "€", err.start + 1
    raise err


codecs.register_error("tests_generator_cp936_euro", _euro)


def mojibake_run(s: str, codec: str = "gbk") -> str | None:
    """`s` as UTF-8 bytes read once as GBK, if that can be undone exactly.

    codec "gbk": Python's GBK codec (no mapping for the user-defined areas) with cp936's
    single byte 0x80 = €; codec "cp936": what Windows does, the user-defined areas read as
    private-use characters (U+E000…), as GB18030 maps them."""
    data = s.encode("utf-8")
    try:
        if codec == "gbk":
            broken = data.decode("gbk", errors="tests_generator_cp936_euro")
            back = broken.encode("gbk", errors="tests_generator_cp936_euro")
        else:
            broken = data.decode("gb18030", errors="tests_generator_cp936_euro")
            back = b"".join(b"\x80" if ch == "€" else ch.encode("gb18030") for ch in broken)
        back_text = back.decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    return broken if back_text == s else None


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Appended to a run of text whose damage would not round-trip on its own (an odd number of
# bytes, or a pair GBK has no character for): normalised away as a space by any reader.
_PADS = ("\u3000", "\u00a0", "\u3000\u3000", "\u3000\u00a0", "\u00a0\u00a0")


def prepare_mojibake(text: str, codec: str = "gbk") -> tuple[str, str, int, int]:
    """(text as the repair should give it back, the damaged text, runs damaged, runs left).

    Every run of non-ASCII text is damaged where that round-trips, after adding an
    ideographic space or NBSP at its end if that is what it takes (an odd byte count);
    a run that cannot round-trip whatever the padding is left undamaged."""
    clean: list[str] = []
    damaged: list[str] = []
    counts = [0, 0]
    pos = 0
    for m in _NON_ASCII.finditer(text):
        clean.append(text[pos : m.start()])
        damaged.append(text[pos : m.start()])
        run = m.group(0)
        for pad in ("",) + _PADS:
            broken = mojibake_run(run + pad, codec)
            if broken is not None:
                clean.append(run + pad)
                damaged.append(broken)
                counts[0] += 1
                break
        else:
            clean.append(run)
            damaged.append(run)
            counts[1] += 1
        pos = m.end()
    clean.append(text[pos:])
    damaged.append(text[pos:])
    return "".join(clean), "".join(damaged), counts[0], counts[1]


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "gb18030":
        return text.encode("gb18030")
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding in ("mojibake", "mojibake-cp936"):
        codec = "gbk" if encoding == "mojibake" else "cp936"
        return prepare_mojibake(text, codec)[1].encode("utf-8")
    raise ValueError(encoding)


# ====================================================================== one generated case
@dataclass
class Case:
    seed: int
    layout: str
    encoding: str
    noise: Noise
    figures: Figures
    text: str  # the decoded text the parser should see
    data: bytes

    @property
    def label(self) -> str:
        return (
            f"seed={self.seed} layout={self.layout} encoding={self.encoding} "
            f"format={self.figures.format} origin={self.figures.origin} "
            f"noise={self.noise.tags()} blanks={self.figures.has_blanks()} "
            f"broken={','.join(self.figures.broken) or '-'}"
        )


def make_case(
    seed: int,
    layout: str,
    encoding: str,
    known: list[Figures] | tuple[Figures, ...] = (),
    *,
    noise: Noise | None = None,
    figures: Figures | None = None,
) -> Case:
    """A reproducible generated report: the same arguments give the same bytes."""
    rng = random.Random(f"{seed}:{layout}:{encoding}")
    fmt = rng.choice(("2021", "2021", "2019"))
    if figures is not None:
        fig = figures.copy()
    elif layout == "run_together":
        usable = [k.without_blanks() for k in known]
        usable = [k for k in usable if run_together_unique(k)]
        if usable and rng.random() < 0.3:
            fig = rng.choice(usable).copy()
        else:
            fig = random_run_together_figures(rng, fmt)
    elif known and rng.random() < 0.35:
        fig = rng.choice(list(known)).copy()
        if rng.random() < 0.3:
            fig.agency = rng.choice(AGENCIES)
    else:
        fig = random_figures(rng, fmt)
        if rng.random() < 0.2:
            fig = break_identities(fig, rng)
        if layout in BLANK_LAYOUTS and rng.random() < 0.5:
            fig = with_blanks(fig, rng)
    if layout not in BLANK_LAYOUTS and fig.has_blanks():
        fig = fig.without_blanks()
    noise = random_noise(rng, layout) if noise is None else effective_noise(noise, layout)
    if noise.untitled and not ORGAN_NAME.search(fig.agency):
        # a signature names an organ (…办事处, …人民政府, …局); a place name alone is no signature
        noise = replace(noise, untitled=False)
    text = render(fig, layout, rng, noise)
    if encoding.startswith("mojibake"):
        # the text the repair must give back: with the padding the damage needed
        text = prepare_mojibake(text, "gbk" if encoding == "mojibake" else "cp936")[0]
    data = encode(text, encoding)
    return Case(seed, layout, encoding, noise, fig, text.replace("\r\n", "\n"), data)


# ====================================================================== crawler losses
#: The layouts a crawler dump of one cell per line comes from.
CELL_PER_LINE_LAYOUTS = ("cell_per_line_tab", "cell_per_line_pipe", "cell_per_line_blank")
_HEADER_WORDS = frozenset(
    {"自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计"}
)
_LINE_CORE = re.compile(r"^(?P<lead>\s*)(?P<core>.*?)(?P<tail>\s*\|?\s*)$")


def crawler_losses(text: str, rng: random.Random, *, merged: bool, broken: bool) -> str:
    """What a crawler makes of a report printed one cell per line (`CELL_PER_LINE_LAYOUTS`).

    `broken` (the page wrapped cells): some numbers of two or more digits are broken over
    two lines (`1` / `62` for 162), table 3's header labels are printed one character per
    line (`自` / `然` / `人`), and sometimes the title's year is split (`20` / `23` / `年`).
    `merged` (the crawler): empty lines dropped and identical consecutive lines collapsed
    into one (the row 1,0,0,0,0,0,1 becomes `1` / `0` / `1`; fifteen zeros one `0`).
    Each line keeps its layout's decoration (a leading tab, a trailing ` |`)."""
    lines = text.split("\n")
    if broken:
        out: list[str] = []
        year_split = rng.random() < 0.3
        for ln in lines:
            m = _LINE_CORE.match(ln)
            lead, core, tail = m.group("lead"), m.group("core"), m.group("tail")  # type: ignore[union-attr]
            if core.isdigit() and len(core) >= 2 and rng.random() < 0.4:
                cut = rng.randint(1, len(core) - 1)
                out += [lead + core[:cut] + tail, lead + core[cut:] + tail]
            elif core in _HEADER_WORDS and rng.random() < 0.7:
                out += [lead + ch + tail for ch in core]
            elif year_split and "年度报告" in core and re.search(r"20\d\d年", core):
                year_split = False
                at = re.search(r"20\d\d年", core).start()  # type: ignore[union-attr]
                out += [core[:at], core[at : at + 2], core[at + 2 : at + 4], core[at + 4 :]]
            else:
                out.append(ln)
        lines = out
    if merged:
        kept: list[str] = []
        for ln in lines:
            if not ln.strip():
                continue  # (a blank cell's line, ` |`, is a line: it stays, merged or not)
            if kept and kept[-1] == ln:
                continue
            kept.append(ln)
        lines = kept
    return "\n".join(lines)


# ====================================================================== comparing
def printed_cells(fig: Figures) -> dict[tuple, float | int | None]:
    """Every cell `fig` prints, keyed ("t3", category, applicant) / ("t2", item, measure) /
    ("t4", proceeding, outcome), the way `read_cells` keys a parsed report's facts."""
    want: dict[tuple, float | int | None] = {}
    for code, vals in fig.table3.items():
        want |= {("t3", code, col): v for col, v in zip(APPLICANT_TYPES, vals, strict=True)}
    for item, ms in fig.table2.items():
        want |= {("t2", item, m): v for m, v in ms.items()}
    for i, v in enumerate(fig.table4):
        want[("t4", PROCEEDINGS[i // 5], OUTCOMES[i % 5])] = v
    return want


def read_cells(report) -> dict[tuple, object]:
    """A parsed report's facts, keyed as `printed_cells` keys the figures."""
    got = {("t3", f.category, f.applicant_type): f for f in report.applications}
    got |= {("t2", f.item, f.measure): f for f in report.active_disclosure}
    got |= {("t4", f.proceeding, f.outcome): f for f in report.review_litigation}
    return got
