"""Who the report is about and which year it covers: title, metadata block, preamble,
signature; then the longest printed form of that name (樟树市鹿江街道 → 樟树市鹿江街道办事处)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

#: Han characters a name may hold: the basic block and the extension blocks (a county's name
#: may need a rare character: 𬌗, 𠀀), and compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME = rf"[{HAN}()（）]{{2,40}}?"
_REPORT = r"\s*政[府务]信息公开\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
_TITLE_AGENCY_FIRST = re.compile(
    rf"(?P<agency>{_NAME})\s*(?P<year>(?:19|20)\d{{2}})\s*年\s*度?\s*(?:的)?{_REPORT}"
)
_TITLE_YEAR_FIRST = re.compile(
    rf"(?P<year>(?:19|20)\d{{2}})\s*年\s*度?\s*(?P<agency>{_NAME}){_REPORT}"
)
_OVERVIEW = re.compile(r"^[一1][、.]?\s*总体情况")
_MENTIONS_REPORT = re.compile(r"报\s*告|年\s*报")
_LABELLED = re.compile(r"^(?:标题|名称|题名|文章标题|title)\s*[:：]\s*")
_PERIOD = re.compile(r"统计期限自\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})\s*年")
_SIGNATURE_DATE = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_ORGAN = re.compile(
    rf"^[{HAN}]{{2,30}}(?:办事处|人民政府|政府|办公室|办公厅|委员会|管委会|局|厅|委|街道|镇|乡|中心|院|所)$"
)
_CHAIN = re.compile(rf"^(?:[{HAN}]{{1,6}}?(?:省|自治区|市|自治州|州|盟|地区|区|县|自治县|旗))+$")
_ORGAN_SUFFIX = ("办事处", "人民政府", "办公室")
_ORGAN_END = re.compile(r"(办事处|政府|办公室|办公厅|委员会|管委会|局|厅|委|中心|院|所)$")
_LEAD_WORDS = set("年度的在和与及由对向将为是请经从本报告")
_STRIP_PREFIXES = ("关于", "标题", "当前位置")
_LINE_START = re.compile(r"^[\s•·*\-#>]*")
# whitespace next to a digit run (a template like r"\1" costs a Python call per match)
_SPACE_BY_DIGITS = re.compile(r"\s+(?=\d)|(?<=\d)\s+")
MIN_PRINTED = 2  # a longer form of the name must be printed at least this often


def find_title(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    """(agency, year, line index) from the title, a labelled metadata line, or a page heading."""
    end = next((i for i, ln in enumerate(lines[:5000]) if _OVERVIEW.match(ln.strip())), None)
    end = 200 if end is None else max(end + 1, 200)  # the title stands before 一、总体情况

    def all_candidates() -> Iterator[tuple[int, str]]:
        # each printed line of the window (stripped as it is reached), and each with the
        # next one: a title split over two lines; and a title whose year a crawler broke
        # over lines of its own (樟树市… / 20 / 23 / 年政府信息公开工作年度报告)
        last = None
        digits: list[str] = []  # short digit lines since `last`
        for i in range(min(end, len(lines))):
            ln = lines[i].strip()
            if not ln:
                continue
            if last is not None:
                yield last[0], " ".join([last[1], *digits, ln])
            if ln.isdigit() and len(ln) <= 3 and last is not None and len(digits) < 3:
                digits.append(ln)
                continue
            yield i, _LABELLED.sub("", ln)
            last, digits = (i, ln), []

    # made as the first pass reads them (the title is near the top: it rarely reads on)
    candidates = _Replayable((i, t) for i, t in all_candidates() if _MENTIONS_REPORT.search(t))
    for anchored in (True, False):
        for i, text in candidates:
            compact = _SPACE_BY_DIGITS.sub("", text)  # = re.sub(r"\s*(\d+)\s*", r"\1", text)
            if anchored:
                compact = _LINE_START.sub("", compact, count=1)
            for pattern in (_TITLE_YEAR_FIRST, _TITLE_AGENCY_FIRST):
                m = pattern.match(compact) if anchored else pattern.search(compact)
                if m:
                    agency = _clean_agency(m.group("agency"))
                    if agency:
                        return agency, int(m.group("year")), i
    return None, None, None


class _Replayable:
    """An iterable over a generator's items that can be iterated again (items are kept)."""

    def __init__(self, items) -> None:
        self._items = iter(items)
        self._seen: list = []

    def __iter__(self):
        yield from self._seen
        for item in self._items:
            self._seen.append(item)
            yield item


# "××局编制了本单位2023年度…报告" reads like a title to the title patterns: the name ends
# where the sentence turns to 本单位/本机关.
_SELF_REFERENCE = re.compile(r"(?:(?:编制|制作|发布)了?)?本(?:机关|单位|部门)")


#: A title pattern found inside a sentence ("现向社会公布××局2023年度…报告", as a
#: page's text reads once an extractor dropped its title) starts at the sentence: the
#: name starts after the verb that announces the report.
_ANNOUNCING = re.compile(r"^(?:现|特|今|兹|谨)?(?:向社会(?:公众)?)?(?:予以)?(?:公布|发布|印发)了?")


def _clean_agency(name: str) -> str | None:
    name = _SELF_REFERENCE.split(name, maxsplit=1)[0]
    announced = _ANNOUNCING.sub("", name, count=1)
    if len(announced) >= 2:
        name = announced
    for prefix in _STRIP_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    name = name.strip("()（）")
    return name if len(name) >= 2 else None


def find_signature(lines: list[str]) -> tuple[str | None, int | None]:
    """The body's name and the date year in a signature block near the end."""
    tail = [ln.strip() for ln in lines[-40:] if ln.strip()]
    for k in range(len(tail) - 1, 0, -1):
        m = _SIGNATURE_DATE.match(tail[k].replace(" ", ""))
        if m:
            name = tail[k - 1].replace(" ", "")
            if _ORGAN.match(name):
                return name, int(m.group(1))
            return None, int(m.group(1))
    return None, None


def full_name(short: str, text: str, preamble: str = "") -> str:
    """The longest form of `short` the report itself prints: a place prefix and/or an
    organ suffix (办事处, 人民政府 …), taking the form printed most often in the whole
    text (at least twice), or once in the preamble right after the title."""
    if preamble:
        near = full_name(short, preamble + "\n" + preamble)
        if near != short:
            return near
    compact = text.replace(" ", "")
    counts: Counter[str] = Counter()
    allow_suffix = not _ORGAN_END.search(short)
    for prefix, suffix in _printed_forms(short, compact):
        if not allow_suffix:
            suffix = ""
        while prefix and prefix[0] in _LEAD_WORDS:
            prefix = prefix[1:]
        chain = next((prefix[p:] for p in range(len(prefix)) if _CHAIN.match(prefix[p:])), "")
        if chain or suffix:
            counts[chain + short + suffix] += 1
    printed = [kv for kv in counts.items() if kv[1] >= MIN_PRINTED]
    if not printed:
        return short
    return max(printed, key=lambda kv: (kv[1], len(kv[0])))[0]


_HANZI_RUN = re.compile(rf"[{HAN}]{{0,12}}")
_IS_HAN = re.compile(rf"[{HAN}]")


def _printed_forms(short: str, text: str):
    """(prefix, suffix) of each match of `([HAN]{0,12})` + short +
    `(办事处|人民政府|办公室)?` in `text`, exactly as `re.finditer` finds them, without
    compiling a pattern per name (each report names another agency)."""
    if not short:  # never called so; keeps the regex's meaning for the empty name
        pattern = re.compile(rf"([{HAN}]{{0,12}})(" + "|".join(_ORGAN_SUFFIX) + ")?")
        yield from ((m.group(1), m.group(2) or "") for m in pattern.finditer(text))
        return
    n = len(short)
    pos = 0
    while (first := text.find(short, pos)) >= 0:
        # the leftmost start: back over at most 12 hanzi (not before the last match's end)
        start = first
        lowest = max(pos, first - 12)
        while start > lowest and _IS_HAN.match(text, start - 1):
            start -= 1
        # greedy prefix: the last occurrence of the name within the hanzi run from start
        run_end = _HANZI_RUN.match(text, start).end()  # type: ignore[union-attr]  # text[start] is a hanzi
        at = text.rfind(short, start, run_end + n)
        end = at + n
        suffix = next((s for s in _ORGAN_SUFFIX if text.startswith(s, end)), "")
        yield text[start:at], suffix
        pos = end + len(suffix)


# A report that names itself only in a sentence: 本报告由××局编制, ××局（以下简称本机关）…,
# ××局编制了本单位…年度报告. The name must end like an organ (局, 办事处, 人民政府 …).
_SENTENCE_AGENCY = (
    re.compile(rf"本(?:年度)?报告由(?P<agency>{_NAME})(?:根据|依据|按照|结合|负责|编制|制作|汇总)"),
    re.compile(rf"(?P<agency>{_NAME})[(（]以下简称[“\"']?本(?:机关|单位|部门)"),
    re.compile(rf"(?P<agency>{_NAME})(?:编制|制作|发布)了?本(?:机关|单位|部门)"),
)
_SENTENCE_LEAD = re.compile(r"^(?:现将|根据|依据|按照|经|由|在|为|是)")


def find_in_sentences(lines: list[str]) -> str | None:
    """The agency a sentence names as the report's author (see `_SENTENCE_AGENCY`)."""
    text = "".join(ln.strip() for ln in lines[:5000]).replace(" ", "")
    for pattern in _SENTENCE_AGENCY:
        for m in pattern.finditer(text):
            name = _SENTENCE_LEAD.sub("", _clean_agency(m.group("agency")) or "")
            if len(name) >= 3 and _ORGAN_END.search(name):
                return name
    return None


def find_year(lines: list[str]) -> int | None:
    text = "\n".join(lines[:400])
    m = _PERIOD.search(text.replace(" ", ""))
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in _YEAR_MENTION.findall(text) if 2000 <= int(y) <= 2100)
    if years:
        return years.most_common(1)[0][0]
    return None


def find_metadata(lines: list[str]) -> tuple[str | None, int | None, list[str]]:
    """(agency, year, notes) for a report's normalised lines."""
    notes: list[str] = []
    agency, year, title_at = find_title(lines)
    sig_name, sig_year = find_signature(lines)
    if agency is None and sig_name:
        agency = sig_name
        notes.append("agency taken from the signature (no title)")
    if agency is None:
        agency = find_in_sentences(lines)
        if agency:
            notes.append("agency taken from a sentence naming the report's author (no title)")
    if agency:
        preamble = "\n".join(lines[title_at : title_at + 12]) if title_at is not None else ""
        agency = full_name(agency, "\n".join(lines), preamble)
    if year is None:
        year = find_year(lines)
        if year is None and sig_year:
            year = sig_year - 1
            notes.append("year taken as the signature date's year minus one")
        elif year is not None:
            notes.append("year taken from the text (no title)")
    return agency, year, notes
