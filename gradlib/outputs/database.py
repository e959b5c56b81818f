"""毕业生信息库（内部） (Art 6, 10): graduates with the roster's personal data, for the provincial submission.

Headers as the national secondary-vocational student system names them; that system imports at most
2,000 rows per sheet and 3 sheets per file, so the rows are split into sheets and numbered files.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..formats import iso_dates
from ..rules import Decisions
from ..sources.tables import DERIVED_COLUMNS
from . import listing
from .internal import trusted_ids

# the national system's own headers for the roster's columns
DATABASE_HEADERS = {"学号": "校内学号", "姓名": "姓名", "性别": "性别", "身份证号": "身份证号", "出生日期": "出生日期",
                    "民族": "民族", "政治面貌": "政治面貌", "籍贯": "籍贯", "家庭地址": "现家庭住址",
                    "专业": "修读专业", "班级": "班级", "入学年份": "入学年份", "中考报名序号": "中考报名序号",
                    "证书编号": "毕业证书编号", "联系电话": "联系电话"}
IMPORT_ROWS, IMPORT_SHEETS = 2000, 3   # the national system imports ≤ 2,000 rows per sheet, ≤ 3 sheets per file
_INTERNAL_COLUMNS = set(DERIVED_COLUMNS) | {"成绩认定", "班主任", "学籍状态"}  # the roster's, not the system's


def database_rows(d: Decisions) -> pd.DataFrame:
    """毕业生信息库 rows: COLLECT and DEFERRED students with the roster's personal data, national headers."""
    s = d.cohort.students
    keep = d.table["outcome"].isin(("COLLECT", "DEFERRED")).to_numpy()
    out = pd.DataFrame({new: s[old].astype(str) for old, new in DATABASE_HEADERS.items()})
    out["身份证号"] = trusted_ids(s)
    birth = iso_dates(s["birth_date"])
    out["出生日期"] = birth.where(birth.notna(), s["出生日期"].astype(str))
    for extra in s.columns:
        if extra not in DATABASE_HEADERS and extra not in _INTERNAL_COLUMNS and extra not in out.columns:
            out[extra] = s[extra].astype(str)
    return listing.ordered(out[keep], sid="校内学号")


def write_database(d: Decisions, run_dir: Path, spec, shard: tuple[int, int] = (0, 1)) -> list[Path]:
    """Write 毕业生信息库（内部） of the decisions into run_dir (`shard` (i, k): every k-th file from the i-th)."""
    return write_rows(database_rows(d), run_dir, spec, shard)


def write_rows(rows: pd.DataFrame, run_dir: Path, spec, shard: tuple[int, int] = (0, 1)) -> list[Path]:
    """Write rows as 毕业生信息库（内部）: ≤ 2,000 rows per sheet, ≤ 3 sheets per file, numbered files past 6,000 rows;
    the header is row 1 and there is no title or count line, which the national system would import as students."""
    per_file = IMPORT_ROWS * IMPORT_SHEETS
    starts = list(range(0, len(rows), per_file)) or [0]
    out = []
    for k in range(shard[0], len(starts), shard[1]):
        chunk = rows.iloc[starts[k]:starts[k] + per_file]
        book = spec.book(run_dir, "" if len(starts) == 1 else f"-{k + 1}", in_memory=True)
        sheets = [chunk.iloc[i:i + IMPORT_ROWS] for i in range(0, len(chunk), IMPORT_ROWS)] or [chunk]
        for j, part in enumerate(sheets, 1):
            sh = book.sheet(f"毕业生{j}")
            sh.table(part, count=None)
            sh.finish(landscape=True)
        out.append(book.close())
    return out
