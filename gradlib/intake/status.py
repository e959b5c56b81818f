"""学籍异动 (Art 3): status changes recorded in the registry, each student's current status and history.

A student starts with the 学籍状态 of the intake table (在籍 when it has none); each change must follow
from the status the student has then (STATUS_CHANGES in reasons.py): 复学 only after 休学, nothing after
退学, only 转入 after 转出. A 转专业 or 转班 changes the major or class of the roster the registry exports.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ..errors import RegistryError
from ..formats import iso
from ..reasons import STATUS_CHANGES
from ..registry import Registry, now
from ..sources.schema import STATUSES
from .store import records_of, student

HISTORY_COLUMNS = ["学号", "异动类别", "日期", "原因", "批准", "异动后学籍状态", "新专业", "新班级", "记录人", "记录时间"]


class StatusChangeRefused(RegistryError):
    """A status change that cannot follow from the student's current status."""
    headline = "学籍异动未记录"


def _initial(record: dict) -> str:
    s = str(record.get("学籍状态", "")).strip()
    return s if s in STATUSES else "在籍"


def replay(record: dict, changes: list) -> tuple[str, dict, list[dict]]:
    """The status and roster fields after each change in turn: (status, record, history rows)."""
    status, record, rows = _initial(record), dict(record), []
    for c in changes:
        after = STATUS_CHANGES[c["kind"]][1] or status
        status = after
        if c["new_major"]:
            record["专业"] = c["new_major"]
        if c["new_class"]:
            record["班级"] = c["new_class"]
        rows.append({"学号": c["student_id"], "异动类别": c["kind"], "日期": c["day"], "原因": c["reason"],
                     "批准": c["approval"], "异动后学籍状态": status, "新专业": c["new_major"] or "",
                     "新班级": c["new_class"] or "", "记录人": c["recorded_by"], "记录时间": c["recorded_at"]})
    record["学籍状态"] = status
    return status, record, rows


def _changes(reg: Registry, student_id: str) -> list:
    return reg.read("SELECT * FROM status_changes WHERE student_id = ? ORDER BY day, id", (student_id,))


def history(reg: Registry, student_id: str) -> pd.DataFrame:
    """Every status change of a student, in date order, with the status each left."""
    row = student(reg, student_id)
    _, _, rows = replay(json.loads(row["record"]), _changes(reg, student_id))
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS, dtype=object)


def current_status(reg: Registry, student_id: str) -> str:
    """The student's status now (after every recorded change)."""
    row = student(reg, student_id)
    return replay(json.loads(row["record"]), _changes(reg, student_id))[0]


def _refuse(kind: str, sid: str, status: str, had: int, day: str, last_day: str | None):
    allowed, _ = STATUS_CHANGES[kind]
    if last_day and day < last_day:
        raise StatusChangeRefused(f"学号 {sid} 最近一次异动的日期为 {last_day}，{kind}的日期 {day} 不能早于它"
                                  "（异动须按时间顺序记录）")
    if status == "退学":
        raise StatusChangeRefused(f"学号 {sid} 已退学，不能再办理{kind}")
    if kind == "转入" and status == "在籍" and not had:
        return  # how a transferred student joined: recorded once, before any other change
    if status not in allowed:
        why = {"复学": "只有休学的学生才能复学", "转入": "只有已转出的学生才能转入（或转入的新生在登记后首先记录转入）"}.get(kind, "")
        raise StatusChangeRefused(f"学号 {sid} 当前学籍状态为“{status}”，不能办理{kind}" + (f"：{why}" if why else
                                  f"（{kind}须在学籍状态为“{'”或“'.join(allowed)}”时办理）"))


def record_change(reg: Registry, student_id: str, kind: str, day: dt.date | str, reason: str, approval: str,
                  by: str, new_major: str = "", new_class: str = "") -> dict:
    """Record one status change after checking that it can follow the student's current status (one
    transaction). Returns its history row."""
    if kind not in STATUS_CHANGES:
        raise StatusChangeRefused(f"异动类别“{kind}”无效（可选：{'、'.join(STATUS_CHANGES)}）")
    day = day if isinstance(day, str) else iso(day)
    for label, value in (("原因", reason), ("批准", approval)):
        if not str(value).strip():
            raise StatusChangeRefused(f"{kind}须写明{label}" + ("（批准人及文号）" if label == "批准" else ""))
    if kind == "转专业" and not new_major.strip():
        raise StatusChangeRefused("转专业须写明新专业（--major）")
    if kind == "转班" and not new_class.strip():
        raise StatusChangeRefused("转班须写明新班级（--class）")
    with reg.write() as db:
        row = student(reg, student_id)
        changes = _changes(reg, student_id)
        status, _, _ = replay(json.loads(row["record"]), changes)
        _refuse(kind, student_id, status, len(changes), day, max((c["day"] for c in changes), default=None))
        db.execute("INSERT INTO status_changes (cohort, student_id, kind, day, reason, approval, new_major, new_class, "
                   "recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (row["cohort"], student_id, kind, day, reason.strip(), approval.strip(), new_major.strip() or None,
                    new_class.strip() or None, by, now()))
    return history(reg, student_id).iloc[-1].to_dict()


def roster(reg: Registry, cohort: int) -> pd.DataFrame:
    """The cohort's roster as the registry has it now: each student's current record (corrections applied),
    status, major and class after every status change; the data contract's columns, sorted by 学号."""
    from .store import current_enrolled

    e = current_enrolled(reg, cohort)
    if not len(e):
        raise RegistryError(f"登记库中没有 {cohort} 届的在册学生")
    recs = records_of(e).to_dict("records")
    changes: dict[str, list] = {}
    for c in reg.read("SELECT * FROM status_changes WHERE cohort = ? ORDER BY day, id", (cohort,)):
        changes.setdefault(c["student_id"], []).append(c)
    out = [replay(r, changes.get(r["学号"], []))[1] for r in recs]
    return pd.DataFrame(out, dtype=object).fillna("")
