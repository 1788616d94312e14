"""The report's outline: where the six sections start, and the figures its narrative states.

Headings are matched loosely (reworded, mistyped, numbered differently); a section that
cannot be found is simply absent. The narrative figures feed the warehouse's check of the
narrative against the tables; they are never used to change a table's numbers.
"""

from __future__ import annotations

import re

SECTION_PATTERNS = {
    "overview": re.compile(r"^[一1][、.．]?\s*总体情况"),
    "proactive": re.compile(r"^[二2][、.．]\s*.{0,8}主动公开"),
    "applications": re.compile(r"^[三3][、.．]\s*.{0,8}收到和处理.{0,12}申[请报]"),
    "review_litigation": re.compile(r"^[四4][、.．]\s*.{0,16}行政(?:法)?复议"),
    "problems": re.compile(r"^[五5][、.．]\s*.{0,16}(?:主要问题|存在.{0,4}问题)"),
    "other": re.compile(r"^[六6][、.．]\s*其他需要报告"),
}
_HEADING_STARTS = frozenset("一二三四五六123456")
_RECEIVED = re.compile(
    r"(?:收到|受理|新收)[^。；;0-9]{0,16}?申请[^0-9。；;]{0,8}?(\d{1,7})\s*(?:件|个|条)"
    r"|(?:收到|受理|新收)[^。；;0-9]{0,6}?(\d{1,7})\s*件[^。；;0-9]{0,8}?申请"
)


def find_sections(lines: list[str]) -> dict[str, int]:
    """Section key → 1-based line of its heading (first match of each, in order)."""
    found: dict[str, int] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or len(text) > 60 or text[0] not in _HEADING_STARTS:
            continue
        for key, pattern in SECTION_PATTERNS.items():
            if key not in found and pattern.search(text):
                found[key] = i + 1
                break
    return found


def narrative_figures(lines: list[str], sections: dict[str, int]) -> dict[str, int]:
    """Numbers the narrative states that a table also holds (only before table 2)."""
    end = sections.get("proactive", min(len(lines), 200))
    text = "".join(lines[: end - 1 if end else len(lines)])
    out: dict[str, int] = {}
    m = _RECEIVED.search(text)
    if m:
        out["received_applications"] = int(m.group(1) or m.group(2))
    return out
