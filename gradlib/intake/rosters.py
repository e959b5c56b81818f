"""The intake's workbooks: class rosters for signature (Art 2), the problems list per class, roster exports (Art 4).

Every one is written through gradlib.outputs.workbook (print-ready, IDs as text, 内部资料 in the header).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs.listing import class_key, ordered
from ..outputs.workbook import INTERNAL_HEADER, INTERNAL_SUFFIX, Book, safe_file_name
from ..reasons import PRIVATE_COLUMNS, REVIEW_FOOTER, SIGNATURE_COLUMN
from .checks import ROSTER_COLUMNS, Intake

ROSTER_FOLDER = f"班级花名册{INTERNAL_SUFFIX}"
PROBLEMS_FILE = f"新生信息核查问题清单{INTERNAL_SUFFIX}.xlsx"
ROSTER_SHOWN = ["序号", "学号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "籍贯", "家庭地址",
                "中考报名序号", "专业", SIGNATURE_COLUMN]
SIGN_WIDTH = 14


def _title(intake: Intake, name: str) -> str:
    p = intake.params
    return f"{p.school} {p.intake_year} 级新生{name}"


def write_class_rosters(intake: Intake, run_dir: Path) -> list[Path]:
    """班级花名册（内部）/<班级>（内部）.xlsx: each student's Art 1 data, a 学生签字 column, and the reviews' footer."""
    folder = Path(run_dir) / ROSTER_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    s = ordered(intake.students.assign(序号=0, **{SIGNATURE_COLUMN: ""}))
    paths = []
    for cls, g in s.groupby("班级", sort=False):
        g = g.assign(序号=np.arange(1, len(g) + 1))
        teacher = "、".join(t for t in pd.unique(g["班主任"]) if t)
        book = Book(folder / f"{safe_file_name(cls)}{INTERNAL_SUFFIX}.xlsx", internal=True)  # 内部 also when sent alone
        sh = book.sheet(safe_file_name(cls), _title(intake, "班级花名册"), [
            f"班级：{cls or '（空）'}　　班主任：{teacher or '（空）'}　　人数：{len(g)}",
            "请每名学生核对本人信息，无误后在“学生签字”栏签名；有误之处请在表中用笔更正后签名。"])
        sh.table(g[ROSTER_SHOWN], numbers=("序号",), center=("性别",), wrap=("家庭地址",), max_width=30,
                 count=f"本班共 {len(g)} 人", row_height=28)
        sh.widths[ROSTER_SHOWN.index(SIGNATURE_COLUMN)] = SIGN_WIDTH
        sh.footer([line + "　" * 20 for line in REVIEW_FOOTER])
        sh.finish(landscape=True)
        paths.append(book.close())
    return paths


def write_problems(intake: Intake, run_dir: Path, reviews: pd.DataFrame | None = None) -> Path:
    """新生信息核查问题清单（内部）.xlsx: a summary per class (with its reviews), one sheet per class with
    problems, and the reader's data problems."""
    from .. import findings as F

    book = Book(Path(run_dir) / PROBLEMS_FILE, internal=True)
    summary = intake.classes()
    if reviews is not None:
        summary = summary.merge(reviews, on="班级", how="left").fillna("")
    sh = book.sheet("汇总", _title(intake, "信息核查汇总"), [f"共 {intake.size} 名新生，{len(intake.problems)} 个问题"])
    sh.table(summary, numbers=("人数", "有问题的学生", "问题数"), count=f"共 {len(summary)} 个班级")
    sh.finish()
    p = intake.problems.drop(columns="code")
    p = p.assign(_k=class_key(p["班级"])).sort_values(["_k", "学号"], kind="mergesort").drop(columns="_k")
    for cls, g in p.groupby("班级", sort=False):
        sh = book.sheet(safe_file_name(cls), _title(intake, "信息核查问题清单"), [f"班级：{cls}"])
        sh.table(g.drop(columns="班级"), wrap=("问题说明",), count=f"本班 {g['学号'].nunique()} 名学生共 {len(g)} 个问题")
        sh.finish()
    if len(intake.data_problems):
        sh = book.sheet("数据问题", _title(intake, "数据问题清单"))
        sh.table(F.chinese(intake.data_problems), wrap=("问题", "应为"), count=f"共 {len(intake.data_problems)} 条")
        sh.finish()
    return book.close()


def approval_header(approval: dict) -> str:
    """The page header of a full export: 内部资料 and the approval it was made under (Art 4)."""
    return (INTERNAL_HEADER + f"&R经{approval['approver']}于{approval['day']}批准　用途：{approval['purpose']}"
            f"　提供给：{approval['recipient']}")


def write_export(roster: pd.DataFrame, path: Path, title: str, approval: dict | None) -> Path:
    """The roster in the data contract's format (header on row 1, one row per student) that `gradlib run`
    reads as is; without an approval the private columns are left out (redacted)."""
    cols = [c for c in ROSTER_COLUMNS if c in roster.columns]
    if approval is None:
        cols = [c for c in cols if c not in PRIVATE_COLUMNS]
    book = Book(path, internal=True)
    sh = book.sheet(title[:31], None)
    sh.table(roster[cols])
    sh.finish(landscape=True)
    if approval is not None:
        sh.ws.set_header(approval_header(approval))
    return book.close()
