"""The review in a batch run: plain HTML tables (no scripts, no widgets) that survive in the archived HTML."""
from __future__ import annotations

import html

import pandas as pd

from ..outputs import listing, tables
from ..outputs.html import html_table
from ..reasons import outcome_label, reason_label, reason_labels
from ..rules import Decisions

STATIC_TITLE = "审核与豁免（批量运行的静态摘要）"


def pending_table(d: Decisions) -> pd.DataFrame:
    """Every student who is not COLLECT, with reasons in Chinese and waivers, sorted by 班级 then 学号."""
    t = d.table[d.table["outcome"] != "COLLECT"]
    out = pd.DataFrame({"班级": t["班级"], "学号": t["student_id"], "姓名": t["姓名"],
                        "结论": t["outcome"].map(outcome_label),
                        "原因": t["reasons"].map(reason_labels), "已豁免": t["waived"].map(reason_labels),
                        "截止日期": t["deadline"]})
    return listing.ordered(out)


def waivers_in_force(d: Decisions) -> pd.DataFrame:
    """The waivers that removed a reason in this run: 学号, 姓名, 原因, 理由, 批准人, 日期."""
    r = d.reasons[d.reasons["waived"]]
    t = d.table
    return pd.DataFrame({"学号": t["student_id"].to_numpy()[r["idx"].to_numpy()],
                         "姓名": t["姓名"].to_numpy()[r["idx"].to_numpy()],
                         "原因": r["code"].map(reason_label).to_numpy(),
                         "理由": r["理由"].to_numpy(), "批准人": r["批准人"].to_numpy(), "日期": r["日期"].to_numpy()})


STATIC_ROWS = 5000  # rows of the pending list kept in the archived HTML (the workbook has them all)


def static_summary(d: Decisions) -> str:
    """The review as plain HTML tables (no scripts, no widgets): it survives in the archived HTML."""
    pending = pending_table(d)
    shown = pending.head(STATIC_ROWS)
    more = (f"<p>以下只列出前 {STATIC_ROWS} 名；完整名单见运行文件夹中的 毕业审核结果（内部）.xlsx。</p>"
            if len(pending) > STATIC_ROWS else "")
    return (f"<h3>{html.escape(STATIC_TITLE)}</h3>"
            "<p>本节为批量运行时生成的静态表格；交互式审核与记录豁免请使用 <code>gradlib review 参数文件</code>。</p>"
            + html_table(tables.with_total(tables.by_outcome(d)), f"审核结论（共 {d.cohort.size} 名学生）") + more
            + html_table(shown, f"待审核学生（{len(pending)} 名：暂缓领取、缓发或不具备毕业资格）")
            + html_table(waivers_in_force(d), "本次生效的豁免"))
