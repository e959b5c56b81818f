"""How a sheet lies on A4 paper: column widths within the page, titles that fit it, lines of wrapped text.

Widths are Excel's units (the width of a digit of Calibri 11, about 7 pixels); a CJK character of the 11 pt
body font counts as 2 (``width_of``). Heights are points. The printable area is A4 less the margins that
``Sheet.finish`` sets (0.4 in left and right, 0.7 in top and bottom).
"""
from __future__ import annotations

import math

import numpy as np

PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 100, 145     # sum of column widths that prints at 100 % across the page
PORTRAIT_HEIGHT, LANDSCAPE_HEIGHT = 720, 470   # points of rows that print on one page at 100 %
LINE_HEIGHT = 15.0                             # points per line of 11 pt text
TITLE_SIZE, SMALLEST_TITLE = 16, 12            # the title's font size, and how far it may shrink to fit one line
SEPARATOR = "　　"                              # between the parts of a subtitle: a line may break there
DEFAULT_ROW = 15.0


def width_of(text: str) -> int:
    """The display width of one string: twice its characters less its ASCII ones."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


def widths_of(texts: list[str]) -> np.ndarray:
    """The display width of each of these strings."""
    return np.fromiter(map(width_of, texts), dtype=np.int64, count=len(texts))


def page_width(landscape: bool) -> float:
    return LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH


def page_height(landscape: bool) -> float:
    return LANDSCAPE_HEIGHT if landscape else PORTRAIT_HEIGHT


def grow(widths: dict[int, float], wanted: dict[int, float], room: float) -> dict[int, float]:
    """Widen the columns in wanted toward their wanted width, sharing at most room between them."""
    short = {j: wanted[j] - widths[j] for j in wanted if wanted[j] > widths[j]}
    need = sum(short.values())
    if need <= 0 or room <= 0:
        return widths
    k = min(1.0, room / need)
    return {j: w + k * short.get(j, 0) for j, w in widths.items()}


def widen(widths: dict[int, float], total: float) -> dict[int, float]:
    """Every column widened in proportion so that they add up to total (never narrowed)."""
    now = sum(widths.values())
    if now <= 0 or total <= now:
        return widths
    return {j: w * total / now for j, w in widths.items()}


def title_size(text: str, total: float) -> int:
    """The title's font size: 16 pt, or smaller (down to 12) so that it fits on one line of the table's width."""
    need = width_of(text) * TITLE_SIZE / 11 + 2
    if need <= total:
        return TITLE_SIZE
    return max(SMALLEST_TITLE, math.floor(TITLE_SIZE * (total - 2) / (need - 2)))


def title_width(text: str) -> float:
    """The width a title needs to print on one line at 16 pt."""
    return width_of(text) * TITLE_SIZE / 11 + 2


def lines_needed(width: float, column: float) -> int:
    """Lines of one text of this display width in a wrapped cell of this column width."""
    return max(1, math.ceil(width / max(column - 1.5, 1)))


def break_lines(text: str, total: float, size: float = 11) -> tuple[str, int]:
    """A title-row text broken between its parts (at the wide spaces) where it is wider than the table:
    the text with line breaks, and how many printed lines it takes."""
    room = max(total - 2, 1) * 11 / size
    parts = text.split(SEPARATOR)
    lines: list[str] = []
    for part in parts:
        if lines and width_of(lines[-1] + SEPARATOR + part) <= room:
            lines[-1] += SEPARATOR + part
        else:
            lines.append(part)
    return "\n".join(lines), sum(lines_needed(width_of(x) * size / 11, total) for x in lines)


def line_widths(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The lines of the cells of a wrapped column: for each line, which cell it is in and its display width."""
    cells, widths = [], []
    for i, text in enumerate(texts):
        for line in text.split("\n"):
            cells.append(i)
            widths.append(width_of(line))
    return np.array(cells, dtype=np.intp), np.array(widths, dtype=np.int64)


def wrapped_lines(cells: np.ndarray, widths: np.ndarray, n: int, column: float) -> np.ndarray:
    """Printed lines of each of n cells of a wrapped column, from line_widths (every cell has a line)."""
    return np.bincount(cells, weights=np.ceil(np.maximum(widths, 1) / max(column - 1.5, 1)), minlength=n)


def room_left(heights: list[float], scale: float, landscape: bool) -> float:
    """Points (at 100 %) left on the first page under rows of these heights printed at this scale; negative when
    the rows already take more than a page (a 10 % margin for the renderer's own row heights)."""
    return 0.9 * page_height(landscape) / scale - sum(heights)
