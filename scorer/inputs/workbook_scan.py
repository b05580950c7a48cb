"""What python-calamine does not say about a workbook's sheet: formulas without a saved value, and error cells.

calamine reads a formula cell as the value its workbook saved, never running
it; a formula saved without a value (a workbook written by a program that
does not calculate, such as openpyxl) and an error value (``#DIV/0!``) both
read as a blank cell. A blank cost year or score would then be wrong
silently, so such cells are found in the sheet's XML and refused.

The scan is linear in the sheet's size and costs a few substring searches on a
sheet without formulas or errors; a formula followed by its value costs one
regular-expression match, and only the cells around the other formulas and
errors are looked at. Tags may carry a namespace prefix (``<x:c>``, one inside
a cell may differ from the cell's), attributes either quote; comments,
processing instructions and CDATA text are no markup. A sheet that cannot be
found from the workbook's relationships is said to be unchecked, never passed.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# A tag's attributes, each value in either quote (which may hold '>' or '/').
_ATTRS = rb"(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*"
_MARK = re.compile(rb"<" + _PREFIX + rb"f[\s/>]|\st\s*=\s*[\"']e[\"']")
_CELL_START = re.compile(rb"<(" + _PREFIX + rb")c(" + _ATTRS + rb")(/?)>")
_ROW_START = re.compile(rb"<" + _PREFIX + rb"row(" + _ATTRS + rb")/?>")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v" + _ATTRS + rb"(/?)>([^<]*)")
# The usual formula cell's inside, <f>..</f><v>value</v>: known good at one match, no cell looked up.
_SAVED_FORMULA = re.compile(rb"<(" + _PREFIX + rb")f" + _ATTRS + rb"(?:/>|>[^<]*</\1f>)\s*<" + _PREFIX + rb"v"
                            + _ATTRS + rb">\s*[^<\s]")
_PLAIN_SAVED_FORMULA = re.compile(rb"<f" + _ATTRS + rb"(?:/>|>[^<]*</f>)\s*<" + _PREFIX + rb"v" + _ATTRS + rb">\s*[^<\s]")
# Comments, processing instructions and CDATA: text whose '<f>' or 't="e"' are no markup (an unclosed
# one runs to the end, so each is matched once and the substitution stays linear).
_NOT_MARKUP = re.compile(rb"<!--(?:.*?-->|.*)|<\?(?:.*?\?>|.*)|<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.S)
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_SHEET_TAG = re.compile(rb"<" + _PREFIX + rb"sheet(" + _ATTRS + rb")/?>")
_RELATION_TAG = re.compile(rb"<" + _PREFIX + rb"Relationship(" + _ATTRS + rb")/?>")


@dataclass(frozen=True)
class FlaggedCell:
    """A cell calamine reads as blank that is not: ``row`` (1-based) and ``column`` (0-based)."""

    row: int
    column: int
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


def flagged_cells(raw: bytes, index: int, limit: int) -> list[FlaggedCell] | None:
    """The first ``limit`` formula cells without a saved value and error cells of sheet ``index`` (0-based).

    In the sheet's order. None when the sheet's part cannot be found from the
    workbook's sheet list and relationships, so it could not be checked.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        part = _sheet_part(archive, index)
        if part is None:
            return None
        xml = archive.read(part)
    if b"<f" not in xml and b":f" not in xml and b"'e'" not in xml and b'"e"' not in xml:
        return []  # the usual sheet: no formula tag, no error type
    if b"<!--" in xml or b"<![CDATA[" in xml or xml.find(b"<?", 1) >= 0:
        xml = _NOT_MARKUP.sub(_as_text, xml)
    if b":f" not in xml and b'"e"' not in xml and b"'e'" not in xml and _every_formula_saved(xml):
        return []
    return list(itertools.islice(_scan(xml), limit))


def _every_formula_saved(xml: bytes) -> bool:
    """Whether each formula tag (none prefixed) opens an <f>..</f><v>value</v>, counted at the speed of C.

    Each such match starts at a distinct ``<f`` tag, so equal counts mean every
    tag does (about 4x faster than the scan on a sheet of saved formulas).
    """
    tags = sum(xml.count(b"<f" + end) for end in (b">", b"/", b" ", b"\t", b"\n", b"\r", b"\f", b"\v"))
    return tags == sum(1 for _ in _PLAIN_SAVED_FORMULA.finditer(xml))


def _as_text(found: re.Match) -> bytes:
    """A comment or instruction as nothing; a CDATA section as its text, with no '<' left to read as a tag."""
    text = found.group(1)
    return b"" if text is None else text.replace(b"&", b"&amp;").replace(b"<", b"&lt;")


def _scan(xml: bytes):
    done = 0  # the end of the last cell looked at: each part of the sheet is searched once
    rows = _Rows(xml)
    for mark in _MARK.finditer(xml):
        if mark.start() < done:
            continue
        saved = _SAVED_FORMULA.match(xml, mark.start())
        if saved:
            done = saved.end()
            continue
        cell = _cell_around(xml, done, mark.start())
        if cell is None:
            done = mark.end()
            continue
        close = _cell_end(xml, cell)
        if mark.start() > close:
            done = mark.end()
            continue  # the mark is in no cell (a t="e" of another element)
        done = max(close, mark.end())
        attributes = _attributes(cell.group(2))
        wrong, error = _judge(attributes, xml[cell.end():close])
        if wrong:
            yield FlaggedCell(*rows.position(cell, attributes.get("r", "")), error)


def _cell_around(xml: bytes, low: int, at: int) -> re.Match | None:
    """The start tag of the cell at or before ``at`` (not before ``low``), or None."""
    i = xml.rfind(b"<", low, at + 1)
    while i >= low:
        found = _CELL_START.match(xml, i)
        if found:
            return found
        i = xml.rfind(b"<", low, i)
    return None


def _cell_end(xml: bytes, cell: re.Match) -> int:
    """Where the cell's inside ends: its end tag, or the next cell's start when it has none."""
    if cell.group(3):  # <c r="A1" t="e"/>: an error without a value
        return cell.end()
    close = xml.find(b"</" + cell.group(1) + b"c>", cell.end())
    close = len(xml) if close < 0 else close
    following = _CELL_START.search(xml, cell.end(), close)
    return following.start() if following else close


def _attributes(tag: bytes) -> dict[str, str]:
    return {m.group(1).decode("ascii", "replace").rpartition(":")[2]:
            (m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8", "replace")
            for m in _ATTRIBUTE.finditer(tag)}


def _judge(attributes: dict[str, str], body: bytes) -> tuple[bool, str | None]:
    """Whether the cell is wrong, and the error it shows (None: a formula without a saved value).

    Tags inside are matched whatever their prefix (one may differ from the cell's own).
    """
    value = _VALUE.search(body)
    if attributes.get("t") == "e":
        shown = value.group(2).decode("utf-8", "replace").strip() if value else ""
        return True, shown or "#ERROR"
    if not _FORMULA.search(body):
        return False, None
    # Empty text is a saved value only for a text result (t="str"): ="" saved by a spreadsheet.
    if value is not None and (value.group(2).strip() or attributes.get("t") == "str"):
        return False, None
    return True, None


class _Rows:
    """Where a cell is, from its reference or, without one, counted as calamine counts.

    A row without ``r`` follows the row before, a cell without ``r`` the cell
    before in its row. Rows are counted forward only (flagged cells come in the
    sheet's order), so locating every flagged cell reads the sheet once.
    """

    def __init__(self, xml: bytes) -> None:
        self._xml, self._at, self._row, self._row_end = xml, 0, 0, 0

    def position(self, cell: re.Match, reference: str) -> tuple[int, int]:
        found = _position(reference)
        if found is not None:
            return found
        for row in _ROW_START.finditer(self._xml, self._at, cell.start()):
            number = _ROW_NUMBER.fullmatch(_attributes(row.group(1)).get("r", ""))
            self._row = int(number.group()) if number else self._row + 1
            self._row_end = row.end()
        self._at = cell.start()
        column = -1
        for before in _CELL_START.finditer(self._xml, self._row_end, cell.start()):
            known = _position(_attributes(before.group(2)).get("r", ""))
            column = known[1] if known is not None else column + 1
        return max(self._row, 1), column + 1


_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}")


def _position(reference: str) -> tuple[int, int] | None:
    found = _REFERENCE.fullmatch(reference)
    if not found:
        return None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column - 1


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The archive path of the ``index``-th sheet, from the workbook and its relationships (None if not found)."""
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
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return part if part in archive.namelist() else None
