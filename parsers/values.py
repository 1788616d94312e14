"""Reading one printed cell: integers, `0件`, thousands separators, signed changes, blanks
(null, not 0), `/` and `—` (null, with the raw text kept), money with a unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NUMBER = re.compile(
    r"^(?P<sign>[+-]|增加|减少|增|减)?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?\s*"
    r"(?P<unit>件|个|条|项|次|家|万元|元)?$"
)
NULL_MARKS = frozenset({"", "/", "-", "—", "——", "－", "\\", "无"})


@dataclass(frozen=True, slots=True)
class Value:
    number: float | int | None
    raw: str
    unit: str | None = None

    @property
    def is_blank(self) -> bool:
        return self.number is None


# What a value's first printed character can be (a digit, a sign, a null mark), or nothing:
# any other text is a label, without a look at the cache or the full pattern.
MAY_BE_VALUE = re.compile(r"\s*(?:[\d+\-增减/—－\\无]|\Z)")


def parse_value(text: str) -> Value | None:
    """The value of one cell, or None when the cell is not a value at all (a label)."""
    if len(text) > 16 and MAY_BE_VALUE.match(text) is None:
        return None  # a longer label: not worth a slot in the cache
    return cached_parse_value(text)


@lru_cache(maxsize=8192)
def cached_parse_value(text: str) -> Value | None:
    """Cached: the same few cell texts (0, 1, blank …) make up most of every report."""
    raw = text.strip()
    if raw.isdigit() and raw.isascii():
        return Value(int(raw), raw)
    compact = raw.replace(" ", "")
    if compact in NULL_MARKS:
        return Value(None, raw)
    m = _NUMBER.match(compact)
    if not m:
        return None
    digits = m.group("num").replace(",", "")
    frac = m.group("frac")
    number: float | int = float(digits + frac) if frac else int(digits)
    if m.group("sign") in {"-", "减少", "减"}:
        number = -number
    return Value(number, raw, m.group("unit"))


def is_value_text(text: str) -> bool:
    return parse_value(text) is not None
