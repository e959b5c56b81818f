"""What every list starts from: one display row per student, the reasons in words, titles and sort order.

Lists are sorted by 班级 (numbers inside a class name compare as numbers: 2班 before 10班) then 学号.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..formats import cn_date, cn_span
from ..params import Params
from ..reasons import OUTCOME_BY_CODE, REASON_BY_CODE, REASON_ORDER, reason_label
from ..rules import Decisions, withheld_deadline
from ..rules.waivers import status_text
from . import wording


def deadline(p: Params) -> dt.date:
    """The WITHHELD deadline of the cohort (rules.md)."""
    return withheld_deadline(p.makeup_results_published)


def fix_by(p: Params) -> dt.date:
    """By when a DEFERRED student should fix things to collect in time: the last day of the issue window."""
    return p.issue_window[1]


def title(p: Params, name: str) -> str:
    """School, cohort and list name: 江西省通用技术工程学校 2027 届可领取毕业证名单."""
    return f"{p.school} {p.cohort} 届{name}"


def issue_window(p: Params) -> str:
    """The issue window of the diplomas (Art 19): 2027年7月1日至7月15日."""
    return cn_span(*p.issue_window)


OFFICE = "校企合作与就业办"  # the issuing office at the foot of a posted list (outputs.md)


def issued(p: Params) -> tuple[str, str]:
    """The foot of a posted list: the issuing office and the date it is posted (the first day of 公示期)."""
    return OFFICE, cn_date(p.posting_period[0])


def posting_notes(p: Params) -> list[str]:
    """The title lines every public list carries: posting period and issue window."""
    return [f"公示期：{cn_span(*p.posting_period)}（公示期满后撤下）　　领取时间：{issue_window(p)}"]


def class_key(s: pd.Series) -> pd.Series:
    """Sort key of class names with their numbers zero-padded (24机电2班 before 24机电10班)."""
    return s.astype(str).str.replace(r"\d+", lambda m: m.group().zfill(8), regex=True)


def ordered(df: pd.DataFrame, cls: str = "班级", sid: str = "学号", before=()) -> pd.DataFrame:
    """df sorted by the columns in before, then 班级 (natural order), then 学号; 序号 renumbered if present."""
    keys = {f"_k{i}": df[c] for i, c in enumerate(before)}
    keys["_cls"] = class_key(df[cls])
    keys["_sid"] = df[sid].astype(str)
    out = df.assign(**keys).sort_values(list(keys), kind="mergesort").drop(columns=list(keys))
    out = out.reset_index(drop=True)
    if "序号" in out.columns:
        out["序号"] = np.arange(1, len(out) + 1)
    return out


def students(d: Decisions) -> pd.DataFrame:
    """One row per roster student (index = idx): display columns, outcome, deadline and the reason codes."""
    t = d.table
    s = d.cohort.students
    dl = cn_date(deadline(d.cohort.params))
    out = pd.DataFrame({
        "学号": t["student_id"].to_numpy(), "姓名": s["姓名"].astype(str).to_numpy(),
        "专业": s["专业"].astype(str).to_numpy(), "班级": s["班级"].astype(str).to_numpy(),
        "班主任": s["班主任"].astype(str).to_numpy(),
        "outcome": t["outcome"].to_numpy(), "结论": t["outcome"].map(lambda c: OUTCOME_BY_CODE[c].label).to_numpy(),
        "截止日期": np.where(t["outcome"] == "WITHHELD", dl, ""),
        "codes": t["reasons"].to_numpy(), "waived": t["waived"].to_numpy(),
        "owed": t["owed"].to_numpy(dtype=float),
    })
    return out


def reason_rows(d: Decisions) -> pd.DataFrame:
    """d.reasons in reason-table order per student, with 原因 (label), 依据 (article) and 需办理事项 (full wording)."""
    r = d.reasons.copy()
    p = d.cohort.params
    r["_o"] = r["code"].map(REASON_ORDER)
    r = r.sort_values(["idx", "_o"], kind="mergesort").drop(columns="_o")
    r["原因"] = r["code"].map(lambda c: REASON_BY_CODE[c].label)
    r["依据"] = r["code"].map(lambda c: REASON_BY_CODE[c].article)
    r["evidence"] = r["evidence"].astype(object).where(r["evidence"].notna(), "").astype(str)
    r["需办理事项"] = wording.reason_texts(r, d.table["owed"], deadline(p), fix_by(p),
                                        undated=(d.table["outcome"] == "NOT_ELIGIBLE").to_numpy())
    return r


def public_wording(codes: pd.Series) -> pd.Series:
    """The short public wording of each student's unwaived reasons ('A;B' → 需补交实习材料、需补考认定)."""
    cache: dict[str, str] = {}
    for v in pd.unique(codes):
        cache[v] = wording.public(v.split(";")) if v else ""
    return codes.map(cache)


def waiver_log(d: Decisions) -> pd.DataFrame:
    """The waivers log for people, in file order: 行号, 学号, 原因 (label), 理由, 批准人, 日期, 操作, 状态."""
    w = d.waivers
    out = w[["行号", "学号", "原因代码", "理由", "批准人", "日期", "操作"]].copy()
    out["原因代码"] = out["原因代码"].map(reason_label)
    out["状态"] = status_text(w) if len(w) else pd.Series([], dtype=object)
    return out.rename(columns={"原因代码": "原因"})
