"""Decide every student: reasons, waivers, outcome (most severe unwaived reason), deadline."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import problems as P
from .reasons import OUTCOME_BY_CODE, OUTCOMES, REASON_BY_CODE, REASON_ORDER, REASON_SEVERITY
from .rules import all_reasons, fee_facts
from .sources import Cohort

DECISION_COLUMNS = ["student_id", "outcome", "reasons", "waived", "deadline"]
_SEVERITY_TO_OUTCOME = {o.severity: o.code for o in OUTCOMES}
# per-student findings that also belong in the data-problems sheet
# per-student findings that also belong in the data-problems sheet: where to look (source, column) and what is expected
DATA_REASONS = {
    "RECORD_INCOMPLETE": ("students", "学籍信息", "必填项齐全，性别为男/女，出生日期为日期，学籍状态为规定取值"),
    "MAJOR_NOT_IN_PLAN": ("students", "专业", "教学计划中的专业名称"),
    "ID_INVALID": ("students", "身份证号", "18 位身份证号（校验位正确，与性别、出生日期一致），以文本格式保存"),
    "ID_DUPLICATE": ("students", "身份证号", "每名学生的身份证号各不相同"),
    "GRADE_MISSING": ("grades", "课程", "该生专业每门必修、实习课程至少一次有效成绩"),
    "PHOTO_MISSING": ("photos", "照片文件", "以身份证号或学号命名的 JPEG 照片"),
    "PHOTO_INVALID": ("photos", "照片文件", "JPEG，像素与大小符合参数 photo 的规定"),
}


@dataclass
class Decisions:
    """The outcome of one cohort: one row per student, the reasons behind them, and the data problems."""
    cohort: Cohort
    table: pd.DataFrame     # one row per roster student, roster order, with outcome, reasons, waived, deadline
    reasons: pd.DataFrame   # idx, code, evidence, waived, waiver columns
    waivers: pd.DataFrame   # the waiver log with its status (生效/已撤销/过期/无效)
    problems: pd.DataFrame
    seconds: float = 0.0    # time taken by decide()

    def decisions_csv(self) -> pd.DataFrame:
        """decisions.csv: sorted by student_id, the five contract columns."""
        return self.table[DECISION_COLUMNS].sort_values("student_id", kind="mergesort").reset_index(drop=True)

    def counts(self) -> pd.Series:
        return self.table["outcome"].value_counts().reindex([o.code for o in OUTCOMES], fill_value=0)


def withheld_deadline(published: dt.date) -> dt.date:
    """One calendar year after the makeup/clearance results (Art 15); 29 February maps to 28 February."""
    try:
        return published.replace(year=published.year + 1)
    except ValueError:
        return published.replace(year=published.year + 1, day=28)


def resolve_waivers(cohort: Cohort) -> pd.DataFrame:
    """The waivers in force: for each (学号, code) the last valid row in file order, if it is 豁免."""
    w = cohort.waivers
    if w is None or not len(w):
        return pd.DataFrame({c: pd.Series([], dtype=np.int64 if c in ("idx", "row") else object)
                             for c in ["idx", "code", "理由", "批准人", "日期", "row", "学号"]})
    valid = w[w["valid"]]
    last = valid.sort_values("order", kind="mergesort").drop_duplicates(["学号", "code"], keep="last")
    active = last[last["操作"] == "豁免"].copy()
    active["idx"] = pd.Index(cohort.students["学号"]).get_indexer(active["学号"])
    return active[["idx", "code", "理由", "批准人", "日期", "row", "学号"]]


def decide(cohort: Cohort, resolved: dict[int, set[str]] | None = None,
           reasons: pd.DataFrame | None = None) -> Decisions:
    """Apply every rule and the waivers; `resolved` (what-if) drops reasons as if fixed at their source.

    `reasons` (idx, code, evidence) skips the rules when only the waivers changed (the review panel).
    """
    t0 = time.perf_counter()
    r = all_reasons(cohort) if reasons is None else reasons[["idx", "code", "evidence"]].copy()
    if resolved:
        drop = pd.Series([(i, c) in {(i, c) for i, cs in resolved.items() for c in cs}
                          for i, c in zip(r["idx"], r["code"])], dtype=bool) if len(r) else pd.Series([], dtype=bool)
        r = r[~drop.to_numpy()].reset_index(drop=True)
    r["order"] = r["code"].map(REASON_ORDER)
    r = r.sort_values(["idx", "order"], kind="mergesort").reset_index(drop=True)
    active = resolve_waivers(cohort)
    r = r.merge(active.drop(columns=["学号"]), on=["idx", "code"], how="left")
    r["waived"] = r["批准人"].notna()
    stale = active.merge(r[["idx", "code"]], on=["idx", "code"], how="left", indicator=True)
    stale = stale[stale["_merge"] == "left_only"]
    probs = [cohort.problems]
    wfile = cohort.waivers["file"].iloc[0] if cohort.waivers is not None and len(cohort.waivers) else ""
    if len(stale):
        probs.append(P.frame(wfile, "", stale["row"], "原因代码", stale["code"].map(lambda c: REASON_BY_CODE[c].label),
                             "过期豁免：该生并无此原因，豁免未改变任何结论", "该生当前存在的可豁免原因", stale["学号"]))
    n = cohort.size
    live = r[~r["waived"]]
    worst = live["code"].map(REASON_SEVERITY).groupby(live["idx"]).max() if len(live) else pd.Series(dtype=int)
    severity = np.full(n, 1, dtype=np.int64)
    severity[worst.index.to_numpy()] = worst.to_numpy()
    outcome = pd.Series(severity).map(_SEVERITY_TO_OUTCOME)
    reasons = live.groupby("idx")["code"].agg(";".join).reindex(range(n), fill_value="")
    waived = r[r["waived"]].groupby("idx")["code"].agg(";".join).reindex(range(n), fill_value="")
    deadline = withheld_deadline(cohort.params.makeup_results_published).isoformat()
    s = cohort.students
    table = pd.DataFrame({
        "student_id": s["学号"].astype(str).to_numpy(),
        "outcome": outcome.to_numpy(),
        "reasons": reasons.to_numpy(),
        "waived": waived.to_numpy(),
        "deadline": np.where(outcome == "WITHHELD", deadline, ""),
        "姓名": s["姓名"].to_numpy(), "专业": s["专业"].to_numpy(), "班级": s["班级"].to_numpy(),
    })
    table["outcome_label"] = table["outcome"].map(lambda c: OUTCOME_BY_CODE[c].label)
    f = fee_facts(cohort)
    table["owed"] = f["owed"].to_numpy()
    for code, (source, column, expected) in DATA_REASONS.items():
        dr = r[r["code"] == code]
        if not len(dr):
            continue
        at = dr["idx"].to_numpy()
        on_roster = source == "students"
        probs.append(P.frame(s["source_file"].iloc[0] if on_roster else cohort.files[source].name,
                             s["source_sheet"].iloc[0] if on_roster else "",
                             s["excel_row"].to_numpy()[at] if on_roster else [None] * len(at),
                             column, dr["evidence"], "影响毕业审核：" + REASON_BY_CODE[code].label,
                             expected, s["学号"].to_numpy()[at]))
    return Decisions(cohort, table, r.drop(columns=["order"]), _waiver_log(cohort, active, stale),
                     P.combine(probs), time.perf_counter() - t0)


def _waiver_log(cohort: Cohort, active: pd.DataFrame, stale: pd.DataFrame) -> pd.DataFrame:
    w = cohort.waivers
    if w is None or not len(w):
        return pd.DataFrame(columns=["行号", "学号", "原因代码", "理由", "批准人", "日期", "操作", "状态"])
    status = np.where(~w["valid"], "无效：" + w["invalid_reason"], "已被后续记录取代")
    last_valid = w[w["valid"]].drop_duplicates(["学号", "code"], keep="last")["order"]
    is_last = w["order"].isin(last_valid)
    status = np.where(is_last & (w["操作"] == "撤销"), "已撤销", status)
    stale_rows = set(stale["row"]) if len(stale) else set()
    status = np.where(is_last & (w["操作"] == "豁免"),
                      np.where(w["row"].isin(stale_rows), "过期（该生无此原因）", "生效"), status)
    return pd.DataFrame({"行号": w["row"], "学号": w["学号"], "原因代码": w["code"].fillna(w["code_text"]),
                         "理由": w["理由"], "批准人": w["批准人"], "日期": w["日期"], "操作": w["操作"],
                         "状态": status})


def waiver_log_chinese(d: Decisions) -> pd.DataFrame:
    """The waiver log for people: reasons by their Chinese label (column 原因), in file order."""
    w = d.waivers.copy()
    if len(w):
        w["原因代码"] = w["原因代码"].map(lambda c: REASON_BY_CODE[c].label if c in REASON_BY_CODE else c)
    return w.rename(columns={"原因代码": "原因"})


def write_decisions(d: Decisions, run_dir) -> Path:
    """Write decisions.csv (UTF-8 with BOM so Excel opens it correctly) into the run folder."""
    path = Path(run_dir) / "decisions.csv"
    d.decisions_csv().to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path
