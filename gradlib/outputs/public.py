"""The two public lists (Art 17): 可领取毕业证名单 and 暂缓领取毕业证名单.

They carry only 专业, 班级, 学号, 姓名 and their own columns (outputs.md): no ID, birth date, address,
phone, amount or grade. The posting period and the issue window are in the title rows; the lists end with
the issuing office (校企合作与就业办) and the date, with room for the seal.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..reasons import ABANDONED, OUTCOME_BY_CODE
from ..rules import Decisions
from . import listing

PUBLIC_COLUMNS = ["序号", "专业", "班级", "学号", "姓名"]


def _public(rows: pd.DataFrame, cols) -> pd.DataFrame:
    return listing.ordered(rows.assign(序号=0)[PUBLIC_COLUMNS + list(cols)])


def collect_list(d: Decisions) -> pd.DataFrame:
    """可领取毕业证名单: COLLECT students, 序号 专业 班级 学号 姓名."""
    st = listing.students(d)
    return _public(st[st["outcome"] == "COLLECT"], [])


def deferred_list(d: Decisions) -> pd.DataFrame:
    """暂缓领取毕业证名单: DEFERRED and WITHHELD students with a short public wording and the deadline."""
    st = listing.students(d)
    rows = st[st["outcome"].isin(("DEFERRED", "WITHHELD"))]
    rows = rows.assign(需办理事项=listing.public_wording(rows["codes"]))
    return _public(rows, ["结论", "需办理事项", "截止日期"])


def write_collect(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """可领取毕业证名单.xlsx: the issue window once, in the subtitle under the title (with 公示期); the issuing
    office and date at the foot."""
    p = d.cohort.params
    rows = collect_list(d)
    book = spec.book(run_dir)
    for sh, part in book.sheets("可领取名单", listing.title(p, spec.name), listing.posting_notes(p), rows):
        sh.table(part, numbers=("序号",), count=f"共 {len(rows)} 人")
        sh.sign(*listing.issued(p))
        sh.finish()
    return [book.close()]


def write_deferred(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """暂缓领取毕业证名单.xlsx: what each student must do in public words, and the WITHHELD deadline."""
    p = d.cohort.params
    rows = deferred_list(d)
    book = spec.book(run_dir)
    notes = listing.posting_notes(p) + [
        f"名单中的学生请与班主任联系，按“需办理事项”办理完毕后方可领取；{OUTCOME_BY_CODE['WITHHELD'].label}"
        f"的学生须在截止日期前申请认定，逾期{ABANDONED.label}。"]
    for sh, part in book.sheets("暂缓领取名单", listing.title(p, spec.name), notes, rows):
        sh.table(part, numbers=("序号",), center=("截止日期",), wrap=("需办理事项",), count=f"共 {len(rows)} 人",
                 max_width=30)
        sh.sign(*listing.issued(p))
        sh.finish()
    return [book.close()]
