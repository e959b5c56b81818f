"""The cohort's waivers file as an append-only log (rules.md): locate it, append a row, read it back.

The review panel never keeps waivers in widget state: every 豁免 or 撤销 is appended here at once,
and decisions are recomputed from what the file says, exactly as a papermill run would read it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from . import problems as P
from .errors import GradlibError, InputError, WaiverRejected
from .params import Params
from .reading import HEADER_SEARCH_ROWS, clean_header, decode_csv, read_sheet, to_table
from .reasons import REASON_BY_CODE, WAIVABLE
from .schema import WAIVERS
from .sources import Cohort, parse_waivers

COLUMNS = ("学号", "原因代码", "理由", "批准人", "日期", "操作", "记录人", "记录时间")
OPERATIONS = ("豁免", "撤销")


@dataclass(frozen=True)
class WaiverFile:
    """Where the cohort's waivers are kept and whether the panel may append to that file."""
    path: Path
    named: bool                     # the params file names it
    exists: bool
    columns: tuple[str, ...]        # canonical columns the file has (all of COLUMNS for a new file)
    refusal: str = ""               # why nothing can be recorded ('' = recording allowed)
    notes: tuple[str, ...] = ()     # further facts for the panel (missing optional columns …)

    @property
    def writable(self) -> bool:
        """Whether the panel may append to this file."""
        return not self.refusal

    @property
    def can_revoke(self) -> bool:
        """Whether a revocation can be recorded (it needs the 操作 column)."""
        return self.writable and "操作" in self.columns


def default_path(params: Params) -> Path:
    """Where a cohort's waivers file belongs when params name none: <params folder>/<cohort>.waivers.csv."""
    return params.path.parent / f"{params.cohort}.waivers.csv"


def locate(params: Params) -> WaiverFile:
    """The waivers file of these params and what the panel may do with it (see the module docstring)."""
    if params.waivers is None:
        path = default_path(params)
        there = "（该文件已存在，但参数文件未指定它，因此审核不会读取它）" if path.exists() else ""
        return WaiverFile(path, False, path.exists(), COLUMNS, refusal=(
            f"参数文件 {params.path.name} 未指定豁免记录文件，面板不能记录豁免。"
            f"请在参数文件中加入一行“waivers: {path.name}”（文件位置：{path}）{there}，然后重新打开审核。"
            "这样批量运行（gradlib run）与面板读取的是同一个文件。"))
    path = params.waivers
    if path.suffix.lower() != ".csv":
        return WaiverFile(path, True, path.exists(), COLUMNS, refusal=(
            f"豁免记录文件 {path.name} 不是 CSV 文件。面板记录的豁免只能追加到 CSV 文件："
            f"请将其另存为 UTF-8 编码的 CSV（如 {path.with_suffix('.csv').name}），在参数文件中改用该文件后重新打开审核。"))
    if not path.exists() or not path.read_bytes().strip(b"\xef\xbb\xbf \t\r\n"):
        return WaiverFile(path, True, False, COLUMNS,
                          notes=(f"豁免记录文件 {path} 尚无内容，第一次记录豁免时将写入表头和记录（UTF-8 编码）。",))
    try:
        columns = tuple(c for c in COLUMNS if c in _header(path)[1])
    except GradlibError as e:
        return WaiverFile(path, True, True, (), refusal=e.report())
    notes = []
    if "操作" not in columns:
        notes.append(f"豁免记录文件 {path.name} 没有“操作”列：可以记录豁免，但不能撤销"
                     "（撤销是一条“操作”为“撤销”的新记录；如需撤销，请由管理员在表头加上“操作”列）。")
    lacking = [c for c in ("记录人", "记录时间") if c not in columns]
    if lacking:
        notes.append(f"豁免记录文件 {path.name} 没有“{'”“'.join(lacking)}”列：记录人和记录时间将写在“理由”之后的括号里。")
    return WaiverFile(path, True, True, columns, notes=tuple(notes))


def _header(path: Path) -> tuple[int, dict[str, int], int]:
    """(header row index, canonical column -> position, width) of an existing waivers CSV.

    The header is found as the readers find it: the first of the first 10 non-blank rows holding every
    required column (data-contract.md).
    """
    try:
        text = decode_csv(path.read_bytes())
    except (ValueError, OSError) as e:
        raise WaiverRejected(f"无法读取豁免记录文件 {path.name}：{e}") from e
    seen = 0
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        cells = [clean_header(c) for c in row]
        if not any(cells):
            continue
        seen += 1
        positions: dict[str, int] = {}
        for j, c in enumerate(cells):
            for column in WAIVERS.columns:
                if c in column.headers:
                    positions.setdefault(column.name, j)
        if all(r in positions for r in WAIVERS.required):
            return i, positions, len(cells)
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise WaiverRejected(f"豁免记录文件 {path.name} 的前 {HEADER_SEARCH_ROWS} 行中没有表头"
                         f"（应含：{'、'.join(WAIVERS.required)}）。")


def _encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        decode_csv(data)  # raises a Chinese ValueError when neither UTF-8 nor GB18030
        return "gb18030"


try:  # POSIX: an exclusive lock so two panels never interleave their rows
    import fcntl

    def _lock(f):
        fcntl.flock(f, fcntl.LOCK_EX)

    def _unlock(f):
        fcntl.flock(f, fcntl.LOCK_UN)
except ImportError:  # Windows: msvcrt locks a byte range; lock the first byte while appending
    import msvcrt

    def _lock(f):
        pos = f.tell()
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        f.seek(pos)

    def _unlock(f):
        pos = f.tell()
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        f.seek(pos)


def _clean(text) -> str:
    """One line of text: surrounding and repeated spaces, tabs and line breaks collapsed."""
    return " ".join(str(text if text is not None else "").split())


def make_row(student_id: str, code: str, reason: str, approver: str, date, operation: str = "豁免",
             recorder: str = "", now: dt.datetime | None = None) -> dict[str, str]:
    """Check one waiver or revocation and return it as a row of the waivers file; raise WaiverRejected."""
    if code not in REASON_BY_CODE:
        raise WaiverRejected(f"未知的原因代码：{code}")
    if code not in WAIVABLE:
        raise WaiverRejected(f"“{REASON_BY_CODE[code].label}”不可豁免，只能在源头更正（rules.md）。")
    if operation not in OPERATIONS:
        raise WaiverRejected(f"操作应为“豁免”或“撤销”，而不是“{operation}”。")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise WaiverRejected("请填写日期（批准日期）。")
    row = {"学号": _clean(student_id), "原因代码": code, "理由": _clean(reason), "批准人": _clean(approver),
           "日期": date.isoformat(), "操作": operation, "记录人": _clean(recorder),
           "记录时间": (now or dt.datetime.now()).isoformat(timespec="seconds")}
    blank = [k for k in ("学号", "理由", "批准人", "记录人") if not row[k]]
    if blank:
        raise WaiverRejected("请填写：" + "、".join(blank) + "（均为必填）。")
    return row


def append(wf: WaiverFile, row: dict[str, str]) -> None:
    """Append one row to the waivers file (created with a UTF-8 BOM and all columns if new); never rewrites."""
    if not wf.writable:
        raise WaiverRejected(wf.refusal)
    if row.get("操作") == "撤销" and not wf.can_revoke:
        raise WaiverRejected(f"豁免记录文件 {wf.path.name} 没有“操作”列，不能记录撤销。")
    path = wf.path
    new_file = ("\ufeff" + _csv_line(list(COLUMNS)) + _csv_line([row[c] for c in COLUMNS])).encode("utf-8")
    try:
        with open(path, "xb") as f:  # a new file: header and row together
            _write_locked(f, new_file)
        return
    except FileExistsError:
        pass
    with open(path, "r+b") as f:
        _lock(f)
        try:
            data = f.read()
            if not data.strip(b"\xef\xbb\xbf \t\r\n"):  # an empty file: as if new
                f.seek(0)
                f.truncate()
                f.write(new_file)
                f.flush()
                os.fsync(f.fileno())
                return
            enc = _encoding(data)
            h, positions, width = _header(path)
            terminator = "\r\n" if b"\r\n" in data[:4096] else "\n"
            cells = [""] * width
            if "记录人" not in positions:  # an older five-column file: keep who and when inside 理由
                row = dict(row, 理由=f"{row['理由']}（记录人：{row.get('记录人', '')}，记录时间：{row.get('记录时间', '')}）")
            for name, j in positions.items():
                if name in row:
                    cells[j] = row[name]
            text = _csv_line(cells, terminator)
            if data and not data.endswith(b"\n"):
                text = terminator + text
            try:
                payload = text.encode(enc)
            except UnicodeEncodeError as e:
                raise WaiverRejected(f"豁免记录文件 {path.name} 是 GBK/GB18030 编码，无法写入字符“{e.object[e.start:e.end]}”。") from e
            f.seek(0, os.SEEK_END)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        finally:
            _unlock(f)


def _write_locked(f, payload: bytes):
    _lock(f)
    try:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    finally:
        _unlock(f)


def _csv_line(cells: list[str], terminator: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=terminator).writerow(cells)
    return buf.getvalue()


def read(path: Path, students: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-read the waivers file as load_cohort does: (parsed rows, their data problems)."""
    try:
        sheet = read_sheet(path, path.name)
    except (ValueError, OSError) as e:
        raise WaiverRejected(f"无法读取豁免记录文件 {path.name}：{e}") from e
    t = to_table(sheet, WAIVERS)
    if isinstance(t, list):
        raise InputError(t)
    return parse_waivers(t, pd.Index(students["学号"]))


def refresh(cohort: Cohort, wf: WaiverFile) -> Cohort:
    """A copy of the cohort whose waivers (and their data problems) are read again from the file."""
    if not wf.named or not wf.path.exists() or wf.path.suffix.lower() != ".csv":
        return cohort
    w, probs = read(wf.path, cohort.students)
    old = cohort.problems
    kept = old[old["file"] != wf.path.name] if len(old) else old
    files = dict(cohort.files)
    files["waivers"] = wf.path
    params = cohort.params if cohort.params.waivers == wf.path else replace(cohort.params, waivers=wf.path)
    return replace(cohort, params=params, waivers=w, problems=P.combine([kept, probs]), files=files)
