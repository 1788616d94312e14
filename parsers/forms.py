"""The statutory forms as data: label patterns → canonical codes, one table per format.

Adding a label spelling is a one-line change here: extend the row's regular expression.
Patterns are searched in a row's label with spaces removed, after NFKC normalisation (so
brackets and digits are ASCII). Rows are listed in the order the form prints them; the
reader matches them in that order, which is what tells `3.其他` (6.3) apart from other
rows ending in 其他.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FormRow:
    code: str
    pattern: re.Pattern[str]
    measures: tuple[str, ...] = ()
    optional: bool = False  # printed by some reports only (e.g. a single (六) row in 2021)


def _rows(spec: list[tuple]) -> tuple[FormRow, ...]:
    out = []
    for entry in spec:
        code, pattern, *rest = entry
        measures = rest[0] if rest else ()
        optional = bool(rest[1]) if len(rest) > 1 else False
        out.append(FormRow(code, re.compile(pattern), tuple(measures), optional))
    return tuple(out)


# ---------------------------------------------------------------- table 3 (applications)
_T3_HEAD = [
    ("received.new", r"本年新收|新收政府信息"),
    ("received.carried_over", r"上年结转"),
    ("result.granted", r"予以公开"),
    ("result.partially_granted", r"部分公开"),
    ("result.denied.state_secret", r"国家秘密"),
    ("result.denied.prohibited_by_law", r"禁止公开|行政止公开|法规禁止"),
    ("result.denied.security_stability", r"三安全|一稳定"),
    ("result.denied.third_party_rights", r"第三方"),
    ("result.denied.internal_affairs", r"内部事务"),
    ("result.denied.process_information", r"过程性"),
    ("result.denied.enforcement_case_file", r"执法案卷|执法案件"),
    ("result.denied.administrative_query", r"行政查询|查询事项"),
    ("result.unable.not_held", r"不掌握"),
    ("result.unable.needs_creation", r"另行制作|没有现成"),
    ("result.unable.unclear_after_correction", r"仍不明确|补正后申请"),
    ("result.not_processed.petition_complaint", r"信访|举报投诉"),
    ("result.not_processed.duplicate_request", r"重复申请"),
    ("result.not_processed.publication_request", r"出版物"),
    ("result.not_processed.excessive_requests", r"大量反复|反复申请"),
    ("result.not_processed.confirmation_request", r"确认或重新|重新出具|已获取信息"),
]
_T3_TAIL = [
    ("result.total", r"(^|[)）七])总计$|^\(七\)"),
    ("carried_forward", r"结转下年度|下年度继续"),
]
T3_2021 = _rows(
    _T3_HEAD
    + [
        ("result.other", r"其他处理$", (), True),
        ("result.other.overdue_correction", r"逾期不补正|无正当理由逾期"),
        ("result.other.overdue_fee", r"缴纳费用|收费通知"),
        ("result.other.other", r"(^|[.、)\d])其他$"),
    ]
    + _T3_TAIL
)
T3_2019 = _rows(_T3_HEAD + [("result.other", r"其他处理")] + _T3_TAIL)

# ---------------------------------------------------------------- table 2 (active disclosure)
T2_2021 = _rows(
    [
        ("regulation", r"规章", ("issued", "repealed", "in_force")),
        ("normative_document", r"规范性文件", ("issued", "repealed", "in_force")),
        ("administrative_license", r"行政许可", ("decisions",)),
        ("administrative_penalty", r"行政处罚", ("decisions",)),
        ("administrative_coercion", r"行政强制", ("decisions",)),
        ("administrative_fee", r"事业性收费", ("amount_10k_yuan",)),
    ]
)
T2_2019 = _rows(
    [
        ("regulation", r"规章", ("made", "published", "published_total")),
        ("normative_document", r"规范性文件", ("made", "published", "published_total")),
        ("administrative_license", r"行政许可", ("prior_year_items", "change", "decisions")),
        ("other_management_service", r"其他对外管理", ("prior_year_items", "change", "decisions")),
        ("administrative_penalty", r"行政处罚", ("prior_year_items", "change", "decisions")),
        ("administrative_coercion", r"行政强制", ("prior_year_items", "change", "decisions")),
        ("administrative_fee", r"事业性收费", ("prior_year_items", "change")),
        ("centralized_procurement", r"集中采购", ("projects", "amount_yuan")),
    ]
)
# Money measures and the unit each is stored in (multiplier from 元).
MONEY_MEASURES = {"amount_10k_yuan": 10_000, "amount_yuan": 1}

# ---------------------------------------------------------------- format detection
FORMAT_MARKERS = {
    "2021": re.compile(
        r"本年制发件数|本年废止件数|现行有效件数|逾期不补正|本年处理决定数量|本年收费金额"
    ),
    "2019": re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|本年增/减"),
}


@dataclass(frozen=True, slots=True)
class Form:
    version: str
    table2: tuple[FormRow, ...]
    table3: tuple[FormRow, ...]


FORMS = {"2021": Form("2021", T2_2021, T3_2021), "2019": Form("2019", T2_2019, T3_2019)}

# ---------------------------------------------------------------- where tables sit
TABLE2_START = re.compile(r"第二十条|^信息内容")
TABLE3_START = re.compile(r"本年新收|申请人情况|收到和处理政府信息公开申|勾稽关系")
TABLE4_START = re.compile(r"行政法?复议")
TABLE4_END = re.compile(r"存在的主要问题|其他需要报告|主要问题及改进|^五、")
# Words table 4's header is made of; a row with any other label is not part of table 4.
T4_HEADER_WORDS = re.compile(
    r"政府信息公开|行政法?复议|行政诉讼|未经复议直接起诉|复议后起诉|直接起诉|结果|维持|纠正|其他|尚未|审结|总计|"
    r"[\s()、:,.注\d]|情况|数量|含上年度结转|四"
)
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
T4_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
