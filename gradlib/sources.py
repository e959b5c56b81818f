"""Load one cohort: read every departmental file, validate it, and return typed tables.

Structural problems (data-contract.md) are collected over all files and raised together as
InputError before anything is written; per-student problems become data-problem rows.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import problems as P
from .errors import InputError, Problem
from .params import Params, Source
from .reading import RawTable, any_cell_is_note, clean_header, note_rows, read_sheet, sheet_names, to_table
from .reasons import REASON_BY_CODE, WAIVABLE, reason_code
from .schema import (ADDRESSES, CURRICULUM, FEES, GRADES, INTERNSHIP, NATURES, ROSTER_HEADERS,
                     STATUSES, STUDENTS, WAIVERS, Table)
from .values import (as_text, normalise_id, parse_dates, parse_grades, parse_money, parse_yesno,
                     temporary_id)
from .photos import index_photos

ATTEMPTS = ("成绩", "补考", "清考")
_SUFFIX = re.compile(r"^(.+?)[（(](补考|清考)(?:成绩)?[)）]$")


@dataclass
class Cohort:
    """Every input of one cohort run, parsed and validated."""
    params: Params
    students: pd.DataFrame
    curriculum: pd.DataFrame
    attempts: pd.DataFrame
    fees: pd.DataFrame
    internship: pd.DataFrame
    addresses: pd.DataFrame
    photos: pd.DataFrame
    waivers: pd.DataFrame
    problems: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0  # time taken by load_cohort()

    @property
    def size(self) -> int:
        return len(self.students)


class _Collector:
    def __init__(self):
        self.structural: list[Problem] = []
        self.data: list[pd.DataFrame] = []

    def add(self, f: pd.DataFrame):
        if len(f):
            self.data.append(f)


def _resolve(src: Source, key: str, params: Params) -> Path:
    """The file of a source; a default name that is absent may also be found as .xls or .csv."""
    path = src.path
    named = key in (params.raw.get("sources") or {})
    if path is not None and not path.exists() and not named and path.suffix:
        for ext in (".xlsx", ".xls", ".csv"):
            alt = path.with_suffix(ext)
            if alt.exists():
                return alt
    return path


def _read(table: Table, path: Path, sheet, col: _Collector, required=None) -> RawTable | None:
    label = path.name
    if not path.exists():
        col.structural.append(Problem(label, "", None, "", str(path), "文件不存在", f"{table.label}文件"))
        return None
    try:
        sh = read_sheet(path, label, sheet)
    except (ValueError, OSError) as e:
        col.structural.append(Problem(label, sheet or "", None, "", "", f"文件无法读取：{e}", f"可读取的{table.label}"))
        return None
    t = to_table(sh, table, required)
    if isinstance(t, list):
        col.structural.extend(t)
        return None
    return t


def _drop_notes(t: RawTable, col: _Collector) -> RawTable:
    """Skip note rows (合计, 制表人 …) and list them as data problems."""
    notes = note_rows(t).to_numpy()
    if notes.any():
        first = t.data[notes].apply(lambda r: next((str(v) for v in r if str(v) != ""), ""), axis=1)
        col.add(P.frame(t.file, t.sheet, t.rows[notes], t.headers.get("学号", "学号"), first,
                        "非学生行（合计、制表人、备注或学号为空），已跳过", "每行一名学生，学号不为空"))
    return _subset(t, ~notes)


def _subset(t: RawTable, keep) -> RawTable:
    keep = np.asarray(keep, dtype=bool)
    data = t.data[keep].reset_index(drop=True)
    numeric = {k: v[keep].reset_index(drop=True) for k, v in t.numeric.items()}
    return RawTable(t.file, t.sheet, data, t.rows[keep], numeric, t.headers, t.header_row)


def _attach_students(t: RawTable, sids: pd.Index, col: _Collector) -> tuple[RawTable, np.ndarray]:
    """Map rows to roster positions; rows whose 学号 is not in the roster are orphans (listed, dropped)."""
    sid = normalise_id(t.data["学号"])
    t.data["学号"] = sid
    idx = sids.get_indexer(sid)
    orphan = idx < 0
    if orphan.any():
        col.add(P.frame(t.file, t.sheet, t.rows[orphan], t.headers["学号"], sid[orphan],
                        "学号不在学籍库中（孤立记录），未计入", "学籍库中存在的学号", sid[orphan]))
    t = _subset(t, ~orphan)
    return t, idx[~orphan]


def load_cohort(params: Params, progress=None) -> Cohort:
    """Read and validate every source of the cohort; raise InputError listing all structural problems.

    `progress`, if given, is called with a short Chinese message before each file is read.
    """
    say = progress or (lambda msg: None)
    t0 = time.perf_counter()
    col = _Collector()
    files: dict[str, Path] = {}
    raw: dict[str, RawTable | None] = {}
    for key, table in (("students", STUDENTS), ("curriculum", CURRICULUM), ("fees", FEES),
                       ("internship", INTERNSHIP)):
        src = params.sources[key]
        path = _resolve(src, key, params)
        files[key] = path
        say(f"正在读取{table.label}：{path.name}")
        raw[key] = _read(table, path, src.sheet, col)
    gsrc = params.sources["grades"]
    gpath = _resolve(gsrc, "grades", params)
    files["grades"] = gpath
    say(f"正在读取成绩库：{gpath.name}")
    raw["grades"] = _read(GRADES, gpath, gsrc.sheet, col, required=("学号",))
    asrc = params.sources["addresses"]
    raw["addresses"] = None
    if asrc.path is not None:
        apath = _resolve(asrc, "addresses", params)
        if apath.exists() or "addresses" in (params.raw.get("sources") or {}):
            files["addresses"] = apath
            raw["addresses"] = _read(ADDRESSES, apath, asrc.sheet, col)
        else:
            col.add(P.frame(apath.name, "", [None], "", [""], "未提供邮寄地址表", "班主任提交的邮寄地址表"))
    psrc = params.sources["photos"]
    if psrc.path is not None:
        files["photos"] = psrc.path
        if not psrc.path.is_dir():
            col.structural.append(Problem(psrc.name or str(psrc.path), "", None, "", str(psrc.path),
                                          "照片文件夹不存在", "存放电子照片（<身份证号>.jpg）的文件夹"))
    waivers_raw = None
    if params.waivers is not None:
        files["waivers"] = params.waivers
        waivers_raw = _read(WAIVERS, params.waivers, None, col)

    if raw["students"] is not None:
        students = _students(raw["students"], col)
    else:  # still check 学号 (duplicates, blanks) so that one report lists every problem
        students = None
        partial = _read(STUDENTS, files["students"], params.sources["students"].sheet, _Collector(), required=("学号",))
        if partial is not None:
            _students(partial, col)
    if col.structural:
        raise InputError(col.structural)

    sids = pd.Index(students["学号"])
    say("正在校验成绩、缴费、实习、地址和照片")
    curriculum = _curriculum(raw["curriculum"], col)
    attempts = _grades(raw["grades"], gpath, gsrc.sheet, students, curriculum, params, col)
    if col.structural:
        raise InputError(col.structural)
    fees = _fees(raw["fees"], sids, col)
    internship = _internship(raw["internship"], sids, params, col)
    addresses = _addresses(raw["addresses"], sids, col)
    photos = index_photos(psrc.path, students, params.photo) if psrc.path is not None else None
    waivers = _waivers(waivers_raw, sids, col) if waivers_raw is not None else None
    return Cohort(params, students, curriculum, attempts, fees, internship, addresses, photos, waivers,
                  P.combine(col.data), files, time.perf_counter() - t0)


def _students(t: RawTable, col: _Collector) -> pd.DataFrame | None:
    d = t.data
    sid = normalise_id(d["学号"])
    d["学号"] = sid
    other = [c.name for c in STUDENTS.columns if c.name != "学号" and c.name in d.columns]
    has_data = (d[other].astype(str) != "").any(axis=1) if other else pd.Series(False, index=d.index)
    blank = (sid == "").to_numpy()
    noted = np.zeros(len(d), dtype=bool)
    if blank.any():
        noted[blank] = any_cell_is_note(_subset(t, blank)).to_numpy()
    blank_with_data = pd.Series(blank & has_data.to_numpy() & ~noted, index=d.index)
    for i in np.flatnonzero(blank_with_data.to_numpy()):
        col.structural.append(t.problem(i, "学号", "", "学号为空，但该行有学生信息", "每名学生都有唯一的学号",))
    t = _drop_notes(t, col)
    d = t.data
    dup = d["学号"].duplicated(keep=False).to_numpy()
    if dup.any():
        for sid_value, grp in pd.Series(t.rows[dup]).groupby(d["学号"][dup].to_numpy()):
            rows = "、".join(str(r) for r in grp)
            col.structural.append(Problem(t.file, t.sheet, int(grp.iloc[0]), t.headers["学号"], sid_value,
                                          f"学号重复（第 {rows} 行）", "学籍库中每个学号只出现一次"))
    if blank_with_data.any() or dup.any():
        return None
    for c in STUDENTS.columns:
        if c.name not in d.columns:
            d[c.name] = ""
    out = d.copy()
    out["excel_row"] = t.rows
    out["source_file"] = t.file
    out["source_sheet"] = t.sheet
    ids = normalise_id(d["身份证号"])
    out["身份证号"] = ids
    out["id_numeric"] = t.numeric.get("身份证号", pd.Series(False, index=d.index)).to_numpy()
    out["id_temporary"] = temporary_id(ids).to_numpy() & ~out["id_numeric"].to_numpy()
    birth, birth_bad = parse_dates(d["出生日期"])
    out["birth_date"] = birth
    out["birth_bad"] = birth_bad
    status = as_text(d["学籍状态"]).str.strip()
    out["status_valid"] = status.isin(STATUSES)
    out["status"] = status.where(out["status_valid"], "在籍")
    certified, cert_bad = parse_yesno(d["成绩认定"])
    out["certified"] = certified
    year = as_text(d["入学年份"]).str.extract(r"^(\d{4})")[0]
    out["入学年份"] = year.fillna("")
    for c in ("中考报名序号", "证书编号"):
        out[c] = normalise_id(d[c])
    tmp = out["id_temporary"].to_numpy()
    if tmp.any():
        col.add(P.frame(t.file, t.sheet, t.rows[tmp], t.headers.get("身份证号", "身份证号"), ids[tmp],
                        "临时身份证号（全国学籍系统临时号），未做校验", "正式的 18 位身份证号", out["学号"][tmp]))
    for mask, column, problem, expected in (
            (birth_bad, "出生日期", "出生日期不是有效日期", "日期，如 2008-05-01"),
            (cert_bad, "成绩认定", "成绩认定不是“是/否”", "是 或 否"),
            (~out["status_valid"] & (status != ""), "学籍状态", "学籍状态不在规定取值内，按在籍审核",
             "、".join(STATUSES))):
        m = np.asarray(mask, dtype=bool)
        if m.any():
            col.add(P.frame(t.file, t.sheet, t.rows[m], t.headers.get(column, column), d[column][m],
                            problem, expected, out["学号"][m]))
    return out.reset_index(drop=True)


def _curriculum(t: RawTable, col: _Collector) -> pd.DataFrame:
    d = t.data
    out = pd.DataFrame({
        "专业": as_text(d["专业"]).str.strip(),
        "课程代码": normalise_id(d["课程代码"]),
        "课程名称": as_text(d["课程名称"]).map(clean_header),  # matched against grade headers, spaces removed
        "课程性质": as_text(d["课程性质"]).str.strip(),
        "学期": as_text(d["学期"]) if "学期" in d else "",
        "excel_row": t.rows,
    })
    blank = (out["专业"] == "") | (out["课程代码"] == "")
    if blank.any():
        col.add(P.frame(t.file, t.sheet, t.rows[blank.to_numpy()], "专业/课程代码", out["课程名称"][blank],
                        "教学计划行缺少专业或课程代码，已跳过", "每行有专业和课程代码"))
    out = out[~blank]
    bad_nature = ~out["课程性质"].isin(NATURES)
    if bad_nature.any():
        col.add(P.frame(t.file, t.sheet, out["excel_row"][bad_nature], t.headers["课程性质"],
                        out["课程性质"][bad_nature], "课程性质无效，按必修课审核", "必修、选修 或 实习"))
        out.loc[bad_nature, "课程性质"] = "必修"
    dup = out.duplicated(["专业", "课程代码"], keep="first")
    if dup.any():
        col.add(P.frame(t.file, t.sheet, out["excel_row"][dup], t.headers["课程代码"], out["课程代码"][dup],
                        "同一专业的课程代码重复，已按第一行计", "每个专业的课程代码只出现一次"))
    out = out[~dup]
    out["required"] = out["课程性质"].isin(("必修", "实习"))
    return out.reset_index(drop=True)


def _grades(t: RawTable, path: Path, sheet, students: pd.DataFrame, curriculum: pd.DataFrame,
            params: Params, col: _Collector) -> pd.DataFrame:
    """Grades in long or wide layout → one row per attempt: idx, 课程代码, attempt, value, valid, passed."""
    sids = pd.Index(students["学号"])
    t = _drop_notes(t, col)
    t, idx = _attach_students(t, sids, col)
    d = t.data
    long = "成绩" in d.columns and ("课程代码" in d.columns or "课程名称" in d.columns)
    parts = []
    if long:
        code = normalise_id(d["课程代码"]) if "课程代码" in d.columns else pd.Series("", index=d.index)
        name = as_text(d["课程名称"]).map(clean_header) if "课程名称" in d.columns else pd.Series("", index=d.index)
        key = code.where(code != "", name)
        for attempt, column in zip(ATTEMPTS, ("成绩", "补考成绩", "清考成绩")):
            if column in d.columns:
                parts.append(pd.DataFrame({"idx": idx, "key": key.to_numpy(), "is_code": (code != "").to_numpy(),
                                           "attempt": attempt, "value": as_text(d[column]).to_numpy(),
                                           "row": t.rows, "column": t.headers[column], "sheet": t.sheet}))
    else:
        sheets = [(t, idx, None)]
        if path.suffix.lower() != ".csv":
            for extra in ("补考", "清考"):
                if extra in sheet_names(path) and extra != (sheet or t.sheet):
                    et = _read(GRADES, path, extra, col, required=("学号",))
                    if et is not None:
                        et = _drop_notes(et, col)
                        et, eidx = _attach_students(et, sids, col)
                        sheets.append((et, eidx, extra))
        codes = set(curriculum["课程代码"])
        names = set(curriculum["课程名称"])
        for tt, ii, forced in sheets:
            for header in tt.data.columns:
                if header in ROSTER_HEADERS or header in ("学号", "课程代码", "课程名称"):
                    continue
                m = _SUFFIX.match(header)
                base, attempt = (m[1], m[2]) if m else (header, "成绩")
                if forced:
                    attempt = forced
                if base not in codes and base not in names:
                    col.add(P.frame(tt.file, tt.sheet, [tt.header_row], header, [header],
                                    "成绩表的列名与任何专业的课程都不匹配，该列未计入", "课程代码或教学计划中的课程名称"))
                    continue
                values = as_text(tt.data[header])
                nz = (values != "").to_numpy()
                parts.append(pd.DataFrame({"idx": ii[nz], "key": base, "is_code": base in codes,
                                           "attempt": attempt, "value": values[nz].to_numpy(),
                                           "row": tt.rows[nz], "column": header, "sheet": tt.sheet}))
    cols = ["idx", "key", "is_code", "attempt", "value", "row", "column", "sheet"]
    a = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    a = a[a["value"].astype(str) != ""]
    a["idx"] = a["idx"].astype(np.int64)
    a["major"] = students["专业"].to_numpy()[a["idx"].to_numpy()] if len(a) else []
    # course: a code directly; a name within the student's major's plan
    by_name = curriculum.drop_duplicates(["专业", "课程名称"])[["专业", "课程名称", "课程代码"]]
    a = a.merge(by_name, how="left", left_on=["major", "key"], right_on=["专业", "课程名称"])
    a["课程代码"] = np.where(a["is_code"].astype(bool), a["key"], a["课程代码"].astype(object))
    unmatched = a["课程代码"].isna()
    if unmatched.any():  # students whose major has no plan get MAJOR_NOT_IN_PLAN instead
        u = a[unmatched & a["major"].isin(set(curriculum["专业"]))]
        col.add(P.frame(t.file, u["sheet"], u["row"], u["column"], u["key"],
                        "该生专业的教学计划中没有此课程名称，成绩未计入", "该生专业教学计划中的课程",
                        students["学号"].to_numpy()[u["idx"].to_numpy()]))
        a = a[~unmatched]
    valid, passed, bad = parse_grades(a["value"], params.pass_mark)
    if bad.any():
        b = a[bad]
        col.add(P.frame(t.file, b["sheet"], b["row"], b["column"], b["value"],
                        "不是有效成绩，不计为一次考试", "0-100 的分数，或 优秀/良好/中等/及格/不及格、合格/不合格、缺考/作弊/缓考",
                        students["学号"].to_numpy()[b["idx"].to_numpy()]))
    a = a.assign(valid=valid.to_numpy(), passed=passed.to_numpy())[~bad.to_numpy()]
    return a[["idx", "课程代码", "attempt", "value", "valid", "passed", "row", "column", "sheet"]].reset_index(drop=True)


def _fees(t: RawTable, sids: pd.Index, col: _Collector) -> pd.DataFrame:
    t = _drop_notes(t, col)
    t, idx = _attach_students(t, sids, col)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows,
                        "item": as_text(d["收费项目"]) if "收费项目" in d else ""})
    for column, name in (("应缴金额", "due"), ("已缴金额", "paid"), ("欠费金额", "arrears")):
        if column not in d.columns:
            out[name] = np.nan
            continue
        v, bad = parse_money(d[column])
        if bad.any():
            col.add(P.frame(t.file, t.sheet, t.rows[bad.to_numpy()], t.headers[column], d[column][bad],
                            "金额无法识别，按 0 计", "金额（元），如 1200.50", d["学号"][bad]))
        out[name] = v.to_numpy()
    mismatch = out["arrears"].notna() & ((out["due"].fillna(0) - out["paid"].fillna(0) - out["arrears"]).abs() > 0.005)
    if mismatch.any():
        m = mismatch.to_numpy()
        col.add(P.frame(t.file, t.sheet, t.rows[m], t.headers["欠费金额"], d["欠费金额"][m],
                        "欠费金额与应缴金额 − 已缴金额不符", "应缴金额 − 已缴金额", d["学号"][m]))
    out["due"] = out["due"].fillna(0.0)
    out["paid"] = out["paid"].fillna(0.0)
    return out


def _internship(t: RawTable, sids: pd.Index, params: Params, col: _Collector) -> pd.DataFrame:
    t = _drop_notes(t, col)
    t, idx = _attach_students(t, sids, col)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows,
                        "company": as_text(d["实习单位"]) if "实习单位" in d else ""})

    def flag(mask, column, problem, expected):
        m = np.asarray(mask, dtype=bool)
        if m.any():
            col.add(P.frame(t.file, t.sheet, t.rows[m], t.headers.get(column, column), d[column][m],
                            problem, expected, d["学号"][m]))

    for column, name in (("审批表", "form"), ("实习报告", "report")):
        v, bad = parse_yesno(d[column])
        out[name] = v.to_numpy()
        flag(bad, column, f"{column}的值无法识别，按未交处理", "是/否、已交/未交、有/无")
    if "提交日期" in d.columns:
        date, bad = parse_dates(d["提交日期"])
        flag(bad, "提交日期", "提交日期无法识别，不按逾期处理", "日期，如 2027-05-20")
    else:
        date = pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    out["date"] = date.to_numpy()
    out["date_text"] = as_text(d["提交日期"]).to_numpy() if "提交日期" in d else ""
    valid, passed, bad = parse_grades(d["实习考核"], params.pass_mark)
    flag(bad, "实习考核", "实习考核不是有效成绩，按未考核处理", "0-100 的分数或等级")
    out["assessed"] = valid.to_numpy()
    out["passed"] = passed.to_numpy()
    out["grade"] = as_text(d["实习考核"]).to_numpy()
    due = pd.Timestamp(params.internship_materials_due)
    out["late"] = (out["date"] > due).to_numpy()
    # several rows: the latest by 提交日期 counts (no date = earliest; equal dates: the most favourable)
    dup = out["idx"].duplicated(keep=False).to_numpy()
    if dup.any():
        col.add(P.frame(t.file, t.sheet, t.rows[dup], t.headers["学号"], d["学号"][dup],
                        "同一学生有多条顶岗实习记录，按提交日期最新的一条计", "每名学生一条记录", d["学号"][dup]))
    out["badness"] = (16 * (out["assessed"] & ~out["passed"]) + 8 * ~out["assessed"] + 4 * ~out["form"]
                      + 2 * ~out["report"] + 1 * out["late"]).astype(int)
    out["date_key"] = out["date"].fillna(pd.Timestamp("1900-01-01"))
    out = out.sort_values(["idx", "date_key", "badness", "company", "grade", "date_text"],
                          ascending=[True, False, True, True, True, True], kind="mergesort")
    return out.drop_duplicates("idx", keep="first").drop(columns=["date_key"]).reset_index(drop=True)


def _addresses(t: RawTable | None, sids: pd.Index, col: _Collector) -> pd.DataFrame:
    columns = ["idx", "收件人", "联系电话", "邮寄地址", "邮政编码", "row"]
    if t is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    t = _drop_notes(t, col)
    t, idx = _attach_students(t, sids, col)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows})
    for c in ("收件人", "联系电话", "邮寄地址", "邮政编码"):
        out[c] = as_text(d[c]).str.strip().to_numpy() if c in d.columns else ""
    bad_zip = (out["邮政编码"] != "") & ~out["邮政编码"].str.fullmatch(r"\d{6}")
    if bad_zip.any():
        m = bad_zip.to_numpy()
        col.add(P.frame(t.file, t.sheet, t.rows[m], t.headers["邮政编码"], out["邮政编码"][m],
                        "邮政编码不是 6 位数字", "6 位数字", d["学号"][m]))
    dup = out["idx"].duplicated(keep="last").to_numpy()
    if dup.any():
        col.add(P.frame(t.file, t.sheet, t.rows[dup], t.headers["学号"], d["学号"][dup],
                        "同一学生有多条邮寄地址，按最后一条计", "每名学生一条地址", d["学号"][dup]))
    return out[~dup][columns].reset_index(drop=True)


def parse_waivers(t: RawTable, sids: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A waivers table read again (e.g. after the review panel appended a row): (rows, their data problems)."""
    col = _Collector()
    w = _waivers(t, sids, col)
    return w, P.combine(col.data)


def _waivers(t: RawTable, sids: pd.Index, col: _Collector) -> pd.DataFrame:
    """Waiver log rows in file order, each marked valid or not (invalid ones are data problems)."""
    d = t.data
    out = pd.DataFrame({"order": np.arange(len(d)), "row": t.rows, "学号": normalise_id(d["学号"]),
                        "code_text": as_text(d["原因代码"]).str.strip(),
                        "理由": as_text(d["理由"]).str.strip(), "批准人": as_text(d["批准人"]).str.strip(),
                        "日期": as_text(d["日期"]).str.strip(),
                        "操作": as_text(d["操作"]).str.strip() if "操作" in d else "",
                        "记录人": as_text(d["记录人"]).str.strip() if "记录人" in d else "",
                        "记录时间": as_text(d["记录时间"]).str.strip() if "记录时间" in d else ""})
    out["code"] = out["code_text"].map(reason_code)
    date, bad_date = parse_dates(out["日期"])
    out["date"] = date
    out["操作"] = out["操作"].replace("", "豁免")
    label = out["code"].map(lambda c: REASON_BY_CODE[c].label if isinstance(c, str) else "")
    shown = label.where((label == "") | (label == out["code_text"]), label + "（" + out["code_text"] + "）")
    shown = shown.where(label != "", out["code_text"])
    reasons = pd.Series("", index=out.index)
    checks = [
        ((out[["学号", "code_text", "理由", "批准人", "日期"]] == "").any(axis=1), "豁免记录有空项，未生效", "学号、原因代码、理由、批准人、日期均需填写"),
        ((out["学号"] != "") & (sids.get_indexer(out["学号"]) < 0), "学号不在学籍库中，豁免未生效", "学籍库中存在的学号"),
        ((out["code_text"] != "") & out["code"].isna(), "原因代码未知，豁免未生效", "rules.md 中的原因代码或中文名称"),
        (out["code"].notna() & ~out["code"].isin(WAIVABLE), "该原因不可豁免，豁免未生效", "可豁免的原因（缴费、实习材料、照片类）"),
        (bad_date & (out["日期"] != ""), "日期无效，豁免未生效", "日期，如 2027-06-25"),
        (~out["操作"].isin(("豁免", "撤销")), "操作无效，豁免未生效", "豁免 或 撤销"),
    ]
    for mask, problem, expected in checks:
        m = mask.to_numpy(dtype=bool) & (reasons == "").to_numpy()
        reasons[m] = problem
        if m.any():
            col.add(P.frame(t.file, t.sheet, t.rows[m], t.headers["原因代码"], shown[m], problem, expected, out["学号"][m]))
    out["valid"] = reasons == ""
    out["invalid_reason"] = reasons
    out["file"] = t.file
    return out
