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
#: A box with fewer pixels of ink than this, rulings left out, holds no printing (the
#: detector boxes a crossing of rulings, or a stroke's edge beside it).
MIN_BOX_INK = 5
#: The margin round a figure's ink for a second look at it, a share of its height (the
#: recogniser reads a digit best with about a third of its height of white round it).
MARGIN = 0.35
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
    vertical: Any  # uint8 mask: the vertical rulings (and a pixel either side)
    cells: Any  # int32: the cell each pixel is in (0: a ruling)
    stats: Any  # per cell: left, top, width, height, area
    is_cell: Any  # per cell: closed and of a cell's size (not the page around the tables)

    def cell_of(self, box: Box) -> int:
        """The cell a box's middle falls in (0: none)."""
        x = min(max(int((box[0] + box[2]) / 2), 0), self.cells.shape[1] - 1)
        y = min(max(int((box[1] + box[3]) / 2), 0), self.cells.shape[0] - 1)
        cell = int(self.cells[y, x])
        return cell if self.is_cell[cell] else 0

    def without_rulings(self, image: Any) -> Any:
        """The page with its rulings painted white."""
        import numpy as np

        return np.where(self.cells == 0, np.uint8(255), image)

    def with_margin(self, image: Any, box: Box) -> Any:
        """A box's ink with a margin of `MARGIN` of its height all round (and at least the
        box), cut from `image`."""
        import numpy as np

        h, w = image.shape[:2]
        left, top = int(box[0]), int(box[1])
        right, bottom = int(np.ceil(box[2])), int(np.ceil(box[3]))
        ink = self.ink[top:bottom, left:right]
        ys, xs = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if len(ys):
            pad = max(2, round(MARGIN * (ys[-1] + 1 - ys[0])))
            left, right = min(left, left + xs[0] - pad), max(right, left + xs[-1] + 1 + pad)
            top, bottom = min(top, top + ys[0] - pad), max(bottom, top + ys[-1] + 1 + pad)
        return image[max(0, top) : min(h, bottom), max(0, left) : min(w, right)]


def page_cells(image: Any) -> PageCells | None:
    """The page's cells; None when it has no rulings (no ruled table). (The rulings are
    thickened by a pixel, so that a region's edge does not keep a ruling's grey fringe.)"""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    dark = (image < INK).astype(np.uint8)
    horizontal, vertical = _rulings(dark)
    if not (horizontal.any() or vertical.any()):
        return None
    lines = cv2.dilate(np.maximum(horizontal, vertical), np.ones((3, 3), np.uint8))
    # the regions the rulings close: cells (a character's pixels belong to its cell)
    _, cells, stats, _ = cv2.connectedComponentsWithStats(1 - lines, connectivity=4)
    is_cell = (stats[:, 2] < MAX_CELL_SHARE * w) | (stats[:, 3] < MAX_CELL_SHARE * h)
    is_cell &= (stats[:, 2] * stats[:, 3]) < MAX_CELL_SHARE * w * h
    is_cell[0] = False  # (the rulings themselves)
    vertical = cv2.dilate(vertical, np.ones((1, 3), np.uint8))
    return PageCells(dark & (1 - lines), vertical, cells, stats, is_cell)


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


def merged_in_cells(page: PageCells | None, boxes: list[Box]) -> list[Box]:
    """Boxes of one cell that overlap on one line made one: the detector sometimes boxes a
    figure, and again the same figure with its neighbours (`10` and `0 | 1 | 0`); cut at
    the rulings, the second leaves a piece holding part of the first (read `0`, `10` and
    `0` would make `100`)."""
    if page is None or len(boxes) < 2:
        return boxes
    by_cell: dict[int, list[Box]] = {}
    out: list[Box] = []
    for b in boxes:
        cell = page.cell_of(b)
        if cell:
            by_cell.setdefault(cell, []).append(b)
        else:
            out.append(b)
    for members in by_cell.values():
        members.sort()
        merged: list[Box] = []
        for b in members:
            for k, m in enumerate(merged):
                overlap_x = min(m[2], b[2]) - max(m[0], b[0])
                overlap_y = min(m[3], b[3]) - max(m[1], b[1])
                if overlap_x > 0 and overlap_y > 0.5 * min(m[3] - m[1], b[3] - b[1]):
                    merged[k] = (min(m[0], b[0]), min(m[1], b[1]), max(m[2], b[2]), max(m[3], b[3]))
                    break
            else:
                merged.append(b)
        out.extend(merged)
    return out


def inked(page: PageCells | None, boxes: list[Box]) -> list[Box]:
    """The boxes that hold ink besides the rulings (`MIN_BOX_INK` pixels)."""
    import numpy as np

    if page is None:
        return boxes
    return [
        b
        for b in boxes
        if page.ink[int(b[1]) : int(np.ceil(b[3])), int(b[0]) : int(np.ceil(b[2]))].sum()
        >= MIN_BOX_INK
    ]


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


def _rulings(dark: Any) -> tuple[Any, Any]:
    """The page's horizontal and vertical rulings, as masks."""
    import cv2

    h, w = dark.shape
    horizontal = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, int(w * H_RULING_SHARE)), 1))
    vertical = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, int(h * V_RULING_SHARE))))
    return (
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, horizontal),
        cv2.morphologyEx(dark, cv2.MORPH_OPEN, vertical),
    )


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
