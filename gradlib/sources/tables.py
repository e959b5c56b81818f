"""The departments' tables, one parser each: a RawTable in, a typed frame out, problems into Findings.

Readers parse values; they never judge them (the pass mark, the materials deadline and fee tolerance act
in rules/). Rows of a table whose 学号 is not in the roster are orphans: listed, never added.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings import Findings, Kind
from . import values as V
from .reading import RawTable, Unreadable, any_cell_is_note, clean_header, non_blank, note_rows, read_sheet, to_table
from .schema import MAINLAND_ID_TYPES, NATURES, STATUSES, STUDENTS, Table
from .values import (
    as_text,
    normalise_id,
    parse_dates,
    parse_grades,
    parse_money,
    parse_terms,
    parse_yesno,
    temporary_id,
)


def read_table(table: Table, path: Path, sheet, found: Findings, required=None) -> RawTable | None:
    """Read one file into a RawTable; a missing or unreadable file or a missing column is structural."""
    label = path.name
    if not path.exists():
        found.stop(Kind.FILE_MISSING, label, "", None, "", str(path), "文件不存在", f"{table.label}文件")
        return None
    try:
        sh = read_sheet(path, label, sheet)
    except Unreadable as e:
        found.stop(e.kind, label, sheet or "", None, "", "", f"文件无法读取：{e}",
                   f"{table.label}的 .xlsx、.xls 或 .csv 文件")
        return None
    t = to_table(sh, table, required)
    if isinstance(t, list):
        found.extend(t)
        return None
    if sh.note:
        found.note(Kind.SUFFIX_MISMATCH, label, sh.name, [None], "", [path.suffix], sh.note, "扩展名与文件内容一致")
    for p in t.notes:
        found.note(p.kind, p.file, p.sheet, [p.row], p.column, [p.value], p.problem, p.expected)
    return t


def drop_notes(t: RawTable, found: Findings) -> RawTable:
    """Skip note rows (合计, 制表人 …) and list them as data problems."""
    notes = note_rows(t).to_numpy()
    if notes.any():
        first = t.data[notes].apply(lambda r: next((str(v) for v in r if str(v) != ""), ""), axis=1)
        found.note(Kind.NOTE_ROW, t.file, t.sheet, t.rows[notes], t.headers.get("学号", "学号"), first,
                   "非学生行（合计、制表人、备注或学号为空），已跳过", "每行一名学生，学号不为空")
    return subset(t, ~notes)


def subset(t: RawTable, keep) -> RawTable:
    """The rows of t where keep holds."""
    keep = np.asarray(keep, dtype=bool)
    if keep.all():  # nothing dropped (the usual case): no copy of a table of a million rows
        return t
    data = t.data[keep].reset_index(drop=True)
    numeric = {k: v[keep].reset_index(drop=True) for k, v in t.numeric.items()}
    return replace(t, data=data, rows=t.rows[keep], numeric=numeric)


def attach_students(t: RawTable, sids: pd.Index, found: Findings) -> tuple[RawTable, np.ndarray]:
    """Map rows to roster positions; rows whose 学号 is not in the roster are orphans (listed, dropped)."""
    sid = normalise_id(t.data["学号"])
    t.data["学号"] = sid
    idx = sids.get_indexer(sid)
    orphan = idx < 0
    if orphan.any():
        found.note(Kind.ORPHAN, t.file, t.sheet, t.rows[orphan], t.headers["学号"], sid[orphan],
                   "学号不在学籍库中（孤立记录），未计入", "学籍库中存在的学号", sid[orphan])
    t = subset(t, ~orphan)
    return t, idx[~orphan]


def _flag(found: Findings, t: RawTable, kind, mask, column, problem, expected, values=None, sids=None):
    """Data problems for the rows of t where mask holds, quoting column's cells (or values)."""
    m = np.asarray(mask, dtype=bool)
    if m.any():
        v = t.data[column][m] if values is None else pd.Series(values)[m]
        found.note(kind, t.file, t.sheet, t.rows[m], t.headers.get(column, column), v, problem, expected,
                   None if sids is None else pd.Series(sids)[m])


def students(t: RawTable, found: Findings) -> pd.DataFrame | None:
    """The roster: one row per student with parsed fields; None when its 学号 are blank or repeated."""
    d = t.data
    sid = normalise_id(d["学号"])
    d["学号"] = sid
    other = [c.name for c in STUDENTS.columns if c.name != "学号" and c.name in d.columns]
    has_data = non_blank(d[other])
    blank = (sid == "").to_numpy()
    noted = np.zeros(len(d), dtype=bool)
    if blank.any():
        noted[blank] = any_cell_is_note(subset(t, blank)).to_numpy()
    blank_with_data = blank & has_data & ~noted
    for i in np.flatnonzero(blank_with_data):
        found.structural.append(t.problem(Kind.STUDENT_ID_BLANK, i, "学号", "", "学号为空，但该行有学生信息",
                                          "每名学生都有唯一的学号"))
    t = drop_notes(t, found)
    d = t.data
    dup = d["学号"].duplicated(keep=False).to_numpy()
    if dup.any():
        for sid_value, grp in pd.Series(t.rows[dup]).groupby(d["学号"][dup].to_numpy()):
            rows = "、".join(str(r) for r in grp)
            found.stop(Kind.STUDENT_ID_DUPLICATE, t.file, t.sheet, int(grp.iloc[0]), t.headers["学号"], sid_value,
                       f"学号重复（第 {rows} 行）", "学籍库中每个学号只出现一次")
    if not len(d):
        found.stop(Kind.NO_STUDENTS, t.file, t.sheet, t.header_row, t.headers["学号"], "",
                   "学籍库中没有学生（表头下没有数据行）", "每名毕业生一行")
    if blank_with_data.any() or dup.any() or not len(d):
        return None
    return _roster_fields(t, found)


# what _roster_fields adds to the roster's own columns: gradlib's, never written to a list as a column
DERIVED_COLUMNS = ("excel_row", "source_file", "source_sheet", "id_numeric", "id_other_type", "id_temporary",
                   "birth_date", "birth_bad", "status_valid", "status", "certified")


def _roster_fields(t: RawTable, found: Findings) -> pd.DataFrame:
    """The roster's typed fields: normalised IDs, birth date, status, certification, entry year."""
    d = t.data
    has_status = "学籍状态" in d.columns
    for c in STUDENTS.columns:
        if c.name not in d.columns:
            d[c.name] = ""
    if not has_status:  # the national system's export has none: every student 在籍 (data-contract.md)
        d["学籍状态"] = "在籍"
        found.note(Kind.STATUS_COLUMN_ABSENT, t.file, t.sheet, [t.header_row], "学籍状态", [""],
                   "学籍库没有“学籍状态”列（如全国中职学籍系统的导出），全部学生按在籍审核",
                   "“学籍状态”列（在籍、休学、离校未办手续、退学、转出），如有休学、退学等学生请补上")
    out = d.copy()
    out["excel_row"] = t.rows
    out["source_file"] = t.file
    out["source_sheet"] = t.sheet
    ids = normalise_id(d["身份证号"])
    out["身份证号"] = ids
    out["id_numeric"] = t.numeric.get("身份证号", pd.Series(False, index=d.index)).to_numpy()
    id_type = as_text(d["证件类型"]).str.strip()
    out["id_other_type"] = (~id_type.isin(MAINLAND_ID_TYPES)).to_numpy()
    out["id_temporary"] = temporary_id(ids).to_numpy() & ~out["id_numeric"].to_numpy() & ~out["id_other_type"].to_numpy()
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
    _flag(found, t, Kind.TEMPORARY_ID, tmp, "身份证号", "临时身份证号（全国学籍系统临时号），未做校验",
          "正式的 18 位身份证号", values=ids, sids=out["学号"])
    _flag(found, t, Kind.OTHER_ID_TYPE, out["id_other_type"].to_numpy(), "证件类型",
          "证件不是居民身份证，证件号未按 GB 11643 校验", "居民身份证，或港澳台居民居住证、护照等（不校验）",
          sids=out["学号"])
    for kind, mask, column, problem, expected in (
            (Kind.BAD_DATE, birth_bad, "出生日期", "出生日期不是有效日期", "日期，如 2008-05-01"),
            (Kind.BAD_YESNO, cert_bad, "成绩认定", "成绩认定不是“是/否”", "是 或 否"),
            (Kind.BAD_STATUS, ~out["status_valid"] & (status != ""), "学籍状态", "学籍状态不在规定取值内，按在籍审核",
             "、".join(STATUSES))):
        _flag(found, t, kind, mask, column, problem, expected, sids=out["学号"])
    return out.reset_index(drop=True)


def curriculum(t: RawTable, found: Findings) -> pd.DataFrame:
    """The curriculum plan: one row per (专业, 课程代码), 课程性质 checked, required = 必修 or 实习."""
    d = t.data
    out = pd.DataFrame({
        "专业": as_text(d["专业"]).str.strip(),
        "课程代码": normalise_id(d["课程代码"]),
        "课程名称": as_text(d["课程名称"]).map(clean_header),  # matched against grade headers, spaces removed
        "课程性质": as_text(d["课程性质"]).str.strip(),
        "学期": as_text(d["学期"]) if "学期" in d else "",
        "excel_row": t.rows,
    })
    if "学期" in d:
        term, bad_term = parse_terms(d["学期"])
        _flag(found, t, Kind.BAD_TERM, bad_term, "学期", "学期不是 1-6 的整数，已忽略（不影响审核）", "1-6 的整数，如 3")
        out["学期"] = term.to_numpy()
    blank = (out["专业"] == "") | (out["课程代码"] == "")
    if blank.any():
        found.note(Kind.PLAN_ROW_INCOMPLETE, t.file, t.sheet, t.rows[blank.to_numpy()], "专业/课程代码",
                   out["课程名称"][blank], "教学计划行缺少专业或课程代码，已跳过", "每行有专业和课程代码")
    out = out[~blank]
    bad_nature = ~out["课程性质"].isin(NATURES)
    if bad_nature.any():
        found.note(Kind.BAD_NATURE, t.file, t.sheet, out["excel_row"][bad_nature], t.headers["课程性质"],
                   out["课程性质"][bad_nature], "课程性质无效，按必修课审核", "必修、选修 或 实习")
        out.loc[bad_nature, "课程性质"] = "必修"
    dup = out.duplicated(["专业", "课程代码"], keep="first")
    if dup.any():
        found.note(Kind.DUPLICATE_COURSE, t.file, t.sheet, out["excel_row"][dup], t.headers["课程代码"],
                   out["课程代码"][dup], "同一专业的课程代码重复，已按第一行计", "每个专业的课程代码只出现一次")
    out = out[~dup]
    out["required"] = out["课程性质"].isin(("必修", "实习"))
    return out.reset_index(drop=True)


_MONEY_KINDS = {V.MONEY_BAD: (Kind.BAD_MONEY, "不是金额"), V.MONEY_NEGATIVE: (Kind.MONEY_NEGATIVE, "金额为负数"),
                V.MONEY_DECIMALS: (Kind.MONEY_DECIMALS, "金额超过 2 位小数")}
_REQUIRED_MONEY = ("应缴金额", "已缴金额")


def fees(t: RawTable, sids: pd.Index, found: Findings) -> pd.DataFrame:
    """Fee rows: idx, row, item, due, paid, arrears (yuan), usable and unusable (why not, per row).

    A required amount (应缴金额, 已缴金额) that is blank or not an amount (negative, 3 decimals, text, a formula
    without a cached value) makes the row unusable: it never counts in the student's favour — the rules give
    PAYMENT_RECORD_MISSING with this evidence — and never as 0.
    """
    t = drop_notes(t, found)
    t, idx = attach_students(t, sids, found)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows,
                        "item": as_text(d["收费项目"]) if "收费项目" in d else ""})
    why_not = np.full(len(d), "", dtype=object)
    for column, name in (("应缴金额", "due"), ("已缴金额", "paid"), ("欠费金额", "arrears")):
        if column not in d.columns:
            out[name] = np.nan
            continue
        v, bad, why = parse_money(d[column])
        required = column in _REQUIRED_MONEY
        for code, (kind, text) in _MONEY_KINDS.items():
            mask = (why == code).to_numpy()
            tail = "，该行不计入缴费（按无缴费记录处理）" if required else "，已忽略"
            _flag(found, t, kind, mask, column, text + tail, "不小于 0、最多 2 位小数的金额（元），如 1200.50",
                  sids=d["学号"])
        if required:
            blank = v.isna().to_numpy() & ~bad.to_numpy()
            _flag(found, t, Kind.MONEY_BLANK, blank, column,
                  f"{column}为空（或为没有计算结果的公式），该行不计入缴费（按无缴费记录处理）",
                  "金额（元），如 1200.50；公式请先计算并保存", sids=d["学号"])
            label = t.headers.get(column, column)
            new = (blank | bad.to_numpy()) & (why_not == "")
            if new.any():
                cells = as_text(d[column]).to_numpy(dtype=object)[new]
                why_not[new] = np.where(blank[new], f"“{label}”为空", "“" + label + "”为“" + cells + "”，不是有效金额")
        out[name] = v.to_numpy()
    out["usable"] = why_not == ""
    out["unusable"] = ""
    if not out["usable"].all():
        u = ~out["usable"].to_numpy()
        out.loc[u, "unusable"] = t.file + " 第 " + pd.Series(t.rows[u]).astype(str).to_numpy() + " 行" + why_not[u]
    mismatch = (out["usable"] & out["arrears"].notna()
                & ((out["due"] - out["paid"] - out["arrears"]).abs() > 0.005))
    _flag(found, t, Kind.ARREARS_MISMATCH, mismatch, "欠费金额", "欠费金额与应缴金额 − 已缴金额不符",
          "应缴金额 − 已缴金额", sids=d["学号"])
    out["due"] = out["due"].where(out["usable"], 0.0)
    out["paid"] = out["paid"].where(out["usable"], 0.0)
    return out


def internship(t: RawTable, sids: pd.Index, found: Findings) -> pd.DataFrame:
    """Every internship row, parsed: idx, row, company, form, report, date, date_text, grade and its parse.

    Which row counts when a student has several, and whether it passed or came late, is for the rules.
    """
    t = drop_notes(t, found)
    t, idx = attach_students(t, sids, found)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows,
                        "company": as_text(d["实习单位"]) if "实习单位" in d else ""})
    for column, name in (("审批表", "form"), ("实习报告", "report")):
        v, bad = parse_yesno(d[column])
        out[name] = v.to_numpy()
        _flag(found, t, Kind.BAD_YESNO, bad, column, f"{column}的值无法识别，按未交处理",
              "是/否、已交/未交、已提交/未提交、有/无",
              sids=d["学号"])
    if "提交日期" in d.columns:
        date, bad = parse_dates(d["提交日期"])
        _flag(found, t, Kind.BAD_DATE, bad, "提交日期", "提交日期无法识别，不按逾期处理", "日期，如 2027-05-20",
              sids=d["学号"])
    else:
        date = pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    out["date"] = date.to_numpy()
    out["date_text"] = as_text(d["提交日期"]).to_numpy() if "提交日期" in d else ""
    valid, score, level_pass, bad = parse_grades(d["实习考核"])
    _flag(found, t, Kind.NOT_A_GRADE, bad, "实习考核", "实习考核不是有效成绩，按未考核处理", "0-100 的分数或等级",
          sids=d["学号"])
    out["assessed"] = valid.to_numpy()
    out["score"] = score.to_numpy()
    out["level_pass"] = level_pass.to_numpy()
    out["grade"] = as_text(d["实习考核"]).to_numpy()
    dup = out["idx"].duplicated(keep=False).to_numpy()
    _flag(found, t, Kind.DUPLICATE_ROW, dup, "学号", "同一学生有多条顶岗实习记录，按提交日期最新的一条计",
          "每名学生一条记录", sids=d["学号"])
    return out


def addresses(t: RawTable | None, sids: pd.Index, found: Findings) -> pd.DataFrame:
    """Mailing addresses: the last row per student counts; a postcode that is not 6 digits is reported."""
    columns = ["idx", "收件人", "联系电话", "邮寄地址", "邮政编码", "row"]
    if t is None:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    t = drop_notes(t, found)
    t, idx = attach_students(t, sids, found)
    d = t.data
    out = pd.DataFrame({"idx": idx, "row": t.rows})
    for c in ("收件人", "联系电话", "邮寄地址", "邮政编码"):
        out[c] = as_text(d[c]).str.strip().to_numpy() if c in d.columns else ""
    bad_zip = (out["邮政编码"] != "") & ~out["邮政编码"].str.fullmatch(r"\d{6}")
    _flag(found, t, Kind.BAD_POSTCODE, bad_zip, "邮政编码", "邮政编码不是 6 位数字", "6 位数字",
          values=out["邮政编码"], sids=d["学号"])
    dup = out["idx"].duplicated(keep="last").to_numpy()
    _flag(found, t, Kind.DUPLICATE_ROW, dup, "学号", "同一学生有多条邮寄地址，按最后一条计", "每名学生一条地址",
          sids=d["学号"])
    return out[~dup][columns].reset_index(drop=True)
