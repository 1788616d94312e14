"""The scanned table's cells and the OCR reader's handling of boxes and readings
(parsers/ocr_cells.py, parsers/ocr_text.py), on a drawn page and made-up model outputs: no
OCR model is run here (tests/test_ocr_reports.py reads the real scanned pages)."""

from __future__ import annotations

import numpy as np
import pytest

from parsers import ocr_cells, ocr_text

# A drawn page: a table of 2 rows × 3 columns in thin grey rulings (grey 150: a thin ruling
# scanned or scaled is never black), each cell 80 × 40 pixels; "digits" are dark bars.
ROWS = (100, 140, 180)
COLS = (100, 180, 260, 340)


def _page() -> np.ndarray:
    page = np.full((300, 440), 255, np.uint8)
    for y in ROWS:
        page[y, COLS[0] : COLS[-1] + 1] = 150
    for x in COLS:
        page[ROWS[0] : ROWS[-1] + 1, x] = 150
    return page


def _digit(page: np.ndarray, x: int, y: int, width: int = 3, height: int = 14) -> None:
    page[y : y + height, x : x + width] = 40


@pytest.fixture
def page() -> np.ndarray:
    page = _page()
    _digit(page, 138, 113)  # row 1: a `1` in each cell but the last
    _digit(page, 218, 113)
    _digit(page, 136, 153, width=8)  # row 2: a `0`, a speck, nothing
    page[160:162, 220:222] = 40
    return page


def test_the_rulings_close_the_cells(page) -> None:
    cells = ocr_cells.page_cells(page)
    assert cells is not None
    closed = [k for k in range(len(cells.stats)) if cells.is_cell[k]]
    assert len(closed) == 6  # (the page around the table is no cell)
    assert cells.cell_of((130, 110, 150, 130)) != cells.cell_of((210, 110, 230, 130))
    assert cells.cell_of((10, 10, 40, 30)) == 0
    assert ocr_cells.page_cells(np.full((100, 100), 255, np.uint8)) is None


def test_ink_no_box_covers_becomes_a_box_and_a_blank_cell_none(page) -> None:
    cells = ocr_cells.page_cells(page)
    found = [(133.0, 108.0, 146.0, 131.0)]  # the detector found the first `1` only
    boxes = ocr_cells.missed_boxes(cells, found)
    assert boxes[0] == found[0]
    added = boxes[1:]
    assert len(added) == 2, added  # the second `1` and the `0`: not the speck, not a blank
    by_x = sorted(added)
    assert by_x[0][0] <= 136 and by_x[0][2] >= 144 and 140 < by_x[0][1] < 153
    assert by_x[1][0] <= 218 and by_x[1][2] >= 221 and 100 < by_x[1][1] < 113
    for left, top, right, bottom in added:  # a margin round the ink, inside its cell
        assert bottom - top > 14 and not any(left < x < right for x in COLS)


def test_a_figure_partly_found_widens_its_box(page) -> None:
    _digit(page, 145, 113)  # `11` in the first cell, the detector boxed the first `1`
    cells = ocr_cells.page_cells(page)
    boxes = ocr_cells.missed_boxes(cells, [(133.0, 108.0, 142.0, 131.0)])
    assert boxes[0][0] == 133.0 and boxes[0][2] >= 148  # (widened, not a second box)
    assert sum(1 for b in boxes if b[0] < 180) == 2  # (and the `0` below)


def test_a_box_reaching_across_a_ruling_is_cut_there_a_heading_stroke_is_no_ruling(
    page,
) -> None:
    page[20:50, 150:152] = 40  # a heading character's tall stroke (no longer than its box)
    cells = ocr_cells.page_cells(page)
    across = (133.0, 108.0, 226.0, 131.0)  # `1 | 1` as one box
    heading = (120.0, 15.0, 200.0, 55.0)
    parts = ocr_text._split_at_rulings(cells, [across, heading], unit=23.0)
    assert heading in parts
    cut = sorted(p for p in parts if p != heading)
    assert len(cut) == 2
    assert cut[0][2] <= 180 <= cut[1][0]


def test_overlapping_boxes_of_a_cell_are_one_and_a_box_on_a_ruling_crossing_none(page) -> None:
    cells = ocr_cells.page_cells(page)
    boxes = [
        (130.0, 108.0, 150.0, 131.0),
        (145.0, 109.0, 170.0, 130.0),
        (210.0, 108.0, 230.0, 131.0),
    ]
    merged = ocr_cells.merged_in_cells(cells, boxes)
    assert sorted(merged) == [(130.0, 108.0, 170.0, 131.0), (210.0, 108.0, 230.0, 131.0)]
    crossing = (176.0, 136.0, 184.0, 144.0)  # rulings only
    assert ocr_cells.inked(cells, [crossing, boxes[0]]) == [boxes[0]]


def test_characters_sit_on_the_ink_and_a_one_row_cell_on_its_middle(page) -> None:
    cells = ocr_cells.page_cells(page)
    high = (130.0, 104.0, 150.0, 124.0)  # set high in its cell (middle 114, the cell's 120)
    placed = ocr_cells.placed(cells, [high], unit=20.0)[0]
    assert (placed[0], placed[2]) == (138.0, 141.0)  # the `1`'s ink
    assert (placed[1] + placed[3]) / 2 == pytest.approx(120.0, abs=1.0)
    assert placed[3] - placed[1] == high[3] - high[1]
    # a cell more than ROW_LINES lines high keeps its text where it is printed
    tall = ocr_cells.placed(cells, [high], unit=10.0)[0]
    assert (tall[1], tall[3]) == (high[1], high[3])


def test_a_lone_digit_in_a_cell_is_no_vertical_label() -> None:
    assert not ocr_text._is_vertical((100, 100, 110, 118), unit=26.0)  # a `1`
    assert ocr_text._is_vertical((100, 100, 126, 190), unit=26.0)  # 本 / 年 / 度


KEYS = ["blank", "0", "o", "O", "1", "l", "5", "脉"]


def _pred(*steps: dict[str, float]) -> np.ndarray:
    out = np.zeros((len(steps), len(KEYS)), np.float32)
    for t, probs in enumerate(steps):
        for ch, p in probs.items():
            out[t, KEYS.index(ch)] = p
    return out


def test_a_lone_zero_is_read_with_its_lookalikes_probabilities() -> None:
    pred = _pred({"blank": 0.9, "o": 0.1}, {"0": 0.4, "o": 0.35, "O": 0.1, "blank": 0.15})
    plain = ocr_text._decode(pred, KEYS, 1.0)
    assert plain[0] == "0"
    text, probs, _ = ocr_text._decode_figure(pred, KEYS, 1.0, plain)
    assert text == "0" and probs == [pytest.approx(0.85)]


def test_a_figure_read_as_nothing_is_read_when_its_shapes_are_probable_enough() -> None:
    wavering = _pred({"blank": 0.45, "0": 0.3, "o": 0.25})
    plain = ocr_text._decode(wavering, KEYS, 1.0)
    assert plain[0] == ""
    assert ocr_text._decode_figure(wavering, KEYS, 1.0, plain)[:2] == ("0", [pytest.approx(0.55)])
    # nothing like a figure there: nothing read
    faint = _pred({"blank": 0.8, "1": 0.1, "脉": 0.1})
    assert ocr_text._decode_figure(faint, KEYS, 1.0, ("", [], []))[0] == ""
    other = _pred({"blank": 0.4, "脉": 0.35, "1": 0.25})
    assert ocr_text._decode_figure(other, KEYS, 1.0, ("", [], []))[0] == ""


def test_a_second_look_fills_in_and_a_disagreement_keeps_the_lower_confidence() -> None:
    look = ocr_text._second_look
    assert look(("", [], []), ("1", [0.9], [0.5]))[0] == "1"
    assert look(("1", [0.4], [0.5]), ("脉", [0.9], [0.5]))[0] == "1"  # (figures only)
    assert look(("1", [0.4], [0.5]), ("1", [0.95], [0.5]))[:2] == ("1", [0.95])
    assert look(("0", [0.3], [0.5]), ("1", [0.8], [0.5]))[:2] == ("1", [0.3])
