"""毕业审核结果（内部）.xlsx (Art 15, 16): summary with charts, one sheet per outcome, 与上次对比, waiver log.

Outcome sheets show every student of that outcome with the unwaived reasons (label and article), their
evidence (failed courses with every attempt, amount owed, missing materials), what to do by when, the
waived reasons with reason, approver and date, and — for 缓发毕业证书 — the deadline.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..formats import cn_date
from ..reasons import OUTCOMES, outcome_label, reason_code, reason_labels
from ..rules import Decisions
from . import compare, listing, tables
from .workbook import Book, Sheet

OUTCOME_COLUMNS = ["序号", "专业", "班级", "学号", "姓名", "原因", "情况说明", "需办理事项", "欠费金额（元）", "已豁免"]
WRAP = ("原因", "情况说明", "需办理事项", "已豁免")
CHANGE_COLUMNS = ["序号", "专业", "班级", "学号", "姓名", "变化", "上次结论", "本次结论", "上次原因", "本次原因",
                  "变化原因", "本次截止日期"]
REASON_COLUMNS = ("reasons_before", "reasons_after", "waived_before", "waived_after")
KIND = {"changed": "结论或原因改变", "added": "新增学生（上次无此学号）", "removed": "本次学籍库中已无此学号"}


def _lines(s: pd.Series) -> pd.Series:
    """The values of each index label joined one per line."""
    return s.groupby(level=0).agg("\n".join)


def _codes(text: str) -> str:
    """Reason codes (or labels, as an older run may have written them) as ';'-joined codes."""
    return ";".join(c for c in (reason_code(x) for x in text.split(";")) if c) if text else ""


def outcome_details(d: Decisions) -> pd.DataFrame:
    """Every student with reasons, evidence, wording, amount owed, waivers and deadline (roster order)."""
    st = listing.students(d)
    r = listing.reason_rows(d)
    live, waived = r[~r["waived"]], r[r["waived"]]
    live_i = live.set_index("idx")
    reason = live_i["原因"] + "（" + live_i["依据"] + "）"
    w = waived.set_index("idx")
    approved = w["原因"] + "（理由：" + w["理由"].fillna("").astype(str) + "；批准人：" + \
        w["批准人"].fillna("").astype(str) + "；" + w["日期"].fillna("").astype(str) + "）"
    idx = st.index
    out = pd.DataFrame({
        "序号": 0, "专业": st["专业"], "班级": st["班级"], "学号": st["学号"], "姓名": st["姓名"],
        "原因": _lines(reason).reindex(idx, fill_value="") if len(live) else "",
        "情况说明": _lines(live_i["evidence"]).reindex(idx, fill_value="") if len(live) else "",
        "需办理事项": _lines(live_i["需办理事项"]).reindex(idx, fill_value="") if len(live) else "",
        "欠费金额（元）": np.where(st["owed"] > 0, st["owed"], np.nan),
        "已豁免": _lines(approved).reindex(idx, fill_value="") if len(waived) else "",
        "截止日期": st["截止日期"], "outcome": st["outcome"],
    }, index=idx)
    return out


def change_table(d: Decisions, previous: Path | None, run_dir: Path | None = None) -> pd.DataFrame:
    """与上次对比 rows: students whose outcome or reasons differ from the previous run (empty without one), each
    with its cause (变化原因: a waiver and its approver, the department's table that changed …)."""
    if previous is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    ch = compare.changes(compare.read_decisions(previous / "decisions.csv"), d.decisions_csv())
    st = listing.students(d).set_index("学号")
    known = ch["student_id"].isin(st.index)
    info = st.reindex(ch["student_id"])
    out = pd.DataFrame({
        "序号": 0, "专业": info["专业"].fillna("").to_numpy(), "班级": info["班级"].fillna("").to_numpy(),
        "学号": ch["student_id"].to_numpy(), "姓名": info["姓名"].fillna("").to_numpy(),
        "变化": ch["kind"].map(KIND).to_numpy(),
        "上次结论": ch["outcome_before"].map(outcome_label).to_numpy(),
        "本次结论": ch["outcome_after"].map(outcome_label).to_numpy(),
        "上次原因": ch["reasons_before"].map(lambda s: reason_labels(_codes(s), "\n")).to_numpy(),
        "本次原因": ch["reasons_after"].map(lambda s: reason_labels(_codes(s), "\n")).to_numpy(),
        "变化原因": compare.causes(ch.assign(**{c: ch[c].map(_codes) for c in REASON_COLUMNS}), d, previous,
                               Path(run_dir) if run_dir else previous).to_numpy(),
        "本次截止日期": np.where(known, info["截止日期"].fillna("").to_numpy(), ""),
    })
    return listing.ordered(out, before=["变化"]) if len(out) else out


def _summary(book: Book, d: Decisions, title: str, notes: list[str]):
    sh = book.sheet("汇总", title, notes)
    labels = tables.OUTCOME_LABELS
    sh.caption("一、按审核结论")
    b1 = sh.table(tables.by_outcome(d), numbers=("人数",), count=f"合计：{d.cohort.size} 人")
    sh.caption("二、按专业")
    b2 = sh.table(tables.by_major(d), numbers=labels + ["合计"])
    sh.caption("三、按专业和班级")
    sh.table(tables.by_class(d), numbers=labels + ["合计"])
    sh.caption("四、按原因（同一学生可有多个原因）")
    sh.table(tables.by_reason(d).rename(columns={"人数": "人数（未豁免）"}), numbers=("人数（未豁免）", "已豁免"))
    _charts(book, sh, b1, b2)
    sh.finish(landscape=True)


def _charts(book: Book, sh: Sheet, b1, b2):
    """A column chart of the counts by outcome and a stacked bar chart of outcomes per major (below the tables
    when they fit one page, else each on a sheet of its own)."""
    name = sh.name
    font = {"name": "宋体"}
    c1 = book.wb.add_chart({"type": "column"})
    c1.add_series({"name": "人数", "categories": [name, b1.first_row, 0, b1.last_row, 0],
                   "values": [name, b1.first_row, 1, b1.last_row, 1], "data_labels": {"value": True},
                   "points": [{"fill": {"color": o.color}} for o in OUTCOMES]})
    c1.set_title({"name": "审核结论", "name_font": dict(font, size=12)})
    c1.set_legend({"none": True})
    c1.set_x_axis({"num_font": font})
    c1.set_y_axis({"num_font": font, "major_gridlines": {"visible": True}})
    sh.chart(c1, "汇总（图一）", 1.4, 1.0)
    if b2.last_row < b2.first_row:
        return
    c2 = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    for j, color in zip(range(1, 5), (o.color for o in OUTCOMES)):
        c2.add_series({"name": [name, b2.header_row, j], "categories": [name, b2.first_row, 0, b2.last_row, 0],
                       "values": [name, b2.first_row, j, b2.last_row, j], "fill": {"color": color}, "gap": 60})
    c2.set_title({"name": "各专业审核结论", "name_font": dict(font, size=12)})
    c2.set_legend({"position": "bottom", "font": font})
    c2.set_x_axis({"num_font": font})
    c2.set_y_axis({"num_font": font, "reverse": True})
    sh.chart(c2, "汇总（图二）", 1.6, max(1.0, 0.12 * (b2.last_row - b2.first_row + 1) + 0.6))


def write_results(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """Write 毕业审核结果（内部）.xlsx into run_dir."""
    p = d.cohort.params
    previous = compare.previous_run(run_dir)
    title = listing.title(p, spec.file_stem)
    book = spec.book(run_dir)
    _summary(book, d, title, [f"共 {d.cohort.size} 名学生；缓发毕业证书的截止日期为 {cn_date(listing.deadline(p))}"])
    det = outcome_details(d)
    for o in OUTCOMES:
        rows = listing.ordered(det[det["outcome"] == o.code])
        cols = OUTCOME_COLUMNS + (["截止日期"] if o.code == "WITHHELD" else [])
        for sh, part in book.sheets(o.label, f"{title}：{o.label}", [o.meaning], rows[cols]):
            sh.table(part, wrap=WRAP, money=("欠费金额（元）",), numbers=("序号",), center=("截止日期",),
                     count=f"共 {len(rows)} 人", max_width=36)
            sh.finish()
    ch = change_table(d, previous, run_dir)
    note = (f"对比对象：同一输出文件夹中、用同一参数文件和数据文件夹的上次成功运行 {previous.name}；"
            "列出结论或原因有变化的学生，“变化原因”说明是豁免、撤销，还是哪个部门的数据表有更新" if previous is not None
            else "本届首次运行（同一输出文件夹中没有用同一参数文件和数据文件夹的成功运行），无可对比的结果")
    sh = book.sheet("与上次对比", f"{title}：与上次对比", [note])
    sh.table(ch, wrap=("上次原因", "本次原因", "变化原因"), numbers=("序号",), count=f"共 {len(ch)} 人", max_width=30)
    sh.finish()
    w = listing.waiver_log(d)
    sh = book.sheet("豁免记录", f"{title}：豁免记录", ["豁免记录文件中的每一行及其状态（按文件顺序）"])
    sh.table(w, wrap=("理由", "状态"), numbers=("行号",),
             count=f"共 {len(w)} 条", max_width=30)
    sh.finish()
    return [book.close()]
