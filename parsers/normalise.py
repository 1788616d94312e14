"""Canonical characters, line by line, so line numbers stay those of the decoded text.

Full-width digits, letters and brackets become ASCII (NFKC); NBSP, ideographic and other
odd spaces become plain spaces; HTML entities are unescaped; zero-width characters and
Markdown emphasis/heading markers are removed. Tabs are kept: they separate cells.
"""

from __future__ import annotations

import html
import re
import unicodedata

# The spaces other than " " that the text may hold (a character class's body).
_ODD_SPACES = "\u00a0\u3000\u2000-\u200a\u202f\u205f"
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
# Characters whose compatibility decomposition is one ASCII character (full-width forms,
# odd spaces): NFKC of a text is the same after replacing each by that character, since
# NFKC = canonical composition of NFKD and NFKD gives the same sequence either way. A
# Chinese report holds hundreds of them (，；（）０-９), and full NFKC of a report costs ~5×
# a replacement of the few distinct ones plus a check that nothing else needs NFKC.
_TO_ASCII = {
    ch: folded
    for ch in [
        *map(chr, range(0xFF01, 0xFF5F)),
        *filter(_ODD_SPACE.fullmatch, map(chr, range(0xA0, 0x3001))),
    ]
    if (folded := unicodedata.normalize("NFKD", ch)).isascii()
    and len(folded) == 1
    and unicodedata.normalize("NFKC", ch) == folded
}
_HAS_TO_ASCII = re.compile("[" + "".join(_TO_ASCII) + "]")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, faster on Chinese text (same result)."""
    if unicodedata.is_normalized("NFKC", text):  # a quick check: stops at the first ，
        return text
    for ch in set(_HAS_TO_ASCII.findall(text)):
        text = text.replace(ch, _TO_ASCII[ch])
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS), None)
# str.translate walks every character; most texts hold no zero-width character at all
_HAS_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_SPACE_CLASS = f"[ {_ODD_SPACES}]"
_SPACES = re.compile(f"{_SPACE_CLASS}+")
# The runs `_SPACES.sub(" ", …)` changes (not a lone plain space): the same result, but
# without replacing every single space between words by itself.
_SPACES_TO_FIX = re.compile(f"{_SPACE_CLASS}*[{_ODD_SPACES}]{_SPACE_CLASS}*|[ ]{{2,}}")


def normalise_line(line: str) -> str:
    if "&" in line:
        line = _ENTITY.sub(lambda m: html.unescape(m.group(0)), line)
    if _HAS_ZERO_WIDTH.search(line):
        line = line.translate(_ZERO_WIDTH)
    line = nfkc(line)
    line = _HEADING.sub("", line)
    if "*" in line or "__" in line:
        line = _EMPHASIS.sub("", line)
    line = _SPACES.sub(" ", line)
    return line.rstrip(" \r")


_PLAIN_SPACES = re.compile("[ ]{2,}")
_HEADING_M = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_TRAILING_M = re.compile(r"[ \r]+$", re.MULTILINE)


def normalise_text(text: str) -> list[str]:
    """Normalised lines; index i holds line i+1 of the decoded text.

    The same as `normalise_line` on every line, done on the whole text at once (no
    normalisation step creates or removes a line break)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if _HAS_ZERO_WIDTH.search(text):
        text = text.translate(_ZERO_WIDTH)
    text = nfkc(text)
    text = _HEADING_M.sub("", text)
    if "*" in text or "__" in text:
        text = _EMPHASIS.sub("", text)
    if _ODD_SPACE.search(text):  # (NFKC made every odd space a plain one: kept for safety)
        text = _SPACES_TO_FIX.sub(" ", text)
    elif "  " in text:
        text = _PLAIN_SPACES.sub(" ", text)  # the same, and 5× faster, without odd spaces
    if " \n" in text or "\r\n" in text or text.endswith((" ", "\r")):
        text = _TRAILING_M.sub("", text)  # (only a space or CR before a line end is trailing)
    return text.split("\n")
