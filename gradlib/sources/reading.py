"""Read one departmental file (xlsx, xls or csv) into a table of text cells with canonical headers.

Handles title rows above the header, aliases, blank rows, GBK/UTF-8 CSV, Excel numbers in
identifier columns, and reports every structural problem with file, sheet, Excel row and column.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from ..findings import Kind, Problem
from .schema import NOTE_PREFIXES, Table
from .values import looks_numeric_id

HEADER_SEARCH_ROWS = 10
_SPACE = re.compile(r"[\s\u3000\ufeff]+")


def clean_header(text) -> str:
    """A header cell without any spaces (half-width, full-width or BOM) or the * of required-field marks."""
    return _SPACE.sub("", str(text if text is not None else "")).lstrip("*＊")


@dataclass
class Sheet:
    """A sheet as a frame of text cells (row i is Excel row i + 1); `numeric` marks cells that were Excel numbers."""
    file: str
    name: str
    cells: pd.DataFrame
    numeric: pd.DataFrame | None = None

    def head_rows(self, n: int) -> list[list[str]]:
        return self.cells.iloc[:n].values.tolist()


@dataclass
class RawTable:
    """A table with canonical headers: text cells, Excel row numbers, and numeric-arrival masks."""
    file: str
    sheet: str
    data: pd.DataFrame  # canonical and extra columns, text
    rows: np.ndarray  # Excel row number of each data row
    numeric: dict[str, pd.Series] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    header_row: int = 0  # Excel row of the header
    positions: dict[str, int] = field(default_factory=dict)  # canonical -> column position (0-based)
    width: int = 0  # number of columns of the sheet

    def problem(self, kind, i, column: str, value, problem: str, expected: str = "", student_id: str = "") -> Problem:
        """A Problem at data row i (None: the table as a whole) and a canonical column."""
        return Problem(str(kind), self.file, self.sheet, int(self.rows[i]) if i is not None else None,
                       self.headers.get(column, column), "" if value is None else str(value),
                       problem, expected, student_id)


def _cell_text(v) -> tuple[str, bool]:
    """An Excel cell as text, and whether it arrived as a number."""
    if v is None:
        return "", False
    if isinstance(v, str):
        return v.strip(), False
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), False
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v)), True
        return repr(v), True
    if isinstance(v, int):
        return str(v), True
    if isinstance(v, dt.datetime):
        return v.date().isoformat(), False
    if isinstance(v, dt.date):
        return v.isoformat(), False
    return str(v).strip(), False


def sheet_names(path: Path) -> list[str]:
    if path.suffix.lower() == ".csv":
        return [""]
    return python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names


def read_sheet(path: Path, label: str, sheet: str | None = None) -> Sheet:
    """Read a sheet (or a CSV) as text cells; raises ValueError with a Chinese message when unreadable."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Sheet(label, "", _read_csv_frame(path))
    if suffix not in (".xlsx", ".xls", ".xlsm"):
        raise ValueError(f"不支持的文件类型“{path.suffix}”，应为 .xlsx、.xls 或 .csv")
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        raise ValueError(f"无法打开 Excel 文件（{type(e).__name__}）：文件可能已损坏或不是 Excel 格式") from e
    if sheet is None:
        if not wb.sheet_names:
            raise ValueError("工作簿中没有工作表")
        sheet = wb.sheet_names[0]
    elif sheet not in wb.sheet_names:
        raise ValueError(f"找不到工作表“{sheet}”，现有：{'、'.join(wb.sheet_names)}")
    raw = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    rows, numeric = [], []
    for r in raw:
        cells = [_cell_text(v) for v in r]
        rows.append([c[0] for c in cells])
        numeric.append([c[1] for c in cells])
    cells = pd.DataFrame(rows, dtype=object).fillna("")
    return Sheet(label, sheet, cells, pd.DataFrame(numeric, dtype=object).fillna(False).astype(bool))


def csv_encoding(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK).

    Returns (text, encoding to write more rows with); raises ValueError in Chinese when neither fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        raise ValueError("无法识别文件编码，应为 UTF-8 或 GBK/GB18030") from e


def decode_csv(data: bytes) -> str:
    """CSV bytes as text (see csv_encoding)."""
    return csv_encoding(data)[0]


def _read_csv_frame(path: Path) -> pd.DataFrame:
    """A CSV as a frame of stripped text cells, one row per record (blank lines kept, so row numbers hold)."""
    text = decode_csv(path.read_bytes())
    head = list(itertools.islice(csv.reader(io.StringIO(text)), 50))
    width = max((len(r) for r in head), default=1)
    try:
        df = pd.read_csv(io.StringIO(text), header=None, names=range(width), dtype=object, na_filter=False,
                         skip_blank_lines=False, engine="c")
    except pd.errors.ParserError:  # a later row wider than the first 50: let the csv module size it
        rows = list(csv.reader(io.StringIO(text)))
        width = max(len(r) for r in rows)
        df = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    df = df.fillna("")
    for c in df.columns:  # strip each distinct value once: grade columns repeat a handful of values
        codes, uniques = pd.factorize(df[c].to_numpy(dtype=object))
        df[c] = np.array([u.strip() for u in uniques], dtype=object)[codes] if len(uniques) else df[c]
    return df


def _match_headers(cells: list[str], table: Table) -> dict[str, int]:
    """Map canonical column names to column positions: canonical header first, then aliases in order."""
    positions: dict[str, int] = {}
    for i, c in enumerate(cells):
        positions.setdefault(c, i)
    found = {}
    for col in table.columns:
        for h in col.headers:
            if h in positions:
                found[col.name] = positions[h]
                break
    return found


def find_header(sheet: Sheet, table: Table, required: tuple[str, ...]) -> tuple[int, dict[str, int]] | list[Problem]:
    """Locate the header: the first of the first 10 non-blank rows holding every required column."""
    best = None
    seen = 0
    for i, row in enumerate(sheet.head_rows(200)):
        cells = [clean_header(c) for c in row]
        if not any(cells):
            continue
        seen += 1
        found = _match_headers(cells, table)
        if all(r in found for r in required):
            return i, found
        if best is None or len(found) > len(best[1]):
            best = (i, found)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        return [Problem(Kind.NO_DATA, sheet.file, sheet.name, None, "", "", "文件中没有任何数据", "含表头的表格")]
    i, found = best
    return [Problem(Kind.COLUMN_MISSING, sheet.file, sheet.name, i + 1, col, "", "缺少必填列",
                    "表头（前 10 行内）应含“" + "”或“".join(table.column(col).headers) + "”")
            for col in required if col not in found]


def to_table(sheet: Sheet, table: Table, required: tuple[str, ...] | None = None) -> RawTable | list[Problem]:
    """Turn a sheet into a RawTable with canonical headers, or the list of its structural problems."""
    required = table.required if required is None else required
    located = find_header(sheet, table, required)
    if isinstance(located, list):
        return located
    h, found = located
    header_cells = [clean_header(c) for c in sheet.cells.iloc[h]]
    body = sheet.cells.iloc[h + 1:]
    keep = (body != "").any(axis=1).to_numpy()
    rows = np.arange(h + 2, h + 2 + len(body), dtype=np.int64)[keep]
    frame = body[keep].reset_index(drop=True)
    data, headers, numeric = {}, {}, {}
    used = set()
    for name, j in found.items():
        data[name] = frame[j]
        headers[name] = header_cells[j]
        used.add(j)
        if table.column(name).kind == "id":
            if sheet.numeric is not None:
                numeric[name] = pd.Series(sheet.numeric.iloc[h + 1:, j].to_numpy(dtype=bool)[keep])
            else:
                numeric[name] = looks_numeric_id(frame[j]).astype(bool)
    for j, hc in enumerate(header_cells):
        if j in used or hc == "" or hc in data:
            continue
        data[hc] = frame[j]
        headers[hc] = hc
    df = pd.DataFrame(data)
    for col in df.columns:
        df[col] = df[col].astype(object)
    width = max((j + 1 for j, hc in enumerate(header_cells) if hc), default=0)
    return RawTable(sheet.file, sheet.name, df, rows, numeric, headers, h + 1, dict(found), width)


def note_rows(t: RawTable) -> pd.Series:
    """Rows that are notes, not students: a blank 学号 or one starting with 合计, 制表 …"""
    sid = t.data["学号"].astype(str)
    return (sid == "") | sid.str.startswith(NOTE_PREFIXES)


def any_cell_is_note(t: RawTable) -> pd.Series:
    """Rows where some cell starts with a note prefix (a 合计 or 制表人 footer written in another column)."""
    hit = pd.Series(False, index=t.data.index)
    for col in t.data.columns:
        hit |= t.data[col].astype(str).str.startswith(NOTE_PREFIXES)
    return hit


def note_candidates(t: RawTable) -> np.ndarray:
    """Rows whose 学号 is blank: only these can be note rows written in another column."""
    return (t.data["学号"].astype(str) == "").to_numpy()
