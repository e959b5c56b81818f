"""Read a filled-in 领取花名册 or 邮寄清单 into collections to record (the departments' readers and reports).

Every visible sheet with a 学号 column is read (header search, aliases, merged cells, text cells); a sheet
without one (按地区统计) is skipped. A row counts when its 领取日期 (collected in person: 领取人签名 is who
signed) or its 快递单号 (mailed on 邮寄日期) is filled; rows with neither are not collected yet.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import RecordsRejected
from ..findings import Kind, Problem
from ..sources.reading import Unreadable, read_sheet, sheet_names, to_table
from ..sources.schema import NOTE_PREFIXES, C, Table
from ..sources.values import normalise_id, parse_dates
from .collect import Collection, Recorded, record
from .db import Registry

DATE = "日期，如 2027-07-03"
IMPORT = Table("collections", "领取花名册或邮寄清单", (
    C("学号", "学籍号", kind="id", required=True, expected="学生的学号"),
    C("姓名", "学生姓名"),
    C("领取人签名", "领取人", "领取人姓名", "签名", "签收人"),
    C("领取日期", "领取时间", kind="date", expected=DATE),
    C("快递单号", "邮寄单号", "运单号", "快递单号码", "物流单号", kind="id"),
    C("邮寄日期", "寄出日期", "寄件日期", "邮寄时间", kind="date", expected=DATE),
))
FILLED = ("领取日期", "快递单号", "邮寄日期", "领取人签名")


def read_collections(path) -> tuple[list[Collection], list[Problem]]:
    """The collections of the good rows of a filled-in workbook (or CSV) and the problems of the others;
    RecordsRejected when the file itself cannot be read as one."""
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise RecordsRejected([Problem(str(Kind.FILE_MISSING), label, problem="文件不存在",
                                       expected="填好的领取花名册或邮寄清单（.xlsx、.xls 或 .csv）")])
    problems: list[Problem] = []
    items: list[Collection] = []
    try:
        names = sheet_names(path)
        tables, missing = [], []
        for name in names:
            t = to_table(read_sheet(path, label, name or None), IMPORT)
            (missing if isinstance(t, list) else tables).append(t)
    except Unreadable as e:
        raise RecordsRejected([Problem(e.kind, label, problem=f"文件无法读取：{e}",
                                       expected="领取花名册或邮寄清单的 .xlsx、.xls 或 .csv 文件")]) from None
    if not tables:
        raise RecordsRejected(missing[0])
    if not any(c in t.data for t in tables for c in ("领取日期", "快递单号")):
        raise RecordsRejected([Problem(str(Kind.COLUMN_MISSING), label, tables[0].sheet, tables[0].header_row, "领取日期",
                                       "", "找不到领取日期或快递单号列",
                                       "领取花名册的“领取日期”列，或邮寄清单中加上的“快递单号”（邮寄单号）和“邮寄日期”列")])
    for t in tables:
        items += _rows(t, problems)
    return items, problems


def _col(t, name: str) -> pd.Series:
    return t.data[name].astype(str) if name in t.data else pd.Series("", index=t.data.index, dtype=object)


def _rows(t, problems: list[Problem]) -> list[Collection]:
    """The collections of one sheet (problems appended)."""
    sid = normalise_id(_col(t, "学号"))
    cells = {c: _col(t, c).str.strip() for c in FILLED}
    day, bad_day = parse_dates(cells["领取日期"])
    mail_day, bad_mail = parse_dates(cells["邮寄日期"])
    name, receiver, tracking = _col(t, "姓名").str.strip(), cells["领取人签名"], cells["快递单号"]
    out = []
    for i in range(len(t.data)):
        filled = [c for c in FILLED if cells[c].iat[i]]
        if not filled:
            continue  # not collected yet (or the count line under the table)
        here = Collection(sid.iat[i], "in_person", None, receiver.iat[i], tracking.iat[i], name.iat[i],
                          file=t.file, sheet=t.sheet, row=int(t.rows[i]), headers=t.headers)
        p = _row_problem(here, sid.iat[i], cells, i, bad_day.iat[i], bad_mail.iat[i])
        if p is not None:
            problems.append(p)
            continue
        if tracking.iat[i]:
            here.method, here.day, here.receiver = "mail", mail_day.iat[i].date(), ""
        else:
            here.day = day.iat[i].date()
        out.append(here)
    return out


def _row_problem(here: Collection, sid: str, cells: dict, i: int, bad_day: bool, bad_mail: bool) -> Problem | None:
    """The first problem of a filled row, or None."""
    v = {c: cells[c].iat[i] for c in cells}
    if not sid or sid.startswith(NOTE_PREFIXES):
        return here.problem(Kind.STUDENT_ID_BLANK, "学号", sid, "学号为空，但该行填写了领取或邮寄信息", "学生的学号")
    if bad_day:
        return here.problem(Kind.BAD_DATE, "领取日期", v["领取日期"], "领取日期不是日期", DATE)
    if bad_mail:
        return here.problem(Kind.BAD_DATE, "邮寄日期", v["邮寄日期"], "邮寄日期不是日期", DATE)
    if v["快递单号"] and v["领取日期"]:
        return here.problem(Kind.TWO_METHODS, "快递单号", v["快递单号"], "同一行既填了领取日期又填了快递单号",
                            "本人（或代领人）领取的填领取人签名和领取日期；邮寄的填快递单号和邮寄日期")
    if v["快递单号"]:
        if not v["邮寄日期"]:
            return here.problem(Kind.MAIL_DATE_MISSING, "邮寄日期", "", "填了快递单号，但邮寄日期为空", DATE)
        return None
    if not v["领取日期"]:
        column = "邮寄日期" if v["邮寄日期"] else "领取日期"
        return here.problem(Kind.BAD_DATE, column, v[column], "填了领取人或邮寄日期，但领取日期和快递单号都为空",
                            "本人领取的填领取日期；邮寄的填快递单号")
    if not v["领取人签名"]:
        return here.problem(Kind.RECEIVER_MISSING, "领取人签名", "", "领取人签名为空", "领取人姓名（本人或代领人）")
    return None


def collect_file(reg: Registry, path, by: str, cohort: int | None = None) -> Recorded:
    """Read a filled-in roster or mailing sheet and record every filled row in one transaction (or none)."""
    items, problems = read_collections(path)  # every problem of the file at once: its rows' and the registry's
    return record(reg, items, by, cohort=cohort, earlier=problems)
