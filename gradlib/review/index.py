"""What the review panel filters and offers, as pure functions over Decisions: the student index, what-if,
the reasons a waiver form may offer. No widgets here, so the logic is tested and benchmarked without a frontend.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..outputs.listing import class_key
from ..reasons import (
    OUTCOME_BY_CODE,
    OUTCOME_ORDER,
    REASON_BY_CODE,
    REASON_ORDER,
    REASON_SEVERITY,
    WAIVABLE,
    reason_labels,
)
from ..rules import Decisions

ANY = ""                      # a filter set to this value does not filter
WAIVED_ANY = "__waived__"     # reason filter: students with at least one waived reason
_SEVERITY = {c: o.severity for c, o in OUTCOME_BY_CODE.items()}
_BY_SEVERITY = {o.severity: o.code for o in OUTCOME_BY_CODE.values() if o.code != "ABANDONED"}


labels = reason_labels  # reason codes joined by ";" as their Chinese labels


class StudentIndex:
    """The students of a Decisions in review order (most severe outcome, 班级, 学号) with fast filter columns."""

    def __init__(self, d: Decisions):
        t = d.table
        sev = t["outcome"].map(_SEVERITY).to_numpy()
        order = (pd.DataFrame({"s": -sev, "c": class_key(t["班级"]), "i": t["student_id"].astype(str)})
                 .sort_values(["s", "c", "i"], kind="mergesort").index.to_numpy())
        s = t.iloc[order].reset_index(drop=True)
        self.frame = pd.DataFrame({
            "idx": order, "student_id": s["student_id"].astype(str), "姓名": s["姓名"].astype(str),
            "专业": pd.Categorical(s["专业"].astype(str)), "班级": pd.Categorical(s["班级"].astype(str)),
            "outcome": pd.Categorical(s["outcome"], categories=OUTCOME_ORDER),
            "reasons": s["reasons"], "waived": s["waived"], "owed": s["owed"].to_numpy(),
        })
        self.key = (self.frame["student_id"] + "\t" + self.frame["姓名"]).str.lower()
        self._codes = {c: self.frame[c].cat.codes.to_numpy() for c in ("专业", "班级", "outcome")}
        pos = np.empty(len(order), dtype=np.int64)
        pos[order] = np.arange(len(order))
        self.position = pos  # roster idx -> position in frame
        r = d.reasons
        self._reason = {}
        for waived, grp in r.groupby("waived"):
            for code, g in grp.groupby("code"):
                m = np.zeros(len(order), dtype=bool)
                m[pos[g["idx"].to_numpy()]] = True
                self._reason[(bool(waived), code)] = m
        any_waived = np.zeros(len(order), dtype=bool)
        if len(r):
            any_waived[pos[r.loc[r["waived"], "idx"].to_numpy()]] = True
        self._reason[(True, WAIVED_ANY)] = any_waived

    def __len__(self) -> int:
        return len(self.frame)

    def options(self, column: str) -> list[str]:
        """The distinct values of 专业 or 班级, in natural order (24会计2班 before 24会计10班)."""
        values = pd.Series([v for v in self.frame[column].cat.categories if v != ""], dtype=object)
        return list(values.iloc[np.argsort(class_key(values).to_numpy(), kind="stable")]) if len(values) else []

    def filter(self, outcome: str = ANY, reason: str = ANY, major: str = ANY, klass: str = ANY,
               query: str = "") -> np.ndarray:
        """Positions (in review order) of the students matching every filter; query matches 学号 or 姓名."""
        m = np.ones(len(self.frame), dtype=bool)
        for column, value in (("outcome", outcome), ("专业", major), ("班级", klass)):
            if value != ANY:
                cats = self.frame[column].cat.categories
                m &= self._codes[column] == (cats.get_loc(value) if value in cats else -2)
        if reason != ANY:
            key = (True, WAIVED_ANY) if reason == WAIVED_ANY else (False, reason)
            m &= self._reason.get(key, np.zeros(len(m), dtype=bool))
        q = query.strip().lower()
        if q:
            hit = np.flatnonzero(m)
            m[hit] = self.key.iloc[hit].str.contains(q, regex=False).to_numpy()
        return np.flatnonzero(m)

    def page(self, positions: np.ndarray, page: int, size: int) -> pd.DataFrame:
        """One page of the filtered students (page counted from 0)."""
        return self.frame.iloc[positions[page * size:(page + 1) * size]]


def counts(d: Decisions) -> dict[str, int]:
    """Students per outcome, most severe first."""
    return {k: int(v) for k, v in d.counts().items()}


def student_reasons(d: Decisions, idx: int) -> pd.DataFrame:
    """A student's reasons (waived or not) with evidence, in the order of the reason table."""
    r = d.reasons
    return r[r["idx"].to_numpy() == idx]


def open_waivable(d: Decisions, idx: int) -> list[str]:
    """The student's waivable reasons that are not waived: the only ones the waiver form offers."""
    r = student_reasons(d, idx)
    return [c for c in r.loc[~r["waived"], "code"] if c in WAIVABLE]


def revocable(d: Decisions, idx: int) -> list[str]:
    """Reason codes of the student's waivers in force (stale ones included): what may be revoked."""
    sid = d.table["student_id"].iat[idx]
    w = d.waivers
    if w is None or not len(w):
        return []
    mine = w[(w["学号"] == sid) & w["status"].isin(("ACTIVE", "STALE"))]
    return sorted(set(mine["原因代码"]) & set(REASON_BY_CODE), key=REASON_ORDER.__getitem__)


def what_if(d: Decisions, idx: int, resolved) -> str:
    """The outcome the student would get if the `resolved` reasons were fixed at their source (nothing is recorded).

    Same result as ``decide(cohort, resolved={idx: resolved})`` for that student, without recomputing the cohort.
    """
    r = student_reasons(d, idx)
    live = r[~r["waived"] & ~r["code"].isin(set(resolved))]
    return _BY_SEVERITY[max((REASON_SEVERITY[c] for c in live["code"]), default=1)]
