"""The demo cohort as real school systems send it (``gradlib demo --messy``), same students, same decisions.

The departments' tables of the same SyntheticCohort, written the way the field writes them
(data-contract.md): the national 中职学生管理信息系统's student export (its own headers, no 学籍状态, the
household-registration 详细地址 beside the current 现家庭住址, 证件类型), course registers printed two-up, one
sheet per course of one class with the course in its title block (课程代码：C01) and a 考试情况 column, a
finance system's GBK fee export with 应缴/实缴, an import template for the internship with required-field
marks in its headers and a row of English field keys under them, and the short vocabularies (旷考, 免修,
补考合格, 优/良/中/差, 已提交/未提交/已上交, full-width digits).

Every value is rewritten only into a form the contract reads as the same fact, so a correct reader decides
every student as on the clean demo — except what the national export cannot carry: without a 学籍状态
column every student is 在籍, so the few students planted as 休学, 退学, 转出 or 离校未办手续 are decided as
enrolled students (``Scenario.without_status``). The draws of this module use a generator of their own, so
the cohort itself is the clean demo's, cell for cell.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import xlsxwriter

from .arrays import cat, strs
from .reference import (
    _GRADE_NATIVE,
    C_ABSENT,
    C_EXCELLENT,
    C_FAIL,
    C_GOOD,
    C_MID,
    COHORT,
    CREATED,
    MAJORS,
    REGIONS,
    SCHOOL,
    TOWNS,
    VILLAGES,
    S,
)
from .tables import Col, Table

# the files as the departments name them (params.yaml's sources point at these)
FILES = {"students": "学生基本信息.xlsx", "curriculum": "教学计划.xlsx", "grades": "课程成绩登记表.xlsx",
         "fees": "收费统计.csv", "internship": "顶岗实习导入模板.xlsx", "addresses": "邮寄地址.csv"}
REGISTER_HEADER = ("序号", "学号", "姓名", "考试情况", "成绩", "补考成绩", "清考成绩")
INTERNSHIP_HEADER = ("学号(*)", "姓名", "实习企业名称", "校外实习审批表＊", "顶岗实习报告（必填）", "材料提交日期",
                     "*实习成绩")
INTERNSHIP_KEYS = ("std.code", "std.name", "company_name", "approval_form", "report", "submit_date", "score")
FEE_HEADER = ("序号", "学号", "姓名", "班级", "收费类型", "应缴", "实缴")
# the clean demo's yes/no codes (reference.FORM_VALUES, REPORT_VALUES) in an import template's words
FORM_WORDS = ("已提交", "已上交", "未提交", "未上交", "")
REPORT_WORDS = ("已提交", "未提交", "")
_SHORT_LEVEL = {C_EXCELLENT: "优", C_GOOD: "良", C_MID: "中", C_FAIL: "差"}
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
MAX_SHEET_NAME = 31
# one register per course of each class: about 0.3 sheets per student, and a workbook of many sheets is slow
# to read (every sheet is opened on its own: 3,000 students ≈ 900 sheets ≈ 12 s, 10,000 ≈ 2.5 min)
MAX_STUDENTS = 10_000


def messy_rng(seed: int) -> np.random.Generator:
    """The generator of the messy rewriting (apart from the cohort's own, which it never draws from)."""
    return np.random.default_rng([seed, 14])


# --------------------------------------------------------------------------
# Values in the field's words
# --------------------------------------------------------------------------
def _full_width(values: np.ndarray) -> list[str]:
    return [str(int(v)).translate(_FULL_WIDTH) for v in values]


def grade_cells(codes: np.ndarray, rng: np.random.Generator, attempt: str) -> tuple[np.ndarray, np.ndarray]:
    """Grade codes (reference.py) as a register writes them, and the 考试情况 of a first attempt.

    Every rewrite keeps the attempt's meaning: 优秀→优 and 不及格→差 (the short five-level words), a few marks
    in full-width digits, an absence as 考试情况 旷考/缺考 over a blank or 0 grade cell (first attempt) or the
    word 旷考 (makeups), a few passing first attempts as 免修/免考, a few failed ones as 考试情况 作弊, a passing
    makeup as 补考合格 and a failing one as 不合格.
    """
    n = len(codes)
    out = _GRADE_NATIVE[codes.astype(np.intp) + 1].copy()
    status = np.full(n, "", dtype=object)
    r = rng.random(n)
    for code, short in _SHORT_LEVEL.items():
        out[(codes == code) & (r < 0.5)] = short
    number = (codes >= 0) & (codes <= 100)
    fw = number & (rng.random(n) < 0.03)
    out[fw] = _full_width(codes[fw])
    absent = codes == C_ABSENT
    passing = (number & (codes >= 60)) | ((codes >= C_EXCELLENT) & (codes < C_FAIL))
    failing = number & (codes < 60) | (codes == C_FAIL)
    r2 = rng.random(n)
    if attempt == "成绩":
        status[codes >= 0] = "正常"
        status[absent] = np.where(r2[absent] < 0.5, "旷考", "缺考")
        out[absent] = np.where(r[absent] < 0.5, None, 0)
        exempt = passing & (r2 < 0.01)
        out[exempt] = np.where(r[exempt] < 0.5, "免修", "免考")
        cheat = number & (codes < 60) & (r2 > 0.9)
        status[cheat] = "作弊"
        out[cheat] = 0
    elif attempt in ("补考", "清考"):
        out[absent] = "旷考"
        out[passing & (r2 < 0.3)] = "补考合格"
        out[failing & (r2 < 0.2)] = "不合格"
    return out, status


def _money_text(cents: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Amounts as a finance export writes them: 2,600.00, ￥2600.5, 2600.50元, 2600."""
    yuan, fen = np.abs(cents) // 100, np.abs(cents) % 100
    grouped = np.array([f"{y:,}" for y in yuan.tolist()], dtype=S)
    two = np.strings.zfill(strs(fen), 2)
    short = np.where(fen % 10 == 0, strs(fen // 10), two)
    plain = cat(yuan, np.where(fen == 0, strs(""), cat(".", short)))
    return np.where(style == 0, cat(grouped, ".", two),
                    np.where(style == 1, cat("￥", plain), np.where(style == 2, cat(yuan, ".", two, "元"), plain)))


# --------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------
def national_roster(co, rng) -> Table:
    """The national system's student-information export: its headers, its order, no 学籍状态 column."""
    n = co.n
    place = np.array([r[1] + r[2] + r[3] for r in REGIONS], dtype=S)[co.region]
    household = cat(place, np.array(TOWNS, dtype=S)[rng.integers(0, len(TOWNS), n)],
                    np.array(VILLAGES, dtype=S)[rng.integers(0, len(VILLAGES), n)], "村",
                    rng.integers(1, 12, n), "组", rng.integers(1, 120, n), "号")
    household = np.where(rng.random(n) < 0.4, co.address, household)
    household = np.where(co.address == "", cat(place, "人民路", rng.integers(1, 300, n), "号"), household)
    idt = np.where(co.idno == "", strs(""), np.where(rng.random(n) < 0.1, strs(""), strs("居民身份证")))
    ids = np.strings.upper(co.idno)
    c = [
        Col("身份证号", co.idno, width=21),
        Col("姓名", co.name, width=10),
        Col("性别", co.sex, width=6),
        Col("证件类型", idt, width=12),
        Col("出生日期", co.birth_text, width=12),
        Col("民族", co.ethnic, width=8),
        Col("政治面貌", co.politics, width=10),
        Col("籍贯", co.native_place, width=10),
        Col("年级", cat(strs(co.entry), "级"), width=8),
        Col("入学年月", cat(strs(co.entry), "09"), width=10),
        Col("修读专业", co.major_name, width=16),
        Col("学制", np.full(n, "3年", dtype=S), width=6),
        Col("班级", co.class_name, width=14),
        Col("校内学号", co.xh, width=14),
        Col("省级电子注册学籍号", np.where(ids == "", strs(""), cat("G", ids)), width=22),
        Col("就读方式", np.full(n, "全日制", dtype=S), width=8),
        Col("详细地址", household, width=44),
        Col("现家庭住址", co.address, width=44),
        Col("邮政编码", co.postcode, width=10),
        Col("联系电话", co.phone, width=14),
    ]
    return Table("学生基本信息", "学生信息", c, title=f"{SCHOOL}学生基本信息（{COHORT}届）")


def plan(co) -> Table:
    """The curriculum plan with the alias headers of academic affairs' own system."""
    cols = list(zip(*co.plan))
    c = [Col("专业名称", strs(cols[2]), width=16), Col("课程编号", strs(cols[0]), width=10),
         Col("课程名称", strs(cols[1]), width=24), Col("开课学期", strs(cols[3]), width=8),
         Col("课程类别", strs(cols[4]), width=10)]
    return Table("教学计划", "教学计划", c)


def internship(co, rng) -> Table:
    """The employment office's import template: marked headers, a key row, 已提交/未提交, 优/良/中/差."""
    from .tables import _internship

    t = _internship(co)
    form_codes = t.cols[3].values
    report_codes = t.cols[4].values
    c = list(t.cols)
    c[3] = Col(INTERNSHIP_HEADER[3], _words(form_codes, ("是", "已交", "否", "未交", ""), FORM_WORDS), width=14)
    c[4] = Col(INTERNSHIP_HEADER[4], _words(report_codes, ("已交", "未交", ""), REPORT_WORDS), width=16)
    assess, _ = grade_cells(t.cols[6].values, rng, "实习")
    c[6] = Col(INTERNSHIP_HEADER[6], assess, width=10)
    for j in (0, 1, 2, 5):
        c[j] = Col(INTERNSHIP_HEADER[j], t.cols[j].values, t.cols[j].kind, t.cols[j].style, t.cols[j].width)
    return Table("顶岗实习导入模板", "Sheet1", c, keys=INTERNSHIP_KEYS)


def _words(values: np.ndarray, clean: tuple, messy: tuple) -> np.ndarray:
    """Yes/no cells of the clean demo in the template's words (the same answer, another word)."""
    table = dict(zip(clean, messy))
    return np.array([table[str(v)] for v in values.tolist()], dtype=S)


def fee_rows(co, rng) -> tuple[list[str], list[list[str]]]:
    """The finance system's fee statistics: 收费类型, 应缴, 实缴 (no 欠费金额), amounts as text, a 合计 row."""
    from .tables import _fees

    t = _fees(co)
    xh, name, item, due, paid = (t.cols[j].values for j in range(5))
    cls = dict(zip(co.xh.tolist(), co.class_name.tolist()))
    style = rng.integers(0, 4, len(xh))
    due_t, paid_t = _money_text(due, style), _money_text(paid, style)
    rows = [[str(i + 1), x, nm, cls.get(x, ""), it, d, p] for i, (x, nm, it, d, p) in
            enumerate(zip(xh.tolist(), name.tolist(), item.tolist(), due_t.tolist(), paid_t.tolist()))]
    rows.append(["合计", "", "", "", "", f"{int(due.sum()) / 100:.2f}", f"{int(paid.sum()) / 100:.2f}"])
    return list(FEE_HEADER), rows


# --------------------------------------------------------------------------
# Course registers: one sheet per course of one class, printed two-up
# --------------------------------------------------------------------------
def _orphan(co):
    """The grades' orphan of the clean demo (a student transferred out and deleted from the roster)."""
    cols = co.major_cols[0][0]
    g = np.full(len(co.course_names), -1, np.int8)
    g[cols] = 72
    g[cols[co.five[cols]]] = C_MID
    return f"2024{MAJORS[0].no}{1:0{co.width}d}99", "邓子豪", g


def registers(co, rng):
    """Each register: (sheet name, title rows, rows of REGISTER_HEADER cells, whether makeup columns are shown)."""
    o_xh, o_name, o_g = _orphan(co)
    out = []
    for mi, m in enumerate(MAJORS):
        for cl in range(int(co.cls[co.major == mi].max()) + 1):
            idx = np.flatnonzero((co.major == mi) & (co.cls == cl))
            cname = str(co.class_name[idx[0]])
            for k, (cname_course, sem, typ) in enumerate(m.courses, start=1):
                j = co.col_of[cname_course]
                code = f"{m.prefix}{k:02d}"
                g = np.stack([co.g1[idx, j], co.g2[idx, j], co.g3[idx, j]], axis=1)
                xh, name = co.xh[idx].tolist(), co.name[idx].tolist()
                if mi == 0 and cl == 0:
                    g = np.vstack([g, [o_g[j], -1, -1]])
                    xh, name = xh + [o_xh], name + [o_name]
                keep = (g >= 0).any(axis=1) if typ == "选修" else np.ones(len(g), bool)
                if not keep.any():
                    continue
                g = g[keep]
                xh = [x for x, kk in zip(xh, keep) if kk]
                name = [x for x, kk in zip(name, keep) if kk]
                first, status = grade_cells(g[:, 0], rng, "成绩")
                makeup, _ = grade_cells(g[:, 1], rng, "补考")
                clear, _ = grade_cells(g[:, 2], rng, "清考")
                rows = [[i + 1, x, nm, st, a, b, c] for i, (x, nm, st, a, b, c) in
                        enumerate(zip(xh, name, status.tolist(), first.tolist(), makeup.tolist(), clear.tolist()))]
                title = [[f"{SCHOOL}课程成绩登记表"],
                         [f"课程代码：{code}", "", "", f"课程名称：{cname_course}", "", "", f"班级：{cname}"],
                         [f"课程类别：{typ}", "", "", f"开课学期：第{sem}学期", "", "", "考核方式：考试"]]
                sheet = f"{cname}{cname_course}"[:MAX_SHEET_NAME]
                out.append((sheet, title, rows, bool((g[:, 1:] >= 0).any())))
    return out


def write_registers(path: Path, co, rng) -> int:
    """The grades workbook of course registers; returns the number of sheets."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": f"{SCHOOL}{COHORT}届 课程成绩登记表", "author": "gradlib.demo", "company": SCHOOL,
                       "created": CREATED})
    bold = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center"})
    cell = wb.add_format({"border": 1})
    regs = registers(co, rng)
    for sheet, title, rows, makeups in regs:
        ws = wb.add_worksheet(sheet)
        header = list(REGISTER_HEADER if makeups else REGISTER_HEADER[:5])
        w = len(header)
        ws.merge_range(0, 0, 0, 2 * w - 1, title[0][0], bold)
        ws.write_row(1, 0, title[1])
        ws.write_row(2, 0, title[2])
        ws.write_row(3, 0, header + header, head)
        for j, width in enumerate([5, 14, 9, 9, 7, 9, 9][:w] * 2):
            ws.set_column(j, j, width)
        half = (len(rows) + 1) // 2
        for i, row in enumerate(rows):
            r, c0 = (4 + i, 0) if i < half else (4 + i - half, w)
            ws.write_row(r, c0, row[:w], cell)
        ws.repeat_rows(3)
        ws.set_landscape()
    wb.close()
    return len(regs)


def write_fees(path: Path, co, rng) -> None:
    """The fee export in GBK, as a finance system on a Chinese Windows saves it, with a title line."""
    header, rows = fee_rows(co, rng)
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"{SCHOOL}{COHORT}届学生收费统计表"] + [""] * (len(header) - 1))
        w.writerow(header)
        w.writerows(rows)


def write_addresses(path: Path, cols: list[np.ndarray]) -> None:
    """The class teachers' mailing addresses with the alias headers 电话, 地址, 邮编 (GBK)."""
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学号", "收件人", "电话", "地址", "邮编"])
        w.writerows(zip(*(c.tolist() for c in cols)))
