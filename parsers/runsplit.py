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
    fits: list[tuple[int, ...]] = []
    cur: list[int] = []

    def walk(pos: int) -> None:
        if len(fits) >= max_fits:
            return
        left_parts = parts - len(cur)
        left_chars = len(text) - pos
        if left_parts == 0:
            if left_chars == 0:
                fits.append(tuple(cur))
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
            size = group_ends.get(len(cur))
            if size and sum(cur[-size:-1]) != cur[-1]:
                ok = False
            if ok:
                walk(end)
            cur.pop()
            if end in bounds:  # a printed separator: no cell may run across it
                break

    walk(0)
    walk = None  # noqa: F841  # the closure refers to itself: no cycle left for the GC
    if signed_starts:
        fits = [_apply_signs(fit, signed_starts) for fit in fits]
    return fits


def _apply_signs(fit: tuple[int, ...], signed_starts: set[int]) -> tuple[int, ...]:
    out, offset = [], 0
    for value in fit:
        out.append(-value if offset in signed_starts else value)
        offset += len(str(value))
    return tuple(out)
