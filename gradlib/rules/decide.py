"""Decide every student: reasons, waivers, outcome (the most severe unwaived reason), deadline."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import findings as F
from ..findings import Kind
from ..params import one_year_after
from ..reasons import OUTCOMES, REASON_BY_CODE, REASON_ORDER, REASON_SEVERITY, REASONS, outcome_label
from ..sources import Cohort
from . import waivers
from .eligibility import all_reasons
from .facts import Facts, judge

DECISION_COLUMNS = ["student_id", "outcome", "reasons", "waived", "deadline"]
_SEVERITY_TO_OUTCOME = {o.severity: o.code for o in OUTCOMES}


@dataclass
class Decisions:
    """The outcome of one cohort: one row per student, the reasons behind them, and the data problems."""
    cohort: Cohort
    table: pd.DataFrame     # one row per roster student, roster order, with outcome, reasons, waived, deadline
    reasons: pd.DataFrame   # idx, code, evidence, waived, waiver columns
    waivers: pd.DataFrame   # the waiver log with a status code per row (rules/waivers.py)
    problems: pd.DataFrame
    facts: Facts            # judged attempts, internship rows and fees
    seconds: float = 0.0    # time taken by decide()

    def decisions_csv(self) -> pd.DataFrame:
        """decisions.csv: sorted by student_id, the five contract columns."""
        return self.table[DECISION_COLUMNS].sort_values("student_id", kind="mergesort").reset_index(drop=True)

    def counts(self) -> pd.Series:
        """Students per outcome, most severe first (adds up to the roster size)."""
        return self.table["outcome"].value_counts().reindex([o.code for o in OUTCOMES], fill_value=0)


def withheld_deadline(published: dt.date) -> dt.date:
    """One calendar year after the makeup/clearance results (Art 15); 29 February maps to 28 February."""
    return one_year_after(published)


def _without(r: pd.DataFrame, resolved: dict[int, set[str]]) -> pd.DataFrame:
    """The reasons minus those the what-if treats as fixed at their source."""
    gone = {(i, c) for i, cs in resolved.items() for c in cs}
    drop = np.array([(i, c) in gone for i, c in zip(r["idx"], r["code"])], dtype=bool)
    return r[~drop].reset_index(drop=True)


def _apply_waivers(cohort: Cohort, r: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reasons with the waivers in force merged in (waived, 理由, 批准人, 日期), and the stale waivers."""
    active = waivers.in_force(cohort)
    r = r.merge(active.drop(columns=["学号"]), on=["idx", "code"], how="left")
    r["waived"] = r["批准人"].notna()
    stale = active.merge(r[["idx", "code"]], on=["idx", "code"], how="left", indicator=True)
    return r, stale[stale["_merge"] == "left_only"]


def _outcomes(n: int, r: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per roster position: outcome (the most severe unwaived reason; none = COLLECT), reasons, waived."""
    live = r[~r["waived"]]
    worst = live["code"].map(REASON_SEVERITY).groupby(live["idx"]).max() if len(live) else pd.Series(dtype=int)
    severity = np.full(n, 1, dtype=np.int64)
    severity[worst.index.to_numpy()] = worst.to_numpy()
    outcome = pd.Series(severity).map(_SEVERITY_TO_OUTCOME)
    reasons = live.groupby("idx")["code"].agg(";".join).reindex(range(n), fill_value="")
    waived = r[r["waived"]].groupby("idx")["code"].agg(";".join).reindex(range(n), fill_value="")
    return outcome, reasons, waived


def _problems(cohort: Cohort, r: pd.DataFrame, stale: pd.DataFrame) -> pd.DataFrame:
    """The data problems: the readers', stale waivers, and the reasons the reason table sends there."""
    probs = [cohort.problems]
    wfile = cohort.waivers["file"].iloc[0] if cohort.waivers is not None and len(cohort.waivers) else ""
    if len(stale):
        probs.append(F.frame(Kind.WAIVER_STALE, wfile, "", stale["row"], "原因代码",
                             stale["code"].map(lambda c: REASON_BY_CODE[c].label),
                             "过期豁免：该生并无此原因，豁免未改变任何结论", "该生当前存在的可豁免原因", stale["学号"]))
    s = cohort.students
    sources = list(dict.fromkeys(["students", *cohort.files]))  # file by file, in reading order
    found_in = [r for r in REASONS if r.problem_at is not None]
    rank = {k: i for i, k in enumerate(sources)}
    for reason in sorted(found_in, key=lambda r: rank.get(r.problem_at[0], len(rank))):
        source, column, expected = reason.problem_at
        dr = r[r["code"] == reason.code]
        if not len(dr):
            continue
        at = dr["idx"].to_numpy()
        on_roster = source == "students"
        probs.append(F.frame(reason.code, s["source_file"].iloc[0] if on_roster else cohort.files[source].name,
                             s["source_sheet"].iloc[0] if on_roster else "",
                             s["excel_row"].to_numpy()[at] if on_roster else [None] * len(at),
                             column, dr["evidence"], "影响毕业审核：" + reason.label,
                             expected, s["学号"].to_numpy()[at]))
    return F.combine(probs)


def decide(cohort: Cohort, resolved: dict[int, set[str]] | None = None,
           reasons: pd.DataFrame | None = None, facts: Facts | None = None) -> Decisions:
    """Apply every rule and the waivers; `resolved` (what-if) drops reasons as if fixed at their source.

    `reasons` (idx, code, evidence) and `facts` skip the rules when only the waivers changed (the review panel).
    """
    t0 = time.perf_counter()
    facts = facts or judge(cohort)
    r = all_reasons(cohort, facts) if reasons is None else reasons[["idx", "code", "evidence"]].copy()
    if resolved:
        r = _without(r, resolved)
    r["order"] = r["code"].map(REASON_ORDER)
    r = r.sort_values(["idx", "order"], kind="mergesort").reset_index(drop=True)
    r, stale = _apply_waivers(cohort, r)
    outcome, codes, waived = _outcomes(cohort.size, r)
    deadline = withheld_deadline(cohort.params.makeup_results_published).isoformat()
    s = cohort.students
    table = pd.DataFrame({
        "student_id": s["学号"].astype(str).to_numpy(),
        "outcome": outcome.to_numpy(),
        "reasons": codes.to_numpy(),
        "waived": waived.to_numpy(),
        "deadline": np.where(outcome == "WITHHELD", deadline, ""),
        "姓名": s["姓名"].to_numpy(), "专业": s["专业"].to_numpy(), "班级": s["班级"].to_numpy(),
    })
    table["outcome_label"] = table["outcome"].map(outcome_label)
    table["owed"] = facts.fees["owed"].to_numpy()
    return Decisions(cohort, table, r.drop(columns=["order"]), waivers.log(cohort, stale),
                     _problems(cohort, r, stale), facts, time.perf_counter() - t0)
