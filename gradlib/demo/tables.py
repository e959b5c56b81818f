"""The synthetic cohort as the department tables it is written to (columns, headers, footers)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import cat, date_text, strs
from .reference import (
    _GRADE_NATIVE,
    _GRADE_TEXT,
    C_GOOD,
    C_MID,
    COHORT,
    FEE_ITEMS,
    FORM_VALUES,
    MAJORS,
    REPORT_VALUES,
    SCHOOL,
    S,
)


@dataclass
class Col:
    header: str
    values: np.ndarray
    kind: str = "text"          # text | grade | money | date
    style: np.ndarray | None = None   # date: 0 real date, 1 2027年5月20日, 2 2027/5/20
    width: float = 12

    def text(self, a: int, b: int) -> list:
        v = self.values[a:b]
        if self.kind == "text":
            return v.tolist()
        if self.kind == "grade":
            return _GRADE_TEXT[v.astype(np.intp) + 1].tolist()
        if self.kind == "money":
            neg = np.where(v < 0, "-", "")
            m = np.abs(v)
            return cat(neg, m // 100, ".", np.strings.zfill(strs(m % 100), 2)).tolist()
        if self.kind == "date":
            return date_text(v, self.style[a:b]).tolist()
        raise ValueError(self.kind)

    def native(self, a: int, b: int) -> list:
        v = self.values[a:b]
        if self.kind == "text":
            return v.tolist()
        if self.kind == "grade":
            return _GRADE_NATIVE[v.astype(np.intp) + 1].tolist()
        if self.kind == "money":
            return [x / 100 if x % 100 else x // 100 for x in v.tolist()]
        if self.kind == "date":
            txt = date_text(v, self.style[a:b]).tolist()
            real = (self.style[a:b] == 0) & ~np.isnat(v)
            out = np.array(txt, dtype=object)
            out[real] = v[real].astype(object)
            return out.tolist()
        raise ValueError(self.kind)



@dataclass
class Table:
    stem: str
    sheet: str
    cols: list
    title: str | None = None
    footer: list = field(default_factory=list)   # rows of native values, after one blank row
    keys: tuple = ()                             # an import template's row of field keys under the header

    @property
    def n(self) -> int:
        return len(self.cols[0].values)



def tables(co, as_csv: bool) -> list[Table]:
    """The five department tables of the cohort (the mailing addresses are written apart)."""
    return [_roster(co, as_csv), _plan(co), _grades(co), _fees(co), _internship(co)]

def _roster(co, as_csv):
    n = co.n
    c = [
        Col("姓名", co.name, width=10),
        Col("性别", co.sex, width=6),
        Col("身份证号", co.idno, width=21),
        Col("出生日期", co.birth_text, width=12),
        Col("民族", co.ethnic, width=8),
        Col("政治面貌", co.politics, width=10),
        Col("籍贯", co.native_place, width=10),
        Col("年级", cat(strs(co.entry), "级"), width=8),
        Col("入学年月", cat(strs(co.entry), "09"), width=10),
        Col("修读专业", co.major_name, width=16),
        Col("学制", np.full(n, "3年", dtype=S), width=6),
        Col("班级名称", co.class_name, width=14),
        Col("班主任", co.teacher, width=10),
        Col("校内学号", co.xh, width=14),
        Col("学生状态", co.status, width=12),
        Col("成绩认定", co.certified, width=10),
        Col("准考证号", co.exam_no, width=16),
        Col("现家庭住址", co.address, width=44),
        Col("邮政编码", co.postcode, width=10),
        Col("联系电话", co.phone, width=14),
        Col("毕业证书编号", co.diploma, width=18),
    ]
    title = None if as_csv else f"{SCHOOL}{COHORT}届毕业生学籍信息"
    return Table("学籍库", "学生信息", c, title=title)

def _plan(co):
    rows = co.plan
    cols = list(zip(*rows))
    c = [Col("课程代码", strs(cols[0]), width=10), Col("课程名称", strs(cols[1]), width=24),
         Col("专业", strs(cols[2]), width=16), Col("学期", strs(cols[3]), width=6),
         Col("课程性质", strs(cols[4]), width=10)]
    return Table("教学计划", "教学计划", c)

def _grades(co):
    # one orphan row: a student transferred out and deleted from the roster, still in the grades
    orphan = f"2024{MAJORS[0].no}{1:0{co.width}d}99"
    ocols = co.major_cols[0][0]
    def add_orphan(a, fill):
        row = np.full((1, a.shape[1]), -1, np.int8)
        row[0, ocols] = fill
        return np.vstack([a, row])
    g1 = add_orphan(co.g1, 72)
    g2 = add_orphan(co.g2, -1)
    g3 = add_orphan(co.g3, -1)
    g1[-1, ocols[co.five[ocols]]] = C_MID
    xh = np.append(co.xh, strs([orphan]))
    name = np.append(co.name, strs(["邓子豪"]))
    cls = np.append(co.class_name, strs([f"24{MAJORS[0].short}1班"]))
    c = [Col("学号", xh, width=14), Col("姓名", name, width=10), Col("班级", cls, width=14)]
    for j, nm in enumerate(co.course_names):
        c.append(Col(nm, g1[:, j], "grade", width=max(8, len(nm) * 2 + 2)))
    for j, nm in enumerate(co.course_names):
        if (g2[:, j] >= 0).any():
            c.append(Col(nm + ("(补考)" if j % 2 == 0 else "（补考）"), g2[:, j], "grade",
                          width=len(nm) * 2 + 8))
    for j, nm in enumerate(co.course_names):
        if (g3[:, j] >= 0).any():
            c.append(Col(nm + ("（清考）" if j % 2 == 0 else "(清考)"), g3[:, j], "grade",
                          width=len(nm) * 2 + 8))
    return Table("成绩库", "成绩总表", c)

def _fees(co):
    n = co.n
    stu = np.repeat(np.arange(n), 3)
    item = np.tile(np.arange(3), n)
    keep = co.has_fees[stu]
    stu, item = stu[keep], item[keep]
    due = co.due[stu, item]
    paid = co.paid[stu, item]
    orphan = f"2024{MAJORS[1].no}{1:0{co.width}d}98"
    xh = np.append(co.xh[stu], strs([orphan]))
    name = np.append(co.name[stu], strs(["孙梦瑶"]))
    items = np.append(np.array(FEE_ITEMS, dtype=S)[item], strs(["学费"]))
    due = np.append(due, 240000)
    paid = np.append(paid, 240000)
    c = [Col("学号", xh, width=14), Col("姓名", name, width=10), Col("收费项目", items, width=10),
         Col("应缴金额", due, "money"), Col("已缴金额", paid, "money"),
         Col("欠费金额", due - paid, "money")]
    tot = [int(due.sum()), int(paid.sum()), int((due - paid).sum())]
    footer = [["合计", "", "", *tot], ["制表人：财务科 张某", "", "制表日期：2027年6月15日", None, None, None]]
    return Table("缴费库", "缴费明细", c, footer=footer)

def _internship(co):
    idx = np.flatnonzero(co.has_internship)
    ex = co.extra_internship
    stu = np.r_[idx, np.array([e[0] for e in ex], np.int64)]
    company = np.r_[co.company[idx], strs([e[1] for e in ex])] if ex else co.company[idx]
    form = np.r_[co.form[idx], [e[2] for e in ex]].astype(np.int8)
    report = np.r_[co.report[idx], [e[3] for e in ex]].astype(np.int8)
    date = np.r_[co.submitted[idx], np.array([e[4] for e in ex], "datetime64[D]")]
    style = np.r_[co.sub_style[idx], np.zeros(len(ex), np.int8)]
    assess = np.r_[co.assess[idx], [e[5] for e in ex]].astype(np.int8)
    order = np.argsort(co.xh[stu], kind="stable")
    stu, company, form, report, date, style, assess = (a[order] for a in
                                                        (stu, company, form, report, date, style, assess))
    orphan = f"2024{MAJORS[2].no}{1:0{co.width}d}99"
    c = [Col("学号", np.append(co.xh[stu], strs([orphan])), width=14),
         Col("姓名", np.append(co.name[stu], strs(["曾俊杰"])), width=10),
         Col("实习单位", np.append(company, strs(["南昌恒通汽车维修有限公司"])), width=32),
         Col("审批表", np.append(np.array(FORM_VALUES, dtype=S)[form], strs(["是"])), width=8),
         Col("实习报告", np.append(np.array(REPORT_VALUES, dtype=S)[report], strs(["已交"])), width=10),
         Col("提交日期", np.append(date, np.datetime64("2027-05-10")), "date",
              style=np.append(style, np.int8(0)), width=16),
         Col("实习考核", np.append(assess, np.int8(C_GOOD)), "grade", width=10)]
    return Table("顶岗实习", "顶岗实习情况", c)

def address_columns(co) -> list[np.ndarray]:
    """学号, 收件人, 联系电话, 邮寄地址, 邮政编码 of the students whose class teacher sent an address."""
    idx = np.flatnonzero(co.has_address)
    return [co.xh[idx], co.recipient[idx], co.mail_phone[idx], co.address[idx], co.mail_postcode[idx]]
