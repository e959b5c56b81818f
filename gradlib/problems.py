"""Data problems: findings that do not stop the run, collected as one table (数据问题清单)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import PROBLEM_COLUMNS, Problem

COLUMNS = list(PROBLEM_COLUMNS)


def frame(file, sheet, rows, column, values, problem, expected="", student_ids=None) -> pd.DataFrame:
    """Build problem rows for many cells at once (vectorised); any argument may be one value or one per row."""
    rows = pd.Series(rows).reset_index(drop=True)
    n = len(rows)

    def col(v, default=""):
        if v is None:
            return [default] * n
        if isinstance(v, (pd.Series, np.ndarray, list)):
            return pd.Series(v).reset_index(drop=True).astype(object).where(lambda s: s.notna(), "").astype(str).to_numpy()
        return [v] * n

    return pd.DataFrame({"file": col(file), "sheet": col(sheet), "row": rows.astype("Int64"),
                         "column": col(column), "value": col(values), "problem": col(problem),
                         "expected": col(expected), "student_id": col(student_ids)})


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
