"""The cohort's waivers file (rules.md): read and validated, located, and appended to — the one home of it.

The file is an append-only log: the review panel never keeps waivers in widget state; every 豁免 or 撤销
is appended here at once, and decisions are recomputed from what the file says, exactly as a papermill
run reads it. Which waivers are in force is for the rules (rules/waivers.py).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import GradlibError, InputError, WaiverRejected
from ..filelock import locked
from ..findings import Findings, Kind
from ..formats import record_time
from ..params import Params
from ..reasons import OPERATION_BY_LABEL, REASON_BY_CODE, WAIVABLE, WAIVE, WAIVER_OPERATIONS, reason_code
from .reading import RawTable, csv_encoding, read_sheet, to_table
from .schema import WAIVERS
from .tables import read_table
from .values import as_text, normalise_id, parse_dates

COLUMNS = tuple(c.name for c in WAIVERS.columns)  # 学号, 原因代码, 理由, 批准人, 日期, 操作, 记录人, 记录时间
OPERATIONS = tuple(o.label for o in WAIVER_OPERATIONS)


# ---- reading and validating ---------------------------------------------------------------------

def parse(t: RawTable, sids: pd.Index, found: Findings, span: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame:
    """Waiver log rows in file order, each marked valid or not (invalid ones are data problems).

    `span` (Params.waiver_dates): the dates a waiver may carry; a date outside it is invalid (rules.md).
    Each problem names the field that is wrong and its value.
    """
    d = t.data
    text = {c: as_text(d[c]).str.strip() if c in d else pd.Series("", index=d.index) for c in COLUMNS}
    out = pd.DataFrame({"order": np.arange(len(d)), "row": t.rows, "学号": normalise_id(d["学号"]),
                        "code_text": text["原因代码"], "理由": text["理由"], "批准人": text["批准人"],
                        "日期": text["日期"], "操作": text["操作"].replace("", WAIVE.label),
                        "记录人": text["记录人"], "记录时间": text["记录时间"]})
    out["code"] = out["code_text"].map(reason_code)
    out["op"] = out["操作"].map(lambda v: OPERATION_BY_LABEL[v].code if v in OPERATION_BY_LABEL else None)
    date, bad_date = parse_dates(out["日期"])
    out["date"] = date
    label = out["code"].map(lambda c: REASON_BY_CODE[c].label if isinstance(c, str) else "")
    shown = label.where((label == "") | (label == out["code_text"]), label + "（" + out["code_text"] + "）")
    shown = shown.where(label != "", out["code_text"])
    reasons = pd.Series("", index=out.index)
    blank = out[["学号", "code_text", "理由", "批准人", "日期"]] == ""
    first_blank = blank.idxmax(axis=1).where(blank.any(axis=1), "").replace("code_text", "原因代码")
    if span is not None:
        lo, hi = (pd.Timestamp(x) for x in span)
        outside = (date < lo) | (date > hi)
        span_text = f"{span[0].isoformat()} 至 {span[1].isoformat()} 之间的日期（入学当年 9 月 1 日至缓发证书截止日）"
    else:
        outside, span_text = pd.Series(False, index=out.index), ""
    checks = [  # (mask, column, value, problem, expected): the first that holds names the row's problem
        (blank.any(axis=1), first_blank, "", "豁免记录有空项，未生效", "学号、原因代码、理由、批准人、日期均需填写"),
        ((out["学号"] != "") & (sids.get_indexer(out["学号"]) < 0), "学号", out["学号"], "学号不在学籍库中，豁免未生效",
         "学籍库中存在的学号"),
        ((out["code_text"] != "") & out["code"].isna(), "原因代码", shown, "原因代码未知，豁免未生效",
         "rules.md 中的原因代码或中文名称"),
        (out["code"].notna() & ~out["code"].isin(WAIVABLE), "原因代码", shown, "该原因不可豁免，豁免未生效",
         "可豁免的原因（缴费、实习材料、照片类）"),
        (bad_date & (out["日期"] != ""), "日期", out["日期"], "日期无效，豁免未生效", "日期，如 2027-06-25"),
        (outside, "日期", out["日期"], "日期不在本届可豁免的期间内，豁免未生效", span_text),
        (out["op"].isna(), "操作", out["操作"], "操作无效，豁免未生效", "豁免 或 撤销"),
    ]
    for mask, column, value, problem, expected in checks:
        m = mask.to_numpy(dtype=bool) & (reasons == "").to_numpy()
        reasons[m] = problem
        if m.any():
            col = pd.Series(column, index=out.index) if isinstance(column, str) else column
            col = col.map(lambda c: t.headers.get(c, c))
            val = value[m] if isinstance(value, pd.Series) else [value] * int(m.sum())
            found.note(Kind.WAIVER_INVALID, t.file, t.sheet, t.rows[m], col[m], val, problem, expected,
                       out["学号"][m])
    out["valid"] = reasons == ""
    out["invalid_reason"] = reasons
    out["file"] = t.file
    return out


def header_line() -> str:
    """The header row of a waivers file: 学号,原因代码,理由,批准人,日期,操作,记录人,记录时间."""
    return ",".join(COLUMNS)


def read_log(params: Params, found: Findings) -> RawTable | None:
    """The named waivers file as a RawTable; a missing one is structural, and the message says how to create it."""
    path = params.waivers
    if not path.exists():
        found.stop(Kind.FILE_MISSING, path.name, "", None, "", str(path), "豁免记录文件不存在",
                   f"豁免记录文件。本届还没有豁免时，新建这个文件（UTF-8 编码的 CSV），只写一行表头：{header_line()}"
                   f"；或运行 gradlib new {params.cohort}，它会创建这个文件")
        return None
    return read_table(WAIVERS, path, None, found)


def create(path: Path) -> bool:
    """A new waivers file holding only its header row (UTF-8 with BOM); an existing file is never touched."""
    try:
        with open(path, "xb") as f:
            _write(f, ("\ufeff" + _csv_line(list(COLUMNS))).encode("utf-8"))
    except FileExistsError:
        return False
    return True


def read(path: Path, students: pd.DataFrame,
         span: tuple[dt.date, dt.date] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the waivers file again (after the panel appended a row): (parsed rows, their data problems)."""
    t = _table(path)
    found = Findings()
    w = parse(t, pd.Index(students["学号"]), found, span)
    return w, found.data


def _table(path: Path) -> RawTable:
    try:
        sheet = read_sheet(path, path.name)
    except (ValueError, OSError) as e:
        raise WaiverRejected(f"无法读取豁免记录文件 {path.name}：{e}") from e
    t = to_table(sheet, WAIVERS)
    if isinstance(t, list):
        raise InputError(t)
    return t


# ---- where the file is and what may be done with it ---------------------------------------------

@dataclass(frozen=True)
class WaiverFile:
    """Where the cohort's waivers are kept and whether the panel may append to that file."""
    path: Path
    named: bool                     # the params file names it
    exists: bool
    columns: tuple[str, ...]        # canonical columns the file has (all of COLUMNS for a new file)
    refusal: str = ""               # why nothing can be recorded ('' = recording allowed)
    notes: tuple[str, ...] = ()     # further facts for the panel (missing optional columns …)
    span: tuple[dt.date, dt.date] | None = None  # the dates a waiver may carry (Params.waiver_dates)

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


def blank(path: Path) -> bool:
    """Whether the file is absent or holds nothing but a BOM and spaces."""
    return not path.exists() or not path.read_bytes().strip(b"\xef\xbb\xbf \t\r\n")


def locate(params: Params) -> WaiverFile:
    """The waivers file of these params and what the panel may do with it."""
    if params.waivers is None:
        path = default_path(params)
        there = "（该文件已存在，但参数文件未指定它，因此审核不会读取它）" if path.exists() else ""
        return WaiverFile(path, False, path.exists(), COLUMNS, refusal=(
            f"参数文件 {params.path.name} 未指定豁免记录文件，面板不能记录豁免。"
            f"请在参数文件中加入一行“waivers: {path.name}”（文件位置：{path}）{there}，然后重新打开审核。"
            "这样批量运行（gradlib run）与面板读取的是同一个文件。"))
    span = params.waiver_dates
    path = params.waivers
    if path.suffix.lower() != ".csv":
        return WaiverFile(path, True, path.exists(), COLUMNS, span=span, refusal=(
            f"豁免记录文件 {path.name} 不是 CSV 文件。面板记录的豁免只能追加到 CSV 文件："
            f"请将其另存为 UTF-8 编码的 CSV（如 {path.with_suffix('.csv').name}），在参数文件中改用该文件后重新打开审核。"))
    if blank(path):
        return WaiverFile(path, True, False, COLUMNS, span=span,
                          notes=(f"豁免记录文件 {path} 尚无内容，第一次记录豁免时将写入表头和记录（UTF-8 编码）。",))
    try:
        columns = tuple(c for c in COLUMNS if c in _header(path).positions)
    except GradlibError as e:
        return WaiverFile(path, True, True, (), refusal=e.report(), span=span)
    notes = []
    if "操作" not in columns:
        notes.append(f"豁免记录文件 {path.name} 没有“操作”列：可以记录豁免，但不能撤销"
                     "（撤销是一条“操作”为“撤销”的新记录；如需撤销，请由管理员在表头加上“操作”列）。")
    lacking = [c for c in ("记录人", "记录时间") if c not in columns]
    if lacking:
        notes.append(f"豁免记录文件 {path.name} 没有“{'”“'.join(lacking)}”列：记录人和记录时间将写在“理由”之后的括号里。")
    return WaiverFile(path, True, True, columns, notes=tuple(notes), span=span)


def _header(path: Path) -> RawTable:
    """The existing file's table, found as every reader finds its header (data-contract.md)."""
    try:
        return _table(path)
    except InputError as e:
        raise WaiverRejected(f"豁免记录文件 {path.name} 的前 10 行中没有表头（应含：{'、'.join(WAIVERS.required)}）。") from e


# ---- appending ------------------------------------------------------------------------------------

def _clean(text) -> str:
    """One line of text: surrounding and repeated spaces, tabs and line breaks collapsed."""
    return " ".join(str(text if text is not None else "").split())


def make_row(student_id: str, code: str, reason: str, approver: str, date, operation: str = WAIVE.label,
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
           "记录时间": record_time(now or dt.datetime.now())}
    blank = [k for k in ("学号", "理由", "批准人", "记录人") if not row[k]]
    if blank:
        raise WaiverRejected("请填写：" + "、".join(blank) + "（均为必填）。")
    return row


def append(wf: WaiverFile, row: dict[str, str]) -> None:
    """Append one row to the waivers file (created with a UTF-8 BOM and all columns if new); never rewrites.

    One lock covers everything: creating the file, writing its header, and appending. The file is opened
    for appending (created if absent, never truncated) and locked before it is looked at, so two processes
    starting on a file that does not exist yet both land their rows under one header.
    """
    if not wf.writable:
        raise WaiverRejected(wf.refusal)
    if row.get("操作") == "撤销" and not wf.can_revoke:
        raise WaiverRejected(f"豁免记录文件 {wf.path.name} 没有“操作”列，不能记录撤销。")
    if wf.span is not None and not wf.span[0].isoformat() <= row.get("日期", "") <= wf.span[1].isoformat():
        raise WaiverRejected(f"日期 {row.get('日期', '')} 不在本届可豁免的期间内（{wf.span[0].isoformat()} 至 "
                             f"{wf.span[1].isoformat()}）。")
    path = wf.path
    new_file = ("\ufeff" + _csv_line(list(COLUMNS)) + _csv_line([row[c] for c in COLUMNS])).encode("utf-8")
    with open(path, "a+b") as f, locked(f):
        f.seek(0)
        data = f.read()
        if not data.strip(b"\xef\xbb\xbf \t\r\n"):  # a new or empty file: header and row together
            f.truncate(0)
            _write(f, new_file)
            return
        _write(f, _appended(path, data, row))


def _appended(path: Path, data: bytes, row: dict[str, str]) -> bytes:
    """The bytes that append row to an existing waivers file, in its encoding, columns and line ends."""
    try:
        _, enc = csv_encoding(data)
    except ValueError as e:
        raise WaiverRejected(f"无法读取豁免记录文件 {path.name}：{e}") from e
    head = _header(path)
    terminator = "\r\n" if b"\r\n" in data[:4096] else "\n"
    cells = [""] * head.width
    if "记录人" not in head.positions:  # an older five-column file: keep who and when inside 理由
        row = dict(row, 理由=f"{row['理由']}（记录人：{row.get('记录人', '')}，记录时间：{row.get('记录时间', '')}）")
    for name, j in head.positions.items():
        if name in row:
            cells[j] = row[name]
    text = _csv_line(cells, terminator)
    if data and not data.endswith(b"\n"):
        text = terminator + text
    try:
        return text.encode(enc)
    except UnicodeEncodeError as e:
        raise WaiverRejected(f"豁免记录文件 {path.name} 是 GBK/GB18030 编码，无法写入字符“{e.object[e.start:e.end]}”。") from e


def _write(f, payload: bytes):
    f.write(payload)
    f.flush()
    os.fsync(f.fileno())


def _csv_line(cells: list[str], terminator: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=terminator).writerow(cells)
    return buf.getvalue()
