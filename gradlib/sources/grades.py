"""The grades table (成绩库), long or wide, with makeup (补考) and clearance (清考) attempts.

Both layouts become one long table of attempts: idx (roster position), 课程代码, attempt, the value as
written and its parse (valid, score, level_pass). Whether an attempt passes is for the rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings import Findings, Kind
from .reading import RawTable, Unreadable, clean_header, sheet_names
from .schema import EXAM_STATUSES, GRADES, ROSTER_HEADERS
from .tables import attach_students, drop_notes, read_table
from .values import as_text, nfkc, normalise_id, parse_grades

ATTEMPTS = ("成绩", "补考", "清考")
COLUMNS = ["idx", "课程代码", "attempt", "value", "valid", "score", "level_pass", "row", "column", "sheet"]
_SUFFIX = re.compile(r"^(.+?)[（(](补考|清考)(?:成绩)?[)）]$")
_META = ["key", "is_code", "attempt", "column", "sheet", "key_column"]  # what the cells of a part share
_NOT_COURSES = ROSTER_HEADERS | set(GRADES.column("学号").headers)
_GRADE_HEADERS = "“" + "”“".join(GRADES.column("成绩").headers) + "”"


@dataclass
class _Part:
    """Grade cells of one sheet: per cell its roster position, value as written and Excel row, and a code into
    `meta` (one row per distinct course key, attempt, column …): a wide table's column is one part whose cells all
    share one meta row, so nothing is repeated per cell (13 million attempts at a million students)."""
    idx: np.ndarray
    value: np.ndarray
    row: np.ndarray
    code: np.ndarray
    meta: pd.DataFrame


def grades(t: RawTable, path: Path, sheet, students: pd.DataFrame, curriculum: pd.DataFrame,
           found: Findings) -> pd.DataFrame:
    """Grades in long or wide layout, or a workbook of course registers → one row per attempt (COLUMNS)."""
    sids = pd.Index(students["学号"])
    parts = []
    for tt in [t] + (_registers(t, path, found) if t.title and sheet is None else []):
        tt = drop_notes(tt, found)
        tt, idx = attach_students(tt, sids, found)
        if _is_long(tt):
            if "成绩" not in tt.data.columns:
                found.stop(Kind.COLUMN_MISSING, tt.file, tt.sheet, tt.header_row, "成绩", "",
                           "成绩表有课程代码或课程名称（长表），但缺少成绩列", f"成绩列：{_GRADE_HEADERS}之一")
                continue
            parts += _long(tt, idx, found)
        else:
            parts += _wide(tt, idx, path, sheet, sids, curriculum, found)
    return _courses_and_values(_assemble(parts), t, students, curriculum, found)


def _assemble(parts: list[_Part]) -> _Part:
    """The parts as one, blank cells left out."""
    if not parts:
        return _Part(np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, np.int64), np.zeros(0, np.int64),
                     pd.DataFrame({c: pd.Series([], dtype=bool if c == "is_code" else object) for c in _META}))
    offsets = np.cumsum([0] + [len(p.meta) for p in parts[:-1]])
    value = np.concatenate([p.value for p in parts]).astype(object)
    keep = value.astype(bool)  # the cells are text: '' is blank
    return _Part(np.concatenate([p.idx for p in parts]).astype(np.int64)[keep], value[keep],
                 np.concatenate([p.row for p in parts]).astype(np.int64)[keep],
                 np.concatenate([p.code + o for p, o in zip(parts, offsets)])[keep],
                 pd.concat([p.meta for p in parts], ignore_index=True))


def _is_long(t: RawTable) -> bool:
    """A table with a 课程代码 or 课程名称 column, or a register whose title block names its course, is long."""
    return "课程代码" in t.data.columns or "课程名称" in t.data.columns or bool(t.title)


def _registers(first: RawTable, path: Path, found: Findings) -> list[RawTable]:
    """The other sheets of a workbook of course registers: each one whose title block names a course.

    A sheet that names none is listed as a data problem when it holds anything, never silently dropped.
    """
    try:
        names = sheet_names(path)
    except Unreadable:
        return []
    out = []
    for name in names:
        if name in ("", first.sheet):
            continue
        scratch = Findings()
        et = read_table(GRADES, path, name, scratch, required=("学号",))
        if et is not None and et.title:
            found.extend(scratch.structural)
            found.add(scratch.data)
            out.append(et)
        elif et is not None and len(et.data) or scratch.structural and scratch.structural[0].kind != Kind.NO_DATA:
            found.note(Kind.SHEET_SKIPPED, path.name, name, [None], "", [""],
                       "成绩登记表工作簿中的该工作表标题未注明课程（如“课程代码：C01”），未读取",
                       "每个工作表的标题中注明课程代码或课程名称")
    return out


def _long(t: RawTable, idx: np.ndarray, found: Findings) -> list[_Part]:
    """One row per student and course: 课程代码 (or 课程名称, or the title block's course) and up to three
    attempt columns; a 考试情况 other than 正常 is the first attempt's mark, whatever its grade cell says."""
    d = t.data
    n = len(d)
    blank = pd.Series("", index=d.index, dtype=object)
    code = normalise_id(d["课程代码"]) if "课程代码" in d.columns else blank
    name = as_text(d["课程名称"]).map(clean_header) if "课程名称" in d.columns else blank
    if t.title and "课程代码" not in d.columns and "课程名称" not in d.columns:
        code = pd.Series(t.title.get("课程代码", "").strip().upper(), index=d.index, dtype=object)
        name = pd.Series(clean_header(t.title.get("课程名称", "")), index=d.index, dtype=object)
    key = code.where(code != "", name)
    key_column = np.where(code != "", t.headers.get("课程代码", "标题中的课程代码"),
                          t.headers.get("课程名称", "标题中的课程名称"))
    parts = []
    for attempt, column in zip(ATTEMPTS, ("成绩", "补考成绩", "清考成绩")):
        if column not in d.columns:
            continue
        value = as_text(d[column])
        where = np.full(n, t.headers[column], dtype=object)
        if attempt == "成绩" and "考试情况" in d.columns:
            value, where = _exam_marks(t, value, where, found)
        meta = pd.DataFrame({"key": key.to_numpy(), "is_code": (code != "").to_numpy(), "attempt": attempt,
                             "column": where, "sheet": t.sheet, "key_column": key_column})
        codes, uniques = pd.MultiIndex.from_frame(meta).factorize()
        parts.append(_Part(idx, value.to_numpy(), t.rows, codes.astype(np.int64),
                           uniques.to_frame(index=False, name=_META).astype({"is_code": bool})))
    return parts


def _exam_marks(t: RawTable, value: pd.Series, where: np.ndarray, found: Findings):
    """The grade cells with 考试情况 applied: 缺考, 旷考, 作弊, 缓考, 取消资格 replace the grade; 正常 or blank keep it."""
    status = nfkc(t.data["考试情况"])
    known = status.isin(EXAM_STATUSES)
    bad = ((status != "") & ~known).to_numpy()
    if bad.any():
        found.note(Kind.BAD_EXAM_STATUS, t.file, t.sheet, t.rows[bad], t.headers["考试情况"], status[bad],
                   "考试情况无法识别，按成绩栏计", "、".join(EXAM_STATUSES), t.data["学号"][bad])
    mark = (known & (status != "正常")).to_numpy()
    value = value.where(~mark, status)
    where = np.where(mark, t.headers["考试情况"], where)
    return value, where


def _wide(t: RawTable, idx: np.ndarray, path: Path, sheet, sids: pd.Index, curriculum: pd.DataFrame,
          found: Findings) -> list[_Part]:
    """One row per student, one column per course (code or name), makeups in (补考)/(清考) columns or sheets."""
    sheets = [(t, idx, None)]
    names = sheet_names(path)
    if names != [""]:
        for extra in ("补考", "清考"):
            if extra in names and extra != (sheet or t.sheet):
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
            if header in _NOT_COURSES or header in ("学号", "课程代码", "课程名称"):
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
            parts.append(_Part(ii[nz], values[nz].to_numpy(), tt.rows[nz], np.zeros(int(nz.sum()), np.int64),
                               pd.DataFrame({"key": [base], "is_code": [base in codes], "attempt": [attempt],
                                             "column": [header], "sheet": [tt.sheet], "key_column": [header]})))
    return parts


def _courses_and_values(a: _Part, t: RawTable, students: pd.DataFrame, curriculum: pd.DataFrame,
                        found: Findings) -> pd.DataFrame:
    """Each attempt's course and its parse. A course cell is matched as a code of the student's major's plan,
    then as a course name within it (语文 is C01 for one major, A01 for another), then as a code of any plan;
    anything else is a data problem. The match is made once per (major, part) pair, not per attempt."""
    mcode, majors = pd.factorize(students["专业"].to_numpy(dtype=object), use_na_sentinel=False)
    k = max(len(a.meta), 1)
    pair_codes, pairs = pd.factorize(mcode[a.idx].astype(np.int64) * k + a.code)
    p = a.meta.iloc[pairs % k].reset_index(drop=True)
    p["major"] = np.asarray(majors, dtype=object)[pairs // k]
    by_name = curriculum.drop_duplicates(["专业", "课程名称"])[["专业", "课程名称", "课程代码"]]
    named = p.merge(by_name, how="left", left_on=["major", "key"], right_on=["专业", "课程名称"])["课程代码"]
    own_codes = pd.MultiIndex.from_frame(curriculum[["专业", "课程代码"]])
    keys = pd.MultiIndex.from_arrays([p["major"].astype(object), p["key"].astype(object)]) if len(p) else own_codes[:0]
    own = own_codes.get_indexer(keys) >= 0 if len(p) else np.zeros(0, bool)
    any_code = p["key"].isin(set(curriculum["课程代码"])).to_numpy()
    is_code = p["is_code"].to_numpy(dtype=bool)
    chosen = np.where(is_code & own, p["key"].to_numpy(dtype=object), named.to_numpy(dtype=object))
    chosen = np.where(is_code & pd.isna(chosen) & any_code, p["key"].to_numpy(dtype=object), chosen)
    course = np.asarray(chosen, dtype=object)[pair_codes]
    unmatched = pd.isna(course)
    sid = students["学号"].to_numpy()

    def per_attempt(column: str, m: np.ndarray) -> pd.Series:
        return pd.Series(a.meta[column].to_numpy(dtype=object)[a.code[m]])

    if unmatched.any():  # students whose major has no plan get MAJOR_NOT_IN_PLAN instead
        u = unmatched & np.isin(mcode[a.idx], np.flatnonzero(pd.Index(majors).isin(set(curriculum["专业"]))))
        found.note(Kind.COURSE_NOT_IN_PLAN, t.file, per_attempt("sheet", u), a.row[u], per_attempt("key_column", u),
                   per_attempt("key", u), "该生专业的教学计划中没有此课程，成绩未计入",
                   "该生专业教学计划中的课程代码或课程名称", sid[a.idx[u]])
    m = ~unmatched
    value = pd.Series(a.value[m])
    valid, score, level_pass, bad = parse_grades(value)
    bad = bad.to_numpy(dtype=bool)
    if bad.any():
        b = np.flatnonzero(m)[bad]
        sel = np.zeros(len(m), bool)
        sel[b] = True
        found.note(Kind.NOT_A_GRADE, t.file, per_attempt("sheet", sel), a.row[sel], per_attempt("column", sel),
                   value[bad].reset_index(drop=True), "不是有效成绩，不计为一次考试",
                   "0-100 的分数，或 优秀/良好/中等/及格/不及格（优/良/中/差）、合格/补考合格/不合格、免修/免考、"
                   "缺考/旷考/作弊/缓考/取消资格",
                   sid[a.idx[sel]])
    ok = np.flatnonzero(m)[~bad]
    code = a.code[ok]
    return pd.DataFrame({"idx": a.idx[ok], "课程代码": course[ok],
                         "attempt": a.meta["attempt"].to_numpy(dtype=object)[code], "value": a.value[ok],
                         "valid": valid.to_numpy()[~bad], "score": score.to_numpy()[~bad],
                         "level_pass": level_pass.to_numpy()[~bad], "row": a.row[ok],
                         "column": a.meta["column"].to_numpy(dtype=object)[code],
                         "sheet": a.meta["sheet"].to_numpy(dtype=object)[code]}, columns=COLUMNS)
