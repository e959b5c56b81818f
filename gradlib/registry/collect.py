"""Collection and mailing of diplomas (Art 16-18): collected in person (by the student or a proxy), or mailed.

Only a student who is COLLECT in the cohort's current published record may be recorded. A record is never
changed: a correction is a new row superseding the student's current one, a mistake is voided by a ``void``
row; a student's state is the newest row. Every batch is one transaction: one bad item, nothing recorded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .. import clock
from ..errors import RecordsRejected, RegistryError
from ..findings import Kind, Problem
from ..reasons import COLLECTION_BY_CODE, outcome_label
from ..sources.values import parse_dates
from .db import Registry, now

COMMAND = "gradlib collect"


@dataclass
class Collection:
    """One collection or mailing to record: from the command line, or one row of an imported sheet."""
    student_id: str
    method: str                     # in_person | mail | void
    day: dt.date | None
    receiver: str = ""              # in person: who signed (blank on the command line: the student)
    tracking_number: str = ""
    name: str = ""                  # 姓名 as written in the sheet, checked against the registry
    note: str = ""
    file: str = ""                  # where it was read (blank: the command line)
    sheet: str = ""
    row: int | None = None
    headers: dict = field(default_factory=dict)  # canonical column -> the header as written

    def problem(self, kind, column: str, value, problem: str, expected: str = "") -> Problem:
        return Problem(str(kind), self.file, self.sheet, self.row, self.headers.get(column, column) if column else "",
                       "" if value is None else str(value), problem, expected, self.student_id)

    @property
    def source(self) -> str:
        if not self.file:
            return COMMAND
        return f"{self.file} 工作表“{self.sheet}” 第 {self.row} 行" if self.sheet else f"{self.file} 第 {self.row} 行"


@dataclass(frozen=True)
class Recorded:
    """What one batch recorded: rows written, rows already recorded the same way (skipped), rows by method."""
    written: int
    skipped: int
    by_method: dict


def parse_day(text: str, what: str = "日期") -> dt.date:
    """A date typed by the registrar (2027-07-03, 2027/7/3, 2027年7月3日); RegistryError in Chinese if not."""
    dates, bad = parse_dates(pd.Series([str(text)], dtype=object))
    if bad.iat[0] or pd.isna(dates.iat[0]):
        raise RegistryError(f"{what}“{text}”不是日期，应为如 2027-07-03 的日期")
    return dates.iat[0].date()


def graduate(db, student_id: str, cohort: int | None) -> list:
    """The student's current published record in each cohort (one row per cohort)."""
    return db.execute("""SELECT g.* FROM graduates g
                         WHERE g.student_id = ? AND (? IS NULL OR g.cohort = ?)
                         AND g.id = (SELECT MAX(id) FROM graduates WHERE student_id = g.student_id
                                     AND cohort = g.cohort) ORDER BY g.cohort""",
                      (student_id, cohort, cohort)).fetchall()


def current(db, cohort: int, student_id: str):
    """The student's newest collection row of the cohort (None: never recorded)."""
    return db.execute("SELECT * FROM collections WHERE cohort = ? AND student_id = ? ORDER BY id DESC LIMIT 1",
                      (cohort, student_id)).fetchone()


def describe(row) -> str:
    """A collection row in Chinese: 2027-07-03 本人领取（张伟）, 2027-07-05 邮寄（快递单号 SF1234）."""
    if row["method"] == "void":
        return COLLECTION_BY_CODE["void"].label
    if row["method"] == "mail":
        return f"{row['day']} {COLLECTION_BY_CODE['mail'].label}（快递单号 {row['tracking_number']}）"
    return f"{row['day']} {COLLECTION_BY_CODE['proxy' if row['proxy'] else 'in_person'].label}（{row['receiver']}）"


def record(reg: Registry, items: list[Collection], by: str, *, cohort: int | None = None,
           correct: bool = False, earlier: list[Problem] = ()) -> Recorded:
    """Record collections and mailings in one transaction; any problem: nothing recorded, every problem named.

    ``correct``: each item supersedes the student's current record (which must exist); a ``void`` item
    cancels it. Otherwise a student already recorded the same way is skipped, differently is a problem.
    ``earlier``: the problems of the rows that could not be read (a sheet's), named together with these.
    """
    problems: list[Problem] = list(earlier)
    rows, skipped, seen = [], 0, {}
    at = now()
    with reg.write() as db:
        for it in items:
            if it.student_id in seen:
                problems.append(it.problem(Kind.STUDENT_ID_DUPLICATE, "学号", it.student_id,
                                           f"学号重复（已在{seen[it.student_id]}）", "每名学生只登记一次"))
                continue
            seen[it.student_id] = it.source
            row = _check(db, it, cohort, correct, problems)
            if row == "skip":
                skipped += 1
            elif row is not None:
                rows.append((*row, by, at))
        if problems:
            _reject(sorted(problems, key=lambda p: (p.file or "", p.sheet or "", p.row or 0)))  # in the sheet's order
        db.executemany("INSERT INTO collections (cohort, student_id, method, day, receiver, proxy, tracking_number, "
                       "source, note, supersedes, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    counts: dict[str, int] = {}
    for r in rows:
        key = "proxy" if r[2] == "in_person" and r[5] else r[2]
        counts[key] = counts.get(key, 0) + 1
    return Recorded(len(rows), skipped, counts)


def _reject(problems: list[Problem]):
    if all(not p.file for p in problems):  # the command line: plain sentences
        raise RegistryError("；".join(p.problem + (f"（{p.expected}）" if p.expected else "") for p in problems))
    raise RecordsRejected(problems)


def _check(db, it: Collection, cohort: int | None, correct: bool, problems: list[Problem]):
    """The row to insert for one item, "skip" when already recorded the same way, or None (a problem added)."""
    found = graduate(db, it.student_id, cohort)
    where = f"{cohort} 届" if cohort else ""
    if not found:
        problems.append(it.problem(Kind.NOT_IN_REGISTRY, "学号", it.student_id,
                                   f"登记库中没有学号 {it.student_id} 的{where}已发布记录", "已发布届别中的学号"))
        return None
    if len(found) > 1:
        problems.append(it.problem(Kind.COHORT_AMBIGUOUS, "学号", it.student_id, "该学号出现在多届的已发布结果中：" +
                                   "、".join(f"{g['cohort']} 届" for g in found), "用 --cohort 指定届别"))
        return None
    g = found[0]
    who = f"{g['name']}（{it.student_id}）"
    if it.name and it.name != g["name"]:
        problems.append(it.problem(Kind.NAME_MISMATCH, "姓名", it.name, f"姓名与登记库中学号 {it.student_id} 的姓名“{g['name']}”不符",
                                   "与学号一致的姓名（请检查是否错行）"))
        return None
    if it.method != "void" and g["outcome"] != "COLLECT":
        problems.append(it.problem(Kind.NOT_COLLECT, "学号", it.student_id,
                                   f"{who}在 {g['cohort']} 届已发布的结果中为“{outcome_label(g['outcome'])}”，"
                                   f"不是“{outcome_label('COLLECT')}”，不能登记领取或邮寄",
                                   "已发布结果为可领取的学生；跟踪复核后可领取的，请先发布跟踪复核结果"))
        return None
    if it.day is not None and it.day > clock.today():
        problems.append(it.problem(Kind.DATE_IN_FUTURE, "邮寄日期" if it.method == "mail" else "领取日期",
                                   it.day.isoformat(), "日期晚于今天", "已经发生的领取或邮寄日期"))
        return None
    cur = current(db, g["cohort"], it.student_id)
    live = cur is not None and cur["method"] != "void"
    receiver = (it.receiver or g["name"]) if it.method == "in_person" else ""
    if it.method == "void" or correct:
        if not live:
            problems.append(it.problem(Kind.NOTHING_TO_CORRECT, "学号", it.student_id,
                                       f"{who}没有可更正或作废的领取、邮寄记录", "已登记领取或邮寄的学生"))
            return None
    elif live:
        same = (cur["method"], cur["day"], cur["receiver"] or "", cur["tracking_number"] or "") == (
            it.method, it.day.isoformat(), receiver, it.tracking_number)
        if same:
            return "skip"
        problems.append(it.problem(Kind.ALREADY_RECORDED, "学号", it.student_id,
                                   f"{who}已登记为 {describe(cur)}", "如需更正，请用 gradlib collect 学号 --correct …"))
        return None
    day = it.day.isoformat() if it.day is not None and it.method != "void" else None
    return (g["cohort"], it.student_id, it.method, day, receiver or None, int(bool(receiver) and receiver != g["name"]),
            it.tracking_number or None, it.source, it.note or None, cur["id"] if live else None)


def states(reg: Registry, cohort: int) -> pd.DataFrame:
    """Each student's newest collection row of the cohort (void rows included: the student is not collected)."""
    rows = reg.read("""SELECT c.* FROM collections c JOIN (SELECT MAX(id) AS id FROM collections WHERE cohort = ?
                       GROUP BY student_id) m ON m.id = c.id ORDER BY c.student_id""", (cohort,))
    cols = [d[0] for d in reg.db.execute("SELECT * FROM collections LIMIT 0").description]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols, dtype=object)


def events(reg: Registry, student_id: str, cohort: int | None = None) -> list[dict]:
    """Every collection row of a student, oldest first (corrections and voids included)."""
    return [dict(r) for r in reg.read("SELECT * FROM collections WHERE student_id = ? AND (? IS NULL OR cohort = ?) "
                                      "ORDER BY id", (student_id, cohort, cohort))]


def collect_one(reg: Registry, student_id: str, by: str, *, day: dt.date | None = None, receiver: str = "",
                mail: bool = False, tracking: str = "", void: bool = False, correct: bool = False,
                cohort: int | None = None, note: str = "") -> str:
    """Record one student's collection, mailing, correction or void; returns the record as a Chinese line."""
    if mail and not tracking:
        raise RegistryError("邮寄须给出快递单号：--tracking 快递单号")
    if receiver and mail:
        raise RegistryError("邮寄的记录没有领取人：--receiver 只用于本人或代领")
    method = "void" if void else "mail" if mail or tracking else "in_person"
    item = Collection(student_id.strip(), method, None if void else day or clock.today(), receiver.strip(),
                      tracking.strip(), note=note)
    record(reg, [item], by, cohort=cohort, correct=correct)
    found = graduate(reg.db, item.student_id, cohort)[0]
    row = current(reg.db, found["cohort"], item.student_id)
    return f"已登记：{found['name']}（{item.student_id}，{found['cohort']} 届）{describe(row)}"
