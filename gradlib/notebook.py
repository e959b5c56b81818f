"""The steps the notebooks call, in one namespace: each cell of notebooks/cohort.ipynb is one or two of these.

    from gradlib import notebook as gl
    params = gl.load_params(params_path)
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from . import findings as F
from .formats import cn_datetime
from .outputs import charts, listing, tables
from .outputs import write_outputs as _write_outputs
from .outputs.html import html_table
from .outputs.internship import by_major as internship_by_major
from .outputs.internship import internship_chart
from .params import Params
from .params import load_params as _load_params
from .review.panel import review_panel
from .rules import Decisions
from .rules import decide as _decide
from .run import (
    cache,
    intake,  # notebooks/intake.ipynb: from gradlib.notebook import intake as gi
)
from .run.archive import write_status
from .sources import Cohort
from .sources import load_cohort as _load_cohort

__all__ = ["load_params", "load_cohort", "decide", "write_outputs", "review_panel", "finish",
           "show_params", "show_inputs", "show_summary", "show_internship", "show_problems", "show_outputs",
           "show_registry", "intake"]

PROBLEMS_SHOWN = 200


def show(*items):
    """Display tables ((frame, title[, index]) tuples) and figures in the notebook."""
    from IPython.display import HTML, display

    for it in items:
        if isinstance(it, tuple):
            display(HTML(html_table(*it)))
        else:
            display(it)


def _figure(fig):
    import matplotlib.pyplot as plt

    show(fig)
    plt.close(fig)


# ---- 一、参数 ---------------------------------------------------------------------------------------

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
            ("发放时间", listing.issue_window(params)),
            ("照片规格", f"{params.photo.width}×{params.photo.height} 像素，JPEG，不超过 {params.photo.max_kb:g} KB"),
            ("豁免记录", params.waivers.name if params.waivers else "（无）")]
    return pd.DataFrame(rows, columns=["项目", "设置"])


def load_params(path) -> Params:
    """Read and validate the cohort's params file."""
    return _load_params(path)


def show_params(params: Params):
    """一、本届参数."""
    show((params_table(params), f"{params.school} {params.cohort} 届毕业审核参数"))


# ---- 二、读取 ---------------------------------------------------------------------------------------

def inputs_table(cohort: Cohort) -> pd.DataFrame:
    """How many rows were read from each source."""
    n = {"students": cohort.size, "curriculum": len(cohort.curriculum), "grades": len(cohort.attempts),
         "fees": len(cohort.fees), "internship": int(cohort.internship["idx"].nunique()),
         "addresses": len(cohort.addresses),
         "photos": int((cohort.photos["photo_file"] != "").sum()) if cohort.photos is not None else 0,
         "waivers": len(cohort.waivers) if cohort.waivers is not None else 0}
    labels = {"students": ("学籍库", "名学生"), "curriculum": ("教学计划", "门课程"), "grades": ("成绩库", "条成绩"),
              "fees": ("缴费库", "条缴费记录"), "internship": ("顶岗实习", "名学生"), "addresses": ("邮寄地址", "条地址"),
              "photos": ("照片", "名学生有照片"), "waivers": ("豁免记录", "条")}
    rows = [(labels[k][0], cohort.files[k].name if k in cohort.files else "（未提供）", f"{n[k]} {labels[k][1]}")
            for k in labels]
    return pd.DataFrame(rows, columns=["数据", "文件", "读取"])


def load_cohort(params: Params, run_dir="") -> Cohort:
    """Read and validate every department's file (structural problems stop the notebook here); in a run, take
    the tables `gradlib run` validated from these very files before the run folder existed (run/cache.py)."""
    return cache.read(run_dir, params) or _load_cohort(params)


def show_inputs(cohort: Cohort):
    """二、已读取的数据, and what the run says once about the input as a whole (e.g. no 学籍状态 column)."""
    show((inputs_table(cohort), "已读取的数据"))
    if cohort.notices:
        from IPython.display import HTML, display

        display(HTML("".join(f"<p><b>说明：</b>{html.escape(n)}</p>" for n in cohort.notices)))


# ---- 三、审核 ---------------------------------------------------------------------------------------

def decide(cohort: Cohort) -> Decisions:
    """Decide every student of the cohort."""
    return _decide(cohort)


def show_summary(d: Decisions):
    """三、counts by outcome, by major, by reason, and the chart."""
    show((tables.with_total(tables.by_outcome(d)), f"审核结论（共 {d.cohort.size} 名学生）"),
         (tables.by_major(d), "各专业审核结论"), (tables.by_reason(d), "各原因人数"))
    _figure(charts.outcome_chart(d, d.cohort.params.font))


def show_internship(d: Decisions):
    """四、顶岗实习情况: the per-major table and the chart."""
    show((internship_by_major(d), "顶岗实习情况（按专业）"))
    _figure(internship_chart(d))


def show_problems(d: Decisions, limit: int = PROBLEMS_SHOWN):
    """五、数据问题 (the first `limit`), and the waivers log."""
    n = len(d.problems)
    title = f"数据问题（共 {n} 条" + (f"，以下显示前 {limit} 条" if n > limit else "") + "）"
    show((F.chinese(d.problems).head(limit), title))
    if d.waivers is not None and len(d.waivers):
        show((listing.waiver_log(d), "豁免记录"))


# ---- 六、名单 ---------------------------------------------------------------------------------------

def write_outputs(d: Decisions, run_dir) -> list[Path]:
    """Write decisions.csv and every official list into the run folder (nothing in an interactive session)."""
    return _write_outputs(d, run_dir)


def show_outputs(paths, run_dir):
    """Links to the files the run wrote (relative to the run folder, so they work in the archive)."""
    from IPython.display import HTML, display

    if not paths:
        display(HTML("<p>交互运行：未写出文件（由 <code>gradlib run</code> 执行时写入运行文件夹）。</p>"))
        return
    rel = [Path(p).relative_to(run_dir).as_posix() for p in paths]

    def link(r):
        return f'<li><a href="{html.escape(r)}">{html.escape(r)}</a></li>'

    top = "".join(link(r) for r in rel if "/" not in r)
    groups = {}
    for r in rel:
        if "/" in r:
            groups.setdefault(r.split("/")[0], []).append(r)
    nested = "".join(f"<li><details><summary>{html.escape(g)}（{len(rs)} 个文件）</summary><ul>"
                     + "".join(link(r) for r in rs) + "</ul></details></li>" for g, rs in groups.items())
    display(HTML(f"<p>本次运行写出的文件（共 {len(rel)} 个）：</p><ul>{top}{nested}</ul>"))


# ---- 八、登记库 ---------------------------------------------------------------------------------------

def show_registry(d: Decisions, limit: int = PROBLEMS_SHOWN):
    """八、the registry: the published result's collection status, the blanks on hand and the order forecast."""
    import sqlite3

    from IPython.display import HTML, display

    from .errors import GradlibError
    from .registry.status import overview

    p = d.cohort.params
    try:
        st, stock, order = overview(p.registry, p.cohort, d.cohort.size, p.diploma_spares)
    except (GradlibError, sqlite3.Error) as e:  # the registry never stops a run
        text = e.report() if isinstance(e, GradlibError) else f"{p.registry}（{e}）"
        display(HTML(f"<p>登记库无法读取：{html.escape(text)}</p>"))
        return
    if st is None:
        display(HTML(f"<p>登记库中尚无 {p.cohort} 届已发布的结果（审核无误后用 <code>gradlib publish 运行文件夹</code> 发布）。</p>"))
    else:
        display(HTML(f"<p>{html.escape(st.headline())}</p>"))
        show((st.counts_table(), "领取情况"))
        if st.window_over:
            show((st.uncollected.head(limit), st.window_line().rstrip("：")))
        else:
            display(HTML(f"<p>{html.escape(st.window_line())}</p>"))
    show((stock, "空白毕业证书结存"), (order, f"{p.cohort} 届毕业证书征订预测（人数 × 备用比例 + 上一年损坏数 − 结存）"))


# ---- 九、运行状态 -------------------------------------------------------------------------------------

def finish(run_dir, d: Decisions):
    """The last step: gradlib's own record that every step finished (a batch run only)."""
    if not run_dir:
        return
    from IPython.display import HTML, display

    status = write_status(run_dir, d)
    t = status["timings"]
    display(HTML(f"<p>本次审核全部步骤已完成：共 {d.cohort.size} 名学生，读取与校验 "
                 f"{t['load_seconds']:.1f} 秒，审核 {t['decide_seconds']:.2f} 秒。"
                 "运行文件夹中的 manifest.json 记录了全部输入、输出及其校验值。</p>"))


# ---- 跟踪复核（notebooks/followup.ipynb） --------------------------------------------------------------

def load_followed(params: Params, follows: dict | None = None):
    """The students to follow up: in a run, the records archived in inputs/; else the registry's."""
    from .run.followup import load_followed as _load_followed

    return _load_followed(params, follows)


def show_followed(f):
    """一、被跟踪的学生: how many of each outcome, and the publication they come from."""
    from IPython.display import HTML, display

    from .reasons import outcome_label

    counts = f.records["outcome"].value_counts()
    show((pd.DataFrame({"原结论": [outcome_label(c) for c in counts.index], "人数": counts.to_numpy()}),
          f"待跟踪复核的学生（共 {len(f.records)} 人）"))
    if f.follows.get("run_id"):
        later = f.follows.get("followup_run_id")
        display(HTML(f"<p>依据：{html.escape(cn_datetime(f.follows.get('recorded_at')))} 由 "
                     f"{html.escape(str(f.follows.get('recorded_by', '')))} 发布的运行 "
                     f"{html.escape(str(f.follows['run_id']))}" +
                     (f"，及此后发布的跟踪复核结果（最近一次：运行 {html.escape(str(later))}）" if later else "") +
                     "。</p>"))


def follow_up(d: Decisions, f, as_of):
    """Decide the followed students again on the updated files; ABANDONED after the deadline (Art 15)."""
    from .rules import follow_up as _follow_up
    from .run.followup import as_of_date

    return _follow_up(d, f.records, as_of_date(as_of), f.follows)


def show_followup(fu):
    """三、跟踪复核结果: counts before → after, and every followed student before and after."""
    from .outputs.followup import followup_table

    probs = fu.decisions.problems
    probs = probs[probs["student_id"].isin(fu.table["student_id"])]
    show((fu.before_after(), f"跟踪复核前后（截至 {fu.as_of.isoformat()}，缓发截止日期 {fu.deadline.isoformat()}）"),
         (followup_table(fu), "逐人结果"), (F.chinese(probs).head(PROBLEMS_SHOWN), f"被跟踪学生的数据问题（共 {len(probs)} 条）"))


def write_followup_outputs(fu, run_dir) -> list[Path]:
    """Write the follow-up's decisions.csv and lists into the run folder (nothing in an interactive session)."""
    from .outputs import write_followup_outputs as _write

    return _write(fu, run_dir)


def finish_followup(run_dir, fu):
    """The follow-up's last step: gradlib's own record that every step finished (a batch run only)."""
    if not run_dir:
        return
    from IPython.display import HTML, display

    from .run.followup import write_status as _write_status

    status = _write_status(run_dir, fu)
    display(HTML(f"<p>跟踪复核全部步骤已完成：共 {status['students']} 名学生。"
                 "运行文件夹中的 manifest.json 记录了全部输入、输出及其校验值。</p>"))
