"""Reading the tables the agency's management software exports: CSV or XLSX, French habits.

CSV: the separator is found from the header line (';' as French Excel writes, ',' or tab);
the encoding from the bytes: a UTF-8 byte order mark, else strict UTF-8, else Windows-1252
(what Excel writes for "CSV (séparateur : point-virgule)"). XLSX: the first sheet, read with
openpyxl in read-only mode. Either way rows are streamed: a 50 000-row file is never held as
rows in memory, only as the bytes that were uploaded.

Line numbers are the spreadsheet's: the header is line 1, the first row of data line 2.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from extranet_app.services.import_values import cell_text, folded

XLSX_SIGNATURE = b"PK\x03\x04"
OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0"
UTF8_BOM = b"\xef\xbb\xbf"
ENCODING_LABELS = {"utf-8-sig": "UTF-8 (avec BOM)", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
SEPARATOR_LABELS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
MAX_COLUMNS = 200
# An XLSX of a few megabytes can unzip to millions of rows: far beyond any agency's file.
MAX_ROWS = 200_000


class FileUnreadable(Exception):
    """A file that cannot be read as a table; the message is French."""


@dataclass(frozen=True)
class FileFormat:
    """What was detected: "CSV" or "XLSX", and for CSV its encoding and separator."""

    kind: str
    encoding: str = ""
    separator: str = ""

    @property
    def description(self) -> str:
        """The format in French words, e.g. "CSV, séparateur point-virgule, Windows-1252"."""
        if self.kind == "XLSX":
            return "Classeur Excel (XLSX), première feuille"
        separator = SEPARATOR_LABELS.get(self.separator, self.separator)
        return f"CSV, séparateur {separator}, {ENCODING_LABELS[self.encoding]}"


@dataclass(frozen=True)
class Row:
    """One row of data: its line number and its cells, in the order of the headers."""

    line: int
    cells: tuple[Any, ...]
    overflow: bool = False  # values beyond the last named column


class TableFile:
    """A CSV or XLSX file: its headers, an estimate of its size, and its rows one at a time."""

    def __init__(self, data: bytes) -> None:
        if not data:
            raise FileUnreadable("Le fichier est vide.")
        if data.startswith(OLD_EXCEL_SIGNATURE):
            raise FileUnreadable(
                "Ancien format Excel (.xls) non pris en charge : enregistrez le fichier en "
                "XLSX ou en CSV."
            )
        self._data = data
        if data.startswith(XLSX_SIGNATURE):
            self.format = FileFormat("XLSX")
        else:
            encoding = detect_encoding(data)
            self.format = FileFormat("CSV", encoding, sniff_separator(data, encoding))
        self.headers = self._read_headers()

    def _read_headers(self) -> tuple[str, ...]:
        first = next(self._raw_rows(), None)
        if first is None:
            raise FileUnreadable("Le fichier ne contient aucune ligne.")
        headers = [cell_text(cell) for cell in first.cells]
        while headers and not headers[-1]:  # spreadsheets often carry empty trailing columns
            headers.pop()
        _check_headers(headers)
        return tuple(headers)

    @property
    def estimated_rows(self) -> int:
        """About how many rows of data the file holds (for a progress bar)."""
        if self.format.kind == "XLSX":
            return max(self._sheet_max_row() - 1, 1)
        lines = self._data.count(b"\n") + (not self._data.endswith(b"\n"))
        return max(lines - 1, 1)  # the header is not data

    def rows(self) -> Iterator[Row]:
        """Every non-empty row after the header, cut or padded to the headers' width."""
        width = len(self.headers)
        rows = self._raw_rows()
        next(rows, None)
        for row in rows:
            if row.line > MAX_ROWS + 1:
                raise FileUnreadable(
                    f"Plus de {MAX_ROWS:,} lignes : découpez le fichier.".replace(",", "\u202f")
                )
            cells = tuple(row.cells[:width]) + (None,) * (width - len(row.cells))
            overflow = _has_value(row.cells[width:])
            if overflow or _has_value(cells):
                yield Row(row.line, cells, overflow)

    def _raw_rows(self) -> Iterator[Row]:
        if self.format.kind == "XLSX":
            return self._xlsx_rows()
        return self._csv_rows()

    def _csv_rows(self) -> Iterator[Row]:
        text = io.StringIO(self._data.decode(self.format.encoding), newline="")
        reader = csv.reader(text, delimiter=self.format.separator, strict=True)
        line = 1
        try:
            for cells in reader:
                yield Row(line, tuple(cells))
                line = reader.line_num + 1  # a quoted cell may span several lines
        except csv.Error as error:
            raise FileUnreadable(f"Ligne {line} : CSV mal formé ({error}).") from None

    def _open_sheet(self) -> Any:
        from openpyxl import load_workbook  # only files that are spreadsheets need it

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores
                workbook = load_workbook(io.BytesIO(self._data), read_only=True, data_only=True)
        except Exception as error:  # a corrupt or foreign zip: openpyxl raises many kinds
            raise FileUnreadable(f"Classeur XLSX illisible ({type(error).__name__}).") from None
        return workbook, workbook.worksheets[0]

    def _sheet_max_row(self) -> int:
        workbook, sheet = self._open_sheet()
        try:
            return sheet.max_row or 1
        finally:
            workbook.close()

    def _xlsx_rows(self) -> Iterator[Row]:
        workbook, sheet = self._open_sheet()
        try:
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield Row(line, tuple(cells[:MAX_COLUMNS]))
        finally:
            workbook.close()


def _has_value(cells: tuple[Any, ...]) -> bool:
    return any(cell is not None and (type(cell) is not str or cell.strip()) for cell in cells)


def detect_encoding(data: bytes) -> str:
    """ "utf-8-sig" with a BOM, else "utf-8" when the bytes are valid UTF-8, else "cp1252"."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    if b"\x00" in data:
        raise FileUnreadable("Fichier binaire ou encodé en UTF-16 : enregistrez-le en CSV UTF-8.")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileUnreadable(
            "Encodage du fichier non reconnu (ni UTF-8, ni Windows-1252)."
        ) from None
    return "cp1252"


def sniff_separator(data: bytes, encoding: str) -> str:
    """The separator of the header line: the most frequent of ';', ',' and tab (';' if none)."""
    header = data[:65_536].decode(encoding, errors="replace").splitlines()[:1]
    line = header[0] if header else ""
    counts = {separator: line.count(separator) for separator in (";", ",", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ";"


def _check_headers(headers: list[str]) -> None:
    if not any(headers):
        raise FileUnreadable("Ligne 1 : la première ligne doit nommer les colonnes.")
    if len(headers) > MAX_COLUMNS:
        raise FileUnreadable(f"Ligne 1 : plus de {MAX_COLUMNS} colonnes.")
    seen: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        if not header:
            raise FileUnreadable(f"Ligne 1 : la colonne n° {position} n'a pas de nom.")
        if folded(header) in seen:
            raise FileUnreadable(f"Ligne 1 : colonne « {header} » en double.")
        seen[folded(header)] = header
