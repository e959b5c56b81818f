"""The grades table (成绩库), long or wide, with makeup (补考) and clearance (清考) attempts.

Both layouts become one long table of attempts: idx (roster position), 课程代码, attempt, the value as
written and its parse (valid, score, level_pass). Whether an attempt passes is for the rules.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings import Findings, Kind
from .reading import RawTable, clean_header, sheet_names
from .schema import GRADES, ROSTER_HEADERS
from .tables import attach_students, drop_notes, read_table
from .values import as_text, normalise_id, parse_grades

ATTEMPTS = ("成绩", "补考", "清考")
COLUMNS = ["idx", "课程代码", "attempt", "value", "valid", "score", "level_pass", "row", "column", "sheet"]
_SUFFIX = re.compile(r"^(.+?)[（(](补考|清考)(?:成绩)?[)）]$")
_PARTS = ["idx", "key", "is_code", "attempt", "value", "row", "column", "sheet"]


def grades(t: RawTable, path: Path, sheet, students: pd.DataFrame, curriculum: pd.DataFrame,
           found: Findings) -> pd.DataFrame:
    """Grades in long or wide layout → one row per attempt (COLUMNS)."""
    sids = pd.Index(students["学号"])
    t = drop_notes(t, found)
    t, idx = attach_students(t, sids, found)
    d = t.data
    if "成绩" in d.columns and ("课程代码" in d.columns or "课程名称" in d.columns):
        parts = _long(t, idx)
    else:
        parts = _wide(t, idx, path, sheet, sids, curriculum, found)
    a = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_PARTS)
    a = a[a["value"].astype(str) != ""]
    a["idx"] = a["idx"].astype(np.int64)
    return _courses_and_values(a, t, students, curriculum, found)


def _long(t: RawTable, idx: np.ndarray) -> list[pd.DataFrame]:
    """One row per student and course: 课程代码 (or 课程名称) and up to three attempt columns."""
    d = t.data
    code = normalise_id(d["课程代码"]) if "课程代码" in d.columns else pd.Series("", index=d.index)
    name = as_text(d["课程名称"]).map(clean_header) if "课程名称" in d.columns else pd.Series("", index=d.index)
    key = code.where(code != "", name)
    parts = []
    for attempt, column in zip(ATTEMPTS, ("成绩", "补考成绩", "清考成绩")):
        if column in d.columns:
            parts.append(pd.DataFrame({"idx": idx, "key": key.to_numpy(), "is_code": (code != "").to_numpy(),
                                       "attempt": attempt, "value": as_text(d[column]).to_numpy(),
                                       "row": t.rows, "column": t.headers[column], "sheet": t.sheet}))
    return parts


def _wide(t: RawTable, idx: np.ndarray, path: Path, sheet, sids: pd.Index, curriculum: pd.DataFrame,
          found: Findings) -> list[pd.DataFrame]:
    """One row per student, one column per course (code or name), makeups in (补考)/(清考) columns or sheets."""
    sheets = [(t, idx, None)]
    if path.suffix.lower() != ".csv":
        for extra in ("补考", "清考"):
            if extra in sheet_names(path) and extra != (sheet or t.sheet):
                et = read_table(GRADES, path, extra, found, required=("学号",))
                if et is not None:
                    et = drop_notes(et, found)
                    et, eidx = attach_students(et, sids, found)
                    sheets.append((et, eidx, extra))
    codes = set(curriculum["课程代码"])
    names = set(curriculum["课程名称"])
    parts = []
    for tt, ii, forced in sheets:
        for header in tt.data.columns:
            if header in ROSTER_HEADERS or header in ("学号", "课程代码", "课程名称"):
                continue
            m = _SUFFIX.match(header)
            base, attempt = (m[1], m[2]) if m else (header, "成绩")
            if forced:
                attempt = forced
            if base not in codes and base not in names:
                found.note(Kind.UNKNOWN_GRADE_COLUMN, tt.file, tt.sheet, [tt.header_row], header, [header],
                           "成绩表的列名与任何专业的课程都不匹配，该列未计入", "课程代码或教学计划中的课程名称")
                continue
            values = as_text(tt.data[header])
            nz = (values != "").to_numpy()
            parts.append(pd.DataFrame({"idx": ii[nz], "key": base, "is_code": base in codes,
                                       "attempt": attempt, "value": values[nz].to_numpy(),
                                       "row": tt.rows[nz], "column": header, "sheet": tt.sheet}))
    return parts


def _courses_and_values(a: pd.DataFrame, t: RawTable, students: pd.DataFrame, curriculum: pd.DataFrame,
                        found: Findings) -> pd.DataFrame:
    """Each attempt's course (a code directly, a name within the student's major's plan) and its parse."""
    a["major"] = students["专业"].to_numpy()[a["idx"].to_numpy()] if len(a) else []
    by_name = curriculum.drop_duplicates(["专业", "课程名称"])[["专业", "课程名称", "课程代码"]]
    a = a.merge(by_name, how="left", left_on=["major", "key"], right_on=["专业", "课程名称"])
    a["课程代码"] = np.where(a["is_code"].astype(bool), a["key"], a["课程代码"].astype(object))
    unmatched = a["课程代码"].isna()
    sid = students["学号"].to_numpy()
    if unmatched.any():  # students whose major has no plan get MAJOR_NOT_IN_PLAN instead
        u = a[unmatched & a["major"].isin(set(curriculum["专业"]))]
        found.note(Kind.COURSE_NOT_IN_PLAN, t.file, u["sheet"], u["row"], u["column"], u["key"],
                   "该生专业的教学计划中没有此课程名称，成绩未计入", "该生专业教学计划中的课程",
                   sid[u["idx"].to_numpy()])
        a = a[~unmatched]
    valid, score, level_pass, bad = parse_grades(a["value"])
    if bad.any():
        b = a[bad]
        found.note(Kind.NOT_A_GRADE, t.file, b["sheet"], b["row"], b["column"], b["value"],
                   "不是有效成绩，不计为一次考试",
                   "0-100 的分数，或 优秀/良好/中等/及格/不及格、合格/不合格、缺考/作弊/缓考",
                   sid[b["idx"].to_numpy()])
    a = a.assign(valid=valid.to_numpy(), score=score.to_numpy(), level_pass=level_pass.to_numpy())[~bad.to_numpy()]
    return a[COLUMNS].reset_index(drop=True)
