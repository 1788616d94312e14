"""Every reading of a row's printed tokens that a lossy crawler dump could have come from.

Crawlers that dump a table printed one cell per line lose its structure in three ways:

- `merged`: identical consecutive lines collapsed into one (the row 1,0,0,0,0,0,1 comes out
  as `1` / `0` / `1`, a row of zeros as one `0`);
- `broken`: a number broken across lines (`1` then `62` for 162);
- `glued`: digits run together with no separator (`10203120001200000`; `runsplit.py`).

`readings` enumerates the cell values a row of `width` cells could have held for its
printed tokens under the losses the text shows, each cell a whole number printed without a
leading zero. The table's identities (row totals, column balances, group totals) then
choose among them (`read.py`); a reading is accepted only when it is the only one left.
A model is tried only where the text shows that loss could have happened: `merged` only
where no two consecutive lines of the table are the same (a dump that merges leaves none),
`broken` only for rows printed with more tokens than cells (or with merging).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

#: Readings of one row beyond this count are not enumerated: the row is "too ambiguous to
#: try" (a row of a handful of tokens has at most a few thousand).
MAX_READINGS = 5_000
#: Lines one number may have been broken into.
MAX_PIECES = 2

_PLAIN_INT = re.compile(r"^\d+$")


class TooAmbiguous(Exception):
    """More readings than MAX_READINGS: not tried."""


def plain_tokens(texts: list[str]) -> bool:
    """Whether every token is a plain whole number (the only thing the models rebuild)."""
    return bool(texts) and all(_PLAIN_INT.match(t) for t in texts)


def readings(
    tokens: list[str],
    width: int,
    merged: bool,
    broken: bool,
    accept: Callable[[tuple[int, ...]], bool] = lambda _: True,
    limit: int = MAX_READINGS,
) -> list[tuple[int, ...]]:
    """Every `width`-tuple of values that prints as `tokens` under the allowed losses and
    that `accept` (the row's own identity) allows. Raises `TooAmbiguous` past `limit`
    candidate readings (counted before `accept`)."""
    if not plain_tokens(tokens) or width <= 0:
        return []
    pieces = MAX_PIECES if broken else 1
    k = len(tokens)
    if k > width * pieces or (k < width and not merged):
        return []
    out: list[tuple[int, ...]] = []
    seen = 0
    for cells in _cells(tokens, width, merged, pieces):
        seen += 1
        if seen > limit:
            raise TooAmbiguous(f"more than {limit:,} readings")
        values = tuple(int(c) for c in cells)
        if accept(values):
            out.append(values)
    return sorted(set(out))


def _cells(tokens: list[str], width: int, merged: bool, pieces: int) -> Iterator[list[str]]:
    """Cell texts, left to right. A state is (token index, times it has been used): the next
    line is that token again (only when merged: a run of identical lines collapsed) or the
    next token. A cell is 1..`pieces` consecutive lines joined."""
    k = len(tokens)
    cells: list[str] = []

    def next_lines(i: int, used: int) -> Iterator[tuple[str, int, int]]:
        if used == 0:
            yield tokens[i], i, 1
            return
        if merged:
            yield tokens[i], i, used + 1
        if i + 1 < k:
            yield tokens[i + 1], i + 1, 1

    def one_cell(i: int, used: int) -> Iterator[tuple[str, int, int]]:
        frontier = [("", i, used)]
        for _ in range(pieces):
            grown = []
            for text, a, b in frontier:
                for line, a2, b2 in next_lines(a, b):
                    joined = text + line
                    if len(joined) > 1 and joined[0] == "0":
                        continue  # no number is printed with a leading zero
                    grown.append((joined, a2, b2))
            yield from grown
            frontier = grown

    def walk(i: int, used: int) -> Iterator[list[str]]:
        left = width - len(cells)
        if left == 0:
            if i == k - 1 and used >= 1:
                yield list(cells)
            return
        # the tokens still to print need at least one line each, at most `pieces` per cell
        remaining = k - i - (1 if used else 0)
        if remaining > left * pieces:
            return
        for text, a, b in one_cell(i, used):
            cells.append(text)
            yield from walk(a, b)
            cells.pop()

    yield from walk(0, 0)
