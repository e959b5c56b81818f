"""The review step of the cohort notebook: who is deferred, withheld or not eligible, and why."""
from __future__ import annotations

import pandas as pd

from .decide import Decisions
from .reasons import OUTCOME_BY_CODE, REASON_BY_CODE
from .summary import html_table, show


def pending_table(d: Decisions) -> pd.DataFrame:
    """Every student who is not COLLECT, with reasons in Chinese and waivers, sorted by 班级 then 学号."""
    t = d.table[d.table["outcome"] != "COLLECT"]
    labels = lambda s: "；".join(REASON_BY_CODE[c].label for c in s.split(";")) if s else ""  # noqa: E731
    out = pd.DataFrame({"班级": t["班级"], "学号": t["student_id"], "姓名": t["姓名"],
                        "结论": t["outcome"].map(lambda c: OUTCOME_BY_CODE[c].label),
                        "原因": t["reasons"].map(labels), "已豁免": t["waived"].map(labels),
                        "截止日期": t["deadline"]})
    return out.sort_values(["班级", "学号"], kind="mergesort").reset_index(drop=True)


def review_panel(d: Decisions, batch: bool = True):
    """In a batch run, a static table of the students to review (it survives in the archived HTML)."""
    table = pending_table(d)
    show((table, f"待审核学生（{len(table)} 名：暂缓领取、缓发或不具备毕业资格）"))
    return table
