"""`gradlib certificate KIND`: the four certificates and the rules that refuse them (Art 20-22).

- graduation (毕业证明书): only for a graduate in the registry (可领取 or 暂缓领取: they graduate, Art 15),
  and only once: a second one is refused until the first is voided with a reason (`gradlib void-document`).
- status (学籍证明), enrolment (在读证明): only while the 学籍状态 allows it (在籍, or on internship), not after
  a transfer out, not after the cohort graduated (1 July of the cohort year).
- study (学习证明书): for a person not on any roster, only with the grades check (who checked) and a school
  leader's approval (name, date) recorded; their data comes from the command line or a table.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .. import clock, formats
from ..errors import DocumentRefused
from ..reasons import CERTIFICATE_KINDS, DOCUMENT_BY_CODE, GRADUATE_OUTCOMES, STUDYING_STATUSES, outcome_label
from . import store
from .issue import Office, Request, issue, record_of

PERSON_KEYS = ("name", "sex", "id_number", "birth_date", "course", "study_from", "study_to")
APPROVAL_KEYS = ("grades_checked_by", "approved_by", "approved_on")
PERSON_LABELS = {"name": "姓名", "sex": "性别", "id_number": "身份证号", "birth_date": "出生日期",
                 "course": "学习内容", "study_from": "开始日期", "study_to": "结束日期",
                 "grades_checked_by": "教务科成绩核查人", "approved_by": "批准的校领导", "approved_on": "批准日期"}


@dataclass
class Ask:
    """One certificate asked for: the kind, a 学号 (or a person's data for a study certificate), approval."""
    kind: str
    student_id: str | None = None
    person: dict = field(default_factory=dict)
    approval: dict = field(default_factory=dict)
    purpose: str = ""
    where: str = ""  # e.g. 第 3 行 in a batch table


def _date(value) -> dt.date | None:
    text = re.split(r"[ T]", str(value or "").strip())[0]  # a date cell may arrive as 2026-03-01 00:00:00
    m = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?", text)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def _cn(value) -> str:
    d = _date(value)
    return formats.cn_date(d) if d else str(value or "")


def entry_month(roster: dict, cohort: int) -> str:
    """2024年9月, from 入学年份 (2024, 202409, 2024-09); without it three years before the cohort."""
    digits = re.sub(r"\D", "", str(roster.get("入学年份") or ""))
    year = int(digits[:4]) if len(digits) >= 4 else cohort - 3
    month = int(digits[4:6]) if len(digits) >= 6 and 1 <= int(digits[4:6]) <= 12 else 9
    return f"{year}年{month}月"


def student_fields(rec: dict, office: Office, purpose: str = "") -> dict:
    """The placeholders of a student's certificate, from the registry record."""
    roster, cohort = rec["roster"], int(rec["cohort"])
    return {"name": rec["name"], "sex": rec["sex"] or "", "birth_date": _cn(rec["birth_date"]),
            "id_number": rec["id_number"] or "", "student_id": rec["student_id"], "major": rec["major"] or "",
            "class_name": rec["class"] or "", "cohort": str(cohort), "entry": entry_month(roster, cohort),
            "graduation": f"{cohort}年7月", "length": office.spec.length, "diploma_number": rec["diploma_number"] or "",
            "status": roster.get("学籍状态") or "在籍", "purpose": purpose}


def diploma_number(db, rec: dict) -> str:
    """The 证书编号 of a graduate: the diploma printed (not voided), else the roster's, else （未登记）."""
    printed = store.in_force(db, "diploma", rec["student_id"])
    return (printed[-1]["diploma_number"] if printed else rec["diploma_number"]) or "（未登记）"


def _refuse(ask: Ask, text: str):
    raise DocumentRefused((f"{ask.where}：" if ask.where else "") + text)


def _student(db, ask: Ask, label: str) -> dict:
    if not ask.student_id:
        _refuse(ask, f"开具{label}须给出学号（--student）")
    rec = record_of(db, ask.student_id)
    if rec is None:
        _refuse(ask, f"学号 {ask.student_id} 不在登记库中（该届尚未发布，或学号有误），不能开具{label}")
    return rec


def _graduation(db, ask: Ask, office: Office, day: dt.date) -> Request:
    kind = DOCUMENT_BY_CODE["graduation"]
    rec = _student(db, ask, kind.label)
    who = f"学号 {rec['student_id']}（{rec['name']}）"
    if rec["outcome"] is None:
        _refuse(ask, f"{who}是 {rec['cohort']} 届在册学生，尚未毕业，不能开具{kind.label}（{kind.article}）")
    if rec["outcome"] not in GRADUATE_OUTCOMES:
        _refuse(ask, f"{who}的审核结论为“{outcome_label(rec['outcome'])}”，未毕业，不能开具{kind.label}（{kind.article}）")
    done = store.in_force(db, "graduation", rec["student_id"])
    if done:
        d = done[-1]
        _refuse(ask, f"{who}已于{formats.cn_datetime(d['recorded_at'])}由 {d['recorded_by']} 开具{kind.label} {d['serial']}，每人只开具一次；"
                     f"确需重开时，先作废原件：gradlib void-document {d['serial']} --reason 原因")
    fields = {**student_fields(rec, office, ask.purpose), "diploma_number": diploma_number(db, rec)}
    return Request("graduation", fields, _person(rec), rec["student_id"], int(rec["cohort"]),
                   reissues=store.last_voided(db, "graduation", rec["student_id"]))


def _studying(db, ask: Ask, office: Office, day: dt.date) -> Request:
    kind = DOCUMENT_BY_CODE[ask.kind]
    rec = _student(db, ask, kind.label)
    who = f"学号 {rec['student_id']}（{rec['name']}）"
    status = rec["roster"].get("学籍状态") or "在籍"
    if status not in STUDYING_STATUSES:
        _refuse(ask, f"{who}的学籍状态为“{status}”，不能开具{kind.label}（{kind.article}：在校学习或实习期间才可开具）")
    moved = db.execute("SELECT receiving_school FROM transfers WHERE student_id = ? ORDER BY id DESC LIMIT 1",
                       (rec["student_id"],)).fetchone()
    if moved is not None:
        _refuse(ask, f"{who}已登记转学至 {moved[0]}，不能开具{kind.label}")
    if rec["outcome"] in GRADUATE_OUTCOMES and day >= dt.date(int(rec["cohort"]), 7, 1):
        _refuse(ask, f"{who}已于 {rec['cohort']} 年毕业，不能开具{kind.label}；毕业生请开具{DOCUMENT_BY_CODE['graduation'].label}")
    return Request(ask.kind, student_fields(rec, office, ask.purpose), _person(rec), rec["student_id"],
                   int(rec["cohort"]))


def _study(db, ask: Ask, office: Office, day: dt.date) -> Request:
    kind = DOCUMENT_BY_CODE["study"]
    missing = [PERSON_LABELS[k] for k in ("name", "id_number", "course", "study_from", "study_to")
               if not str(ask.person.get(k) or "").strip()]
    if missing:
        _refuse(ask, f"开具{kind.label}缺少：{'、'.join(missing)}")
    unapproved = [PERSON_LABELS[k] for k in APPROVAL_KEYS if not str(ask.approval.get(k) or "").strip()]
    if unapproved:
        _refuse(ask, f"{kind.label}须经教务科核查成绩、学校领导批准后开具（{kind.article}），未登记："
                     + "、".join(unapproved))
    if _date(ask.approval["approved_on"]) is None:
        _refuse(ask, f"批准日期“{ask.approval['approved_on']}”不是日期（如 2027-03-01）")
    idn = str(ask.person["id_number"]).strip().upper()
    on_roster = db.execute("SELECT student_id, cohort FROM graduates WHERE id_number = ? LIMIT 1", (idn,)).fetchone()
    if on_roster is not None:
        _refuse(ask, f"身份证号 {idn} 在登记库中有学籍（{on_roster[1]} 届，学号 {on_roster[0]}），应开具"
                     f"{DOCUMENT_BY_CODE['status'].label}或{DOCUMENT_BY_CODE['graduation'].label}，不开具{kind.label}")
    p = {k: str(ask.person.get(k) or "").strip() for k in PERSON_KEYS}
    fields = {**p, "id_number": idn, "birth_date": _cn(p["birth_date"]), "study_from": _cn(p["study_from"]),
              "study_to": _cn(p["study_to"]), "purpose": ask.purpose}
    approval = {k: str(ask.approval[k]).strip() for k in APPROVAL_KEYS}
    approval["approved_on"] = _date(approval["approved_on"]).isoformat()
    return Request("study", fields, {"name": p["name"], "sex": p["sex"], "id_number": idn,
                                     "birth_date": p["birth_date"]}, None, None, approval)


def _person(rec: dict) -> dict:
    return {"name": rec["name"], "sex": rec["sex"], "id_number": rec["id_number"], "birth_date": rec["birth_date"]}


CHECKS = {"graduation": _graduation, "status": _studying, "enrolment": _studying, "study": _study}


def prepare(db, ask: Ask, office: Office, day: dt.date) -> Request:
    """The Request for one Ask, or DocumentRefused saying which rule refuses it."""
    if ask.kind not in CERTIFICATE_KINDS:
        raise DocumentRefused(f"未知的证明种类 {ask.kind}（可选：{'、'.join(CERTIFICATE_KINDS)}）")
    return CHECKS[ask.kind](db, ask, office, day)


def certificate(office: Office, ask: Ask, day: dt.date | None = None, pdf: bool = True) -> store.Issued:
    """Issue one certificate (DOCX, and PDF where LibreOffice is installed); refused by the rules above."""
    day = day or clock.today()
    return issue(office, lambda db: [prepare(db, ask, office, day)], day, pdf)[0]
