"""Word `.docx` → grid rows (python-docx). Stub: filled in by the Word reader change."""

from __future__ import annotations

from parsers.grid import Row
from parsers.inputs import UnreadableInput


def rows_from_docx(data: bytes) -> list[Row]:
    raise UnreadableInput("Word document (.docx): not read yet")
