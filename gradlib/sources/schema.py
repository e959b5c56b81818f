"""Declarations of the departments' tables (data-contract.md): columns, aliases, kinds, required.

The declarations drive reading (header detection, aliases), validation and the docs.
"""
from __future__ import annotations

from dataclasses import dataclass

NOTE_PREFIXES = ("合计", "总计", "小计", "制表", "审核", "填表", "备注", "说明")
STATUSES = ("在籍", "休学", "离校未办手续", "退学", "转出")
NATURES = ("必修", "选修", "实习")
TERMS = ("1", "2", "3", "4", "5", "6")
EXAM_STATUSES = ("正常", "缺考", "旷考", "作弊", "缓考", "取消资格")
MAINLAND_ID_TYPES = ("", "居民身份证", "身份证", "中华人民共和国居民身份证")  # checked against GB 11643


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text | id | date | yesno | money | grade | year
    required: bool = False
    expected: str = ""  # what a valid value looks like, in Chinese

    @property
    def headers(self) -> tuple[str, ...]:
        """Accepted headers, in order of precedence: the canonical name, then the aliases."""
        return (self.name,) + self.aliases


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def C(name, *aliases, kind="text", required=False, expected=""):
    return Column(name, tuple(aliases), kind, required, expected)


SID = C("学号", kind="id", required=True, expected="学生的学号")

STUDENTS = Table("students", "学籍库", (
    C("学号", "学籍号", "校内学号", kind="id", required=True, expected="唯一的学号"),
    C("姓名", "学生姓名", required=True),
    C("性别", required=True, expected="男 或 女"),
    C("身份证号", "身份证号码", "证件号码", "身份证件号", "身份证", "证件号", kind="id", required=True,
      expected="18 位身份证号，以文本格式保存"),
    C("出生日期", kind="date", required=True, expected="日期，如 2008-05-01"),
    C("民族", required=True),
    C("政治面貌", required=True),
    C("籍贯"),
    # the national export's 详细地址 is the household-registration address: every current-home header comes first
    C("家庭地址", "家庭住址", "现家庭住址", "现家庭详细地址", "家庭现地址", "详细地址", required=True),
    C("中考报名序号", "准考证号", kind="id"),
    C("专业", "专业名称", "修读专业", "专业简称", required=True),
    C("班级", "班级名称", "所在班级", "行政班", required=True),
    C("班主任"),
    C("入学年份", "入学年度", "入学年月", kind="year", expected="年份，如 2024 或 202409"),
    C("学籍状态", "状态", "学生状态", expected="、".join(STATUSES)),
    C("证件类型", "身份证件类型", expected="居民身份证（空白即居民身份证）、港澳台居民居住证、护照等"),
    C("成绩认定", "教务科成绩认定", kind="yesno", expected="是 或 否"),
    C("证书编号", "毕业证书编号", kind="id"),
    C("联系电话", "手机号", "学生本人联系电话"),
))

CURRICULUM = Table("curriculum", "教学计划", (
    C("专业", "专业名称", required=True),
    C("课程代码", "课程编号", kind="id", required=True),
    C("课程名称", required=True),
    C("学期", "开课学期", expected="1-6 的整数"),
    C("课程性质", "课程类别", required=True, expected="必修、选修 或 实习"),
))

GRADES = Table("grades", "成绩库", (
    C("学号", "学生", kind="id", required=True, expected="学生的学号"),
    C("课程代码", "课程编号", "课程号", "课程编码", "课程", kind="id"),
    C("课程名称"),
    C("成绩", "总评成绩", "总评", "总成绩", "考试成绩", "期末成绩", kind="grade"),
    C("考试情况", expected="、".join(EXAM_STATUSES)),
    C("补考成绩", kind="grade"),
    C("清考成绩", kind="grade"),
))

FEES = Table("fees", "缴费库", (
    SID,
    C("收费项目", "项目", "收费类型", "费用科目"),
    C("应缴金额", "应收金额", "应缴", "应缴费用", kind="money", required=True, expected="金额（元），如 1200.50"),
    C("已缴金额", "实缴金额", "实缴", "已缴", "缴费金额", kind="money", required=True, expected="金额（元），如 1200.50"),
    C("欠费金额", kind="money", expected="应缴金额 − 已缴金额"),
))

INTERNSHIP = Table("internship", "顶岗实习", (
    SID,
    C("实习单位", "实习企业名称", "实习单位名称"),
    C("审批表", "校外实习审批表", kind="yesno", required=True, expected="是/否、已交/未交、已提交/未提交"),
    C("实习报告", "顶岗实习报告", kind="yesno", required=True, expected="是/否、已交/未交、已提交/未提交"),
    C("提交日期", "材料提交日期", kind="date", expected="日期，如 2027-05-20"),
    C("实习考核", "实习成绩", kind="grade", required=True, expected="0-100 的分数或等级"),
))

ADDRESSES = Table("addresses", "邮寄地址", (
    SID,
    C("收件人", required=True),
    C("联系电话", "电话", required=True),
    C("邮寄地址", "地址", required=True),
    C("邮政编码", "邮编", kind="id", expected="6 位数字"),
))

WAIVERS = Table("waivers", "豁免记录", (
    C("学号", kind="id", required=True),
    C("原因代码", required=True, expected="原因代码或其中文名称"),
    C("理由", required=True),
    C("批准人", required=True),
    C("日期", kind="date", required=True, expected="日期，如 2027-06-25"),
    C("操作", expected="豁免 或 撤销"),
    C("记录人"),
    C("记录时间"),
))

TABLES = {t.key: t for t in (STUDENTS, CURRICULUM, GRADES, FEES, INTERNSHIP, ADDRESSES)}

# Columns of the roster (and 序号) that a wide grade sheet may carry besides its courses.
ROSTER_HEADERS = frozenset(h for c in STUDENTS.columns for h in c.headers) | {"序号", "备注"}
