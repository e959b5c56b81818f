"""The one table of outcomes, reasons and waiver states (rules.md): code, 中文, outcome, article, colour…

Rules, lists, widgets and docs all read their labels, articles and colours from here.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    severity: int  # higher is more severe
    meaning: str
    color: str     # charts and badges (white text on it stays readable)


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("NOT_ELIGIBLE", "不具备毕业资格", 4, "当年不予提交毕业申请", "#757575"),
    Outcome("WITHHELD", "缓发毕业证书", 3, "补考认定后方可毕业，有截止日期", "#D84343"),
    Outcome("DEFERRED", "暂缓领取", 2, "准予毕业，补齐手续或费用后方可领取", "#CF6F13"),
    Outcome("COLLECT", "可领取", 1, "可在发放期内领取毕业证书及报到证", "#3D8B47"),
)
ABANDONED = Outcome("ABANDONED", "视同放弃", 5, "缓发期满未参加认定，视同放弃毕业证书及报到证", "#424242")

OUTCOME_BY_CODE = {o.code: o for o in OUTCOMES + (ABANDONED,)}
OUTCOME_ORDER = [o.code for o in OUTCOMES]  # most severe first


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    outcome: str
    article: str
    waivable: bool
    when: str  # the condition, in Chinese, for docs and the data-problems sheet
    # a reason found in the data is also a row of 数据问题清单: (source table, column shown, what is expected)
    problem_at: tuple[str, str, str] | None = None


REASONS: tuple[Reason, ...] = (
    Reason("LEFT_WITHOUT_PROCEDURE", "未办理休学、请假等手续离校", "NOT_ELIGIBLE", "第五条", False,
           "学籍状态为“离校未办手续”"),
    Reason("NO_STATUS", "无学籍（已退学或转出）", "NOT_ELIGIBLE", "第五条、第十五条", False,
           "学籍状态为“退学”或“转出”"),
    Reason("SUSPENDED_FEES_OWED", "休学学生未补交所欠学杂费", "NOT_ELIGIBLE", "第五条", False,
           "休学学生欠缴学杂费，或缴费库中无其缴费记录"),
    Reason("SUSPENDED_GRADES_UNCERTIFIED", "休学学生未经教务科成绩认定", "NOT_ELIGIBLE", "第五条", False,
           "休学学生的“成绩认定”不为“是”"),
    Reason("COURSE_FAILED", "课程经补考、清考后仍不合格", "WITHHELD", "第十五条", False,
           "必修或实习课程有有效成绩，但补考、清考后仍无合格成绩"),
    Reason("INTERNSHIP_FAILED", "顶岗实习考核不合格", "WITHHELD", "第十五条", False,
           "实习考核成绩不合格"),
    Reason("RECORD_INCOMPLETE", "学籍信息缺失或有误", "DEFERRED", "第一条、第二条", False,
           "学籍库必填项为空，性别不是男/女，出生日期不是日期，或学籍状态不在五种之内",
           ("students", "学籍信息", "必填项齐全，性别为男/女，出生日期为日期，学籍状态为规定取值")),
    Reason("MAJOR_NOT_IN_PLAN", "专业不在教学计划中", "DEFERRED", "第十五条", False,
           "专业为空或教学计划中没有该专业", ("students", "专业", "教学计划中的专业名称")),
    Reason("GRADE_MISSING", "必修课程无有效成绩", "DEFERRED", "第七条、第十五条", False,
           "必修或实习课程在所有考试中均无有效成绩", ("grades", "课程", "该生专业每门必修、实习课程至少一次有效成绩")),
    Reason("INTERNSHIP_RECORD_MISSING", "无顶岗实习记录", "DEFERRED", "第九条、第十五条", False,
           "顶岗实习表中没有该学生"),
    Reason("INTERNSHIP_UNASSESSED", "顶岗实习未考核", "DEFERRED", "第十五条", False,
           "实习考核为空或不是有效成绩"),
    Reason("INTERNSHIP_FORM_MISSING", "未交校外实习审批表", "DEFERRED", "第十二条、第十五条", True,
           "审批表不为“是”"),
    Reason("INTERNSHIP_REPORT_MISSING", "未交顶岗实习报告", "DEFERRED", "第十三条、第十五条", True,
           "实习报告不为“是”"),
    Reason("INTERNSHIP_MATERIALS_LATE", "实习材料未在规定时间内上交", "DEFERRED", "第十五条", True,
           "材料提交日期晚于规定日期"),
    Reason("FEES_OWED", "欠缴学杂费", "DEFERRED", "第十五条", True,
           "应缴合计减已缴合计超过允许误差"),
    Reason("PAYMENT_RECORD_MISSING", "无缴费记录", "DEFERRED", "第八条", True,
           "台账模式下缴费库中没有该学生"),
    Reason("PHOTO_MISSING", "缺电子照片", "DEFERRED", "第六条、第十二条", True,
           "照片文件夹中没有以身份证号或学号命名的照片", ("photos", "照片文件", "以身份证号或学号命名的 JPEG 照片")),
    Reason("PHOTO_INVALID", "电子照片不符合规格", "DEFERRED", "第六条", True,
           "照片不是 JPEG、超过大小上限或像素尺寸不符", ("photos", "照片文件", "JPEG，像素与大小符合参数文件中 photo 项的规定")),
    Reason("ID_INVALID", "身份证号有误", "DEFERRED", "第一条", False,
           "身份证号为空、格式或校验位错误、出生日期不存在，或与性别、出生日期不一致，或以数字形式导入",
           ("students", "身份证号", "18 位身份证号（校验位正确，与性别、出生日期一致），以文本格式保存")),
    Reason("ID_DUPLICATE", "身份证号重复", "DEFERRED", "第一条", False,
           "同一身份证号出现在两个及以上学号上", ("students", "身份证号", "每名学生的身份证号各不相同")),
)

# the departments' tables (params' source keys) whose content decides each reason: 与上次对比 names the one
# that changed when a student gains or loses the reason
REASON_SOURCES: dict[str, tuple[str, ...]] = {
    "LEFT_WITHOUT_PROCEDURE": ("students",), "NO_STATUS": ("students",),
    "SUSPENDED_FEES_OWED": ("students", "fees"), "SUSPENDED_GRADES_UNCERTIFIED": ("students",),
    "COURSE_FAILED": ("grades", "curriculum", "students"), "INTERNSHIP_FAILED": ("internship",),
    "RECORD_INCOMPLETE": ("students",), "MAJOR_NOT_IN_PLAN": ("students", "curriculum"),
    "GRADE_MISSING": ("grades", "curriculum", "students"), "INTERNSHIP_RECORD_MISSING": ("internship",),
    "INTERNSHIP_UNASSESSED": ("internship",), "INTERNSHIP_FORM_MISSING": ("internship",),
    "INTERNSHIP_REPORT_MISSING": ("internship",), "INTERNSHIP_MATERIALS_LATE": ("internship",),
    "FEES_OWED": ("fees",), "PAYMENT_RECORD_MISSING": ("fees",),
    "PHOTO_MISSING": ("photos", "students"), "PHOTO_INVALID": ("photos",),
    "ID_INVALID": ("students",), "ID_DUPLICATE": ("students",),
}


@dataclass(frozen=True)
class State:
    """A code with its Chinese label (waiver operations and the status of each waiver row)."""
    code: str
    label: str


# 操作 of a waiver row, as written in the waivers file (the first is the default)
WAIVE, REVOKE = State("WAIVE", "豁免"), State("REVOKE", "撤销")
WAIVER_OPERATIONS: tuple[State, ...] = (WAIVE, REVOKE)
# the status of each row of the waivers log after a run
WAIVER_STATUSES: tuple[State, ...] = (
    State("ACTIVE", "生效"),
    State("STALE", "过期（该生无此原因）"),
    State("REVOKED", "已撤销"),
    State("SUPERSEDED", "已被后续记录取代"),
    State("INVALID", "无效"),
)
OPERATION_BY_LABEL = {s.label: s for s in WAIVER_OPERATIONS}
STATUS_BY_CODE = {s.code: s for s in WAIVER_STATUSES}

REASON_BY_CODE = {r.code: r for r in REASONS}
REASON_BY_LABEL = {r.label: r for r in REASONS}
REASON_ORDER = {r.code: i for i, r in enumerate(REASONS)}
SEVERITY = {o.code: o.severity for o in OUTCOMES}
REASON_SEVERITY = {r.code: SEVERITY[r.outcome] for r in REASONS}  # the severity of the outcome a reason leads to
WAIVABLE = frozenset(r.code for r in REASONS if r.waivable)


def outcome_label(code: str) -> str:
    """The Chinese label of an outcome code (the code itself when unknown)."""
    o = OUTCOME_BY_CODE.get(code)
    return o.label if o else code


def reason_label(code: str) -> str:
    """The Chinese label of a reason code (the code itself when unknown)."""
    r = REASON_BY_CODE.get(code)
    return r.label if r else code


def reason_code(text: str) -> str | None:
    """Return the reason code for a code or its Chinese label, or None if neither."""
    t = str(text).strip()
    if t.upper() in REASON_BY_CODE:
        return t.upper()
    r = REASON_BY_LABEL.get(t)
    return r.code if r else None


def reason_table() -> pd.DataFrame:
    """The reason table as a DataFrame (for docs, the notebook and the lists)."""
    return pd.DataFrame(
        [{"代码": r.code, "原因": r.label, "结论": OUTCOME_BY_CODE[r.outcome].label,
          "依据": r.article, "可豁免": "是" if r.waivable else "否", "条件": r.when} for r in REASONS]
    )


def reason_labels(codes, sep: str = "；") -> str:
    """Reason codes (a ';'-joined string or an iterable) as their Chinese labels, joined by sep."""
    if isinstance(codes, str):
        codes = codes.split(";") if codes else []
    return sep.join(REASON_BY_CODE[c].label for c in codes)


def join_codes(codes) -> str:
    """Join reason codes with ';' in the order of the reason table."""
    return ";".join(sorted(set(codes), key=REASON_ORDER.__getitem__))


# ---- the registry's records (Art 11, 16-18, 24): how a diploma left, the diploma blanks ---------------------
# how a diploma was handed out; an in-person row whose receiver is not the student is 代领
COLLECTION_METHODS: tuple[State, ...] = (State("in_person", "本人领取"), State("proxy", "代领"),
                                         State("mail", "邮寄"), State("void", "作废（登记有误）"))
COLLECTION_BY_CODE = {s.code: s for s in COLLECTION_METHODS}
NOT_COLLECTED = "未领取"
STOCK_ITEMS: tuple[State, ...] = (State("inner", "内芯"), State("cover", "封皮"))
STOCK_EVENTS: tuple[State, ...] = (State("received", "入库"), State("used", "领用"), State("spoiled", "损坏"),
                                   State("void", "作废（登记有误）"))
STOCK_ITEM_BY_CODE = {s.code: s for s in STOCK_ITEMS}
STOCK_EVENT_BY_CODE = {s.code: s for s in STOCK_EVENTS}
ARTICLES = {"stock": "第十一条", "collect": "第十六条至第十八条", "transfer": "第二十四条"}

# ---- intake (Art 1-4): the checks of a new intake, the status changes, the roster reviews -----------------

@dataclass(frozen=True)
class IntakeCheck:
    code: str
    label: str
    article: str
    when: str


INTAKE_CHECKS: tuple[IntakeCheck, ...] = (
    IntakeCheck("FIELD_MISSING", "必填信息缺失", "第一条", "中考报名序号、身份证号、姓名、性别、出生日期、政治面貌、民族、专业、籍贯、"
                                                       "家庭地址或班级为空"),
    IntakeCheck("FIELD_INVALID", "信息格式有误", "第一条", "性别不是男/女，或出生日期不是日期"),
    IntakeCheck("ID_INVALID", "身份证号有误", "第一条", "身份证号格式或校验位错误、出生日期不存在，或与性别、出生日期不一致，"
                                                      "或以数字形式导入"),
    IntakeCheck("ID_DUPLICATE", "身份证号重复", "第一条", "同一身份证号在本次新生名单中出现在两个及以上学号上"),
    IntakeCheck("EXAM_NUMBER_INVALID", "中考报名序号格式有误", "第一条", "中考报名序号不符合参数 exam_number 规定的格式"),
    IntakeCheck("EXAM_NUMBER_DUPLICATE", "中考报名序号重复", "第一条", "同一中考报名序号在本次新生名单中出现在两个及以上学号上"),
    IntakeCheck("ALREADY_ENROLLED", "与已在册学生重复", "第一条", "身份证号或中考报名序号与登记库中其他学号的在册学生相同，"
                                                          "或学号已在其他年级在册"),
    IntakeCheck("PHOTO_MISSING", "缺电子照片", "第二条", "照片文件夹中没有以身份证号或学号命名的照片"),
    IntakeCheck("PHOTO_INVALID", "电子照片不符合规格", "第二条", "照片不是 JPEG、超过大小上限或像素尺寸不符"),
)
INTAKE_CHECK_BY_CODE = {c.code: c for c in INTAKE_CHECKS}
INTAKE_ARTICLE = "第一条"

# 学籍异动 (Art 3): each kind, the statuses it may follow, and the status it leaves
STATUS_CHANGES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "休学": (("在籍",), "休学"),
    "复学": (("休学",), "在籍"),
    "退学": (("在籍", "休学", "离校未办手续"), "退学"),
    "转出": (("在籍", "休学"), "转出"),
    "转入": (("转出",), "在籍"),
    "转专业": (("在籍",), None),   # None: the status stays; the major (and class) change
    "转班": (("在籍",), None),
}
STATUS_CHANGE_ARTICLE = "第三条"
# the two reviews of a class roster (Art 2)
REVIEW_STAGES = {"first": "班主任初审", "second": "学籍管理部门复审"}
REVIEW_FOOTER = ("班主任初审（签字、日期）：", "学籍管理部门复审（盖章、日期）：")
SIGNATURE_COLUMN = "学生签字"
PRIVACY_ARTICLE = "第四条"  # personal data leaves the status office only with a school leader's approval
PRIVATE_COLUMNS = ("身份证号", "出生日期", "家庭地址", "联系电话")  # left out of a redacted export (Art 4)

# ---- documents (Art 14, 20-22, 25-26): diplomas, certificates, letters ------------------------------------
@dataclass(frozen=True)
class DocumentKind:
    """A document gradlib issues: its code, Chinese name, the letters of its serial, article, default template."""
    code: str
    label: str
    letters: str
    article: str
    template: str


DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("diploma", "毕业证书", "ZS", "第十四条", "diploma-layout.yaml"),
    DocumentKind("graduation", "毕业证明书", "BY", "第二十条", "graduation.docx"),
    DocumentKind("status", "学籍证明", "XJ", "第二十一条", "status.docx"),
    DocumentKind("enrolment", "在读证明", "ZD", "第二十一条", "enrolment.docx"),
    DocumentKind("study", "学习证明书", "XX", "第二十二条", "study.docx"),
    DocumentKind("letter", "学历核实证明", "HS", "第二十五条、第二十六条", "letter.docx"),
)
DOCUMENT_BY_CODE = {k.code: k for k in DOCUMENT_KINDS}
CERTIFICATE_KINDS = ("graduation", "status", "enrolment", "study")
# outcomes whose students graduate (Art 15): a diploma is printed for them and a graduation proof may be issued
GRADUATE_OUTCOMES = ("COLLECT", "DEFERRED")
# 学籍状态 that allow a 学籍证明 or 在读证明 (Art 21: during study or internship); empty means 在籍
STUDYING_STATUSES = ("在籍", "顶岗实习", "实习", "跟岗实习")
