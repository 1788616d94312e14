"""A scanned table's cells, from its rulings, and the printing the text detector missed in
them (`parsers.ocr_text` recognises what this finds).

RapidOCR's detector, run on the page scaled down, loses some cells' figures: a lone thin
`1`, a `0` in a dense table. A table's cells are where to look again: its rulings (long
straight runs of dark pixels, found by opening the page with a long thin kernel) divide the
page into regions, and each region closed on all sides is a cell (merged cells included:
a region is whatever the rulings close). Ink in a cell that no detected box covers is what
was missed: a blank cell has none, a missed digit has a digit's height of it. Such ink
becomes a box of its own, or widens the detected box it shares its line with in the same
cell (a `10` of which only the `1` was found); the recogniser then reads it like any box.
"""

from __future__ import annotations

from typing import Any

#: A pixel darker than this is ink (8-bit grey): thin strokes and rulings, scanned or
#: scaled, are lines of grey pixels (a light `0` of a dense table has a dozen below 128).
INK = 180
#: A ruling is a dark run at least this share of the page's width (horizontal) or height
#: (vertical): far longer than any character, shorter than a short table's column.
H_RULING_SHARE = 1 / 25
V_RULING_SHARE = 1 / 60
#: Missed ink at least this share of the detected boxes' usual height is printing; less
#: is a speck of dust or a bit of a ruling.
MIN_INK_HEIGHT = 0.35
#: A region larger than this share of the page is no cell (the page around the tables).
MAX_CELL_SHARE = 0.5

Box = tuple[float, float, float, float]


def missed_boxes(image: Any, boxes: list[Box]) -> tuple[list[Box], int]:
    """`boxes` with what the detector missed inside the table's cells: widened boxes and new
    ones (left, top, right, bottom in the page's pixels). Returns the boxes and how many
    were added or widened."""
    import cv2
    import numpy as np

    if not boxes:
        return boxes, 0
    h, w = image.shape[:2]
    ink = (image < INK).astype(np.uint8)
    lines = _rulings(ink)
    if not lines.any():
        return boxes, 0
    # the regions the rulings close: cells (a character's pixels belong to its cell)
    n, cells, stats, _ = cv2.connectedComponentsWithStats(1 - lines, connectivity=4)
    is_cell = (stats[:, 2] < MAX_CELL_SHARE * w) | (stats[:, 3] < MAX_CELL_SHARE * h)
    is_cell &= (stats[:, 2] * stats[:, 3]) < MAX_CELL_SHARE * w * h
    is_cell[0] = False  # (the rulings themselves)
    covered = np.zeros_like(ink)
    for left, top, right, bottom in boxes:
        covered[int(top) : int(np.ceil(bottom)), int(left) : int(np.ceil(right))] = 1
    loose = ink & (1 - lines) & (1 - covered)
    if not loose.any():
        return boxes, 0
    heights = sorted(b[3] - b[1] for b in boxes)
    usual = heights[len(heights) // 2]
    m, _, bstats, middles = cv2.connectedComponentsWithStats(loose, connectivity=8)
    by_cell: dict[int, list[tuple[int, int, int, int]]] = {}
    for k in range(1, m):
        x, y, bw, bh, _area = (int(v) for v in bstats[k])
        if bw < 3 and bh < 3:
            continue  # (a speck)
        cell = int(cells[int(middles[k][1]), int(middles[k][0])])
        if not is_cell[cell]:
            continue
        by_cell.setdefault(cell, []).append((x, y, x + bw, y + bh))
    box_cell = [_cell_of(cells, b) for b in boxes]
    out = list(boxes)
    changed = 0
    for cell, parts in by_cell.items():
        for left, top, right, bottom in _lines(parts):
            if bottom - top < MIN_INK_HEIGHT * usual:
                continue
            same_line = [
                i
                for i, b in enumerate(out)
                if i < len(boxes)
                and box_cell[i] == cell
                and min(b[3], bottom) - max(b[1], top) > 0.5 * (bottom - top)
            ]
            if same_line:  # part of a figure the detector found: the box takes it in
                i = same_line[0]
                b = out[i]
                out[i] = (min(b[0], left), min(b[1], top), max(b[2], right), max(b[3], bottom))
            else:
                out.append(_padded((left, top, right, bottom), stats[cell]))
            changed += 1
    return out, changed


def _rulings(dark: Any) -> Any:
    """The page's horizontal and vertical rulings as a mask (thickened by a pixel, so that
    a region's edge does not keep a ruling's grey fringe)."""
    import cv2
    import numpy as np

    h, w = dark.shape
    horizontal = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, int(w * H_RULING_SHARE)), 1))
    vertical = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, int(h * V_RULING_SHARE))))
    lines = np.maximum(
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, horizontal),
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, vertical),
    )
    return cv2.dilate(lines, np.ones((3, 3), np.uint8))


def _cell_of(cells: Any, box: Box) -> int:
    """The cell a detected box's middle falls in (0: none, on a ruling)."""
    x = min(max(int((box[0] + box[2]) / 2), 0), cells.shape[1] - 1)
    y = min(max(int((box[1] + box[3]) / 2), 0), cells.shape[0] - 1)
    return int(cells[y, x])


def _lines(parts: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Ink pieces of one cell grouped into printed lines (pieces whose heights overlap):
    the bounding box of each line."""
    out: list[list[int]] = []
    for left, top, right, bottom in sorted(parts, key=lambda p: p[1]):
        for line in out:
            if min(line[3], bottom) - max(line[1], top) > 0:
                line[0], line[1] = min(line[0], left), min(line[1], top)
                line[2], line[3] = max(line[2], right), max(line[3], bottom)
                break
        else:
            out.append([left, top, right, bottom])
    return [(a, b, c, d) for a, b, c, d in out]


def _padded(box: tuple[int, int, int, int], cell: Any) -> Box:
    """A missed line's ink with a margin around it, as the detector's boxes have (the
    recogniser reads a character cut tight to its ink badly), kept inside its cell."""
    left, top, right, bottom = box
    pad = max(2.0, 0.3 * (bottom - top))
    cx, cy, cw, ch = (float(v) for v in cell[:4])
    return (
        max(cx, left - pad),
        max(cy, top - pad),
        min(cx + cw, right + pad),
        min(cy + ch, bottom + pad),
    )
