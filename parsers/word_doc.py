"""Legacy Word `.doc` / WPS `.wps` (OLE2) → grid rows. Stub: filled in by the Word reader change."""

from __future__ import annotations

from parsers.grid import Row
from parsers.inputs import UnreadableInput


def rows_from_doc(data: bytes) -> list[Row]:
    raise UnreadableInput("OLE2 compound file (Word 97-2003 .doc / WPS .wps?): not read yet")
