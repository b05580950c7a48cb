"""What python-calamine does not say about a workbook's sheet: formulas without a saved value, and error cells.

calamine reads a formula cell as the value its workbook saved, never running
it; a formula saved without a value (a workbook written by a program that
does not calculate, such as openpyxl) and an error value (``#DIV/0!``) both
read as a blank cell. A blank cost year or score would then be wrong
silently, so such cells are found in the sheet's XML and refused.

The scan is linear in the sheet's size and costs a few substring searches on a
sheet without formulas or errors; only the cells around a formula or an error
are looked at. Tags may carry a namespace prefix (``<x:c>``) and attributes
either quote.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_MARK = re.compile(rb"<" + _PREFIX + rb"f[\s/>]|\st\s*=\s*[\"']e[\"']")
_CELL_TAG = re.compile(rb"<(" + _PREFIX + rb")c[\s/>]")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_SHEET_TAG = re.compile(rb"<" + _PREFIX + rb"sheet\s[^>]*>")
_RELATION_TAG = re.compile(rb"<" + _PREFIX + rb"Relationship\s[^>]*>")


@dataclass(frozen=True)
class FlaggedCell:
    """A cell calamine reads as blank that is not: ``row`` (1-based) and ``column`` (0-based) None without a reference."""

    row: int | None
    column: int | None
    error: str | None  # the error value shown (``#DIV/0!``); None: a formula without a saved value


def unzipped_size(raw: bytes) -> int:
    """The decompressed size of a zip archive's parts, from its directory (nothing is decompressed).

    Raises
    ------
    zipfile.BadZipFile
        Not a zip archive.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return sum(info.file_size for info in archive.infolist())


def flagged_cells(raw: bytes, index: int) -> list[FlaggedCell]:
    """The formula cells without a saved value and the error cells of sheet ``index`` (0-based), in order."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        part = _sheet_part(archive, index)
        if part is None:
            return []
        xml = archive.read(part)
    if b"<f" not in xml and b":f" not in xml and b"'e'" not in xml and b'"e"' not in xml:
        return []  # the usual sheet: no formula tag, no error type
    return list(_scan(xml))


def _scan(xml: bytes):
    done = 0  # the end of the last cell looked at: each part of the sheet is searched once
    for mark in _MARK.finditer(xml):
        if mark.start() < done:
            continue
        cell = _cell_around(xml, done, mark.start())
        if cell is None:
            done = mark.end()
            continue
        start, tag_end, prefix = cell
        if xml[tag_end - 1:tag_end] == b"/":  # <c r="A1" t="e"/>: an error without a value
            close = tag_end
        else:
            close = xml.find(b"</" + prefix + b"c>", tag_end)
            close = len(xml) if close < 0 else close
        if mark.start() > close:
            done = mark.end()
            continue  # the mark is in no cell (a t="e" of another element)
        done = close
        flagged = _judge(_attributes(xml[start:tag_end]), xml[tag_end + 1:max(close, tag_end + 1)], prefix)
        if flagged is not None:
            yield flagged


def _cell_around(xml: bytes, low: int, at: int) -> tuple[int, int, bytes] | None:
    """``(start, end of its tag, prefix)`` of the cell tag at or before ``at`` (not before ``low``), or None."""
    i = xml.rfind(b"<", low, at + 1)
    while i >= low:
        found = _CELL_TAG.match(xml, i)
        if found:
            tag_end = xml.find(b">", i)
            return (i, tag_end, found.group(1)) if tag_end >= 0 else None
        i = xml.rfind(b"<", low, i)
    return None


def _attributes(tag: bytes) -> dict[str, str]:
    return {m.group(1).decode("ascii", "replace").rpartition(":")[2]:
            (m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8", "replace")
            for m in _ATTRIBUTE.finditer(tag)}


def _judge(attributes: dict[str, str], body: bytes, prefix: bytes) -> FlaggedCell | None:
    row, column = _position(attributes.get("r", ""))
    value = re.search(rb"<" + re.escape(prefix) + rb"v(?:\s[^>]*)?(/?)>([^<]*)", body)
    if attributes.get("t") == "e":
        shown = value.group(2).decode("utf-8", "replace").strip() if value else ""
        return FlaggedCell(row, column, shown or "#ERROR")
    if not re.search(rb"<" + re.escape(prefix) + rb"f[\s/>]", body):
        return None
    # Empty text is a saved value only for a text result (t="str"): ="" saved by a spreadsheet.
    if value is not None and (value.group(2).strip() or attributes.get("t") == "str"):
        return None
    return FlaggedCell(row, column, None)


def _position(reference: str) -> tuple[int | None, int | None]:
    found = _REFERENCE.fullmatch(reference)
    if not found:
        return None, None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column - 1


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The archive path of the ``index``-th sheet, from the workbook and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = [_attributes(tag) for tag in _SHEET_TAG.findall(workbook)]
    if index >= len(sheets):
        return None
    wanted = sheets[index].get("id")  # r:id, whatever its prefix
    target = next((r.get("Target") for r in map(_attributes, _RELATION_TAG.findall(relations))
                   if r.get("Id") == wanted), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target
