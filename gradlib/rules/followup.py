"""The follow-up of withheld and deferred students (Art 15): re-decided on the updated files, or abandoned.

Pure and vectorised (no I/O). A student followed up is one whose current record is WITHHELD or DEFERRED. The
updated files decide them again with the same rules and waivers; on top of that, a student whose record was
WITHHELD and who is still WITHHELD when the follow-up is made after the deadline (makeup_results_published
plus one calendar year, 29 February → 28 February; the deadline itself is on time) becomes ABANDONED.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..params import one_year_after
from ..reasons import ABANDONED, OUTCOMES, outcome_label
from .decide import DECISION_COLUMNS, Decisions

FOLLOWED = ("WITHHELD", "DEFERRED")        # the outcomes a follow-up looks at again
WITH_DEADLINE = ("WITHHELD", ABANDONED.code)  # the outcomes whose deadline is shown
ALL_OUTCOMES = [ABANDONED.code] + [o.code for o in OUTCOMES]  # most severe first


def to_follow(records: pd.DataFrame) -> pd.DataFrame:
    """The records (one per student: student_id, outcome, reasons…) a follow-up decides again, by 学号."""
    rows = records[records["outcome"].isin(FOLLOWED)]
    return rows.sort_values("student_id", kind="mergesort").reset_index(drop=True)


def judge_followup(before: pd.DataFrame, after: pd.DataFrame, makeup_results_published: dt.date,
                   as_of: dt.date) -> pd.DataFrame:
    """The follow-up's outcome of each student of `before` (their current records: student_id, outcome,
    reasons) from `after` (the same students decided again: student_id, outcome, reasons, waived).

    Returns student_id, outcome, reasons, waived, deadline (ISO, for WITHHELD and ABANDONED),
    before_outcome, before_reasons, in the order of `before`. Every student of `before` must be in `after`.
    """
    deadline = one_year_after(makeup_results_published)
    now = after.set_index("student_id").reindex(before["student_id"].astype(str))
    missing = now["outcome"].isna().to_numpy()
    if missing.any():
        raise KeyError(f"not decided again: {list(now.index[missing])}")
    was = before["outcome"].to_numpy()
    outcome = now["outcome"].to_numpy(dtype=object)
    expired = as_of > deadline
    abandoned = (was == "WITHHELD") & (outcome == "WITHHELD") & expired
    outcome = np.where(abandoned, ABANDONED.code, outcome)
    return pd.DataFrame({
        "student_id": before["student_id"].astype(str).to_numpy(),
        "outcome": outcome,
        "reasons": now["reasons"].fillna("").to_numpy(),
        "waived": now["waived"].fillna("").to_numpy(),
        "deadline": np.where(np.isin(outcome, WITH_DEADLINE), deadline.isoformat(), ""),
        "before_outcome": was,
        "before_reasons": before["reasons"].fillna("").astype(str).to_numpy(),
    })


@dataclass
class FollowUp:
    """A follow-up: the updated files decided in full, and the followed students' new outcomes."""
    decisions: Decisions    # the whole updated roster, decided as a cohort run would
    table: pd.DataFrame     # one row per followed student (judge_followup) with idx, 姓名, 专业, 班级
    as_of: dt.date
    follows: dict           # the publication followed: publication, run_id, recorded_at, recorded_by
    deadline: dt.date

    def decisions_csv(self) -> pd.DataFrame:
        """decisions.csv of the follow-up: the followed students, sorted by student_id, the five columns."""
        return self.table[DECISION_COLUMNS].sort_values("student_id", kind="mergesort").reset_index(drop=True)

    def counts(self) -> pd.Series:
        """Followed students per outcome after the follow-up (ABANDONED first; adds up to the followed)."""
        return self.table["outcome"].value_counts().reindex(ALL_OUTCOMES, fill_value=0)

    def before_after(self) -> pd.DataFrame:
        """Students per outcome before (rows) and after (columns) the follow-up, in Chinese, with totals."""
        before = [c for c in ALL_OUTCOMES if c in FOLLOWED]
        x = pd.crosstab(pd.Categorical(self.table["before_outcome"], before),
                        pd.Categorical(self.table["outcome"], ALL_OUTCOMES), dropna=False)
        x = x.reindex(index=before, columns=ALL_OUTCOMES, fill_value=0)
        x.index = [outcome_label(c) for c in before]
        x.columns = [outcome_label(c) for c in ALL_OUTCOMES]
        x["合计"] = x.sum(axis=1)
        x.loc["合计"] = x.sum(axis=0)
        return x.rename_axis("原结论").reset_index()


def follow_up(d: Decisions, before: pd.DataFrame, as_of: dt.date, follows: dict | None = None) -> FollowUp:
    """The follow-up of `before` (the current records of the students to follow) on the decided updated files."""
    p = d.cohort.params
    table = judge_followup(before, d.table, p.makeup_results_published, as_of)
    where = pd.Series(np.arange(len(d.table)), index=d.table["student_id"].astype(str))
    idx = where.reindex(table["student_id"]).to_numpy()
    for col in ("姓名", "专业", "班级"):
        table[col] = d.table[col].astype(str).to_numpy()[idx]
    table.insert(0, "idx", idx)
    return FollowUp(d, table, as_of, dict(follows or {}), one_year_after(p.makeup_results_published))
