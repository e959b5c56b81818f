"""Read one departmental file (xlsx, xls or csv, told by its bytes) into a table of text cells with canonical headers.

Handles title rows above the header, aliases and required-field marks, blank rows, merged cells, a key row
under the header, registers printed two-up, GBK/UTF-8/UTF-16 text, Excel numbers in identifier columns,
and reports every structural problem with file, sheet, Excel row and column.
"""
from __future__ import annotations

import contextlib
import contextvars
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
from .filekind import TEXT, identify, suffix_note
from .layout import blocks, clean_header, fill_merged, is_key_row, title_course
from .schema import NOTE_PREFIXES, Table
from .values import looks_numeric_id

__all__ = ["clean_header", "Unreadable", "Sheet", "RawTable", "read_sheet", "sheet_names", "to_table", "one_read",
           "csv_encoding", "decode_csv", "non_blank", "note_rows", "any_cell_is_note", "note_candidates"]

HEADER_SEARCH_ROWS = 10
FURTHER_ROWS = 1000  # how far down a header that is not in the first 10 rows is looked for (to name its row)


class Unreadable(ValueError):
    """A file that cannot be read as a table: its finding kind and a Chinese message."""

    def __init__(self, kind, message: str):
        self.kind = str(kind)
        super().__init__(message)


@dataclass
class Sheet:
    """A sheet as a frame of text cells (row i is Excel row i + 1); `numeric` marks cells that were Excel numbers."""
    file: str
    name: str
    cells: pd.DataFrame
    numeric: pd.DataFrame | None = None
    merged: list = field(default_factory=list)  # ((row0, col0), (row1, col1)) of merged ranges, 0-based
    note: str = ""  # e.g. the suffix does not say what the bytes are

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
    title: dict[str, str] = field(default_factory=dict)  # a course named in the title block above the header
    notes: list[Problem] = field(default_factory=list)  # rows skipped while reading (key rows), to be listed
    blocks: int = 1  # column blocks side by side (2 for a register printed two-up)

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


def _bytes(path: Path) -> tuple[bytes | None, object]:
    """The file's bytes and what they are; raises Unreadable."""
    data = None
    if not path.is_dir():
        try:
            data = path.read_bytes()
        except OSError as e:
            raise Unreadable(Kind.FILE_UNREADABLE, f"文件无法打开（可能正被 Excel 等程序占用，或没有读取权限：{type(e).__name__}）"
                                                   "，请关闭该文件后重试") from e
    kind = identify(path, data)
    if not kind.readable:
        raise Unreadable(kind.kind, kind.message)
    return data, kind


def _workbook(data: bytes):
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as e:
        raise Unreadable(Kind.FILE_ENCRYPTED, "工作簿设有打开密码，无法读取；请在 Excel 中清除密码后另存") from e
    except Exception as e:  # calamine raises its own error types
        raise Unreadable(Kind.FILE_CORRUPT, f"Excel 文件已损坏，无法读取（{type(e).__name__}）；请在 Excel 中打开并另存后重试") from e


# Within one_read(): each workbook opened once (path -> (kind, workbook)); None outside it
_OPENED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gradlib_opened", default=None)


@contextlib.contextmanager
def one_read():
    """Within this block a workbook is read from disk and opened once, however many of its sheets are read (a
    workbook of course registers has one sheet per class and course; opening it parses every shared string)."""
    token = _OPENED.set({}) if _OPENED.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _OPENED.reset(token)


def _open(path: Path):
    """The file's kind and, for a workbook, the workbook opened (once within one_read); raises Unreadable."""
    memo = _OPENED.get()
    key = str(Path(path).resolve())
    if memo is not None and key in memo:
        return memo[key]
    data, kind = _bytes(path)
    opened = (kind, data if kind.format == TEXT else _workbook(data))
    if memo is not None and kind.format != TEXT:
        memo[key] = opened
    return opened


def _visible(wb) -> list[str]:
    try:
        shown = [m.name for m in wb.sheets_metadata
                 if m.visible == python_calamine.SheetVisibleEnum.Visible
                 and m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    except Exception:  # an old reader without metadata: every sheet counts
        shown = []
    return shown or list(wb.sheet_names)


def sheet_names(path: Path) -> list[str]:
    """The visible worksheets of a workbook, in order ([''] for a text file)."""
    kind, wb = _open(path)
    if kind.format == TEXT:
        return [""]
    return _visible(wb)


def read_sheet(path: Path, label: str, sheet: str | None = None) -> Sheet:
    """Read a sheet (or a CSV) as text cells, the format told by the bytes; raises Unreadable in Chinese.

    Without a sheet name, the first visible worksheet is read (as the registrar sees the workbook open).
    """
    kind, wb = _open(path)
    note = suffix_note(path, kind.format)
    if kind.format == TEXT:
        return Sheet(label, "", _read_csv_frame(wb), note=note)
    if sheet is None:
        sheet = _visible(wb)[0] if wb.sheet_names else None
        if sheet is None:
            raise Unreadable(Kind.NO_DATA, "工作簿中没有工作表")
    elif sheet not in wb.sheet_names:
        raise Unreadable(Kind.SHEET_MISSING, f"找不到工作表“{sheet}”，现有：{'、'.join(wb.sheet_names)}")
    ws = wb.get_sheet_by_name(sheet)
    try:
        raw = ws.to_python(skip_empty_area=False)
    except Exception as e:
        raise Unreadable(Kind.FILE_CORRUPT, f"工作表“{sheet}”已损坏，无法读取（{type(e).__name__}）") from e
    try:
        merged = list(ws.merged_cell_ranges or [])
    except Exception:  # .xls without merge records
        merged = []
    rows, numeric = [], []
    for r in raw:
        cells = [_cell_text(v) for v in r]
        rows.append([c[0] for c in cells])
        numeric.append([c[1] for c in cells])
    cells = pd.DataFrame(rows, dtype=object).fillna("")
    return Sheet(label, sheet, cells, pd.DataFrame(numeric, dtype=object).fillna(False).astype(bool), merged, note)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _decoded(data: bytes) -> tuple[str, str, int]:
    """CSV bytes as text, the encoding to write more rows with, and the length of the BOM."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc), enc, len(bom)
            except UnicodeDecodeError as e:
                raise Unreadable(Kind.FILE_ENCODING, f"文件开头标明为 {enc.upper()} 编码，但内容不是该编码（第 {e.start} 字节）") from e
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030", 0
    except UnicodeDecodeError as e:
        raise Unreadable(Kind.FILE_ENCODING, "无法识别文件编码，应为 UTF-8 或 GBK/GB18030；"
                                             "请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”") from e


def csv_encoding(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), UTF-16 with its BOM, else GB18030 (a superset of GBK).

    Returns (text, encoding to write more rows with); raises Unreadable in Chinese when none fits.
    """
    text, enc, _ = _decoded(data)
    return text, enc


def decode_csv(data: bytes) -> str:
    """CSV bytes as text (see csv_encoding)."""
    return csv_encoding(data)[0]


def _head(text: str, size: int = 1 << 16) -> str:
    """The first lines of a text (about 64 KB, without copying the whole text)."""
    return text[:size]


def _delimiter(text: str) -> str:
    """A tab-separated export (Excel's "Unicode 文本") is told by its first line: tabs and no commas."""
    first = next((line for line in itertools.islice(io.StringIO(_head(text)), 20) if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


# what str.strip() removes (every character below U+3001 with isspace(); none above), less the line breaks, and
# the quote: a text with none of them has no cell that stripping would change
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in "\r\n")
_MAY_NEED_STRIP = {sep: re.compile("[" + re.escape(_SPACES.replace(sep, "")) + '"]') for sep in (",", "\t")}


def _read_csv_frame(data: bytes) -> pd.DataFrame:
    """A CSV as a frame of stripped text cells, one row per record (blank lines kept, so row numbers hold)."""
    text, enc, bom = _decoded(data)
    if not text.strip():
        return pd.DataFrame(dtype=object)
    sep = _delimiter(text)
    # UTF-8 goes to the parser as the bytes themselves (it would otherwise encode the text again, chunk by chunk)
    source = io.BytesIO(memoryview(data)[bom:]) if enc == "utf-8" else io.StringIO(text)
    try:
        return _csv_frame(text, source, sep)
    except (csv.Error, pd.errors.ParserError, ValueError) as e:
        raise Unreadable(Kind.FILE_CORRUPT, f"CSV 文件格式有误，无法按行读取（{type(e).__name__}）；"
                                            "请用 Excel 打开后另存为“CSV UTF-8（逗号分隔）”") from e


def _csv_frame(text: str, source, sep: str) -> pd.DataFrame:
    start = _head(text)
    head = list(csv.reader(io.StringIO(start, newline=""), delimiter=sep))
    if len(start) < len(text):
        head = head[:-1]  # the last line of the head may be cut short
    head = head[:50]
    width = max((len(r) for r in head), default=1)
    try:
        df = pd.read_csv(source, header=None, names=range(width), dtype=object, na_filter=False,
                         skip_blank_lines=False, engine="c", sep=sep, encoding="utf-8")
    except pd.errors.ParserError:  # a later row wider than the first 50: let the csv module size it
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
        width = max(len(r) for r in rows)
        df = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    df = df.fillna("")
    if _MAY_NEED_STRIP[sep].search(text) is None:
        return df
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


def _with_note(p: Problem, note: str) -> Problem:
    return Problem(p.kind, p.file, p.sheet, p.row, p.column, p.value, f"{p.problem}（{note}）", p.expected,
                   p.student_id) if note else p


def find_header(sheet: Sheet, table: Table, required: tuple[str, ...]) -> tuple[int, dict[str, int]] | list[Problem]:
    """Locate the header: the first of the first 10 non-blank rows holding every required column."""
    best = None
    seen = 0
    last = -1
    for i, row in enumerate(sheet.head_rows(200)):
        cells = [clean_header(c) for c in row]
        if not any(cells):
            continue
        seen += 1
        last = i
        found = _match_headers(cells, table)
        if all(r in found for r in required):
            return i, found
        if best is None or len(found) > len(best[1]):
            best = (i, found)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        return [_with_note(Problem(Kind.NO_DATA, sheet.file, sheet.name, None, "", "", "文件中没有任何数据",
                                   "含表头的表格"), sheet.note)]
    lower = _header_further(sheet, table, required, last + 1)
    if lower is not None:
        return [Problem(Kind.HEADER_TOO_LOW, sheet.file, sheet.name, lower + 1, "", "",
                        f"表头在第 {lower + 1} 行，不在前 10 个非空行内", "表头位于前 10 行内（请删除表头上方多余的标题行或空行）")]
    i, found = best
    where = i + 1 if found else None
    problem = "缺少必填列" if found else "前 10 行中没有找到表头（缺少必填列）"
    return [_with_note(Problem(Kind.COLUMN_MISSING, sheet.file, sheet.name, where, col, "", problem,
                               "表头（前 10 行内）应含“" + "”或“".join(table.column(col).headers) + "”"), sheet.note)
            for col in required if col not in found]


def _header_further(sheet: Sheet, table: Table, required, start: int) -> int | None:
    """The row (0-based) below the first 10 that holds every required column, if any (to name it)."""
    for i, row in enumerate(sheet.cells.iloc[start:start + FURTHER_ROWS].values.tolist(), start=start):
        cells = [clean_header(c) for c in row]
        if any(cells) and all(r in _match_headers(cells, table) for r in required):
            return i
    return None


def _id_mask(sheet: Sheet, frame: pd.DataFrame, numeric: pd.DataFrame | None, j: int) -> pd.Series:
    if numeric is not None:
        return pd.Series(numeric[j].to_numpy(dtype=bool))
    return looks_numeric_id(frame[j]).astype(bool).reset_index(drop=True)


def to_table(sheet: Sheet, table: Table, required: tuple[str, ...] | None = None) -> RawTable | list[Problem]:
    """Turn a sheet into a RawTable with canonical headers, or the list of its structural problems."""
    required = table.required if required is None else required
    located = find_header(sheet, table, required)
    if isinstance(located, list):
        return located
    h, found = located
    header_cells = [clean_header(c) for c in sheet.cells.iloc[h]]
    spans = blocks(header_cells, sheet.file, sheet.name, h + 1)
    if spans and isinstance(spans[0], Problem):
        return spans
    cells, numeric = fill_merged(sheet.cells, sheet.numeric, sheet.merged, h)
    frames, nums, rows, notes = [], [], [], []
    for a, b in spans:
        body = cells.iloc[h + 1:, a:b].set_axis(range(b - a), axis=1)
        keep = non_blank(body)
        r = np.arange(h + 2, h + 2 + len(body), dtype=np.int64)[keep]
        body = body[keep].reset_index(drop=True)
        num = None
        if numeric is not None:
            num = numeric.iloc[h + 1:, a:b].copy()
            num = num.reindex(columns=range(a, b), fill_value=False)
            num.columns = range(b - a)
            num = num[keep].reset_index(drop=True)
        if len(body) and is_key_row(body.iloc[0].tolist()):
            notes.append(Problem(str(Kind.KEY_ROW), sheet.file, sheet.name, int(r[0]), "",
                                 " ".join(v for v in body.iloc[0].tolist() if v),
                                 "表头下的英文字段名行（导入模板的字段行），不是学生，已跳过", "表头下直接是数据行"))
            body, r = body.iloc[1:].reset_index(drop=True), r[1:]
            num = num.iloc[1:].reset_index(drop=True) if num is not None else None
        frames.append(body)
        nums.append(num)
        rows.append(r)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    num_all = None if numeric is None else (pd.concat(nums, ignore_index=True) if len(nums) > 1 else nums[0])
    block = header_cells[spans[0][0]:spans[0][1]]
    local = _match_headers(block, table)
    data, headers, idmask = {}, {}, {}
    for name, j in local.items():
        data[name] = frame[j] if j in frame.columns else pd.Series("", index=frame.index, dtype=object)
        headers[name] = block[j]
        if table.column(name).kind == "id":
            idmask[name] = _id_mask(sheet, frame, num_all, j) if j in frame.columns else pd.Series(False, index=frame.index)
    used = set(local.values())
    for j, hc in enumerate(block):
        if j in used or hc == "" or hc in data:
            continue
        data[hc] = frame[j] if j in frame.columns else ""
        headers[hc] = hc
    df = pd.DataFrame(data, index=frame.index)
    for col in df.columns:
        df[col] = df[col].astype(object)
    positions = {k: v + spans[0][0] for k, v in local.items()}
    full_width = max((j + 1 for j, hc in enumerate(header_cells) if hc), default=0)
    return RawTable(sheet.file, sheet.name, df, np.concatenate(rows) if rows else np.array([], np.int64), idmask,
                    headers, h + 1, positions, full_width, title_course(sheet.head_rows(h)), notes, len(spans))


def non_blank(frame: pd.DataFrame) -> np.ndarray:
    """Rows of a frame of text cells with at least one non-blank cell (a str is true when not empty)."""
    keep = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        keep |= frame[c].to_numpy(dtype=object).astype(bool)
    return keep


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
