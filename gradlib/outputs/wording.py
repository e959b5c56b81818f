"""Plain Chinese wording for each reason, keyed by reason code, built from the reason table and its evidence.

Two wordings per reason: ``full`` tells a student what exactly to fix, where and by when (internal lists and
class-teacher packets, e.g. the fee reason as “<label> 500.00 元，请于7月15日前到财务科补交”); ``public`` is a short phrase for
posted lists that never shows an amount, a grade, an ID or a course result (e.g. 需补考认定). Reason labels,
outcome labels and articles come from gradlib.reasons only.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..formats import cn_date, cn_month_day, yuan
from ..reasons import ABANDONED, REASON_BY_CODE, REASON_ORDER

# the offices a student is sent to (regulation.en.md, departments)
STATUS_OFFICE, ACADEMIC, FINANCE, EMPLOYMENT = "学生管理科", "教务科", "财务科", "就业办"


@dataclass(frozen=True)
class Facts:
    """What a wording may use: the reason's evidence, the amount owed, the WITHHELD deadline, the fix-by date."""
    evidence: str
    owed: float
    deadline: dt.date | None   # WITHHELD: makeup_results_published + 1 year
    fix_by: dt.date | None      # DEFERRED: the last day of the issue window (None: the student cannot graduate
                                # this year, so no date of this year's issue applies)


def _paren(ev: str) -> str:
    return f"（{ev}）" if ev else ""


def _after_colon(ev: str) -> str:
    """The part of an evidence text after its first colon (drops a file name or a field name)."""
    return re.split(r"[:：]", ev, maxsplit=1)[-1].strip() if ev else ""


def _by(f: Facts) -> str:
    return f"请于{cn_month_day(f.fix_by)}前" if f.fix_by else "请"


def _regrade(office: str, what: str) -> Callable[[str, Facts], str]:
    def text(label: str, f: Facts) -> str:
        if not f.deadline:  # a student who cannot graduate this year: no deadline runs
            return f"{label}{_paren(f.evidence)}，请到{office}{what}"
        return (f"{label}{_paren(f.evidence)}，请于{cn_date(f.deadline)}前到{office}{what}，"
                f"逾期{ABANDONED.label}毕业证书及报到证")
    return text


def _owed(f: Facts) -> str:
    if f.owed and f.owed > 0:
        return yuan(f.owed)
    m = re.search(r"欠缴\s*([\d.]+)\s*元", f.evidence)
    return m[1] if m else ""


def _fees(label: str, f: Facts) -> str:
    amount = _owed(f)
    return f"{label}{' ' + amount + ' 元' if amount else ''}，{_by(f)}到{FINANCE}补交"


def _suspended_fees(label: str, f: Facts) -> str:
    amount = _owed(f)
    what = f"（欠缴 {amount} 元）" if amount and "欠缴" in f.evidence else _paren(_after_colon(f.evidence.replace("休学；", "")))
    return f"{label}{what}，补交后方可申请毕业，请到{FINANCE}办理"


def _grade_missing(label: str, f: Facts) -> str:
    courses = re.sub(r"\s*无有效成绩$", "", f.evidence)
    return f"{label}：{courses}，{_by(f)}到{ACADEMIC}核实并补录成绩"


@dataclass(frozen=True)
class Wording:
    """How one reason is told: full(label, facts) for the student, and a public phrase."""
    full: Callable[[str, Facts], str]
    public: str


def _fixed(tail: str, evidence: bool = False, by: bool = True) -> Callable[[str, Facts], str]:
    def text(label: str, f: Facts) -> str:
        ev = _paren(f.evidence) if evidence else ""
        return f"{label}{ev}，{_by(f) if by else '请'}{tail}"
    return text


WORDING: dict[str, Wording] = {
    "LEFT_WITHOUT_PROCEDURE": Wording(lambda lab, f: f"{lab}，本年度不能申请毕业，如有异议请到{STATUS_OFFICE}核实",
                                      f"请到{STATUS_OFFICE}咨询"),
    "NO_STATUS": Wording(lambda lab, f: f"{lab}{_paren(f.evidence)}，本年度不能申请毕业，如有异议请到{STATUS_OFFICE}核实",
                         f"请到{STATUS_OFFICE}咨询"),
    "SUSPENDED_FEES_OWED": Wording(_suspended_fees, f"需到{FINANCE}办理手续"),
    "SUSPENDED_GRADES_UNCERTIFIED": Wording(lambda lab, f: f"{lab}，请到{ACADEMIC}办理成绩认定后方可申请毕业",
                                            f"需到{ACADEMIC}办理成绩认定"),
    "COURSE_FAILED": Wording(_regrade(ACADEMIC, "申请补考认定"), "需补考认定"),
    "INTERNSHIP_FAILED": Wording(_regrade(EMPLOYMENT, "申请顶岗实习重新考核认定"), "需补考认定"),
    "RECORD_INCOMPLETE": Wording(_fixed(f"到{STATUS_OFFICE}核对更正学籍信息", evidence=True), "需核对学籍信息"),
    "MAJOR_NOT_IN_PLAN": Wording(_fixed(f"到{STATUS_OFFICE}核对专业名称", evidence=True), "需核对学籍信息"),
    "GRADE_MISSING": Wording(_grade_missing, "需核实成绩"),
    "INTERNSHIP_RECORD_MISSING": Wording(_fixed(f"到{EMPLOYMENT}补交顶岗实习材料并完成考核"), "需补交实习材料"),
    "INTERNSHIP_UNASSESSED": Wording(_fixed("联系实习指导老师完成顶岗实习考核"), "需完成实习考核"),
    "INTERNSHIP_FORM_MISSING": Wording(_fixed(f"到{EMPLOYMENT}补交"), "需补交实习材料"),
    "INTERNSHIP_REPORT_MISSING": Wording(_fixed(f"到{EMPLOYMENT}补交"), "需补交实习材料"),
    "INTERNSHIP_MATERIALS_LATE": Wording(_fixed(f"到{EMPLOYMENT}说明情况", evidence=True), f"需到{EMPLOYMENT}说明情况"),
    "FEES_OWED": Wording(_fees, f"需到{FINANCE}办理手续"),
    "PAYMENT_RECORD_MISSING": Wording(_fixed(f"到{FINANCE}核对缴费情况"), f"需到{FINANCE}办理手续"),
    "PHOTO_MISSING": Wording(_fixed(f"到{STATUS_OFFICE}补交电子照片"), "需补交电子照片"),
    "PHOTO_INVALID": Wording(lambda lab, f: f"{lab}{_paren(_after_colon(f.evidence))}，{_by(f)}到{STATUS_OFFICE}重新提交合格的电子照片",
                             "需补交电子照片"),
    "ID_INVALID": Wording(_fixed(f"携带身份证到{STATUS_OFFICE}核对更正", evidence=True), "需核对学籍信息"),
    "ID_DUPLICATE": Wording(_fixed(f"携带身份证到{STATUS_OFFICE}核对更正", evidence=True), "需核对学籍信息"),
}


def full(code: str, facts: Facts) -> str:
    """What a student must do about one reason, in a sentence a class teacher can read out."""
    return WORDING[code].full(REASON_BY_CODE[code].label, facts)


def public(codes) -> str:
    """The short public wording for a student's reasons (unique phrases in reason-table order, joined by 、)."""
    seen: list[str] = []
    for c in sorted(codes, key=REASON_ORDER.__getitem__):
        p = WORDING[c].public
        if p not in seen:
            seen.append(p)
    return "、".join(seen)


def reason_texts(reasons: pd.DataFrame, owed: pd.Series, deadline: dt.date | None, fix_by: dt.date,
                 undated=None) -> pd.Series:
    """The full wording of every row of a long reason table (idx, code, evidence), aligned with its index.
    undated[idx] (the students who cannot graduate this year): their other reasons are told without this
    year's dates, which do not apply to them."""
    if not len(reasons):
        return pd.Series([], dtype=object, index=reasons.index)
    owed_by_idx = owed.to_numpy()
    out = []
    for i, code, ev in zip(reasons["idx"].to_numpy(), reasons["code"].to_numpy(), reasons["evidence"].to_numpy()):
        this_year = undated is None or not undated[i]
        dl = deadline if REASON_BY_CODE[code].outcome == "WITHHELD" and this_year else None
        out.append(full(code, Facts("" if pd.isna(ev) else str(ev), float(owed_by_idx[i]), dl,
                                    fix_by if this_year else None)))
    return pd.Series(out, index=reasons.index, dtype=object)
