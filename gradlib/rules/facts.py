"""What the rules judge from the parsed tables: which attempts pass, which internship row counts and
whether it passed or came late, what each student owes. Pure functions of a Cohort, no I/O."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..sources import Cohort


def passes(score: pd.Series, level_pass: pd.Series, pass_mark: float) -> np.ndarray:
    """Whether each parsed grade passes: a score at or above the pass mark, or a passing word."""
    return ((pd.Series(score).to_numpy(dtype=float) >= pass_mark)
            | pd.Series(level_pass).to_numpy(dtype=bool))


def attempts(c: Cohort) -> pd.DataFrame:
    """Every grade attempt with `passed` judged at the cohort's pass mark."""
    a = c.attempts
    return a.assign(passed=passes(a["score"], a["level_pass"], c.params.pass_mark) & a["valid"].to_numpy(bool))


def internship(c: Cohort) -> pd.DataFrame:
    """The internship row that counts per student, with `passed` and `late` judged (rules.md).

    Several rows: the latest by 提交日期 counts (no valid date = earliest; equal dates: the most favourable).
    A date after internship_materials_due is late; the due date itself is on time; no date is not late.
    """
    i = c.internship.copy()
    i["passed"] = passes(i["score"], i["level_pass"], c.params.pass_mark) & i["assessed"].to_numpy(bool)
    i["late"] = (i["date"] > pd.Timestamp(c.params.internship_materials_due)).to_numpy()
    badness = (16 * (i["assessed"] & ~i["passed"]) + 8 * ~i["assessed"] + 4 * ~i["form"]
               + 2 * ~i["report"] + 1 * i["late"]).astype(int)
    i = i.assign(badness=badness, date_key=i["date"].fillna(pd.Timestamp("1900-01-01")))
    i = i.sort_values(["idx", "date_key", "badness", "company", "grade", "date_text"],
                      ascending=[True, False, True, True, True, True], kind="mergesort")
    return i.drop_duplicates("idx", keep="first").drop(columns=["date_key", "badness"]).reset_index(drop=True)


def fees(c: Cohort) -> pd.DataFrame:
    """Per student: due, paid, owed (yuan, to the fen) over the usable rows, has_fee_rows (usable rows), and
    unusable: where a row's required amount was blank or unreadable ('' when none; it never counts as 0)."""
    n = c.size
    rows = c.fees
    usable = rows["usable"].to_numpy(bool) if "usable" in rows else np.ones(len(rows), bool)
    good = rows[usable]
    s = good.groupby("idx")[["due", "paid"]].sum() if len(good) else pd.DataFrame(columns=["due", "paid"])
    f = pd.DataFrame(index=pd.RangeIndex(n))
    f["due"] = s["due"].reindex(f.index).fillna(0.0).round(2)
    f["paid"] = s["paid"].reindex(f.index).fillna(0.0).round(2)
    f["owed"] = (f["due"] - f["paid"]).round(2)
    f["has_fee_rows"] = f.index.isin(s.index)
    bad = rows[~usable]
    texts = bad.groupby("idx")["unusable"].agg("；".join) if len(bad) else pd.Series(dtype=object)
    f["unusable"] = texts.reindex(f.index).fillna("").to_numpy(dtype=object)
    return f


@dataclass(frozen=True)
class Facts:
    """The judged facts of one cohort, shared by the rules, the lists and the review."""
    attempts: pd.DataFrame
    internship: pd.DataFrame
    fees: pd.DataFrame


def judge(c: Cohort) -> Facts:
    """Judge the cohort's attempts, internship rows and fees once."""
    return Facts(attempts(c), internship(c), fees(c))
