"""The follow-up's lists (Art 15, 17): 补发毕业证名单 (public), 视同放弃名单 and 跟踪复核结果 (internal).

The public list holds only 专业, 班级, 学号, 姓名 and what each student may now collect and from when, with
its own 公示期 (as long as the cohort's, from the day of the follow-up) and the issuing office at the foot;
collection starts the day after the posting period ends, as in the cohort run.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..formats import cn_date, cn_span
from ..reasons import ABANDONED, OUTCOME_BY_CODE, REASON_BY_CODE, reason_labels
from ..rules import FollowUp
from . import listing
from .internal import MAIL_CONTENTS

PUBLIC_COLUMNS = ["序号", "专业", "班级", "学号", "姓名", "领取内容", "领取时间"]


def posting_period(fu: FollowUp) -> tuple[dt.date, dt.date]:
    """The follow-up list's 公示期: from the day of the follow-up, as long as the cohort's posting period."""
    a, b = fu.decisions.cohort.params.posting_period
    return fu.as_of, fu.as_of + (b - a)


def collect_from(fu: FollowUp) -> dt.date:
    """From when the students of 补发毕业证名单 may collect: the day after its posting period."""
    return posting_period(fu)[1] + dt.timedelta(days=1)


def _rows(fu: FollowUp, outcome: str) -> pd.DataFrame:
    t = fu.table
    return t[t["outcome"] == outcome].rename(columns={"student_id": "学号"}).assign(序号=0)


def reissue_list(fu: FollowUp) -> pd.DataFrame:
    """补发毕业证名单: the followed students now COLLECT, with what they may collect and from when."""
    rows = _rows(fu, "COLLECT").assign(领取内容=MAIL_CONTENTS, 领取时间=f"{cn_date(collect_from(fu))}起")
    return listing.ordered(rows[PUBLIC_COLUMNS])


def withheld_reasons(codes: pd.Series) -> pd.Series:
    """The labels of the reasons that withheld the diploma (all of them when none is a withholding reason)."""
    def labels(v: str) -> str:
        cs = [c for c in v.split(";") if c] if v else []
        held = [c for c in cs if c in REASON_BY_CODE and REASON_BY_CODE[c].outcome == "WITHHELD"]
        return reason_labels(held or [c for c in cs if c in REASON_BY_CODE])

    return codes.map(labels)


def abandoned_list(fu: FollowUp) -> pd.DataFrame:
    """视同放弃名单（内部）: 学号, 姓名, 班级, 专业, 原缓发原因, 截止日期 of the students now ABANDONED."""
    rows = _rows(fu, ABANDONED.code)
    rows = rows.assign(原缓发原因=withheld_reasons(rows["before_reasons"]),
                       截止日期=rows["deadline"].map(lambda v: cn_date(dt.date.fromisoformat(v)) if v else ""))
    return listing.ordered(rows[["序号", "学号", "姓名", "班级", "专业", "原缓发原因", "截止日期"]])


def followup_table(fu: FollowUp) -> pd.DataFrame:
    """Every followed student before and after, in Chinese (跟踪复核结果 and the notebook)."""
    t = fu.table.rename(columns={"student_id": "学号"}).assign(序号=0)
    t["原结论"] = t["before_outcome"].map(lambda c: OUTCOME_BY_CODE[c].label)
    t["原原因"] = t["before_reasons"].map(reason_labels)
    t["现结论"] = t["outcome"].map(lambda c: OUTCOME_BY_CODE[c].label)
    t["现原因"] = t["reasons"].map(reason_labels)
    t["截止日期"] = t["deadline"].map(lambda v: cn_date(dt.date.fromisoformat(v)) if v else "")
    return listing.ordered(t[["序号", "学号", "姓名", "班级", "专业", "原结论", "原原因", "现结论", "现原因", "截止日期"]])


def _basis(fu: FollowUp) -> str:
    f = fu.follows
    pub = f"依据{cn_date(dt.date.fromisoformat(f['recorded_at'][:10]))}发布的运行 {f['run_id']}，" if f.get("run_id") else ""
    return (f"{pub}截至{cn_date(fu.as_of)}跟踪复核；缓发毕业证书的截止日期为{cn_date(fu.deadline)}"
            f"（补考、清考成绩公布后一年），逾期未认定者{ABANDONED.label}。")


def write_reissue(fu: FollowUp, run_dir: Path, spec) -> list[Path]:
    """补发毕业证名单.xlsx: posting period and collection date in the notes, the issuing office at the foot."""
    p = fu.decisions.cohort.params
    rows = reissue_list(fu)
    book = spec.book(run_dir)
    notes = [f"公示期：{cn_span(*posting_period(fu))}（公示期满后撤下）　　领取时间：{cn_date(collect_from(fu))}起，"
             f"工作日到{listing.OFFICE}领取", "以下学生经跟踪复核已符合领取条件，可领取毕业证书及报到证。"]
    sh = book.sheet("补发名单", listing.title(p, spec.name), notes)
    sh.table(rows, numbers=("序号",), center=("领取时间",), count=f"共 {len(rows)} 人")
    sh.sign(listing.OFFICE, cn_date(fu.as_of))
    return [sh.finish().book.close()]


def write_abandoned(fu: FollowUp, run_dir: Path, spec) -> list[Path]:
    """视同放弃名单（内部）.xlsx: the students whose withheld diploma is deemed abandoned."""
    p = fu.decisions.cohort.params
    rows = abandoned_list(fu)
    book = spec.book(run_dir)
    sh = book.sheet(ABANDONED.label, listing.title(p, spec.name), [_basis(fu)])
    sh.table(rows, numbers=("序号",), wrap=("原缓发原因",), center=("截止日期",), count=f"共 {len(rows)} 人",
             max_width=36)
    return [sh.finish().book.close()]


def write_followup_results(fu: FollowUp, run_dir: Path, spec) -> list[Path]:
    """跟踪复核结果（内部）.xlsx: counts before → after, then every followed student before and after."""
    p = fu.decisions.cohort.params
    book = spec.book(run_dir)
    sh = book.sheet("汇总", listing.title(p, spec.name), [_basis(fu)])
    sh.table(fu.before_after(), numbers=tuple(fu.before_after().columns[1:]))
    sh.finish()
    rows = followup_table(fu)
    sh = book.sheet("逐人", listing.title(p, spec.name), [_basis(fu)])
    sh.table(rows, numbers=("序号",), wrap=("原原因", "现原因"), center=("原结论", "现结论", "截止日期"),
             count=f"共 {len(rows)} 人", max_width=30)
    sh.finish(landscape=True)
    return [book.close()]


def write_followup_decisions(fu: FollowUp, run_dir) -> Path:
    """decisions.csv of the follow-up (UTF-8 with BOM), the same five columns as a cohort run's."""
    path = Path(run_dir) / "decisions.csv"
    fu.decisions_csv().to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path

