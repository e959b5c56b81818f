"""The bare floor that `gradlib run`'s files → decisions is measured against (issue 12).

`pd.read_csv` of the same CSV files as text (`pd.read_excel` with calamine for a cohort in workbooks), then the least pandas that finds each student's best grade per
course of the wide grades table: no validation, no row numbers, no makeup rules, no data problems. Usage:

    python benchmarks/floor.py DATA_DIR      # prints one JSON line: seconds, rows, best grades found
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

LEVELS = {"优秀": 95, "优": 95, "良好": 85, "良": 85, "中等": 75, "中": 75, "及格": 60, "合格": 60,
          "不及格": 0, "差": 0, "不合格": 0}
ID_COLUMNS = ("学号", "姓名", "班级")


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(path)


def best_grades(grades: pd.DataFrame) -> pd.Series:
    """Each (学号, course) pair's best mark: a wide table melted, levels mapped to scores, the maximum taken."""
    courses = [c for c in grades.columns if c not in ID_COLUMNS]
    long = grades.melt(id_vars=["学号"], value_vars=courses, var_name="course", value_name="value")
    long = long[long["value"] != ""]
    long["course"] = long["course"].str.replace(r"[（(](补考|清考)[)）]$", "", regex=True)
    score = pd.to_numeric(long["value"], errors="coerce").fillna(long["value"].map(LEVELS))
    return score.groupby([long["学号"], long["course"]]).max()


def floor(data_dir: Path) -> dict:
    """Read every CSV of data_dir and find the best grades; what was read and how long it took."""
    t = time.perf_counter()
    frames = {p.stem: _read(p) for p in sorted(Path(data_dir).iterdir()) if p.suffix in (".csv", ".xlsx")}
    grades = next(f for name, f in frames.items() if "成绩" in name)
    best = best_grades(grades)
    return {"seconds": time.perf_counter() - t, "rows": {k: len(v) for k, v in frames.items()},
            "best_grades": int(len(best))}


if __name__ == "__main__":
    print(json.dumps(floor(Path(sys.argv[1])), ensure_ascii=False))
