"""The eligibility rules of rules.md as pure, vectorised functions over a Cohort and its judged Facts.

Each rule returns reason records: a DataFrame of (idx, code, evidence), idx being the student's
position in the roster. Grep a reason code to find its rule. Evidence text is built only for the
students a rule selects, so a rule costs little on a large, mostly clean cohort.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..formats import cn_date, cn_dates, iso_dates, yuan_series
from ..sources import Cohort
from ..sources.grades import ATTEMPTS
from ..sources.values import id_check_digit_ok
from .facts import Facts

RECORD_COLUMNS = ["idx", "code", "evidence"]
ROSTER_REQUIRED = ("姓名", "性别", "出生日期", "民族", "政治面貌", "家庭地址", "班级", "学籍状态")


def records(mask, code: str, evidence) -> pd.DataFrame:
    """Reason records for the students where mask holds.

    `evidence` is a string, or a function of the selected positions returning one text per position.
    """
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    if callable(evidence):
        ev = np.asarray(evidence(idx), dtype=object) if len(idx) else np.array([], dtype=object)
    else:
        ev = evidence
    return pd.DataFrame({"idx": idx.astype(np.int64), "code": code, "evidence": ev})


def _at(series: pd.Series, idx) -> pd.Series:
    """The values of a roster-aligned series at positions idx, as text with a fresh index."""
    return pd.Series(series.to_numpy()[idx], dtype=object).astype(str)


def status_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """LEFT_WITHOUT_PROCEDURE, NO_STATUS, SUSPENDED_FEES_OWED, SUSPENDED_GRADES_UNCERTIFIED (Art 5)."""
    st = c.students["status"]
    f = facts.fees
    p = c.params
    suspended = (st == "休学").to_numpy()
    owes = (f["owed"] > p.fee_tolerance).to_numpy()
    unusable = f["unusable"].to_numpy(dtype=object) if "unusable" in f else np.full(len(f), "", dtype=object)
    no_rows = ((~f["has_fee_rows"]).to_numpy() & (p.fees_mode == "ledger")) | (unusable != "")

    def fee_ev(idx):
        missing = np.where(unusable[idx] != "", "休学；缴费记录无法使用：" + unusable[idx].astype(str),
                           "休学；缴费库中无缴费记录")
        return np.where(no_rows[idx], missing, "休学；欠缴 " + yuan_series(f["owed"].to_numpy()[idx]) + " 元")

    return [
        records(st == "离校未办手续", "LEFT_WITHOUT_PROCEDURE", "学籍状态：离校未办手续"),
        records(st.isin(("退学", "转出")), "NO_STATUS", lambda idx: "学籍状态：" + _at(st, idx)),
        records(suspended & (owes | no_rows), "SUSPENDED_FEES_OWED", fee_ev),
        records(suspended & ~c.students["certified"].to_numpy(bool), "SUSPENDED_GRADES_UNCERTIFIED",
                lambda idx: "休学；成绩认定：" + _at(c.students["成绩认定"], idx).replace("", "未填")),
    ]


def course_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """COURSE_FAILED and GRADE_MISSING over the 必修 and 实习 courses of each student's major (Art 7, 15)."""
    cur = c.curriculum
    plan = cur[cur["required"]]
    majors = pd.Index(pd.unique(plan["专业"]))
    courses = pd.Index(pd.unique(cur["课程代码"]))
    k = max(len(courses), 1)
    # every (student, required course of the major) as one integer key: idx * k + course number
    st = pd.DataFrame({"idx": np.arange(c.size, dtype=np.int64),
                       "m": majors.get_indexer(c.students["专业"].astype(str))})
    pl = pd.DataFrame({"m": majors.get_indexer(plan["专业"]), "c": courses.get_indexer(plan["课程代码"]),
                       "label": (plan["课程名称"] + "（" + plan["课程代码"] + "）").to_numpy()})
    need = st[st["m"] >= 0].merge(pl, on="m")
    need_key = need["idx"].to_numpy() * k + need["c"].to_numpy()
    a = facts.attempts[facts.attempts["valid"]]
    a_c = courses.get_indexer(a["课程代码"])
    a = a[a_c >= 0]
    a_key = a["idx"].to_numpy(dtype=np.int64) * k + a_c[a_c >= 0]
    has_valid = np.isin(need_key, a_key)
    has_pass = np.isin(need_key, a_key[a["passed"].to_numpy(bool)])
    missing = need[~has_valid]
    failed = need[has_valid & ~has_pass]

    miss_ev = missing.sort_values(["idx", "c"]).groupby("idx")["label"].agg("、".join) + " 无有效成绩"

    order = {x: i for i, x in enumerate(ATTEMPTS)}
    f_key = failed["idx"].to_numpy() * k + failed["c"].to_numpy()
    att = a[np.isin(a_key, f_key)].copy()
    att["key"] = a_key[np.isin(a_key, f_key)]
    att = att.assign(o=att["attempt"].map(order)).sort_values(["key", "o", "row"], kind="mergesort")
    att["text"] = att["attempt"] + " " + att["value"].astype(str)
    attempts_text = att.groupby("key")["text"].agg("、".join)
    failed = failed.assign(text=failed["label"] + "：" + pd.Series(f_key, index=failed.index).map(attempts_text))
    fail_ev = failed.sort_values(["idx", "c"]).groupby("idx")["text"].agg("；".join)
    return [records(np.isin(np.arange(c.size), fail_ev.index), "COURSE_FAILED", lambda idx: fail_ev.loc[idx]),
            records(np.isin(np.arange(c.size), miss_ev.index), "GRADE_MISSING", lambda idx: miss_ev.loc[idx])]


def internship_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """INTERNSHIP_* reasons from the 顶岗实习 row that counts (Art 9, 12, 13, 15)."""
    i = facts.internship
    n = c.size
    has = np.zeros(n, dtype=bool)
    has[i["idx"].to_numpy()] = True

    def per_student(column) -> pd.Series:
        out = pd.Series(np.full(n, False if i[column].dtype == bool else None, dtype=object))
        out.iloc[i["idx"].to_numpy()] = i[column].to_numpy()
        return out

    assessed, passed = per_student("assessed").astype(bool), per_student("passed").astype(bool)
    form, report, late = per_student("form").astype(bool), per_student("report").astype(bool), per_student("late").astype(bool)
    grade, date = per_student("grade"), per_student("date")
    due = cn_date(c.params.internship_materials_due)
    return [
        records(~has, "INTERNSHIP_RECORD_MISSING", "顶岗实习表中无该生记录"),
        records(has & assessed & ~passed, "INTERNSHIP_FAILED", lambda idx: "实习考核：" + _at(grade, idx)),
        records(has & ~assessed, "INTERNSHIP_UNASSESSED",
                lambda idx: "实习考核：" + _at(grade, idx).replace("", "（空）")),
        records(has & ~form, "INTERNSHIP_FORM_MISSING", "审批表：未交"),
        records(has & ~report, "INTERNSHIP_REPORT_MISSING", "实习报告：未交"),
        records(has & late, "INTERNSHIP_MATERIALS_LATE",
                lambda idx: "提交日期" + cn_dates(pd.Series(date.to_numpy()[idx])) + "，晚于规定的" + due),
    ]


def record_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """RECORD_INCOMPLETE and MAJOR_NOT_IN_PLAN (Art 1, 2, 15)."""
    s = c.students
    blank = {col: (s[col].astype(str) == "").to_numpy() for col in ROSTER_REQUIRED}
    sex = s["性别"].astype(str)
    sex_bad = ((sex != "") & ~sex.isin(("男", "女"))).to_numpy()
    birth_bad = s["birth_bad"].to_numpy(bool)
    status_bad = (~s["status_valid"] & (s["学籍状态"].astype(str) != "")).to_numpy()
    incomplete = np.logical_or.reduce(list(blank.values()) + [sex_bad, birth_bad, status_bad])

    def notes(idx):
        parts = [np.where(blank[col][idx], col + "为空；", "") for col in ROSTER_REQUIRED]
        parts.append(np.where(sex_bad[idx], "性别“" + _at(sex, idx) + "”不是男/女；", ""))
        parts.append(np.where(birth_bad[idx], "出生日期“" + _at(s["出生日期"], idx) + "”不是日期；", ""))
        parts.append(np.where(status_bad[idx], "学籍状态“" + _at(s["学籍状态"], idx) + "”无效，按在籍审核；", ""))
        return pd.Series(np.sum(np.vstack(parts).astype(object), axis=0)).str.rstrip("；")

    major = s["专业"].astype(str)
    in_plan = major.isin(set(c.curriculum["专业"]))

    def major_ev(idx):
        m = _at(major, idx)
        return np.where(m == "", "专业为空", "专业“" + m + "”不在教学计划中")

    return [records(incomplete, "RECORD_INCOMPLETE", notes),
            records(~in_plan, "MAJOR_NOT_IN_PLAN", major_ev)]


def fee_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """FEES_OWED and PAYMENT_RECORD_MISSING (Art 8, 15); 休学 students get SUSPENDED_FEES_OWED instead.

    A fee row whose required amount is blank or unreadable never counts in the student's favour: it gives
    PAYMENT_RECORD_MISSING with that row as evidence (data-contract.md), in either fees_mode.
    """
    f = facts.fees
    not_suspended = (c.students["status"] != "休学").to_numpy()
    owes = (f["owed"] > c.params.fee_tolerance).to_numpy() & f["has_fee_rows"].to_numpy()
    unusable = (f["unusable"] != "").to_numpy() if "unusable" in f else np.zeros(c.size, bool)
    no_rows = ((~f["has_fee_rows"]).to_numpy() & (c.params.fees_mode == "ledger")) | unusable

    def ev(idx):
        g = f.iloc[idx]
        return ("应缴 " + yuan_series(g["due"].to_numpy()) + " 元，已缴 " + yuan_series(g["paid"].to_numpy())
                + " 元，欠缴 " + yuan_series(g["owed"].to_numpy()) + " 元")

    def missing_ev(idx):
        bad = _at(f["unusable"], idx) if "unusable" in f else pd.Series("", index=range(len(idx)))
        return np.where(bad != "", "缴费记录无法使用：" + bad, "缴费库中无该生缴费记录")

    return [records(not_suspended & owes, "FEES_OWED", ev),
            records(not_suspended & no_rows, "PAYMENT_RECORD_MISSING", missing_ev)]


def photo_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
    """PHOTO_MISSING and PHOTO_INVALID (Art 6, 12); skipped when params set no photo folder."""
    if c.photos is None:
        return []
    ph = c.photos
    s = c.students
    missing = (ph["photo_file"] == "").to_numpy()
    invalid = ~missing & (ph["photo_problem"] != "").to_numpy()

    def tried(idx):
        ids = _at(s["身份证号"], idx).where(~s["id_numeric"].to_numpy(bool)[idx], "")
        sid = _at(s["学号"], idx)
        return "照片文件夹中没有 " + pd.Series(np.where(ids != "", ids + ".jpg 或 " + sid + ".jpg", sid + ".jpg"))

    return [records(missing, "PHOTO_MISSING", tried),
            records(invalid, "PHOTO_INVALID", lambda idx: _at(ph["photo_file"], idx) + "：" + _at(ph["photo_problem"], idx))]


def id_rules(c: Cohort, facts: Facts) -> list[pd.DataFrame]:
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
    odd = (pd.to_numeric(ids.str.slice(16, 17).where(fmt), errors="coerce") % 2 == 1).to_numpy()
    sex_bad = fmt & sex.isin(("男", "女")).to_numpy() & ((sex == "男").to_numpy() != odd)
    bd = s["birth_date"]
    birth_bad = fmt & born_ok & bd.notna().to_numpy() & (pd.Series(born).dt.normalize() != bd.dt.normalize()).to_numpy()
    other = s["id_other_type"].to_numpy(bool) if "id_other_type" in s else np.zeros(len(s), bool)
    form = [x & ~other for x in (~fmt, ~check, ~born_ok, sex_bad, birth_bad)]  # only mainland IDs (证件类型)
    conditions = [blank, numeric, *form]
    invalid = np.logical_or.reduce(conditions) & ~temp

    def ev(idx):
        i, x = _at(ids, idx), "身份证号“" + _at(ids, idx) + "”"
        texts = ["身份证号为空", "身份证号以数字形式导入（“" + i + "”），末位可能已丢失，请以文本格式重新导出",
                 x + "不是 17 位数字加 1 位数字或 X", x + "校验位错误", x + "中的出生日期不存在",
                 x + "与性别“" + _at(sex, idx) + "”不一致",
                 x + "与出生日期 " + iso_dates(pd.Series(bd.to_numpy()[idx])).fillna("") + " 不一致"]
        return np.select([cnd[idx] for cnd in conditions], [np.asarray(t, dtype=object) for t in texts], default="")

    usable = ~blank & ~numeric
    dup = usable & ids.where(usable).duplicated(keep=False).to_numpy() & ids.where(usable).notna().to_numpy()

    def dup_ev(idx):
        d = pd.DataFrame({"id": _at(ids, idx), "sid": _at(s["学号"], idx)})
        groups = d.groupby("id")["sid"].agg(lambda x: "、".join(sorted(x)))
        return "身份证号“" + d["id"] + "”同时出现在学号 " + d["id"].map(groups) + " 上"

    return [records(invalid, "ID_INVALID", ev), records(dup, "ID_DUPLICATE", dup_ev)]


RULES = (status_rules, course_rules, internship_rules, record_rules, fee_rules, photo_rules, id_rules)


def all_reasons(c: Cohort, facts: Facts) -> pd.DataFrame:
    """Every reason of every student, before waivers: idx, code, evidence."""
    parts = [r for rule in RULES for r in rule(c, facts) if len(r)]
    if not parts:
        return pd.DataFrame({"idx": pd.Series([], dtype=np.int64), "code": pd.Series([], dtype=object),
                             "evidence": pd.Series([], dtype=object)})
    out = pd.concat(parts, ignore_index=True)
    out["idx"] = out["idx"].astype(np.int64)
    return out
