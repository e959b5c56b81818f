"""Print-ready xlsxwriter workbooks (outputs.md): every list and report is written through this module.

A4, landscape when the columns are wide, title rows, header row repeated on every printed page,
footer 第 &P 页 共 &N 页, frozen header, widths fitted to Chinese text (a CJK character counts as two) and
to the page (paper.py), row heights fitted to the wrapped text, a count line, optionally the issuing office
and date with room for the seal, and 内部资料 请勿外传 in the page header of internal workbooks. A chart
prints below its table when both fit on one page, else on a chart sheet of its own: never cut by a page
break. Every text cell is written with write_string and the workbook never turns strings into formulas,
numbers or links.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from . import paper
from .paper import LINE_HEIGHT, PORTRAIT_WIDTH, widths_of

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
FOOTER = "&C第 &P 页 共 &N 页"
INTERNAL_HEADER = "&C内部资料 请勿外传"
INTERNAL_SUFFIX = "（内部）"
A4 = 9
BODY_FONT, TITLE_FONT = "宋体", "黑体"
CHART_PIXELS = (480, 288)  # xlsxwriter's chart at scale 1
SEAL_ROOM = 42             # points left blank above the issuing office for the seal
EXCEL_ROWS = 1_048_576     # rows of a worksheet; a longer table is split across sheets (Book.sheets)
FOOT_ROWS = 4              # room below a table: count line, seal, office, date
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


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


class _Workbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook whose check of a new sheet's name does not compare it with every sheet before it:
    that pass made a roster of 20,000 classes (one sheet each) quadratic. Book._unique keeps the names unique
    (case ignored, as Excel does) in a set; xlsxwriter still checks the length and the characters."""

    def _check_sheetname(self, sheetname, is_chartsheet=False):
        sheets, self.worksheets_objs = self.worksheets_objs, []  # what xlsxwriter's uniqueness pass walks
        try:
            return super()._check_sheetname(sheetname, is_chartsheet)
        finally:
            self.worksheets_objs = sheets


class Book:
    """One xlsx file; sheets are added with sheet() and the file is written by close()."""

    def __init__(self, path, internal: bool, in_memory: bool = False):
        self.path = Path(path)
        self.internal = internal
        # in_memory: the parts of the file assembled in memory, not in temporary files (twice as fast for a small book)
        self.wb = _Workbook(str(self.path), {**OPTIONS, "in_memory": in_memory})
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
            "sign": f(dict(base, align="right")),
            "blank": f(base),
        }
        self._titles: dict[int, object] = {}

    def title_format(self, size: int):
        """The title's format at a font size (16 pt, or smaller to fit one line)."""
        if size not in self._titles:
            self._titles[size] = self.wb.add_format({"font_name": TITLE_FONT, "font_size": size, "bold": True,
                                                     "align": "center", "valign": "vcenter", "text_wrap": True})
        return self._titles[size]

    def chart_sheet(self, name: str, chart, landscape: bool = True):
        """A sheet holding one chart on one A4 page (with the internal header where the book is internal)."""
        cs = self.wb.add_chartsheet(self._unique(name))
        cs.set_chart(chart)
        cs.set_paper(A4)
        cs.set_landscape() if landscape else cs.set_portrait()
        cs.set_footer(FOOTER)
        if self.internal:
            cs.set_header(INTERNAL_HEADER)
        return cs

    def sheet(self, name: str, title: str | None = None, notes=()) -> Sheet:
        """Add a sheet with a title row (None for an import sheet whose header must be row 1) and note rows."""
        return Sheet(self, self._unique(name), title, [n for n in notes if n])

    def sheets(self, name: str, title: str | None, notes, rows: pd.DataFrame) -> list[tuple[Sheet, pd.DataFrame]]:
        """A sheet for rows, or, past Excel's row limit, several (name, name(2) …), each with a note saying which
        part of how many it is: (sheet, its rows) to write with Sheet.table."""
        notes = [n for n in notes if n]
        room = EXCEL_ROWS - (1 if title else 0) - len(notes) - 2 - 1 - FOOT_ROWS  # title, notes, note, header
        if len(rows) <= room + 1:
            return [(self.sheet(name, title, notes), rows)]
        starts = range(0, len(rows), room)
        return [(self.sheet(name, title, notes + [f"本表为第 {k} 部分，共 {len(starts)} 部分（Excel 每个工作表至多 "
                                                  f"{EXCEL_ROWS:,} 行；全表共 {len(rows):,} 行，各部分依次接续）"]),
                 rows.iloc[i:i + room]) for k, i in enumerate(starts, 1)]

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
        self._wanted: dict[int, float] = {}   # wrapped columns: the width that would need no wrapping
        self._wrapped: list[tuple] = []  # (first row, rows, column, each line's cell, each line's width)
        self._min_height: dict[int, float] = {}
        self._charts: list[tuple[object, str, float, float]] = []  # (chart, name of its own sheet, x, y scale)
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
        column is in numbers/money; wrap columns are as wide as the page allows and wrap beyond max_width
        when it does not; blank cells of fill_blank columns are shaded."""
        ws, fmt = self.ws, self.book.fmt
        cols = list(df.columns)
        header = self.row
        for j, c in enumerate(cols):
            ws.write_string(header, j, str(c), fmt["header"])
        first = header + 1
        n = len(df)
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
                shown = [f"{x:.2f}" if c in money else f"{x:g}" for x in num if not math.isnan(x)]
                self._fit(j, str(c), widths_of(shown), 16)
                continue
            # plain lists, not pandas: a class packet's columns are a few dozen cells, where each pandas call
            # costs more than the cells (a third of the time of 20,836 packets)
            values = v.to_numpy(dtype=object)
            texts = ["" if missing else str(x) for x, missing in zip(values, pd.isna(values))]
            f = fmt["wrap" if c in wrap else "center" if c in center else "text"]
            blank_fmt = fmt["fill"] if c in fill_blank else f
            write = ws.write_string
            for i, x in enumerate(texts):
                if x:
                    write(first + i, j, x, f)
                else:
                    ws.write_blank(first + i, j, None, blank_fmt)
            if c in wrap and n:
                cells, widths = paper.line_widths(texts)
                self._fit(j, str(c), widths, max_width)
                self._wanted[j] = max(self._wanted.get(j, 0), float(widths.max()) + 2)
                self._wrapped.append((first, n, j, cells, widths))
            else:
                self._fit(j, str(c), widths_of(texts), max_width)
        if row_height is not None:
            for i in range(n):
                self._min_height[first + i] = row_height
        last = first + n - 1
        self.row = first + n
        if count is not None:
            self._merged.append((self.row, count, "count", 20))
            self.row += 1
        block = Block(header, first, last, cols)
        self.blocks.append(block)
        return block

    def sign(self, office: str, date: str):
        """The foot of a list to post: a blank line for the seal, then the issuing office and the date."""
        self._merged.append((self.row, "", "blank", SEAL_ROOM))
        self._merged.append((self.row + 1, office, "sign", 20))
        self._merged.append((self.row + 2, date, "sign", 20))
        self.row += 3

    def footer(self, lines, height: float = 40):
        """Lines below the tables, each tall enough to sign or stamp on (e.g. the reviews of a class roster)."""
        self._merged.append((self.row, "", "blank", 12))
        self.row += 1
        for text in lines:
            self._merged.append((self.row, text, "note", height))
            self.row += 1

    def chart(self, chart, sheet_name: str, x_scale: float = 1.0, y_scale: float = 1.0):
        """A chart below the tables when the sheet then still prints on one page, else on its own sheet."""
        self._charts.append((chart, sheet_name, x_scale, y_scale))

    def _fit(self, j: int, header: str, widths: np.ndarray, cap: float) -> float:
        head = max(len(line) + sum(1 for ch in line if ord(ch) > 127) for line in header.split("\n"))
        data = float(widths.max()) if len(widths) else 0.0
        w = min(max(head, data) + 2, max(cap, head + 2))
        self.widths[j] = max(self.widths.get(j, 0), w, 4)
        return self.widths[j]

    def _layout(self, landscape: bool | None) -> bool:
        """Final column widths within the page: wrapped columns widened as far as the page allows, narrow
        tables widened to their title. Returns the orientation."""
        if landscape is None:
            landscape = sum(self.widths.values()) > PORTRAIT_WIDTH
        page = paper.page_width(landscape)
        self.widths = paper.grow(self.widths, self._wanted, page - sum(self.widths.values()))
        if self.title:
            self.widths = paper.widen(self.widths, min(paper.title_width(self.title), page))
        return landscape

    def _heights(self, total: float) -> dict[int, float]:
        """The height of every row set here: wrapped cells, title and note rows, minimum heights."""
        heights = dict(self._min_height)
        for first, n, j, cells, widths in self._wrapped:
            lines = paper.wrapped_lines(cells, widths, n, self.widths[j])
            for i in np.flatnonzero(lines > 1):
                heights[first + i] = max(heights.get(first + i, 0), LINE_HEIGHT * lines[i] + 3)
        return heights

    def _write_merged(self, ncol: int, total: float, heights: dict[int, float]):
        fmt = self.book.fmt
        for r, text, f, height in self._merged:
            if f == "title":
                size = paper.title_size(text, total)
                shown, lines = paper.break_lines(text, total, size)
                style, h = self.book.title_format(size), max(height, (size + 8) * lines + 4)
            else:
                shown, lines = paper.break_lines(text, total) if f == "note" else (text, 1)
                style, h = fmt[f], max(height, LINE_HEIGHT * lines + 4)
            heights[r] = h
            if ncol > 1:
                self.ws.merge_range(r, 0, r, ncol - 1, "", style)
            self.ws.write_string(r, 0, shown, style) if shown else self.ws.write_blank(r, 0, None, style)

    def _place_charts(self, heights: dict[int, float], landscape: bool):
        """Each chart below the content when the whole sheet still prints on one page (the chart may shrink to
        60 % of its height for that), else on a chart sheet of its own: never cut by a page break."""
        rows = [heights.get(r, paper.DEFAULT_ROW) for r in range(self.row)]
        scale = min(1.0, paper.page_width(landscape) / max(sum(self.widths.values()), 1))
        at = self.row + 1
        for chart, name, x, y in self._charts:
            room = paper.room_left(rows + [paper.DEFAULT_ROW], scale, landscape)
            tall = min(CHART_PIXELS[1] * y * 0.75, room)
            if tall >= 0.6 * CHART_PIXELS[1] * y * 0.75:
                self.ws.insert_chart(at, 0, chart, {"x_scale": x, "y_scale": tall / (CHART_PIXELS[1] * 0.75)})
                used = math.ceil(tall / paper.DEFAULT_ROW) + 1
                rows += [paper.DEFAULT_ROW] * used
                at += used
            else:
                self.book.chart_sheet(name, chart)

    def finish(self, landscape: bool | None = None, freeze: bool = True) -> Sheet:
        """Column widths, row heights, merged title/note/count rows, charts, and the print setup (A4, repeat
        header, footer …)."""
        ws = self.ws
        landscape = self._layout(landscape)
        ncol = max(self.widths) + 1 if self.widths else 1
        for j in range(ncol):
            ws.set_column(j, j, self.widths.get(j, 8))
        total = sum(self.widths.values())
        heights = self._heights(total)
        self._write_merged(ncol, total, heights)
        for r, h in heights.items():
            ws.set_row(r, h)
        self._place_charts(heights, landscape)
        ws.set_paper(A4)
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
