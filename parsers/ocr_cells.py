"""A scanned table's cells, from its rulings: where the text detector missed printing, and
where a recognised box's characters sit (`parsers.ocr_text` uses both).

The table's rulings (long straight runs of dark pixels, found by opening the page with a
long thin kernel) divide the page into regions; each region closed on all sides is a cell
(merged cells included: a region is whatever the rulings close).

- **Missed printing.** RapidOCR's detector, run on the page scaled down, loses some cells'
  figures: a lone thin `1`, a `0` in a dense table. Ink in a cell that no detected box
  covers is what was missed: a blank cell has none, a missed digit has a digit's height of
  it. Such ink becomes a box of its own, or widens the detected box it shares its line with
  in the same cell (a `10` of which only the `1` was found).
- **Where the characters sit.** A detected box reaches past its ink, by a margin that
  differs from box to box; a box cut at a ruling reaches the ruling. The characters are
  placed on the box's ink instead (two figures either side of a ruling then stand apart,
  as printed). And a cell one table row high holding one line of text is printed on its
  row's line, wherever in the cell it sits: a label set high in its cell and the figures
  centred in theirs are then one line, as they are in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
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
#: A cell at most this many lines of text high is one table row (its one line of text is
#: the row's line).
ROW_LINES = 2.5

Box = tuple[float, float, float, float]


@dataclass
class PageCells:
    """A page's ink, rulings and cells (label images of the page's size)."""

    ink: Any  # uint8 mask: ink that is no ruling
    cells: Any  # int32: the cell each pixel is in (0: a ruling)
    stats: Any  # per cell: left, top, width, height, area
    is_cell: Any  # per cell: closed and of a cell's size (not the page around the tables)

    def cell_of(self, box: Box) -> int:
        """The cell a box's middle falls in (0: none)."""
        x = min(max(int((box[0] + box[2]) / 2), 0), self.cells.shape[1] - 1)
        y = min(max(int((box[1] + box[3]) / 2), 0), self.cells.shape[0] - 1)
        cell = int(self.cells[y, x])
        return cell if self.is_cell[cell] else 0


def page_cells(image: Any) -> PageCells | None:
    """The page's cells; None when it has no rulings (no ruled table)."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    dark = (image < INK).astype(np.uint8)
    lines = _rulings(dark)
    if not lines.any():
        return None
    # the regions the rulings close: cells (a character's pixels belong to its cell)
    _, cells, stats, _ = cv2.connectedComponentsWithStats(1 - lines, connectivity=4)
    is_cell = (stats[:, 2] < MAX_CELL_SHARE * w) | (stats[:, 3] < MAX_CELL_SHARE * h)
    is_cell &= (stats[:, 2] * stats[:, 3]) < MAX_CELL_SHARE * w * h
    is_cell[0] = False  # (the rulings themselves)
    return PageCells(dark & (1 - lines), cells, stats, is_cell)


def missed_boxes(page: PageCells | None, boxes: list[Box]) -> list[Box]:
    """`boxes` with what the detector missed inside the table's cells: widened boxes and new
    ones (left, top, right, bottom in the page's pixels)."""
    import cv2
    import numpy as np

    if page is None or not boxes:
        return boxes
    covered = np.zeros_like(page.ink)
    for left, top, right, bottom in boxes:
        covered[int(top) : int(np.ceil(bottom)), int(left) : int(np.ceil(right))] = 1
    loose = page.ink & (1 - covered)
    if not loose.any():
        return boxes
    heights = sorted(b[3] - b[1] for b in boxes)
    usual = heights[len(heights) // 2]
    m, _, bstats, middles = cv2.connectedComponentsWithStats(loose, connectivity=8)
    by_cell: dict[int, list[tuple[int, int, int, int]]] = {}
    for k in range(1, m):
        x, y, bw, bh, _area = (int(v) for v in bstats[k])
        if bw < 3 and bh < 3:
            continue  # (a speck)
        cell = int(page.cells[int(middles[k][1]), int(middles[k][0])])
        if page.is_cell[cell]:
            by_cell.setdefault(cell, []).append((x, y, x + bw, y + bh))
    if not by_cell:
        return boxes
    box_cell = [page.cell_of(b) for b in boxes]
    out = list(boxes)
    for cell, parts in by_cell.items():
        for left, top, right, bottom in _lines(parts):
            if bottom - top < MIN_INK_HEIGHT * usual:
                continue
            same_line = [
                i
                for i, b in enumerate(boxes)
                if box_cell[i] == cell and min(b[3], bottom) - max(b[1], top) > 0.5 * (bottom - top)
            ]
            if same_line:  # part of a figure the detector found: the box takes it in
                i = same_line[0]
                b = out[i]
                out[i] = (min(b[0], left), min(b[1], top), max(b[2], right), max(b[3], bottom))
            else:
                out.append(_padded((left, top, right, bottom), page.stats[cell]))
    return out


def placed(page: PageCells | None, boxes: list[Box], unit: float) -> list[Box]:
    """Where each box's characters sit: its ink's left and right (the box itself when it
    holds no ink); its top and bottom moved so that its middle is its cell's when it is the
    one line of text of a cell one table row high (`ROW_LINES` lines of text at most)."""
    import numpy as np

    if page is None:
        return list(boxes)
    out = []
    for left, top, right, bottom in boxes:
        x0, x1 = int(left), int(np.ceil(right))
        crop = page.ink[int(top) : int(np.ceil(bottom)), x0:x1]
        xs: Any = np.flatnonzero(crop.any(axis=0)) if crop.size else ()
        if len(xs):
            left, right = float(x0 + xs[0]), float(x0 + xs[-1] + 1)
        out.append((left, top, right, bottom))
    by_cell: dict[int, list[int]] = {}
    for i, b in enumerate(boxes):
        cell = page.cell_of(b)
        if cell:
            by_cell.setdefault(cell, []).append(i)
    for cell, members in by_cell.items():
        _, cy, _, ch, _ = (float(v) for v in page.stats[cell])
        if ch > ROW_LINES * unit:
            continue
        tops = [boxes[i][1] for i in members]
        bottoms = [boxes[i][3] for i in members]
        if min(bottoms) <= max(tops):  # (more than one line of text in the cell)
            continue
        middle = cy + ch / 2
        for i in members:
            left, top, right, bottom = out[i]
            shift = middle - (top + bottom) / 2
            out[i] = (left, top + shift, right, bottom + shift)
    return out


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
