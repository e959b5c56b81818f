"""File transfers (Art 24): a student's file handed over to a receiving school (e.g. 升读大专), and the list to sign.

A transfer is recorded pending (no 移交日期) or handed over at once; the hand-over recorded later is a new row
superseding the pending one. 档案移交清单（内部）.xlsx lists them with columns to sign at the hand-over.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .. import clock, formats
from ..errors import RegistryError
from ..outputs.listing import OFFICE, class_key
from ..outputs.workbook import INTERNAL_SUFFIX, Book
from ..reasons import ARTICLES
from .collect import graduate
from .db import Registry, now

LIST_NAME = "档案移交清单"
FILE = f"{LIST_NAME}{INTERNAL_SUFFIX}.xlsx"
SIGNATURES = ("移交人签字", "接收人签字", "日期")
COLUMNS = ("序号", "学号", "姓名", "届别", "专业", "班级", "接收学校", "移交原因", "移交日期", "邮寄单号") + SIGNATURES


def transfer_rows(reg: Registry, student_id: str) -> list[dict]:
    """Every transfer row of a student, oldest first (the pending row and its hand-over both)."""
    return [dict(r) for r in reg.read("SELECT * FROM transfers WHERE student_id = ? ORDER BY id", (student_id,))]


def _current(db, student_id: str):
    """The student's transfers that no later row supersedes."""
    return db.execute("""SELECT * FROM transfers t WHERE student_id = ?
                         AND NOT EXISTS (SELECT 1 FROM transfers s WHERE s.supersedes = t.id) ORDER BY id""",
                      (student_id,)).fetchall()


def add(reg: Registry, student_id: str, school: str, reason: str, by: str, *, day: dt.date | None = None,
        tracking: str = "", cohort: int | None = None) -> dict:
    """Record a transfer of the student's file (pending unless a hand-over date is given)."""
    if not school.strip() or not reason.strip():
        raise RegistryError("接收学校和移交原因都不能为空")
    with reg.write() as db:
        g = _student(db, student_id, cohort)
        if any(t["handed_over"] is None for t in _current(db, student_id)):
            raise RegistryError(f"{g['name']}（{student_id}）已有一条待移交的档案移交记录；移交后请用 gradlib transfer done 登记")
        pk = db.execute("INSERT INTO transfers (cohort, student_id, receiving_school, reason, handed_over, "
                        "tracking_number, supersedes, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (g["cohort"], student_id, school.strip(), reason.strip(), _iso(day), tracking or None,
                         None, by, now())).lastrowid
        return dict(db.execute("SELECT * FROM transfers WHERE id = ?", (pk,)).fetchone()) | {"name": g["name"]}


def done(reg: Registry, student_id: str, by: str, *, day: dt.date, tracking: str = "") -> dict:
    """Record the hand-over of a pending transfer: a new row superseding it."""
    with reg.write() as db:
        pending = [t for t in _current(db, student_id) if t["handed_over"] is None]
        if not pending:
            raise RegistryError(f"学号 {student_id} 没有待移交的档案移交记录（先用 gradlib transfer add 登记）")
        t = pending[-1]
        pk = db.execute("INSERT INTO transfers (cohort, student_id, receiving_school, reason, handed_over, "
                        "tracking_number, supersedes, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (t["cohort"], student_id, t["receiving_school"], t["reason"], day.isoformat(),
                         tracking or t["tracking_number"], t["id"], by, now())).lastrowid
        return dict(db.execute("SELECT * FROM transfers WHERE id = ?", (pk,)).fetchone())


def _student(db, student_id: str, cohort: int | None):
    found = graduate(db, student_id, cohort)
    if not found:
        raise RegistryError(f"登记库中没有学号 {student_id} 的已发布记录")
    if len(found) > 1:
        raise RegistryError(f"学号 {student_id} 出现在多届的已发布结果中，请用 --cohort 指定届别")
    return found[0]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def table(reg: Registry, pending_only: bool = True) -> pd.DataFrame:
    """The current transfers (pending ones only, or all) with the students' names, by 班级 and 学号."""
    rows = reg.read("""SELECT t.*, g.name, g.major, g.class FROM transfers t
                       LEFT JOIN graduates g ON g.id = (SELECT MAX(id) FROM graduates
                                                        WHERE student_id = t.student_id AND cohort = t.cohort)
                       WHERE NOT EXISTS (SELECT 1 FROM transfers s WHERE s.supersedes = t.id)
                       AND (? = 0 OR t.handed_over IS NULL)""", (int(pending_only),))
    df = pd.DataFrame({"学号": [r["student_id"] for r in rows], "姓名": [r["name"] or "" for r in rows],
                       "届别": [f"{r['cohort']} 届" for r in rows], "专业": [r["major"] or "" for r in rows],
                       "班级": [r["class"] or "" for r in rows], "接收学校": [r["receiving_school"] for r in rows],
                       "移交原因": [r["reason"] for r in rows], "移交日期": [r["handed_over"] or "" for r in rows],
                       "邮寄单号": [r["tracking_number"] or "" for r in rows]}, dtype=object)
    df = df.assign(_k=class_key(df["班级"])).sort_values(["届别", "_k", "学号"]).drop(columns="_k")
    return df.reset_index(drop=True).assign(**dict.fromkeys(SIGNATURES, ""))


def write_list(df: pd.DataFrame, folder, pending_only: bool = True) -> Path:
    """档案移交清单（内部）.xlsx in folder: A4, the header repeated, 内部资料 请勿外传, columns to sign."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    book = Book(folder / FILE, internal=True)
    which = "待移交的" if pending_only else ""
    sh = book.sheet(LIST_NAME, LIST_NAME,
                    [f"{which}学生档案，按届别、班级、学号排列；移交时由移交人、接收人签字并填写日期（{ARTICLES['transfer']}）"])
    rows = df.assign(序号=range(1, len(df) + 1))[list(COLUMNS)]
    sh.table(rows, numbers=("序号",), center=("届别", "移交日期"), count=f"共 {len(rows)} 人", row_height=26,
             max_width=30)
    for j in (COLUMNS.index(s) for s in SIGNATURES):
        sh.widths[j] = max(sh.widths.get(j, 0), 14)  # room to sign
    sh.sign(OFFICE, formats.cn_date(clock.today()))
    sh.finish(landscape=True)
    return book.close()
