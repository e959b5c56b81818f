"""The eligibility rules of rules.md as pure, vectorised functions over a Cohort.

Each rule returns reason records: a DataFrame of (idx, code, evidence), idx being the student's
position in the roster. Grep a reason code to find its rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .sources import ATTEMPTS, Cohort
from .values import id_check_digit_ok

RECORD_COLUMNS = ["idx", "code", "evidence"]
ROSTER_REQUIRED = ("姓名", "性别", "出生日期", "民族", "政治面貌", "家庭地址", "班级", "学籍状态")


def records(mask, code: str, evidence) -> pd.DataFrame:
    """Reason records for the students where mask holds."""
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)
    ev = evidence[mask] if isinstance(evidence, (pd.Series, np.ndarray)) else evidence
    ev = np.asarray(ev, dtype=object) if not isinstance(ev, str) else ev
    return pd.DataFrame({"idx": idx, "code": code, "evidence": ev})


def _records_at(idx, code, evidence) -> pd.DataFrame:
    return pd.DataFrame({"idx": np.asarray(idx, dtype=np.int64), "code": code,
                         "evidence": np.asarray(evidence, dtype=object)})


def yuan(v) -> pd.Series:
    return pd.Series(v).map("{:.2f}".format)


def fee_facts(c: Cohort) -> pd.DataFrame:
    """Per student: due, paid, owed, has_fee_rows."""
    n = c.size
    s = c.fees.groupby("idx")[["due", "paid"]].sum() if len(c.fees) else pd.DataFrame(columns=["due", "paid"])
    f = pd.DataFrame(index=pd.RangeIndex(n))
    f["due"] = s["due"].reindex(f.index).fillna(0.0).round(2)
    f["paid"] = s["paid"].reindex(f.index).fillna(0.0).round(2)
    f["owed"] = (f["due"] - f["paid"]).round(2)
    f["has_fee_rows"] = f.index.isin(s.index)
    return f


def status_rules(c: Cohort) -> list[pd.DataFrame]:
    """LEFT_WITHOUT_PROCEDURE, NO_STATUS, SUSPENDED_FEES_OWED, SUSPENDED_GRADES_UNCERTIFIED (Art 5)."""
    st = c.students["status"]
    f = fee_facts(c)
    p = c.params
    suspended = (st == "休学").to_numpy()
    owes = (f["owed"] > p.fee_tolerance).to_numpy()
    no_rows = (~f["has_fee_rows"]).to_numpy() & (p.fees_mode == "ledger")
    fee_ev = np.where(no_rows, "休学；缴费库中无缴费记录", "休学；欠缴 " + yuan(f["owed"]) + " 元")
    cert = c.students["成绩认定"].astype(str).replace("", "未填")
    return [
        records(st == "离校未办手续", "LEFT_WITHOUT_PROCEDURE", "学籍状态：离校未办手续"),
        records(st.isin(("退学", "转出")), "NO_STATUS", "学籍状态：" + st),
        records(suspended & (owes | no_rows), "SUSPENDED_FEES_OWED", fee_ev),
        records(suspended & ~c.students["certified"].to_numpy(bool), "SUSPENDED_GRADES_UNCERTIFIED",
                "休学；成绩认定：" + cert),
    ]


def course_rules(c: Cohort) -> list[pd.DataFrame]:
    """COURSE_FAILED and GRADE_MISSING over the 必修 and 实习 courses of each student's major (Art 7, 15)."""
    plan = c.curriculum[c.curriculum["required"]][["专业", "课程代码", "课程名称"]]
    st = pd.DataFrame({"idx": np.arange(c.size), "专业": c.students["专业"].astype(str).to_numpy()})
    need = st.merge(plan, on="专业", how="inner")
    a = c.attempts[c.attempts["valid"]]
    agg = a.groupby(["idx", "课程代码"], sort=False)["passed"].any().rename("passed").reset_index()
    need = need.merge(agg, on=["idx", "课程代码"], how="left")
    missing = need["passed"].isna()
    failed = need["passed"].eq(False) & ~missing
    label = need["课程名称"] + "（" + need["课程代码"] + "）"

    m = need[missing].assign(label=label[missing])
    miss_ev = m.groupby("idx", sort=True)["label"].agg("、".join) + " 无有效成绩"

    f = need[failed].assign(label=label[failed])
    order = {k: i for i, k in enumerate(ATTEMPTS)}
    att = a.merge(f[["idx", "课程代码"]], on=["idx", "课程代码"])
    att = att.assign(o=att["attempt"].map(order)).sort_values(["idx", "课程代码", "o", "value"], kind="mergesort")
    att["text"] = att["attempt"] + " " + att["value"].astype(str)
    attempts_text = att.groupby(["idx", "课程代码"], sort=False)["text"].agg("、".join).rename("attempts").reset_index()
    f = f.merge(attempts_text, on=["idx", "课程代码"], how="left")
    f["text"] = f["label"] + "：" + f["attempts"]
    fail_ev = f.sort_values(["idx", "课程代码"]).groupby("idx")["text"].agg("；".join)
    return [_records_at(fail_ev.index, "COURSE_FAILED", fail_ev.to_numpy()),
            _records_at(miss_ev.index, "GRADE_MISSING", miss_ev.to_numpy())]


def internship_rules(c: Cohort) -> list[pd.DataFrame]:
    """INTERNSHIP_* reasons from the 顶岗实习 table (Art 9, 12, 13, 15)."""
    i = c.internship
    has = np.zeros(c.size, dtype=bool)
    has[i["idx"].to_numpy()] = True
    due = c.params.internship_materials_due.isoformat()
    grade = i["grade"].astype(str)
    return [
        records(~has, "INTERNSHIP_RECORD_MISSING", "顶岗实习表中无该生记录"),
        _records_at(i["idx"][i["assessed"] & ~i["passed"]], "INTERNSHIP_FAILED",
                    ("实习考核：" + grade)[i["assessed"] & ~i["passed"]]),
        _records_at(i["idx"][~i["assessed"]], "INTERNSHIP_UNASSESSED",
                    ("实习考核：" + grade.replace("", "（空）"))[~i["assessed"]]),
        _records_at(i["idx"][~i["form"]], "INTERNSHIP_FORM_MISSING", np.full((~i["form"]).sum(), "审批表：未交")),
        _records_at(i["idx"][~i["report"]], "INTERNSHIP_REPORT_MISSING",
                    np.full((~i["report"]).sum(), "实习报告：未交")),
        _records_at(i["idx"][i["late"]], "INTERNSHIP_MATERIALS_LATE",
                    ("提交日期 " + pd.Series(i["date"]).dt.strftime("%Y-%m-%d") + "，晚于规定的 " + due)[i["late"]]),
    ]


def record_rules(c: Cohort) -> list[pd.DataFrame]:
    """RECORD_INCOMPLETE and MAJOR_NOT_IN_PLAN (Art 1, 2, 15)."""
    s = c.students
    notes = pd.Series("", index=s.index)
    for col in ROSTER_REQUIRED:
        blank = s[col].astype(str) == ""
        notes = notes.where(~blank, notes + col + "为空；")
    sex = s["性别"].astype(str)
    notes = notes.where(~((sex != "") & ~sex.isin(("男", "女"))), notes + "性别“" + sex + "”不是男/女；")
    notes = notes.where(~s["birth_bad"], notes + "出生日期“" + s["出生日期"].astype(str) + "”不是日期；")
    st = s["学籍状态"].astype(str)
    notes = notes.where(~(~s["status_valid"] & (st != "")), notes + "学籍状态“" + st + "”无效，按在籍审核；")
    major = s["专业"].astype(str)
    in_plan = major.isin(set(c.curriculum["专业"]))
    return [
        records(notes != "", "RECORD_INCOMPLETE", notes.str.rstrip("；")),
        records(~in_plan, "MAJOR_NOT_IN_PLAN",
                np.where(major == "", "专业为空", "专业“" + major + "”不在教学计划中")),
    ]


def fee_rules(c: Cohort) -> list[pd.DataFrame]:
    """FEES_OWED and PAYMENT_RECORD_MISSING (Art 8, 15); 休学 students get SUSPENDED_FEES_OWED instead."""
    f = fee_facts(c)
    not_suspended = (c.students["status"] != "休学").to_numpy()
    owes = (f["owed"] > c.params.fee_tolerance).to_numpy() & f["has_fee_rows"].to_numpy()
    no_rows = (~f["has_fee_rows"]).to_numpy() & (c.params.fees_mode == "ledger")
    ev = "应缴 " + yuan(f["due"]) + " 元，已缴 " + yuan(f["paid"]) + " 元，欠缴 " + yuan(f["owed"]) + " 元"
    return [records(not_suspended & owes, "FEES_OWED", ev),
            records(not_suspended & no_rows, "PAYMENT_RECORD_MISSING", "缴费库中无该生缴费记录")]


def photo_rules(c: Cohort) -> list[pd.DataFrame]:
    """PHOTO_MISSING and PHOTO_INVALID (Art 6, 12); skipped when params set no photo folder."""
    if c.photos is None:
        return []
    ph = c.photos
    s = c.students
    missing = (ph["photo_file"] == "").to_numpy()
    ids = s["身份证号"].astype(str).where(~s["id_numeric"].astype(bool), "")
    tried = np.where(ids != "", ids + ".jpg 或 " + s["学号"].astype(str) + ".jpg", s["学号"].astype(str) + ".jpg")
    invalid = ~missing & (ph["photo_problem"] != "").to_numpy()
    return [records(missing, "PHOTO_MISSING", "照片文件夹中没有 " + pd.Series(tried)),
            records(invalid, "PHOTO_INVALID", ph["photo_file"] + "：" + ph["photo_problem"])]


def id_rules(c: Cohort) -> list[pd.DataFrame]:
    """ID_INVALID and ID_DUPLICATE (Art 1): GB 11643-1999 checks; temporary 999… numbers exempt."""
    s = c.students
    ids = s["身份证号"].astype(str)
    numeric = s["id_numeric"].to_numpy(bool)
    temp = s["id_temporary"].to_numpy(bool)
    blank = (ids == "").to_numpy()
    fmt = ids.str.fullmatch(r"\d{17}[\dX]").to_numpy(bool)
    check = id_check_digit_ok(ids).to_numpy()
    born = pd.to_datetime(ids.str.slice(6, 14).where(fmt), format="%Y%m%d", errors="coerce")
    born_ok = born.notna().to_numpy()
    sex = s["性别"].astype(str)
    odd = pd.to_numeric(ids.str.slice(16, 17).where(fmt), errors="coerce") % 2 == 1
    sex_bad = (fmt & sex.isin(("男", "女")).to_numpy() & ((sex == "男") != odd).to_numpy())
    bd = s["birth_date"]
    birth_bad = fmt & born_ok & bd.notna().to_numpy() & (pd.Series(born).dt.normalize() != bd.dt.normalize()).to_numpy()
    ev = np.select(
        [blank, numeric, ~fmt, ~check, ~born_ok, sex_bad, birth_bad],
        ["身份证号为空",
         "身份证号以数字形式导入（“" + ids + "”），末位可能已丢失，请以文本格式重新导出",
         "身份证号“" + ids + "”不是 17 位数字加 1 位数字或 X",
         "身份证号“" + ids + "”校验位错误",
         "身份证号“" + ids + "”中的出生日期不存在",
         "身份证号“" + ids + "”与性别“" + sex + "”不一致",
         "身份证号“" + ids + "”与出生日期 " + bd.dt.strftime("%Y-%m-%d").fillna("") + " 不一致"],
        default="")
    invalid = (ev != "") & ~temp
    usable = ~blank & ~numeric
    dup = usable & ids.where(usable).duplicated(keep=False).to_numpy() & ids.where(usable).notna().to_numpy()
    dup_ev = pd.Series("", index=s.index)
    if dup.any():
        d = pd.DataFrame({"id": ids[dup], "sid": s["学号"].astype(str)[dup]})
        groups = d.groupby("id")["sid"].agg(lambda x: "、".join(sorted(x)))
        dup_ev[dup] = "身份证号“" + d["id"] + "”同时出现在学号 " + d["id"].map(groups) + " 上"
    return [records(invalid, "ID_INVALID", ev), records(dup, "ID_DUPLICATE", dup_ev)]


RULES = (status_rules, course_rules, internship_rules, record_rules, fee_rules, photo_rules, id_rules)


def all_reasons(c: Cohort) -> pd.DataFrame:
    """Every reason of every student, before waivers: idx, code, evidence."""
    parts = [r for rule in RULES for r in rule(c) if len(r)]
    if not parts:
        return pd.DataFrame({"idx": pd.Series([], dtype=np.int64), "code": pd.Series([], dtype=object),
                             "evidence": pd.Series([], dtype=object)})
    out = pd.concat(parts, ignore_index=True)
    out["idx"] = out["idx"].astype(np.int64)
    return out
