"""What the cohort notebook shows: inputs read, counts by outcome and major, a chart, data problems."""
from __future__ import annotations

import html

import pandas as pd

from . import problems as P
from .decide import Decisions, waiver_log_chinese
from .fonts import use_cjk_font_in_matplotlib
from .params import Params
from .reasons import OUTCOME_BY_CODE, OUTCOMES, REASONS
from .sources import Cohort

OUTCOME_LABELS = [o.label for o in OUTCOMES]


def params_table(params: Params) -> pd.DataFrame:
    """The year's settings as a two-column table."""
    base = params.path.parent
    data_dir = params.data_dir.relative_to(base).as_posix() if params.data_dir.is_relative_to(base) else str(params.data_dir)
    rows = [("届别", f"{params.cohort} 届"), ("学校", params.school), ("参数文件", params.path.name),
            ("数据文件夹", "参数文件所在文件夹" if data_dir == "." else data_dir),
            ("缴费库模式", {"ledger": "台账（每名学生都有记录）", "arrears": "欠费名单（只列欠费学生）"}[params.fees_mode]),
            ("欠费允许误差（元）", f"{params.fee_tolerance:g}"), ("及格分数", f"{params.pass_mark:g}"),
            ("实习材料截止日期", params.internship_materials_due.isoformat()),
            ("补考、清考成绩公布日期", params.makeup_results_published.isoformat()),
            ("发放时间", f"{params.issue_window[0].isoformat()} 至 {params.issue_window[1].isoformat()}"),
            ("照片规格", f"{params.photo.width}×{params.photo.height} 像素，JPEG，不超过 {params.photo.max_kb:g} KB"),
            ("豁免记录", params.waivers.name if params.waivers else "（无）")]
    return pd.DataFrame(rows, columns=["项目", "设置"])


def inputs_table(cohort: Cohort) -> pd.DataFrame:
    """How many rows were read from each source."""
    n = {"students": cohort.size, "curriculum": len(cohort.curriculum), "grades": len(cohort.attempts),
         "fees": len(cohort.fees), "internship": len(cohort.internship), "addresses": len(cohort.addresses),
         "photos": int((cohort.photos["photo_file"] != "").sum()) if cohort.photos is not None else 0,
         "waivers": len(cohort.waivers) if cohort.waivers is not None else 0}
    labels = {"students": ("学籍库", "名学生"), "curriculum": ("教学计划", "门课程"), "grades": ("成绩库", "条成绩"),
              "fees": ("缴费库", "条缴费记录"), "internship": ("顶岗实习", "名学生"), "addresses": ("邮寄地址", "条地址"),
              "photos": ("照片", "名学生有照片"), "waivers": ("豁免记录", "条")}
    rows = [(labels[k][0], cohort.files[k].name if k in cohort.files else "（未提供）", f"{n[k]} {labels[k][1]}")
            for k in labels]
    return pd.DataFrame(rows, columns=["数据", "文件", "读取"])


def outcome_counts(d: Decisions) -> pd.DataFrame:
    """Counts by outcome, with the total; adds up to the roster size."""
    c = d.counts()
    df = pd.DataFrame({"结论": [OUTCOME_BY_CODE[k].label for k in c.index], "人数": c.to_numpy()})
    return pd.concat([df, pd.DataFrame({"结论": ["合计"], "人数": [int(c.sum())]})], ignore_index=True)


def by_major(d: Decisions) -> pd.DataFrame:
    """Students by major (rows) and outcome (columns)."""
    t = d.table.assign(结论=pd.Categorical(d.table["outcome_label"], OUTCOME_LABELS),
                       专业=d.table["专业"].replace("", "（空）"))
    x = pd.crosstab(t["专业"], t["结论"], dropna=False).reindex(columns=OUTCOME_LABELS, fill_value=0)
    x["合计"] = x.sum(axis=1)
    return x


def by_reason(d: Decisions) -> pd.DataFrame:
    """Students per reason (not waived / waived), in the order of the reason table."""
    r = d.reasons
    live = r[~r["waived"]]["code"].value_counts()
    waived = r[r["waived"]]["code"].value_counts()
    rows = [(x.label, OUTCOME_BY_CODE[x.outcome].label, x.article, int(live.get(x.code, 0)), int(waived.get(x.code, 0)))
            for x in REASONS]
    return pd.DataFrame(rows, columns=["原因", "结论", "依据", "人数", "已豁免"])


def outcome_chart(d: Decisions, font: str | None = None):
    """A stacked bar chart of outcomes per major, with Chinese labels."""
    import matplotlib.pyplot as plt

    use_cjk_font_in_matplotlib(font)
    x = by_major(d).drop(columns="合计")
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(x) + 1.8))
    colors = {"不具备毕业资格": "#9e9e9e", "缓发毕业证书": "#e57373", "暂缓领取": "#ffb74d", "可领取": "#81c784"}
    left = pd.Series(0, index=x.index)
    for label in reversed(OUTCOME_LABELS):
        ax.barh(x.index, x[label], left=left, label=label, color=colors[label])
        left += x[label]
    ax.set_xlabel("人数")
    ax.set_title("各专业毕业审核结论")
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


def problems_table(d: Decisions, limit: int = 200) -> pd.DataFrame:
    """The data problems with Chinese headers (first `limit` rows)."""
    return P.chinese(d.problems).head(limit)


def html_table(df: pd.DataFrame, title: str = "", index: bool = False) -> str:
    """A plain HTML table that survives in the archived HTML (no scripts)."""
    head = f"<h4>{html.escape(title)}</h4>" if title else ""
    style = ("<style>table.gl-table td, table.gl-table th {text-align: left; vertical-align: top;}"
             "</style>")
    return style + head + df.to_html(index=index, escape=True, border=0, na_rep="", classes="gl-table")


def show(*items):
    """Display tables and figures in the notebook."""
    from IPython.display import HTML, display

    for it in items:
        if isinstance(it, tuple):
            display(HTML(html_table(*it)))
        else:
            display(it)


def show_summary(d: Decisions, font: str | None = None):
    """The notebook's summary step: counts by outcome, by major, by reason, and the chart."""
    import matplotlib.pyplot as plt

    show((outcome_counts(d), f"审核结论（共 {d.cohort.size} 名学生）"),
         (by_major(d), "各专业审核结论", True), (by_reason(d), "各原因人数"))
    fig = outcome_chart(d, font)
    show(fig)
    plt.close(fig)


def show_problems(d: Decisions, limit: int = 200):
    """The notebook's data-problems step."""
    n = len(d.problems)
    title = f"数据问题（共 {n} 条" + (f"，以下显示前 {limit} 条" if n > limit else "") + "）"
    show((problems_table(d, limit), title))
    if d.waivers is not None and len(d.waivers):
        show((waiver_log_chinese(d), "豁免记录"))


def show_outputs(paths, run_dir):
    """Links to the files the run wrote (relative to the run folder, so they work in the archive)."""
    from pathlib import Path

    from IPython.display import HTML, display

    if not paths:
        display(HTML("<p>交互运行：未写出文件（由 <code>gradlib run</code> 执行时写入运行文件夹）。</p>"))
        return
    rel = [Path(p).relative_to(run_dir).as_posix() for p in paths]
    link = lambda r: f'<li><a href="{html.escape(r)}">{html.escape(r)}</a></li>'  # noqa: E731
    top = "".join(link(r) for r in rel if "/" not in r)
    groups = {}
    for r in rel:
        if "/" in r:
            groups.setdefault(r.split("/")[0], []).append(r)
    nested = "".join(f"<li><details><summary>{html.escape(g)}（{len(rs)} 个文件）</summary><ul>"
                     + "".join(link(r) for r in rs) + "</ul></details></li>" for g, rs in groups.items())
    display(HTML(f"<p>本次运行写出的文件（共 {len(rel)} 个）：</p><ul>{top}{nested}</ul>"))
