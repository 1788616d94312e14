"""Page images → the text of their lines, by OCR (RapidOCR's models on ONNX Runtime).

For what has no text to extract: a scanned PDF (pages of images only), a PDF whose text
layer is garbage (fonts without a Unicode map), an image file (PNG, JPEG, TIFF, …), the
images of a `.docx` holding no text table. PDF pages are rendered with PDFium.

Each page goes through RapidOCR's two models, called here one step at a time:

1. **detection** on the page scaled down to `DET_WIDTH` pixels wide (enough to tell one
   table cell from the next, and several times cheaper than the full page), giving the
   boxes of text. The page's table cells are found from its rulings (`parsers.ocr_cells`):
   a box reaching across a vertical ruling is cut there, boxes of one cell overlapping on
   one line are made one, a box holding no ink but rulings is dropped, and ink in a cell
   that no box covers (a lone `1` or `0` the detector lost) becomes a box of its own;
2. **recognition** of each box, cut from the full-resolution page. Boxes are batched by
   width, each padded to its width rounded up to `REC_WIDTH_STEP` (RapidOCR pads every
   box to 320 pixels; a table is mostly one- and two-digit cells, so this is most of the
   saving; and a box reads the same whatever else is on the page); every character comes
   with the model's probability for it. A box read as a figure, or as nothing, is read
   among the digits, each digit's probability that of all the shapes it is taken for (a
   lone `0` wavers between `0`, `o` and `O`); a lone figure still unsure or unread is read
   again from its ink with a margin round it, the rulings painted out (`_second_look`).

Wide boxes standing alone on their line (narrative paragraphs, half a page wide or more)
are not recognised on the pages after the first: nothing in them is a figure of the tables,
the title is on the first page, and they cost as much as a table. Pages after the one
where the outline's 五、 heading (what follows table 4) is read are not recognised at all.
Both are said in the warnings.

The recognised boxes become characters with boxes: a box's characters spread over its ink
(`parsers.ocr_cells.placed`: two figures either side of a ruling stand apart), a one-row
cell's one line of text set on its cell's middle (a label set high in its cell is on its
row's line), a tall box (a label printed one character per line) down its height. Lines
are rebuilt from them where the characters' middles part (`_line_groups`), and joined with
a text PDF's spacing (`parsers.pdf_text`): what comes out is the same space-aligned text,
which the grid model reads. Each line keeps its characters' probabilities, so a figure read
from it can say how sure the recogniser was (`OcrText.confidence_of`).

The OCR packages are imported on first use only (text parsing never pays for them); ONNX
Runtime runs one thread per session (a worker process per core). When they are missing, the
report is refused saying so (`UnreadableInput`), never a crash.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from parsers.inputs import UnreadableInput
from parsers.ocr_cells import (
    PageCells,
    inked,
    merged_in_cells,
    missed_boxes,
    page_cells,
    placed,
)
from parsers.pdf_text import MAX_PAGES, _blank_page_numbers, _Char, _join, _text_size

#: Render scale of a PDF page for recognition (2 = 144 dpi: a 10.5 pt digit is ~28 px high).
RENDER_SCALE = 2.0
#: Width in pixels the page is scaled to for text detection (after thickening its strokes by
#: `DET_THICKEN` pixels: a lone thin "1" in a table cell is otherwise lost at this size).
DET_WIDTH = 800
DET_THICKEN = 3
#: The detector's threshold for keeping a box (RapidOCR's 0.5 loses lone "1"s).
DET_BOX_THRESH = 0.3
#: Height in pixels of a box given to the recogniser (its models' input height).
REC_HEIGHT = 48
#: Boxes recognised in one batch, and the step their padded widths are rounded up to.
REC_BATCH = 8
REC_WIDTH_STEP = 16
#: An image larger than this (pixels, either side) is scaled down first.
MAX_IMAGE_SIDE = 4000
#: An image larger than this (pixels) is no page scan (an A4 page at 600 dpi is 35M): it is
#: not decoded at all, so that a crafted image cannot take the worker's memory.
MAX_IMAGE_PIXELS = 60_000_000
#: Image files read at most this many frames (a multi-page TIFF).
MAX_FRAMES = 50
#: A box standing alone on its line and at least this share of the text width is running
#: text (a justified paragraph's line; headings and table cells are narrower).
PARAGRAPH_SHARE = 0.8

_ENGINE_LOCK = threading.Lock()
_ENGINE: Any = None


class OcrMissing(UnreadableInput):
    """The OCR packages are not installed: the report cannot be read here."""


@dataclass
class OcrText:
    """The recognised text, one line per printed line, pages one after the other."""

    text: str
    page_starts: tuple[int, ...]
    #: per line (0-based): the probability of each non-space character, in order
    char_confidences: list[list[float]]
    warnings: list[str] = field(default_factory=list)
    pages_read: int = 0

    def confidence_of(self, line: int, raw: str, nth: int = 0) -> float | None:
        """How sure the recogniser was of the figure `raw` printed on `line` (1-based): the
        least probable of its characters, for its `nth` occurrence on the line (else the
        least sure occurrence)."""
        if not 1 <= line <= len(self.char_confidences):
            return None
        text_line = self.text_lines[line - 1]
        confs = self.char_confidences[line - 1]
        token = raw.strip()
        if not token:
            return None
        spans = _token_spans(text_line)
        found = [(s, e) for s, e, t in spans if _fold(t) == _fold(token)]
        if not found:  # a figure that is part of a token (`4.` item numbers, units)
            found = [(s, e) for s, e, t in spans if _fold(token) in _fold(t)]
        if not found:
            return min(confs) if confs else None
        s, e = (
            found[nth] if nth < len(found) else min(found, key=lambda se: min(confs[se[0] : se[1]]))
        )
        return round(min(confs[s:e]), 4) if e > s else None

    def recognised(self, line: int) -> bool:
        """Was `line` (1-based) recognised (not a document's own text beside its pictures,
        `document_text`)?"""
        return 1 <= line <= len(self.char_confidences) and bool(self.char_confidences[line - 1])

    @property
    def text_lines(self) -> list[str]:
        lines = self.__dict__.get("_lines")
        if lines is None:
            lines = self.text.split("\n")
            self.__dict__["_lines"] = lines
        return lines


def _fold(s: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", s).replace(",", "").replace("，", "")


def _token_spans(line: str) -> list[tuple[int, int, str]]:
    """Runs of non-space characters: (start, end) counted in non-space characters."""
    out, k = [], 0
    for token in line.split():
        out.append((k, k + len(token), token))
        k += len(token)
    return out


# ------------------------------------------------------------------------ the engine
def _engine() -> Any:
    """RapidOCR's detector and recogniser, loaded once per process (one ONNX thread)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except Exception as exc:  # noqa: BLE001 - missing, or a broken install
                raise OcrMissing(
                    f"OCR engine (rapidocr-onnxruntime) cannot be loaded "
                    f"({type(exc).__name__}: {exc})"[:300]
                ) from None
            import logging

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _ENGINE = RapidOCR(
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                det_limit_side_len=max(DET_WIDTH, 2000),
                det_limit_type="max",
                det_box_thresh=DET_BOX_THRESH,
            )
        return _ENGINE


#: What a report refused because OCR could not run in the process that read it says (the
#: reasons `ocr_unavailable` and `_engine` give): such a report is read again once OCR can run.
OCR_UNAVAILABLE_MARKS = (
    "OCR turned off (GOVREPORTS_OCR=off)",
    "OCR engine (rapidocr-onnxruntime) not installed",
    "OCR engine (rapidocr-onnxruntime) cannot be loaded",
)


def ocr_unavailable() -> str | None:
    """Why this process cannot run OCR, or None when it can (the models are not loaded
    here). `GOVREPORTS_OCR=off` in the environment turns OCR off (the test suite does, but
    for the tests of OCR itself: its fuzz and pipeline tests would spend minutes on it)."""
    import os

    if os.environ.get("GOVREPORTS_OCR", "").strip().lower() in ("off", "0", "no", "false"):
        return "OCR turned off (GOVREPORTS_OCR=off)"
    try:  # (the engine's own imports: loaded once, only when a scan or an image is met)
        import cv2  # noqa: F401
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import PIL  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - missing, or a broken install
        return f"OCR engine (rapidocr-onnxruntime) not installed ({type(exc).__name__}: {exc})"[
            :300
        ]
    return None


# ------------------------------------------------------------------------ inputs
def pdf_pages_text(data: bytes, what: str) -> OcrText:
    """OCR of every page of a PDF (`what`: why it is read so, for the warnings)."""
    import pypdfium2 as pdfium

    from parsers.pdf_text import _PDFIUM_LOCK

    engine = _engine()

    def pages():
        with _PDFIUM_LOCK:
            doc = pdfium.PdfDocument(data)
            try:
                n = len(doc)
            except Exception:
                doc.close()
                raise
        try:
            for index in range(min(n, MAX_PAGES)):
                with _PDFIUM_LOCK:
                    page = doc[index]
                    try:
                        # (a page of absurd size would render to gigabytes: its longest side
                        # is kept to MAX_IMAGE_SIDE pixels)
                        longest = max(page.get_width(), page.get_height(), 1.0)
                        scale = min(RENDER_SCALE, MAX_IMAGE_SIDE / longest)
                        bitmap = page.render(scale=scale, grayscale=True)
                        image = bitmap.to_numpy().copy()
                    finally:
                        page.close()
                yield image
        finally:
            with _PDFIUM_LOCK:
                doc.close()

    try:
        result = _read_pages(engine, pages())
    except UnreadableInput as exc:
        raise UnreadableInput(f"{what}; {exc}") from None
    result.warnings.insert(0, f"read by OCR ({what})")
    return result


def image_pages_text(data: bytes, what: str) -> OcrText:
    """OCR of an image file (each frame of a multi-page TIFF a page)."""
    engine = _engine()
    frames = _image_frames(data, what)
    try:
        result = _read_pages(engine, iter(frames))
    except UnreadableInput as exc:
        raise UnreadableInput(f"scanned image ({what}): {exc}") from None
    result.warnings.insert(0, f"read by OCR (scanned image, {what})")
    return result


def document_text(parts: list[str | bytes], what: str) -> OcrText:
    """A document's text lines and pictures in their order (`parsers.word_docx.
    docx_pictures`: a `.docx` whose tables are pictures) → one text: each text line as it
    is (no confidence: it was not recognised), each picture's frames recognised as pages.
    A "page" starts with each picture (the text before the first belongs to the first): a
    figure's `page` is then its picture's ordinal. A picture that cannot be decoded is
    skipped, and said."""
    engine = _engine()
    lines: list[str] = []
    confs: list[list[float]] = []
    page_starts: list[int] = []
    warnings: list[str] = []
    skipped = pictures = 0
    for part in parts:
        if isinstance(part, str):
            lines.append(part)
            confs.append([])
            continue
        try:
            frames = _image_frames(part, "picture")
        except UnreadableInput:
            skipped += 1
            continue
        for frame in frames:
            page_lines, page_confs, _ = _page_text(engine, frame, first_page=True)
            page_starts.append(len(lines) + 1)
            lines.extend([*page_lines, ""])
            confs.extend([*page_confs, []])
            pictures += 1
    if not pictures:
        raise UnreadableInput(f"{what}: none of its {skipped} picture(s) could be decoded")
    page_starts[0] = 1
    warnings.append(f"read by OCR ({what}: {pictures} picture(s))")
    if skipped:
        warnings.append(f"{skipped} picture(s) could not be decoded: not read")
    return OcrText("\n".join(lines), tuple(page_starts), confs, warnings, pictures)


def _image_frames(data: bytes, what: str) -> list[Any]:
    """Grayscale frames of an image file as arrays; `UnreadableInput` when it cannot be
    decoded."""
    import io

    import numpy as np
    from PIL import Image, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as im:
            frames = []
            for k, frame in enumerate(ImageSequence.Iterator(im)):
                if k >= MAX_FRAMES:
                    break
                if frame.size[0] * frame.size[1] > MAX_IMAGE_PIXELS:  # (before decoding it)
                    raise UnreadableInput(
                        f"scanned image ({what}): {frame.size[0]}×{frame.size[1]} pixels, "
                        f"more than a page scan has ({MAX_IMAGE_PIXELS:,}); not read"
                    )
                g = frame.convert("L")
                w, h = g.size
                if w < 8 or h < 8:
                    continue
                longest = max(w, h)
                if longest > MAX_IMAGE_SIDE:
                    f = MAX_IMAGE_SIDE / longest
                    g = g.resize((max(1, round(w * f)), max(1, round(h * f))))
                frames.append(np.asarray(g, dtype=np.uint8).copy())
    except UnreadableInput:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on damaged files
        raise UnreadableInput(
            f"scanned image ({what}): no text layer to read, and the image cannot be "
            f"decoded ({type(exc).__name__})"
        ) from None
    if not frames:
        raise UnreadableInput(f"scanned image ({what}): no page to read")
    return frames


# ------------------------------------------------------------------------ pages
def _read_pages(engine: Any, images) -> OcrText:
    lines: list[str] = []
    confs: list[list[float]] = []
    page_starts: list[int] = []
    warnings: list[str] = []
    skipped_paragraphs = 0
    n_read = 0
    stopped = False
    for index, image in enumerate(images):
        if stopped:
            break
        page_lines, page_confs, dropped = _page_text(engine, image, first_page=index == 0)
        skipped_paragraphs += dropped
        page_starts.append(len(lines) + 1)
        lines.extend(page_lines)
        confs.extend(page_confs)
        lines.append("")
        confs.append([])
        n_read += 1
        if any(_ENDS_TABLES(ln) for ln in page_lines):
            stopped = True
    if stopped:
        rest = sum(1 for _ in images)
        if rest:
            warnings.append(
                f"OCR stopped after page {n_read} (the tables end there): {rest} later "
                "page(s) not recognised"
            )
    if skipped_paragraphs:
        warnings.append(
            f"OCR: {skipped_paragraphs} narrative line(s) after page 1 not recognised "
            "(wide lines of running text: no table figure is printed so)"
        )
    if sum(len(ln.replace(" ", "")) for ln in lines) < 20:
        raise UnreadableInput(f"OCR found no text on its {n_read} page(s)")
    return OcrText("\n".join(lines), tuple(page_starts), confs, warnings, n_read)


def _page_text(engine: Any, image, first_page: bool) -> tuple[list[str], list[list[float]], int]:
    """One page's lines, each line's characters' probabilities, and how many lines of
    running text were not recognised (`_table_boxes`)."""
    boxes, unit, cells = _page_boxes(engine, image)
    keep, dropped = _table_boxes(boxes, image.shape[1], first_page=first_page)
    texts = _recognise(engine, image, keep, unit, cells)
    chars, char_conf, vertical = _chars(keep, placed(cells, keep, unit), texts, unit)
    size = _text_size(chars) if chars else 1.0
    groups = _lines_with_labels(chars, vertical, size)
    page_lines = [_join(g, size, None) for g in groups]
    page_confs = [
        [char_conf[id(c)] for c in g]  # (g is sorted left to right by _join)
        for g in groups
    ]
    _blank_page_numbers(page_lines, chars)
    for k, ln in enumerate(page_lines):
        if not ln:
            page_confs[k] = []
    return page_lines, page_confs, dropped


def _page_boxes(
    engine: Any, image
) -> tuple[list[tuple[float, float, float, float]], float, PageCells | None]:
    """The boxes of text on a page: detected, cut at the rulings, overlapping ones in a cell
    made one, those holding ink, and what the detector missed in the table's cells; the
    height of one line's box; the page's table cells (`parsers.ocr_cells`)."""
    found = _detect(engine, image)
    unit = _line_height(found)
    cells = page_cells(image)
    boxes = _split_at_rulings(cells, found, unit)
    boxes = missed_boxes(cells, inked(cells, merged_in_cells(cells, boxes)))
    return boxes, unit, cells


def _ENDS_TABLES(line: str) -> bool:  # noqa: N802 - a predicate table of one entry
    """The outline's 五、 heading: the tables (sections 二 to 四) are all above it."""
    s = line.replace(" ", "")
    return s.startswith("五、") and ("问题" in s or "改进" in s)


def _lines_with_labels(chars: list[_Char], vertical: set[int], size: float):
    """Lines of the horizontal boxes' characters (`_line_groups`); then each character of a
    label printed one per line (a tall box) joins the line nearest its middle, or makes a line of its own when none is within 0.4 of the text size. (Grouped
    with the rest, such a character would anchor a line between two rows and pull in a
    figure of the row below that sits a pixel higher than its neighbours.)"""
    flat = [c for c in chars if id(c) not in vertical]
    groups = _line_groups(flat, size)
    middles = [sorted(c[3] + c[4] for c in g)[len(g) // 2] / 2 for g in groups]
    for c in chars:
        if id(c) not in vertical:
            continue
        m = (c[3] + c[4]) / 2
        best = min(range(len(groups)), key=lambda k: abs(middles[k] - m), default=None)
        if best is not None and abs(middles[best] - m) <= 0.4 * size:
            groups[best].append(c)
        else:
            groups.append([c])
            middles.append(m)
    order = sorted(range(len(groups)), key=lambda k: -middles[k])
    return [groups[k] for k in order]


def _line_groups(chars: list[_Char], size: float) -> list[list[_Char]]:
    """Characters grouped into lines by their vertical middles, top line first: a line ends
    where the next middle down is more than 0.4 of the text size lower. (Not as a text PDF's
    lines are made, `parsers.pdf_text._line_groups`, from the line's first character: a
    row's figures, centred in cells two label lines high, sit about that far below the
    label's first line, and some of them, a pixel lower than the others, would make a line
    of their own.)"""
    ordered = sorted(chars, key=lambda c: -(c[3] + c[4]))  # by middle, top first (×2)
    groups: list[list[_Char]] = []
    previous = None
    for c in ordered:
        middle = c[3] + c[4]
        if previous is None or previous - middle > 0.8 * size:
            groups.append([c])
        else:
            groups[-1].append(c)
        previous = middle
    return groups


def _detect(engine: Any, image) -> list[tuple[float, float, float, float]]:
    """Boxes of text on the page: (left, top, right, bottom) in the page's pixels."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    f = min(1.0, DET_WIDTH / w)
    if DET_THICKEN > 1 and f < 1.0:
        image = cv2.erode(image, np.ones((DET_THICKEN, DET_THICKEN), np.uint8))
    small = cv2.resize(image, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    small = np.ascontiguousarray(np.repeat(small[:, :, None], 3, axis=2))
    dt_boxes, _ = engine.text_det(small)
    if dt_boxes is None:
        return []
    out = []
    for quad in dt_boxes:
        xs, ys = quad[:, 0] / f, quad[:, 1] / f
        left, right = float(xs.min()), float(xs.max())
        top, bottom = float(ys.min()), float(ys.max())
        if right - left >= 3 and bottom - top >= 3:
            out.append((max(0.0, left), max(0.0, top), min(w, right), min(h, bottom)))
    return out


def _split_at_rulings(cells: PageCells | None, boxes, unit: float):
    """Boxes cut where a table's vertical ruling runs through them. The detector, at its
    scale, joins neighbouring cells' figures (`1 | 0 | 1` as one box, read `10丨1|0`); a
    ruling (`parsers.ocr_cells`) runs through the box's whole height and on above and
    below it, which no character's stroke does (the box reaches past its characters, and a
    heading's tall stroke is no longer than its box)."""
    import numpy as np

    if cells is None:
        return boxes
    out = []
    height = cells.vertical.shape[0]
    for box in boxes:
        left, top, right, bottom = box
        if _is_vertical(box, unit) or right - left < 6:
            out.append(box)
            continue
        reach = max(3, int((bottom - top) * 0.25))
        y0, y1 = max(0, int(top) - reach), min(height, int(np.ceil(bottom)) + reach)
        crop = cells.vertical[y0:y1, int(left) : int(np.ceil(right))]
        xs = np.flatnonzero(crop.mean(axis=0) >= 0.9) if crop.size else ()
        if not len(xs):
            out.append(box)
            continue
        start = left
        for run in np.split(xs, np.flatnonzero(np.diff(xs) > 1) + 1):
            a, b = int(left) + run[0], int(left) + run[-1] + 1
            if a - start >= 3:
                out.append((start, top, float(a), bottom))
            start = float(b)
        if right - start >= 3:
            out.append((start, top, right, bottom))
    return out


def _table_boxes(boxes, width: int, first_page: bool):
    """The boxes worth recognising: all but wide boxes alone on their line (narrative) on
    pages after the first. Returns (kept, number dropped)."""
    if first_page or not boxes:
        return boxes, 0
    lefts = [b[0] for b in boxes]
    rights = [b[2] for b in boxes]
    text_width = max(rights) - min(lefts)
    kept, dropped = [], 0
    for b in boxes:
        wide = b[2] - b[0] >= PARAGRAPH_SHARE * text_width
        if wide and not _shares_line(b, boxes):
            dropped += 1
            continue
        kept.append(b)
    return kept, dropped


def _shares_line(b, boxes) -> bool:
    mid = (b[1] + b[3]) / 2
    for o in boxes:
        if o is b:
            continue
        if o[1] < mid < o[3] and (o[2] <= b[0] or o[0] >= b[2]):
            return True
    return False


def _crop(image, box, rotate: bool):
    import numpy as np

    h, w = image.shape[:2]
    left, top, right, bottom = box
    crop = image[int(top) : int(np.ceil(bottom)), int(left) : int(np.ceil(right))]
    if rotate:
        crop = np.rot90(crop)  # a column of characters read as a line (top first)
    return crop


def _line_height(boxes) -> float:
    """The page's usual height of a box of one line of text (the median of the boxes wider
    than tall)."""
    heights = sorted(b[3] - b[1] for b in boxes if b[2] - b[0] >= b[3] - b[1])
    return heights[len(heights) // 2] if heights else 0.0


def _is_vertical(box, unit: float) -> bool:
    """A label printed one character per line: a box much taller than wide, and taller than
    one line of text (`unit`): a lone `1` or `0` in a cell is taller than wide too."""
    left, top, right, bottom = box
    return (bottom - top) >= max(1.5 * (right - left), 1.6 * unit)


def _recognise(
    engine: Any, image, boxes, unit: float, cells: PageCells | None = None
) -> list[tuple[str, list[float], list[float]]]:
    """Per box: its text, each character's probability and its position along the box
    (0..1). A lone figure read unsure or not at all is looked at again (`_second_look`)."""
    crops = [_crop(image, box, _is_vertical(box, unit)) for box in boxes]
    results = _read_crops(engine, crops)
    again = [i for i, box in enumerate(boxes) if _unsure_figure(box, results[i], unit)]
    if again and cells is not None:
        clean = cells.without_rulings(image)
        second = _read_crops(engine, [cells.with_margin(clean, boxes[i]) for i in again])
        for i, other in zip(again, second, strict=True):
            results[i] = _second_look(results[i], other)
    return results


#: A lone figure read with a character less probable than this is looked at again.
SECOND_LOOK = 0.5


def _unsure_figure(box, result: tuple[str, list[float], list[float]], unit: float) -> bool:
    """A box of one short line (a cell's figure) read as nothing, or as a figure with a
    character less probable than `SECOND_LOOK`. (The detector's box of a lone digit is
    sometimes cut close to the ink above and below, which the recogniser reads badly.)"""
    left, top, right, bottom = box
    if bottom - top > 1.5 * unit or right - left > 2 * unit or _is_vertical(box, unit):
        return False
    text, probs, _ = result
    return not text or (_DIGITISH.issuperset(text) and min(probs) < SECOND_LOOK)


def _second_look(first, second):
    """The reading of a lone figure from its box, and from its ink with a margin around it
    on the page without its rulings (`PageCells.with_margin`): a figure read by the second
    where the first read nothing; where both read a figure and they differ, the surer of
    them, with the lower of the two's probabilities (the recogniser wavered between them)."""
    if not second[0] or not _DIGITISH.issuperset(second[0]):
        return first
    if not first[0]:
        return second
    if first[0] == second[0]:
        return first[0], [max(a, b) for a, b in zip(first[1], second[1], strict=True)], first[2]
    surer, other = (first, second) if min(first[1]) >= min(second[1]) else (second, first)
    low = min(other[1])
    return surer[0], [min(c, low) for c in surer[1]], surer[2]


def _read_crops(engine: Any, crops: list) -> list[tuple[str, list[float], list[float]]]:
    """Each crop recognised. Crops are batched by width, each padded to its width rounded
    up to `REC_WIDTH_STEP` (the batch's width): a crop is then read the same whatever else
    is on the page (padded to the widest of a batch of mixed widths, a lone digit's reading
    changed with its neighbours in the batch)."""
    import cv2
    import numpy as np

    rec = engine.text_rec
    keys = rec.postprocess_op.character
    prepared: list[Any] = []
    for crop in crops:
        ch, cw = crop.shape[:2]
        if ch < 2 or cw < 2:
            prepared.append(None)
            continue
        new_w = max(REC_HEIGHT // 2, int(np.ceil(REC_HEIGHT * cw / ch)))
        resized = cv2.resize(crop, (new_w, REC_HEIGHT), interpolation=cv2.INTER_AREA)
        prepared.append(resized)
    groups: dict[int, list[int]] = {}
    for i, p in enumerate(prepared):
        if p is not None:
            width = -(-(p.shape[1] + 8) // REC_WIDTH_STEP) * REC_WIDTH_STEP
            groups.setdefault(width, []).append(i)
    results: list[tuple[str, list[float], list[float]]] = [("", [], [])] * len(crops)
    for width, members in sorted(groups.items()):
        for start in range(0, len(members), REC_BATCH):
            batch = members[start : start + REC_BATCH]
            # (padded with 0 after normalising, mid-grey: what the model was trained with)
            tensor = np.zeros((len(batch), 3, REC_HEIGHT, width), dtype=np.float32)
            for k, i in enumerate(batch):
                img = prepared[i].astype(np.float32) / 127.5 - 1.0
                tensor[k, :, :, 4 : 4 + img.shape[1]] = img[None, :, :]
            preds = rec.session(tensor)[0]
            for k, i in enumerate(batch):
                used = (prepared[i].shape[1] + 8) / width
                results[i] = _decode(preds[k], keys, used)
                if _DIGITISH.issuperset(results[i][0]):  # (a figure, or nothing read)
                    results[i] = _decode_figure(preds[k], keys, used, results[i])
    return results


#: What a box holding only a figure may be read as: digits, and the shapes they are taken
#: for when a lone digit stands in a cell with nothing around it to tell (a `0` read as
#: `o`, `O`, `〇`, `。`; a `1` as `l`, `I`, `|`, `丨`; full-width digits).
_LOOKALIKES = {
    "0": "0０oOｏＯ〇○。",
    "1": "1１lI|丨ｌ",
    **{d: d + chr(0xFF10 + int(d)) for d in "23456789"},
    ".": ".",
    ",": ",",
    "-": "-－",
}
_DIGITISH = frozenset("".join(_LOOKALIKES.values()))
#: A box read as nothing at all is read as a figure when, at its surest step, the figure
#: shapes are at least this probable (and most of what is not blank there): the ink is
#: there (the detector or the cell pass found it), the recogniser only wavered between
#: `0`, `o` and blank. Its confidence is then that low probability, for the flags to show.
FIGURE_MIN = 0.25
_FOLDS: dict[int, Any] = {}


def _folds(keys):
    """For the figure classes (blank first): the model's classes that count as each."""
    folds = _FOLDS.get(id(keys))
    if folds is None:
        index = {k: i for i, k in enumerate(keys) if i > 0}
        folds = [("", [0])] + [
            (target, [index[c] for c in shapes if c in index])
            for target, shapes in _LOOKALIKES.items()
        ]
        _FOLDS[id(keys)] = folds
    return folds


def _decode_figure(pred, keys, used: float, plain: tuple[str, list[float], list[float]]):
    """A box read as a figure (`plain`: its reading among all characters, which held only
    figure shapes or nothing): greedy CTC decoding among the digits (and . , -), each
    class's probability that of all the shapes it is taken for (`_LOOKALIKES`). When that
    still reads nothing, the surest step's figure, if probable enough (`FIGURE_MIN`);
    else nothing."""
    import numpy as np

    folds = _folds(keys)
    probs = np.stack([pred[:, cols].sum(axis=1) for _, cols in folds], axis=1)
    best = probs.argmax(axis=1)
    steps = len(best)
    text: list[str] = []
    confs: list[float] = []
    where: list[float] = []
    prev = 0
    for t in range(steps):
        k = int(best[t])
        if k != 0 and k != prev:
            text.append(folds[k][0])
            confs.append(float(probs[t, k]))
            where.append(min(1.0, (t + 0.5) / (steps * used)))
        elif k != 0 and k == prev:
            confs[-1] = max(confs[-1], float(probs[t, k]))
        prev = k
    if text:
        return "".join(text), confs, where
    shapes = probs[:, 1:].sum(axis=1)
    t = int(shapes.argmax())
    k = 1 + int(probs[t, 1:].argmax())
    if probs[t, k] >= FIGURE_MIN and shapes[t] >= 0.5 * (1.0 - float(pred[t, 0])):
        return folds[k][0], [float(probs[t, k])], [min(1.0, (t + 0.5) / (steps * used))]
    return plain


def _decode(pred, keys, used: float) -> tuple[str, list[float], list[float]]:
    """Greedy CTC decoding with each character's probability and position (0..1 along the
    box, of which the image took `used` of the batch's width)."""
    idx = pred.argmax(axis=1)
    prob = pred.max(axis=1)
    steps = len(idx)
    text, confs, where = [], [], []
    prev = 0
    for t in range(steps):
        k = int(idx[t])
        if k != 0 and k != prev:
            text.append(keys[k])
            confs.append(float(prob[t]))
            where.append(min(1.0, (t + 0.5) / (steps * used)))
        elif k != 0 and k == prev:
            confs[-1] = max(confs[-1], float(prob[t]))
        prev = k
    return "".join(text), confs, where


def _chars(
    boxes: list, places: list, texts: list, unit: float
) -> tuple[list[_Char], dict[int, float], set[int]]:
    """Characters with boxes in PDF-like coordinates (y up) and their probabilities: each
    box's characters spread over where it is placed (`places`, `parsers.ocr_cells.placed`),
    along it, or down it for a label printed one character per line."""
    chars: list[_Char] = []
    conf: dict[int, float] = {}
    vertical: set[int] = set()
    for box, place, (text, probs, _where) in zip(boxes, places, texts, strict=True):
        left, top, right, bottom = place
        n = len(text)
        if not n:
            continue
        if _is_vertical(box, unit) and n > 1:
            step = (bottom - top) / n
            half = min(step, right - left) * 0.4
            xm = (left + right) / 2
            for k, ch in enumerate(text):
                if ch.isspace():
                    continue
                ym = top + (k + 0.5) * step
                c = _Char(ch, xm - half, xm + half, -ym - half, -ym + half)
                chars.append(c)
                conf[id(c)] = probs[k]
                vertical.add(id(c))
            continue
        height = bottom - top
        step = (right - left) / n
        ym = (top + bottom) / 2
        half_h = 0.35 * height
        for k, ch in enumerate(text):
            if ch.isspace():
                continue
            x0 = left + k * step
            c = _Char(ch, x0, x0 + step, -ym - half_h, -ym + half_h)
            chars.append(c)
            conf[id(c)] = probs[k]
    return chars, conf, vertical
