"""How a sheet is laid out around its header (data-contract.md, general rules): header cells cleaned of
spaces and required-field marks, registers printed two-up, a key row of field names under the header, a
course named in the title block above it, and merged cells that stand for every row they cover.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..findings import Kind, Problem

_SPACE = re.compile(r"[\s\u3000\ufeff]+")
_MARK = r"(?:[*＊]|[(（](?:[*＊]|必填)[)）])"
_MARKS = re.compile(rf"^{_MARK}+|{_MARK}+$")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
_CODE_LABELS = ("课程代码", "课程编号", "课程号", "课程编码")
_NAME_LABELS = ("课程名称", "课程")
_LABEL = re.compile(r"(课程代码|课程编号|课程号|课程编码|课程名称|课程)\s*[:：]\s*([^\s:：,，;；|]+)")
_BARE_LABEL = re.compile(r"(课程代码|课程编号|课程号|课程编码|课程名称|课程)\s*[:：]?")


def clean_header(text) -> str:
    """A header cell compared as the contract says: without spaces (half-width, full-width, BOM) and without
    required-field marks at either end (*, ＊, (*), （*）, (必填), （必填）)."""
    return _MARKS.sub("", _SPACE.sub("", str(text if text is not None else "")))


def column_letter(j: int) -> str:
    """Excel's letter for 0-based column j (0 → A, 26 → AA)."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def blocks(cells: list[str], file: str, sheet: str, row: int) -> list[tuple[int, int]] | list[Problem]:
    """The column blocks of a header row: one block, or several identical ones side by side (a register
    printed two-up); any other repeated header is a structural problem naming both columns."""
    nz = [j for j, c in enumerate(cells) if c]
    first_at: dict[str, int] = {}
    repeats = []
    for j in nz:
        if cells[j] in first_at:
            repeats.append((first_at[cells[j]], j))
        else:
            first_at[cells[j]] = j
    if not repeats:
        return [(0, len(cells))]
    starts = [j for j in nz if cells[j] == cells[nz[0]]]
    seqs = []
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else len(cells)
        seq = cells[a:b]
        while seq and not seq[-1]:
            seq = seq[:-1]
        seqs.append((a, seq))
    first = seqs[0][1]
    named = [c for c in first if c]
    if len(starts) > 1 and all(seq == first for _, seq in seqs) and len(set(named)) == len(named):
        return [(a, a + len(first)) for a, _ in seqs]
    return [Problem(str(Kind.DUPLICATE_HEADER), file, sheet, row, cells[a], "",
                    f"表头“{cells[a]}”出现两次（第 {column_letter(a)} 列和第 {column_letter(b)} 列），无法确定用哪一列",
                    "每个列名只出现一次；两栏并排打印的登记表，每栏的表头须完全相同")
            for a, b in repeats]


def is_key_row(cells) -> bool:
    """Whether a row holds an import template's field keys (std.code, name …) rather than a student."""
    vals = [str(c) for c in cells if str(c) != ""]
    return (len(vals) >= 2 and all(_KEY.fullmatch(v) for v in vals)
            and any(("." in v or "_" in v or v != v.upper()) for v in vals))


def title_course(rows: list[list[str]]) -> dict[str, str]:
    """The course a register's title block names above its header: {'课程代码': 'C01'} and/or {'课程名称': '语文'}."""
    out: dict[str, str] = {}
    for row in rows:
        cells = [str(c).strip() for c in row]
        for j, c in enumerate(cells):
            if not c:
                continue
            hits = _LABEL.findall(c)
            bare = _BARE_LABEL.fullmatch(c)
            if bare and not hits:
                nxt = next((x for x in cells[j + 1:] if x), "")
                hits = [(bare[1], nxt.split()[0])] if nxt else []
            for label, value in hits:
                key = "课程代码" if label in _CODE_LABELS else "课程名称"
                out.setdefault(key, value)
    return out


def fill_merged(cells: pd.DataFrame, numeric: pd.DataFrame | None, merged, below: int):
    """Copy a merged cell's value down every row it covers (first column of the range, rows after `below`)."""
    ranges = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in (merged or ()) if r1 > r0 and r0 > below]
    if not ranges:
        return cells, numeric
    cells = cells.copy()
    numeric = numeric.copy() if numeric is not None else None
    n = len(cells)
    for (r0, c0), (r1, _c1) in ranges:
        if r0 >= n or c0 >= cells.shape[1]:
            continue
        stop = min(r1, n - 1)
        span = np.arange(r0 + 1, stop + 1)
        blank = cells.iloc[span, c0].to_numpy(dtype=object) == ""
        cells.iloc[span[blank], c0] = cells.iat[r0, c0]
        if numeric is not None and c0 < numeric.shape[1]:
            numeric.iloc[span[blank], c0] = bool(numeric.iat[r0, c0])
    return cells, numeric
