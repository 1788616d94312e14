"""Cells run together with no separator (`10203120001200000`): find every split that fits.

A run of digits is cut into the table's column count such that multi-digit numbers do not
start with 0 and the table's own identities hold (a group's last column is the sum of the
others). The caller decides what to do with more than one fit: it is reported as
ambiguous, never picked silently.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_DIGITS = 7  # no cell of these tables is a count of ten million or more
MAX_FITS = 500


def split_runs(
    tokens: Sequence[str],
    parts: int,
    groups: Sequence[int] | None = None,
    max_fits: int = MAX_FITS,
) -> list[tuple[int, ...]]:
    """Every way to cut `tokens` (digit runs; a token boundary is a cell boundary) into
    `parts` integers, with each group of `groups` (sizes) ending in the sum of the rest.
    A token printed with a leading `-` makes its first cell negative (a signed change)."""
    signed_starts = set()
    offset = 0
    plain = []
    for tok in tokens:
        if tok.startswith("-"):
            tok = tok[1:]
            signed_starts.add(offset)
        plain.append(tok)
        offset += len(tok)
    tokens = plain
    text = "".join(tokens)
    if not text.isdigit():
        return []
    bounds = set()
    pos = 0
    for tok in tokens:
        pos += len(tok)
        bounds.add(pos)
    group_ends = {}
    if groups:
        acc = 0
        for size in groups:
            group_ends[acc + size] = size
            acc += size
    fits = _Search(text, parts, bounds, group_ends, max_fits).fits()
    if signed_starts:
        fits = [_apply_signs(fit, signed_starts) for fit in fits]
    return fits


def _apply_signs(fit: tuple[int, ...], signed_starts: set[int]) -> tuple[int, ...]:
    out, offset = [], 0
    for value in fit:
        out.append(-value if offset in signed_starts else value)
        offset += len(str(value))
    return tuple(out)


class _Search:
    """The depth-first search for the cuts (its state in one object: a nested function
    that calls itself would be a reference cycle left for the GC on every call)."""

    def __init__(
        self, text: str, parts: int, bounds: set[int], group_ends: dict[int, int], max_fits: int
    ) -> None:
        self.text = text
        self.parts = parts
        self.bounds = bounds
        self.group_ends = group_ends
        self.max_fits = max_fits
        self.found: list[tuple[int, ...]] = []
        self.cur: list[int] = []

    def fits(self) -> list[tuple[int, ...]]:
        self.walk(0)
        return self.found

    def walk(self, pos: int) -> None:
        text, cur = self.text, self.cur
        if len(self.found) >= self.max_fits:
            return
        left_parts = self.parts - len(cur)
        left_chars = len(text) - pos
        if left_parts == 0:
            if left_chars == 0:
                self.found.append(tuple(cur))
            return
        if left_chars < left_parts or left_chars > left_parts * MAX_DIGITS:
            return
        for length in range(1, MAX_DIGITS + 1):
            end = pos + length
            if end > len(text):
                break
            if length > 1 and text[pos] == "0":
                break
            cur.append(int(text[pos:end]))
            ok = True
            size = self.group_ends.get(len(cur))
            if size and sum(cur[-size:-1]) != cur[-1]:
                ok = False
            if ok:
                self.walk(end)
            cur.pop()
            if end in self.bounds:  # a printed separator: no cell may run across it
                break
