"""Data problems: findings that do not stop the run, collected as one table (数据问题清单)."""
from __future__ import annotations

import pandas as pd

from .errors import PROBLEM_COLUMNS, Problem

COLUMNS = list(PROBLEM_COLUMNS)


def frame(file: str, sheet: str, rows, column: str, values, problem: str, expected: str = "",
          student_ids=None) -> pd.DataFrame:
    """Build problem rows for many cells at once (vectorised)."""
    rows = pd.Series(rows).reset_index(drop=True)
    n = len(rows)
    values = pd.Series(values).reset_index(drop=True).astype(object).where(lambda s: s.notna(), "").astype(str) \
        if values is not None else pd.Series([""] * n)
    sids = pd.Series(student_ids).reset_index(drop=True).astype(str) if student_ids is not None else pd.Series([""] * n)
    return pd.DataFrame({"file": [file] * n, "sheet": [sheet] * n, "row": rows.astype("Int64"),
                         "column": [column] * n, "value": values, "problem": [problem] * n,
                         "expected": [expected] * n, "student_id": sids})


def from_records(problems: list[Problem]) -> pd.DataFrame:
    if not problems:
        return empty()
    df = pd.DataFrame([p.as_dict() for p in problems], columns=COLUMNS)
    df["row"] = df["row"].astype("Int64")
    return df


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "row" else object) for c in COLUMNS})


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty()
    out = pd.concat(frames, ignore_index=True)
    return out[COLUMNS]


def chinese(df: pd.DataFrame) -> pd.DataFrame:
    """The problems table with Chinese headers, for display and the workbook."""
    return df.rename(columns=PROBLEM_COLUMNS)
