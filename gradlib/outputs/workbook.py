"""Print-ready xlsxwriter workbooks (outputs.md): every list and report is written through this module.

A4, landscape when the columns are wide, title rows, header row repeated on every printed page,
footer 第 &P 页 共 &N 页, frozen header, widths fitted to Chinese text (a CJK character counts as two),
a count line, and 内部资料 请勿外传 in the page header of internal workbooks. Every text cell is written
with write_string and the workbook never turns strings into formulas, numbers or links.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
FOOTER = "&C第 &P 页 共 &N 页"
INTERNAL_HEADER = "&C内部资料 请勿外传"
INTERNAL_SUFFIX = "（内部）"
A4 = 9
PORTRAIT_WIDTH = 100   # sum of column widths (Excel units) that still prints well on A4 portrait
BODY_FONT, TITLE_FONT = "宋体", "黑体"
LINE_HEIGHT = 15.0     # points per wrapped line at 11 pt
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def text_width(s: pd.Series) -> pd.Series:
    """Display width of each string: a CJK (non-ASCII) character counts as 2, others as 1."""
    s = s.astype(str)
    return s.str.len() + s.str.count(r"[^\x00-\x7f]")


def safe_file_name(name: str, default: str = "未分班") -> str:
    """A file name from free text (a class name): forbidden characters become _, blank becomes default."""
    name = _BAD_FILE.sub("_", str(name)).strip().strip(".")
    return name or default


@dataclass
class Block:
    """Where a table was written: header row, first and last data row (0-based), and its columns."""
    header_row: int
    first_row: int
    last_row: int
    columns: list[str]


class Book:
    """One xlsx file; sheets are added with sheet() and the file is written by close()."""

    def __init__(self, path, internal: bool):
        self.path = Path(path)
        self.internal = internal
        self.wb = xlsxwriter.Workbook(str(self.path), OPTIONS)
        self.wb.set_properties({"title": self.path.stem, "comments": "gradlib"})
        self.names: set[str] = set()
        base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
        cell = dict(base, border=1)
        f = self.wb.add_format
        self.fmt = {
            "title": f(dict(base, font_name=TITLE_FONT, font_size=16, bold=True, align="center", text_wrap=True)),
            "note": f(dict(base, text_wrap=True)),
            "caption": f(dict(base, bold=True, font_size=12)),
            "header": f(dict(cell, bold=True, align="center", text_wrap=True, bg_color="#D9D9D9")),
            "text": f(cell),
            "center": f(dict(cell, align="center")),
            "wrap": f(dict(cell, text_wrap=True)),
            "number": f(dict(cell, align="center", num_format="0")),
            "money": f(dict(cell, num_format="0.00")),
            "fill": f(dict(cell, bg_color="#FFF2CC")),
            "count": f(dict(base, bold=True)),
        }

    def sheet(self, name: str, title: str | None = None, notes=()) -> Sheet:
        """Add a sheet with a title row (None for an import sheet whose header must be row 1) and note rows."""
        return Sheet(self, self._unique(name), title, [n for n in notes if n])

    def _unique(self, name: str) -> str:
        name = _BAD_SHEET.sub("_", str(name)).strip("'") or "Sheet"
        base, k = name[:31], 1
        name = base
        while name.lower() in self.names:
            k += 1
            suffix = f"({k})"
            name = base[:31 - len(suffix)] + suffix
        self.names.add(name.lower())
        return name

    def close(self) -> Path:
        """Write the file and return its path."""
        self.wb.close()
        return self.path


class Sheet:
    """A print-ready worksheet: title and notes on top, then one or more tables, then finish()."""

    def __init__(self, book: Book, name: str, title: str | None, notes: list[str]):
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.name = name
        self.title = title
        self.notes = notes
        self.row = 0
        self.widths: dict[int, float] = {}
        self.blocks: list[Block] = []
        self._merged: list[tuple[int, str, str, float]] = []  # (row, text, format, height) spanning all columns
        if title:
            self._merged.append((0, title, "title", 28))
            self.row = 1
        for n in notes:
            self._merged.append((self.row, n, "note", 18))
            self.row += 1
        self.head_rows = self.row

    def caption(self, text: str):
        """A bold line above the next table (for sheets holding several tables)."""
        self.row += 1 if self.blocks else 0
        self.ws.write_string(self.row, 0, text, self.book.fmt["caption"])
        self.row += 1

    def table(self, df: pd.DataFrame, *, wrap=(), numbers=(), money=(), center=(), fill_blank=(),
              count: str | None = None, max_width: float = 40, row_height: float | None = None) -> Block:
        """Write df with a header row and an optional count line: every value as text (write_string) unless its
        column is in numbers/money; wrap columns wrap at max_width; blank cells of fill_blank columns are shaded."""
        ws, fmt = self.ws, self.book.fmt
        cols = list(df.columns)
        header = self.row
        for j, c in enumerate(cols):
            ws.write_string(header, j, str(c), fmt["header"])
        first = header + 1
        n = len(df)
        lines = np.ones(n)
        for j, c in enumerate(cols):
            v = df[c]
            if c in numbers or c in money:
                f = fmt["number" if c in numbers else "money"]
                num = pd.to_numeric(v, errors="coerce").to_numpy(dtype=float)
                for i, x in enumerate(num):
                    if math.isnan(x):
                        ws.write_blank(first + i, j, None, f)
                    else:
                        ws.write_number(first + i, j, x, f)
                w = text_width(pd.Series([f"{x:.2f}" if c in money else f"{x:g}" for x in num if not math.isnan(x)],
                                         dtype=object))
                self._fit(j, str(c), w, 16)
                continue
            s = v.astype(object).where(v.notna(), "").astype(str).reset_index(drop=True)
            f = fmt["wrap" if c in wrap else "center" if c in center else "text"]
            blank_fmt = fmt["fill"] if c in fill_blank else f
            write = ws.write_string
            for i, x in enumerate(s.to_numpy()):
                if x:
                    write(first + i, j, x, f)
                else:
                    ws.write_blank(first + i, j, None, blank_fmt)
            if c in wrap and n:
                seg = s.str.split("\n").explode()
                sw = text_width(seg)
                width = self._fit(j, str(c), sw, max_width)
                per = np.ceil(sw.clip(lower=1) / max(width - 1.5, 1)).groupby(level=0).sum()
                lines = np.maximum(lines, per.reindex(range(n), fill_value=1).to_numpy())
            else:
                self._fit(j, str(c), text_width(s) if n else pd.Series([], dtype=int), max_width)
        for i in np.flatnonzero((lines > 1) | (row_height is not None)):
            ws.set_row(first + i, max(row_height or 0, LINE_HEIGHT * lines[i] + 3))
        last = first + n - 1
        self.row = first + n
        if count is not None:
            self._merged.append((self.row, count, "count", 20))
            self.row += 1
        block = Block(header, first, last, cols)
        self.blocks.append(block)
        return block

    def _fit(self, j: int, header: str, widths: pd.Series, cap: float) -> float:
        head = max(len(line) + sum(1 for ch in line if ord(ch) > 127) for line in header.split("\n"))
        data = float(widths.max()) if len(widths) else 0.0
        w = min(max(head, data) + 2, max(cap, head + 2))
        self.widths[j] = max(self.widths.get(j, 0), w, 4)
        return self.widths[j]

    def finish(self, landscape: bool | None = None, freeze: bool = True) -> Sheet:
        """Column widths, merged title/note/count rows, and the print setup (A4, repeat header, footer …)."""
        ws = self.ws
        ncol = max(self.widths) + 1 if self.widths else 1
        for j in range(ncol):
            ws.set_column(j, j, self.widths.get(j, 8))
        total = sum(self.widths.values())
        for r, text, f, height in self._merged:
            scale, line = (16 / 11, 22) if f == "title" else (1, LINE_HEIGHT)  # the title is 16 pt, the rest 11 pt
            lines = max(1, math.ceil(scale * text_width(pd.Series([text])).iloc[0] / max(total - 2, 1)))
            ws.set_row(r, max(height, line * lines + 4))
            if ncol > 1:
                ws.merge_range(r, 0, r, ncol - 1, "", self.book.fmt[f])
            ws.write_string(r, 0, text, self.book.fmt[f])
        ws.set_paper(A4)
        if landscape is None:
            landscape = total > PORTRAIT_WIDTH
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        ws.center_horizontally()
        ws.set_footer(FOOTER)
        if self.book.internal:
            ws.set_header(INTERNAL_HEADER)
        if len(self.blocks) == 1 and self.blocks[0].header_row == self.head_rows:
            header = self.blocks[0].header_row
            ws.repeat_rows(0, header)
            if freeze:
                ws.freeze_panes(header + 1, 0)
            b = self.blocks[0]
            if b.last_row >= b.first_row:
                ws.autofilter(b.header_row, 0, b.last_row, len(b.columns) - 1)
        elif self.head_rows:
            ws.repeat_rows(0, self.head_rows - 1)
            if freeze:
                ws.freeze_panes(self.head_rows, 0)
        return self
