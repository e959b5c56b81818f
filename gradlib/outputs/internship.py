"""顶岗实习情况统计 (Art 9): counts only, per major and per class, with a chart (xlsx and matplotlib).

Counted over every roster student from the 顶岗实习 table as read (waivers do not change what was handed
in). 考核合格, 考核不合格, 未考核 and 无实习记录 partition the students.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..formats import cn_date
from ..rules import Decisions
from . import listing
from .charts import stacked_bars

COUNTS = ["学生人数", "已交审批表", "已交实习报告", "考核合格", "考核不合格", "未考核", "材料逾期", "无实习记录"]
PARTITION = ["考核合格", "考核不合格", "未考核", "无实习记录"]
BLANK = "（空）"
COLORS = ["#81C784", "#E57373", "#FFB74D", "#9E9E9E"]


def facts(d: Decisions) -> pd.DataFrame:
    """One row per roster student: 专业, 班级 and a 0/1 column for each count."""
    c = d.cohort
    n = c.size
    i = d.facts.internship
    flags = pd.DataFrame(0, index=pd.RangeIndex(n), columns=COUNTS)
    flags["学生人数"] = 1
    idx = i["idx"].to_numpy()
    for col, v in (("已交审批表", i["form"]), ("已交实习报告", i["report"]),
                   ("考核合格", i["assessed"] & i["passed"]), ("考核不合格", i["assessed"] & ~i["passed"]),
                   ("未考核", ~i["assessed"]), ("材料逾期", i["late"])):
        flags.loc[idx, col] = v.to_numpy(dtype=int)
    has = np.zeros(n, dtype=bool)
    has[idx] = True
    flags["无实习记录"] = (~has).astype(int)
    flags.insert(0, "专业", c.students["专业"].astype(str).replace("", BLANK).to_numpy())
    flags.insert(1, "班级", c.students["班级"].astype(str).replace("", BLANK).to_numpy())
    return flags


def by_major(d: Decisions) -> pd.DataFrame:
    """Counts per major, with a 合计 row."""
    f = facts(d)
    g = f.groupby("专业", sort=True)[COUNTS].sum().reset_index()
    total = pd.DataFrame([["合计"] + list(g[COUNTS].sum())], columns=["专业"] + COUNTS)
    return pd.concat([g, total], ignore_index=True)


def by_class(d: Decisions) -> pd.DataFrame:
    """Counts per major and class (classes in natural order)."""
    f = facts(d)
    g = f.groupby(["专业", "班级"], sort=False)[COUNTS].sum().reset_index()
    return g.assign(_k=listing.class_key(g["班级"])).sort_values(["专业", "_k"], kind="mergesort") \
        .drop(columns="_k").reset_index(drop=True)


def write_internship(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """Write 顶岗实习情况统计.xlsx (counts only, no student) into run_dir."""
    p = d.cohort.params
    book = spec.book(run_dir)
    note = [f"统计对象：学籍库全部 {d.cohort.size} 名学生；材料提交截止日期 {cn_date(p.internship_materials_due)}"]
    # one table per sheet, so that its header row repeats on every printed page
    classes = book.sheet("按专业和班级", listing.title(p, spec.name) + "（按专业和班级）", note)
    classes.table(by_class(d), numbers=COUNTS, count=f"共 {d.cohort.size} 名学生")
    classes.finish(landscape=True)
    sh = book.sheet("按专业", listing.title(p, spec.name) + "（按专业）", note)
    major = by_major(d)
    b1 = sh.table(major, numbers=COUNTS)
    if b1.last_row > b1.first_row:  # at least one major besides 合计
        name = sh.name
        font = {"name": "宋体"}
        chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for col, color in zip(PARTITION, COLORS):
            j = b1.columns.index(col)
            chart.add_series({"name": [name, b1.header_row, j],
                              "categories": [name, b1.first_row, 0, b1.last_row - 1, 0],
                              "values": [name, b1.first_row, j, b1.last_row - 1, j],
                              "fill": {"color": color}, "gap": 60})
        chart.set_title({"name": "各专业顶岗实习考核情况", "name_font": dict(font, size=12)})
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis({"num_font": font, "reverse": True})
        sh.chart(chart, "按专业（图）", 1.6, max(1.0, 0.1 * len(major) + 0.6))
    sh.finish(landscape=True)
    return [book.close()]


def internship_chart(d: Decisions, font=None):
    """Matplotlib figure for the notebook: per major, students passed / failed / unassessed / without record."""
    x = by_major(d)
    x = x[x["专业"] != "合计"].set_index("专业")[PARTITION]
    return stacked_bars(x, COLORS, "各专业顶岗实习考核情况", font if font is not None else d.cohort.params.font,
                        top_down=True)
