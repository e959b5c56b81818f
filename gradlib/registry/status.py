"""A cohort's state in the registry: the published run, counts by outcome, diplomas collected, mailed and not yet.

The issue window comes from the published run's own params (inputs/params.yaml); who is still uncollected
after it is listed by 班级 and 学号.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import clock, formats
from ..errors import GradlibError, RegistryError
from ..formats import cn_date, cn_datetime
from ..outputs.listing import class_key
from ..params import load_params
from ..reasons import COLLECTION_BY_CODE, NOT_COLLECTED, OUTCOME_ORDER, outcome_label
from .cohorts import Published, current_graduates, published
from .collect import states
from .db import Registry


@dataclass(frozen=True)
class Status:
    """What `gradlib status COHORT` prints and the cohort notebook shows."""
    cohort: int
    publication: Published
    followup: Published | None
    outcomes: dict          # outcome code -> students (current records)
    in_person: int
    proxy: int
    mailed: int
    uncollected: pd.DataFrame  # COLLECT students not yet collected: 学号, 姓名, 班级
    window: tuple[dt.date, dt.date]
    window_known: bool      # False: the run's params could not be read (the default 7月1日至15日 is used)
    as_of: dt.date

    @property
    def window_over(self) -> bool:
        return self.as_of > self.window[1]

    def counts_table(self) -> pd.DataFrame:
        """Two columns: 项目, 人数 (outcomes, then collected in person / by proxy / mailed / not yet)."""
        rows = [(outcome_label(c), self.outcomes.get(c, 0)) for c in reversed(OUTCOME_ORDER)]
        rows += [(outcome_label(c), n) for c, n in self.outcomes.items() if c not in OUTCOME_ORDER]
        rows += [(f"其中{COLLECTION_BY_CODE['in_person'].label}", self.in_person),
                 (f"其中{COLLECTION_BY_CODE['proxy'].label}", self.proxy),
                 (f"其中{COLLECTION_BY_CODE['mail'].label}", self.mailed),
                 (f"其中{NOT_COLLECTED}", len(self.uncollected))]
        return pd.DataFrame(rows, columns=["项目", "人数"])

    def headline(self) -> str:
        p = self.publication
        line = f"{self.cohort} 届已发布的毕业审核结果：运行 {p.run_id}（{p.recorded_by} 于 {cn_datetime(p.recorded_at)} 发布）"
        if self.followup is not None:
            line += f"；跟踪复核：运行 {self.followup.run_id}（{cn_datetime(self.followup.recorded_at)} 发布）"
        return line

    def window_line(self) -> str:
        span = formats.cn_span(*self.window) + ("" if self.window_known else "（运行参数无法读取，按默认发放时间）")
        n = len(self.uncollected)
        if self.window_over:
            return f"发放时间 {span} 已过（截至 {cn_date(self.as_of)}），仍未领取或邮寄的可领取学生 {n} 人："
        return f"发放时间 {span} 尚未结束（截至 {cn_date(self.as_of)}），未领取 {n} 人"

    def report(self) -> str:
        """The status as Chinese lines for the console."""
        lines = [self.headline()]
        lines += [f"  {k}：{v} 人" for k, v in self.counts_table().itertuples(index=False)]
        lines.append(self.window_line())
        if self.window_over:
            lines += [f"  {r.学号}  {r.姓名}  {r.班级}" for r in self.uncollected.itertuples(index=False)]
        return "\n".join(lines)


def issue_window_of(folder: str, cohort: int) -> tuple[tuple[dt.date, dt.date], bool]:
    """The issue window of a published run (its inputs/params.yaml), else the default 7月1日至15日."""
    try:
        return load_params(Path(folder) / "inputs" / "params.yaml").issue_window, True
    except (GradlibError, OSError):
        return (dt.date(cohort, 7, 1), dt.date(cohort, 7, 15)), False


def status(reg: Registry, cohort: int, as_of: dt.date | None = None) -> Status:
    """The cohort's state: RegistryError when it was never published."""
    pub = published(reg, cohort)
    if pub is None:
        raise RegistryError(f"登记库 {reg.path} 中没有 {cohort} 届已发布的结果（请先用 gradlib publish 发布运行文件夹）")
    g = current_graduates(reg, cohort)
    outcomes = {c: int(n) for c, n in g["outcome"].value_counts().items()}
    c = states(reg, cohort)
    live = c[c["method"] != "void"] if len(c) else c
    collect = g[g["outcome"] == "COLLECT"]
    done = set(live["student_id"]) if len(live) else set()
    left = collect[~collect["student_id"].isin(done)]
    left = pd.DataFrame({"学号": left["student_id"], "姓名": left["name"], "班级": left["class"]})
    left = left.assign(_k=class_key(left["班级"])).sort_values(["_k", "学号"]).drop(columns="_k")
    in_person = live[live["method"] == "in_person"] if len(live) else live
    proxy = int(in_person["proxy"].astype(int).sum()) if len(in_person) else 0
    window, known = issue_window_of(pub.folder, cohort)
    return Status(cohort, pub, published(reg, cohort, "followup"), outcomes, len(in_person) - proxy, proxy,
                  int((live["method"] == "mail").sum()) if len(live) else 0, left.reset_index(drop=True),
                  window, known, as_of or clock.today())


def overview(path, cohort: int, roster: int, spares: float, as_of: dt.date | None = None):
    """What the cohort notebook shows: (Status or None when not published, the stock balance, the order
    forecast for this cohort's roster). A registry that does not exist yet is not created."""
    from .stock import balance, forecast

    path = Path(path) if path and Path(path).exists() else Path(":memory:")
    with Registry(path) as reg:
        st = status(reg, cohort, as_of) if published(reg, cohort) else None
        return st, balance(reg), forecast(reg, cohort, roster, spares)
