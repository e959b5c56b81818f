"""A deterministic synthetic graduating cohort, as the departments would send it.

``write_demo(out_dir)`` writes the six department tables (data-contract.md), a
folder of photos, a waivers log and a params YAML that names them. Everything
is drawn from ``numpy.random.default_rng(seed)``; the same seed gives the same
cells (and byte-identical CSV and YAML files). Generation is vectorised, so
1,000,000 students work; above ``CSV_THRESHOLD`` students every table is
written as UTF-8 CSV and photos are skipped.

About 85 % of the students are clean. The rest carry defects planted on
purpose, a few of every reason code of rules.md (plus some harmless traps:
a temporary ``999…`` ID, lowercase ``x`` in IDs, photos named by 学号 or with
an upper-case extension, materials handed in on the due date itself, two
internship rows, fees that net to zero, a waiver that is stale, one that is
not waivable and one that is revoked). ``expected_decisions(students, seed,
photos)`` regenerates the cohort and returns, per student, the scenario that
was planted and the decision a correct run must reach — the same columns as
``decisions.csv`` plus ``scenario``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xlsxwriter
from PIL import Image, ImageDraw, ImageFilter

from .reasons import REASON_BY_CODE

__all__ = [
    "write_demo",
    "expected_decisions",
    "id_check_char",
    "SCENARIOS",
    "CSV_THRESHOLD",
    "MIN_STUDENTS",
]

S = np.dtypes.StringDType()

COHORT = 2027
SCHOOL = "江西省通用技术工程学校"
SCHOOL_CODE = "3136000817"          # 10-digit school code (fictional) used by temporary IDs
CSV_THRESHOLD = 50_000              # above this many students: CSV tables, no photos
MIN_STUDENTS = 200                  # every scenario needs room
DUE = np.datetime64("2027-05-31")
MAKEUP_PUBLISHED = dt.date(2027, 6, 20)
PHOTO_W, PHOTO_H, PHOTO_MAX_KB = 480, 640, 100
CREATED = dt.datetime(2027, 6, 15, 8, 30, 0)   # fixed workbook metadata for reproducible files
_CHUNK = 20_000

# --------------------------------------------------------------------------
# Reference lists
# --------------------------------------------------------------------------

# (code, province, city, district, postcode, weight, rural)
REGIONS = [
    ("360102", "江西省", "南昌市", "东湖区", "330006", 9, False),
    ("360103", "江西省", "南昌市", "西湖区", "330009", 8, False),
    ("360111", "江西省", "南昌市", "青山湖区", "330029", 9, False),
    ("360121", "江西省", "南昌市", "南昌县", "330200", 9, True),
    ("360124", "江西省", "南昌市", "进贤县", "331700", 7, True),
    ("360203", "江西省", "景德镇市", "珠山区", "333000", 3, False),
    ("360302", "江西省", "萍乡市", "安源区", "337000", 3, False),
    ("360402", "江西省", "九江市", "濂溪区", "332005", 5, False),
    ("360403", "江西省", "九江市", "浔阳区", "332000", 4, False),
    ("360502", "江西省", "新余市", "渝水区", "338000", 4, False),
    ("360602", "江西省", "鹰潭市", "月湖区", "335000", 3, False),
    ("360702", "江西省", "赣州市", "章贡区", "341000", 5, False),
    ("360781", "江西省", "赣州市", "瑞金市", "342500", 3, True),
    ("360822", "江西省", "吉安市", "吉水县", "331600", 4, True),
    ("360902", "江西省", "宜春市", "袁州区", "336000", 4, False),
    ("361002", "江西省", "抚州市", "临川区", "344100", 5, False),
    ("361102", "江西省", "上饶市", "信州区", "334000", 4, False),
    ("430102", "湖南省", "长沙市", "芙蓉区", "410011", 1.5, False),
    ("350102", "福建省", "福州市", "鼓楼区", "350001", 1.0, False),
    ("440303", "广东省", "深圳市", "罗湖区", "518001", 1.5, False),
    ("330106", "浙江省", "杭州市", "西湖区", "310013", 1.0, False),
    ("420106", "湖北省", "武汉市", "武昌区", "430061", 1.0, False),
    ("340104", "安徽省", "合肥市", "蜀山区", "230031", 1.0, False),
]
STREETS = {
    "南昌市": ["北京东路", "八一大道", "阳明路", "洪都中大道", "解放西路", "丰和南大道", "青山湖大道",
             "井冈山大道", "象山北路", "民德路", "上海路", "昌东大道"],
    "九江市": ["浔阳路", "长虹大道", "十里大道", "庐山南路", "湖滨路", "九龙街"],
    "赣州市": ["红旗大道", "文清路", "章江路", "长征大道", "健康路", "南门口路"],
    "深圳市": ["深南东路", "人民南路", "东门中路", "宝安南路"],
    "长沙市": ["五一大道", "芙蓉中路", "人民东路", "韶山北路"],
    "福州市": ["五四路", "杨桥路", "东街", "湖东路"],
    "杭州市": ["文三路", "天目山路", "保俶路", "教工路"],
    "武汉市": ["中南路", "武珞路", "中山路", "彭刘杨路"],
    "合肥市": ["长江西路", "望江西路", "潜山路", "黄山路"],
}
GENERIC_STREETS = ["人民路", "建设路", "解放路", "中山路", "胜利路", "新华路", "文化路", "光明路", "和平路", "府前路"]
TOWNS = ["城关镇", "莲塘镇", "向塘镇", "塘南镇", "民和镇", "文峰镇", "白沙镇", "八都镇", "三里乡", "温圳镇",
         "黄马乡", "泾口乡", "冈上镇", "罗溪镇", "金桥乡"]
VILLAGES = ["新建", "胡家", "刘家", "上坊", "下坊", "大塘", "石岗", "樟树", "枫林", "洪家", "万家", "涂家", "黄坊", "港口"]

SURNAMES = ("刘 胡 李 王 陈 张 黄 罗 吴 徐 熊 万 邹 曾 杨 周 肖 朱 彭 邓 谢 龚 付 余 钟 何 郭 赖 廖 章 程 涂 "
            "饶 舒 蔡 袁 邱 魏 易 游 傅 叶 严 江 汪 聂 简 欧阳 邵 毛").split()
MALE_CHARS = list("浩宇轩杰俊涛明辉鹏磊强军伟博文睿晨阳鑫凯豪然志建家嘉思天昊泽航翔锦宏诚斌超亮健龙成林峰帅飞波旭勇毅子梓一佳永金瑞")
FEMALE_CHARS = list("欣怡婷雨佳梦琪雪诗涵静丽敏玲颖慧欢悦晴琳萱妍淑倩娜蕾可馨月瑶晓紫思子梓依雅璐芳燕艳薇洁菲")
ADULT_MALE = list("建国华明军平强伟勇斌林峰志刚春生文辉荣发根水")
ADULT_FEMALE = list("秀英兰芳红梅丽萍华珍凤玉琴霞燕娟莲春金")
ETHNIC = (["汉族", "畲族", "回族", "苗族", "壮族", "土家族"], [0.985, 0.006, 0.003, 0.002, 0.002, 0.002])
POLITICS = (["共青团员", "群众", "中共预备党员"], [0.62, 0.379, 0.001])
PHONE_PREFIX = [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
                166, 173, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199]

COMMON = [("语文", 1), ("数学", 1), ("英语", 2), ("思想政治", 1), ("体育与健康", 2)]
FIVE_LEVEL = {"体育与健康", "顶岗实习", "汽车文化"}


@dataclass(frozen=True)
class Major:
    no: str         # two digits inside 学号
    name: str
    short: str      # as in class names: 24机电1班
    prefix: str     # course-code letter: 语文 is C01 for 计算机应用, A01 for 会计事务
    weight: float
    male: float     # share of boys
    tuition: int    # yuan
    books: int
    courses: tuple  # (name, semester, 必修/选修/实习)
    typo: str       # how the status office misspells it (MAJOR_NOT_IN_PLAN)
    industries: tuple


def _plan(common, own, electives):
    return tuple([(n, s, "必修") for n, s in common] + [(n, s, "必修") for n, s in own]
                 + [(n, s, "选修") for n, s in electives] + [("顶岗实习", 6, "实习")])


MAJORS = (
    Major("01", "机电技术应用", "机电", "J", 0.24, 0.90, 2600, 620,
          _plan(COMMON, [("机械制图", 2), ("电工基础", 2), ("电子技术基础", 3), ("钳工工艺与技能", 3),
                         ("PLC应用技术", 4), ("电机与电气控制", 4)], [("液压与气动", 5), ("数控加工基础", 5)]),
          "机电一体化", ("机电设备", "精密机械", "电气自动化", "智能装备")),
    Major("02", "计算机应用", "计算机", "C", 0.25, 0.62, 2400, 560,
          _plan(COMMON, [("计算机基础", 1), ("图形图像处理", 2), ("程序设计基础", 3), ("计算机网络基础", 3),
                         ("数据库应用", 4), ("网页设计与制作", 4)], [("办公软件高级应用", 5)]),
          "计算机应用技术", ("信息技术", "网络科技", "软件", "数码科技")),
    Major("03", "汽车运用与维修", "汽修", "Q", 0.20, 0.93, 2600, 650,
          _plan(COMMON, [("汽车文化", 1), ("汽车机械基础", 2), ("汽车发动机构造与维修", 3),
                         ("汽车底盘构造与维修", 4), ("汽车电气设备构造与维修", 4)],
                [("汽车营销", 5), ("二手车鉴定与评估", 5)]),
          "汽车维修", ("汽车销售服务", "汽车维修", "汽车部件", "汽车服务")),
    Major("04", "电子商务", "电商", "E", 0.16, 0.38, 2200, 480,
          _plan(COMMON + [("信息技术", 1)], [("电子商务基础", 1), ("图形图像处理", 2), ("网络营销", 3),
                                           ("客户服务", 3), ("网店运营", 4)], [("直播电商", 5)]),
          "电子商务运营", ("电子商务", "商贸", "网络科技", "供应链管理")),
    Major("05", "会计事务", "会计", "A", 0.15, 0.22, 2200, 520,
          _plan(COMMON + [("信息技术", 1)], [("基础会计", 1), ("财经法规与会计职业道德", 2), ("会计电算化", 3),
                                           ("出纳实务", 3), ("企业财务会计", 4)],
                [("珠算与点钞", 2), ("经济法基础", 5)]),
          "会计", ("财务咨询", "会计服务", "商贸", "企业管理咨询")),
)

COMPANY_CITIES = (["南昌", "九江", "赣州", "新余", "上饶", "宜春", "深圳市", "东莞市", "宁波", "苏州", "厦门", "长沙"],
                  [0.30, 0.10, 0.10, 0.05, 0.05, 0.04, 0.14, 0.10, 0.04, 0.04, 0.02, 0.02])
COMPANY_STEMS = list("华瑞 恒通 鑫达 远航 金诚 宏图 联创 洪都 赣江 天成 中科 博远 晶泰 瑞丰 昌盛 同创 力源 安泰 "
                     "恒信 德众 九鼎 嘉禾 新纪元 凯旋 正邦 永联".split())
FEE_ITEMS = ("学费", "住宿费", "教材费")
FORM_VALUES = ("是", "已交", "否", "未交", "")      # 审批表 codes 0..4
REPORT_VALUES = ("已交", "未交", "")                 # 实习报告 codes 0..2
STATUS_VALUES = ("在籍", "休学", "离校未办手续", "退学", "转出")

# grade codes (int8): -1 blank, 0..100 a mark, then these words
LEVELS = ("优秀", "良好", "中等", "及格", "不及格", "缺考", "待评")
C_EXCELLENT, C_GOOD, C_MID, C_PASS, C_FAIL, C_ABSENT, C_PENDING = range(101, 108)
_GRADE_NATIVE = np.array([None] + list(range(101)) + list(LEVELS), dtype=object)
_GRADE_TEXT = np.array([""] + [str(i) for i in range(101)] + list(LEVELS), dtype=object)

PHOTO_REASONS = ("PHOTO_MISSING", "PHOTO_INVALID")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    rate: float          # share of the cohort
    minimum: int         # at least this many students, whatever the size
    ops: tuple           # (method name, kwargs) applied to the chosen students
    reasons: tuple       # the reasons a correct run must find (before waivers)


def _sc(key, label, rate, minimum, ops, reasons=()):
    return Scenario(key, label, rate, minimum, tuple((o[0], o[1] if len(o) > 1 else {}) for o in ops),
                    tuple(reasons))


SCENARIOS: tuple[Scenario, ...] = (
    _sc("left_without_procedure", "离校未办手续", 0.0008, 1, [("status", {"value": "离校未办手续"})],
        ["LEFT_WITHOUT_PROCEDURE"]),
    _sc("left_no_internship_fees", "离校未办手续，且无实习记录、欠费", 0.0008, 1,
        [("status", {"value": "离校未办手续"}), ("no_internship_row",), ("fees_owed",)],
        ["LEFT_WITHOUT_PROCEDURE", "INTERNSHIP_RECORD_MISSING", "FEES_OWED"]),
    _sc("dropped_out", "退学（实习前退学，无实习记录和实习成绩）", 0.0015, 1,
        [("status", {"value": "退学"}), ("no_internship_row",), ("grade_missing", {"internship": True})],
        ["NO_STATUS", "GRADE_MISSING", "INTERNSHIP_RECORD_MISSING"]),
    _sc("transferred", "转出", 0.001, 1, [("status", {"value": "转出"})], ["NO_STATUS"]),
    _sc("suspended_ok", "休学，已缴清费用且成绩已认定（按在籍审核）", 0.001, 1, [("suspended", {"certified": "是"})]),
    _sc("suspended_uncertified", "休学，成绩认定为“否”", 0.0008, 1, [("suspended", {"certified": "否"})],
        ["SUSPENDED_GRADES_UNCERTIFIED"]),
    _sc("suspended_uncertified_blank", "休学，成绩认定为空", 0.0004, 1, [("suspended", {"certified": ""})],
        ["SUSPENDED_GRADES_UNCERTIFIED"]),
    _sc("suspended_fees_owed", "休学，成绩已认定但欠费", 0.0008, 1,
        [("suspended", {"certified": "是"}), ("fees_owed",)], ["SUSPENDED_FEES_OWED"]),
    _sc("suspended_no_fee_rows", "休学，成绩已认定但缴费库无记录", 0.0004, 1,
        [("suspended", {"certified": "是"}), ("no_fee_rows",)], ["SUSPENDED_FEES_OWED"]),
    _sc("suspended_both", "休学，欠费且成绩未认定", 0.0004, 1,
        [("suspended", {"certified": "否"}), ("fees_owed",)],
        ["SUSPENDED_FEES_OWED", "SUSPENDED_GRADES_UNCERTIFIED"]),
    _sc("course_failed", "一门必修课经补考、清考仍不及格", 0.015, 3, [("course_failed",)], ["COURSE_FAILED"]),
    _sc("course_failed_two", "两门必修课补考、清考后仍不及格", 0.003, 1, [("course_failed", {"k": 2})],
        ["COURSE_FAILED"]),
    _sc("course_failed_fees", "课程不及格且欠费", 0.002, 1, [("course_failed",), ("fees_owed",)],
        ["COURSE_FAILED", "FEES_OWED"]),
    _sc("internship_failed", "实习考核不及格", 0.002, 2, [("internship_failed",)], ["INTERNSHIP_FAILED"]),
    _sc("internship_and_course_failed", "实习考核不及格，成绩库顶岗实习也不及格", 0.001, 1,
        [("internship_failed",), ("course_failed", {"internship": True})], ["COURSE_FAILED", "INTERNSHIP_FAILED"]),
    _sc("record_blank_ethnicity", "学籍库民族为空", 0.0003, 1, [("record", {"field": "ethnic", "value": ""})],
        ["RECORD_INCOMPLETE"]),
    _sc("record_bad_sex", "学籍库性别为“未知”", 0.0003, 1, [("record", {"field": "sex", "value": "未知"})],
        ["RECORD_INCOMPLETE"]),
    _sc("record_blank_politics", "学籍库政治面貌为空", 0.0, 1, [("record", {"field": "politics", "value": ""})],
        ["RECORD_INCOMPLETE"]),
    _sc("record_bad_status", "学籍状态为“在校”（不在五种之内）", 0.0, 1, [("status", {"value": "在校"})],
        ["RECORD_INCOMPLETE"]),
    _sc("record_blank_address", "家庭住址为空", 0.0, 1, [("record", {"field": "address", "value": ""})],
        ["RECORD_INCOMPLETE"]),
    _sc("major_typo", "专业名称与教学计划不符（如“机电一体化”）", 0.001, 2, [("major_typo",)],
        ["MAJOR_NOT_IN_PLAN"]),
    _sc("major_blank", "专业为空", 0.0, 1, [("major_blank",)], ["MAJOR_NOT_IN_PLAN"]),
    _sc("grade_missing", "必修课成绩为空", 0.004, 2, [("grade_missing",)], ["GRADE_MISSING"]),
    _sc("no_internship_row", "顶岗实习表无记录", 0.003, 2, [("no_internship_row",)], ["INTERNSHIP_RECORD_MISSING"]),
    _sc("no_internship_row_and_grade", "顶岗实习表无记录，成绩库顶岗实习也为空", 0.001, 1,
        [("no_internship_row",), ("grade_missing", {"internship": True})],
        ["GRADE_MISSING", "INTERNSHIP_RECORD_MISSING"]),
    _sc("internship_unassessed", "实习考核为空", 0.004, 2, [("internship_unassessed",)], ["INTERNSHIP_UNASSESSED"]),
    _sc("internship_pending", "实习考核为“待评”", 0.0, 1, [("internship_unassessed", {"code": C_PENDING})],
        ["INTERNSHIP_UNASSESSED"]),
    _sc("form_missing", "只缺实习审批表", 0.008, 2, [("form_missing",)], ["INTERNSHIP_FORM_MISSING"]),
    _sc("report_missing", "只缺实习报告", 0.008, 2, [("report_missing",)], ["INTERNSHIP_REPORT_MISSING"]),
    _sc("form_and_report_missing", "审批表和实习报告都未交", 0.003, 1, [("form_missing",), ("report_missing",)],
        ["INTERNSHIP_FORM_MISSING", "INTERNSHIP_REPORT_MISSING"]),
    _sc("materials_late", "实习材料在截止日期后提交", 0.008, 2, [("materials_late",)],
        ["INTERNSHIP_MATERIALS_LATE"]),
    _sc("fees_owed", "只有欠费", 0.035, 3, [("fees_owed",)], ["FEES_OWED"]),
    _sc("fees_owed_photo_missing", "欠费且缺电子照片", 0.003, 1, [("fees_owed",), ("photo", {"kind": 1})],
        ["FEES_OWED", "PHOTO_MISSING"]),
    _sc("payment_record_missing", "缴费库中无记录", 0.003, 2, [("no_fee_rows",)], ["PAYMENT_RECORD_MISSING"]),
    _sc("photo_missing", "只缺照片", 0.015, 3, [("photo", {"kind": 1})], ["PHOTO_MISSING"]),
    _sc("photo_wrong_size", "照片尺寸不是480×640", 0.006, 2, [("photo", {"kind": 2})], ["PHOTO_INVALID"]),
    _sc("photo_png", "PNG图片存成.jpg", 0.0, 1, [("photo", {"kind": 3})], ["PHOTO_INVALID"]),
    _sc("photo_oversize", "照片超过100 KB", 0.0, 1, [("photo", {"kind": 4})], ["PHOTO_INVALID"]),
    _sc("id_bad_checksum", "身份证号校验位错误", 0.001, 2, [("id_bad_checksum",)], ["ID_INVALID"]),
    _sc("id_birth_mismatch", "身份证号与出生日期不一致", 0.0, 1, [("id_birth_mismatch",)], ["ID_INVALID"]),
    _sc("id_sex_mismatch", "身份证号与性别不一致", 0.0, 1, [("id_sex_mismatch",)], ["ID_INVALID"]),
    _sc("id_blank", "身份证号为空（照片以学号命名）", 0.0, 1, [("id_blank",)], ["ID_INVALID"]),
    _sc("id_duplicate", "两名学生身份证号相同（成对）", 0.001, 2, [("id_duplicate",)], ["ID_DUPLICATE"]),
    # harmless traps: a correct run finds no reason for these
    _sc("temp_id", "临时身份证号 999+学校代码+序号（照片以学号命名）", 0.0002, 1, [("temp_id",)]),
    _sc("photo_by_student_no", "照片以学号命名", 0.001, 2, [("photo", {"kind": 5})]),
    _sc("photo_upper_ext", "照片扩展名为 .JPG", 0.0, 1, [("photo", {"kind": 6})]),
    _sc("photo_jpeg_ext", "照片扩展名为 .jpeg", 0.0, 1, [("photo", {"kind": 7})]),
    _sc("due_date_exact", "实习材料恰在截止日提交", 0.0, 1, [("due_date_exact",)]),
    _sc("blank_submission_date", "实习材料提交日期为空", 0.002, 1, [("submission_blank",)]),
    _sc("two_internship_rows", "两条实习记录，较晚一条合格", 0.0, 1, [("two_internship_rows",)]),
    _sc("fees_net_zero", "学费少缴100元、教材费多缴100元（合计不欠费）", 0.0, 1, [("fees_net_zero",)]),
    _sc("elective_failed", "选修课不及格（不影响毕业）", 0.005, 2, [("elective_failed",)]),
    # picked separately, not by slicing (they need a clean student with a given property)
    _sc("lowercase_x", "身份证号末位为小写 x", 0.0, 0, []),
    _sc("stale_waiver", "被豁免了自己没有的原因（过期豁免）", 0.0, 0, []),
)
_SC_INDEX = {s.key: i for i, s in enumerate(SCENARIOS)}
_SC_LABEL = np.array([""] + [s.key for s in SCENARIOS], dtype=object)

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = "10X98765432"
_CHECK_ARR = np.array(list(_CHECK), dtype=S)


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits of an ID."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _W.tolist())) % 11]


def _check_index(prefix17: np.ndarray) -> np.ndarray:
    s = np.zeros(prefix17.shape, dtype=np.int64)
    for i in range(17):
        s += (prefix17 // 10 ** (16 - i)) % 10 * _W[i]
    return s % 11


def _s(a) -> np.ndarray:
    """To a StringDType array."""
    return np.asarray(a).astype(S)


def _cat(*parts) -> np.ndarray:
    out = parts[0] if isinstance(parts[0], str) else _s(parts[0])
    for p in parts[1:]:
        out = np.strings.add(out, p if isinstance(p, str) else _s(p))
    return out


def _pick(rng, values, n, p=None) -> np.ndarray:
    values = np.array(values, dtype=S)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
        return values[rng.choice(len(values), size=n, p=p)]
    return values[rng.integers(0, len(values), size=n)]


def _ymd(d: np.ndarray):
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def _scores(rng, n, mean=77.0, sd=9.0, lo=40, hi=100) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, sd, n)), lo, hi).astype(np.int8)


def _to_level(score: np.ndarray) -> np.ndarray:
    return np.select([score >= 90, score >= 80, score >= 70, score >= 60],
                     [C_EXCELLENT, C_GOOD, C_MID, C_PASS], C_FAIL).astype(np.int8)


def _fails(code: np.ndarray) -> np.ndarray:
    return (code >= 0) & ((code < 60) | (code >= C_FAIL))


# --------------------------------------------------------------------------
# The cohort in memory
# --------------------------------------------------------------------------
@dataclass
class _Col:
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
            return _cat(neg, m // 100, ".", np.strings.zfill(_s(m % 100), 2)).tolist()
        if self.kind == "date":
            return _date_text(v, self.style[a:b]).tolist()
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
            txt = _date_text(v, self.style[a:b]).tolist()
            real = (self.style[a:b] == 0) & ~np.isnat(v)
            out = np.array(txt, dtype=object)
            out[real] = v[real].astype(object)
            return out.tolist()
        raise ValueError(self.kind)


def _date_text(d: np.ndarray, style: np.ndarray) -> np.ndarray:
    nat = np.isnat(d)
    dd = np.where(nat, np.datetime64("2000-01-01"), d)
    y, m, day = _ymd(dd)
    iso = _s(np.datetime_as_string(dd, unit="D"))
    cn = _cat(y, "年", m, "月", day, "日")
    slash = _cat(y, "/", m, "/", day)
    out = np.where(style == 1, cn, np.where(style == 2, slash, iso))
    return np.where(nat, _s(""), out)


@dataclass
class _Table:
    stem: str
    sheet: str
    cols: list
    title: str | None = None
    footer: list = field(default_factory=list)   # rows of native values, after one blank row

    @property
    def n(self) -> int:
        return len(self.cols[0].values)


class _Cohort:
    """All tables of one synthetic cohort, plus what was planted where."""

    def __init__(self, students: int, seed: int):
        if students < MIN_STUDENTS:
            raise ValueError(f"students must be at least {MIN_STUDENTS} (got {students})")
        self.n = students
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self._courses()
        self._roster()
        self._grades()
        self._internship()
        self._fees()
        self._photos()
        self._addresses()
        self._plant()
        self._waivers()

    # ---- curriculum ------------------------------------------------------
    def _courses(self):
        names: list[str] = []
        for m in MAJORS:
            for c in m.courses:
                if c[0] not in names:
                    names.append(c[0])
        self.course_names = names
        self.col_of = {n: i for i, n in enumerate(names)}
        self.plan = []           # rows: code, name, major, semester, type
        self.major_cols = []     # per major: (cols, types)
        for m in MAJORS:
            cols, types = [], []
            for k, (name, sem, typ) in enumerate(m.courses, start=1):
                self.plan.append((f"{m.prefix}{k:02d}", name, m.name, sem, typ))
                cols.append(self.col_of[name])
                types.append(typ)
            self.major_cols.append((np.array(cols), np.array(types)))
        self.five = np.array([n in FIVE_LEVEL for n in names])

    # ---- roster ----------------------------------------------------------
    def _roster(self):
        rng, n = self.rng, self.n
        w = np.array([m.weight for m in MAJORS])
        floor = 20
        counts = rng.multinomial(n - floor * len(MAJORS), w / w.sum()) + floor
        major = np.repeat(np.arange(len(MAJORS)), counts)
        pos = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        n_cls = np.ceil(counts / 48).astype(np.int64)
        cls = pos * n_cls[major] // counts[major]                   # 0-based class within major
        cls_start = np.ceil(cls * counts[major] / n_cls[major]).astype(np.int64)
        seat = pos - cls_start + 1
        width = max(2, len(str(int(n_cls.max()))))
        self.major, self.cls = major, cls

        male = rng.random(n) < np.array([m.male for m in MAJORS])[major]
        returned = rng.random(n) < 0.01                             # 2023级复学, now in a 2024 class
        entry = np.where(returned, 2023, 2024)
        self.entry = entry
        xh = ((entry * 100 + major + 1) * 10 ** width + cls + 1) * 100 + seat
        self.xh = _s(xh)
        self.width = width

        # names
        sur = _pick(rng, SURNAMES, n, p=np.linspace(3, 0.6, len(SURNAMES)))
        c1 = np.where(male, _pick(rng, MALE_CHARS, n), _pick(rng, FEMALE_CHARS, n))
        c2 = np.where(male, _pick(rng, MALE_CHARS, n), _pick(rng, FEMALE_CHARS, n))
        two = rng.random(n) < 0.72
        self.name = np.where(two, _cat(sur, c1, c2), _cat(sur, c1))
        self.surname = sur
        self.male = male

        # birth date, region, ID
        span = np.where(returned, 244, 609)                         # to 2008-08-31 / 2009-08-31
        day = (rng.random(n) * span).astype(np.int64)
        birth = np.datetime64("2008-01-01") + day.astype("timedelta64[D]")
        rw = np.array([r[5] for r in REGIONS], dtype=float)
        region = rng.choice(len(REGIONS), size=n, p=rw / rw.sum())
        y, mth, d = _ymd(birth)
        ymd = y * 10000 + mth * 100 + d
        key = (region * 4000 + (birth - np.datetime64("2007-01-01")).astype(np.int64)) * 2 + male
        order = np.lexsort((rng.random(n), key))
        sk = key[order]
        start = np.r_[True, sk[1:] != sk[:-1]]
        gid = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        rank = np.arange(n) - first[gid]
        if rank.max() >= 500:
            raise ValueError("too many students for unique ID serial numbers")
        off = rng.integers(0, 500, size=len(first))
        seq = np.empty(n, dtype=np.int64)
        seq[order] = ((off[gid] + rank) % 500) * 2 + male[order]
        codes = np.array([int(r[0]) for r in REGIONS], dtype=np.int64)
        prefix17 = codes[region] * 10 ** 11 + ymd * 1000 + seq
        self.check_idx = _check_index(prefix17)
        self.id17 = _s(prefix17)
        self.idno = _cat(self.id17, _CHECK_ARR[self.check_idx])
        self.region = region
        self.birth = birth
        self.birth_text = _s(np.datetime_as_string(birth, unit="D"))
        self.sex = np.where(male, _s("男"), _s("女"))

        # the rest of the national export
        self.ethnic = _pick(rng, ETHNIC[0], n, ETHNIC[1])
        self.politics = _pick(rng, POLITICS[0], n, POLITICS[1])
        prov = np.array([r[1] for r in REGIONS], dtype=S)[region]
        city = np.array([r[2] for r in REGIONS], dtype=S)[region]
        dist = np.array([r[3] for r in REGIONS], dtype=S)[region]
        self.postcode = np.array([r[4] for r in REGIONS], dtype=S)[region]
        self.native_place = _cat(np.strings.replace(prov, "省", ""), np.strings.replace(city, "市", ""))
        rural = np.array([r[6] for r in REGIONS])[region]
        max_st = max([len(v) for v in STREETS.values()] + [len(GENERIC_STREETS)])
        st_table = np.array([(STREETS.get(r[2], GENERIC_STREETS) * max_st)[:max_st] for r in REGIONS], dtype=S)
        st_len = np.array([len(STREETS.get(r[2], GENERIC_STREETS)) for r in REGIONS])
        street = st_table[region, (rng.random(n) * st_len[region]).astype(np.int64)]
        num = rng.integers(1, 400, n)
        flat = rng.random(n) < 0.5
        urban = _cat(prov, city, dist, street, num, "号")
        urban = np.where(flat, _cat(urban, rng.integers(1, 30, n), "栋", rng.integers(1, 4, n), "单元",
                                    rng.integers(1, 18, n) * 100 + rng.integers(1, 5, n), "室"), urban)
        village = _cat(prov, city, dist, _pick(rng, TOWNS, n), _pick(rng, VILLAGES, n), "村",
                       rng.integers(1, 12, n), "组", rng.integers(1, 120, n), "号")
        self.address = np.where(rural, village, urban)
        self.phone = _s(np.array(PHONE_PREFIX)[rng.integers(0, len(PHONE_PREFIX), n)] * 10 ** 8
                        + rng.integers(0, 10 ** 8, n))
        jx = np.array([r[1] == "江西省" for r in REGIONS])
        jx_codes = codes[jx]
        exam_region = np.where(jx[region], codes[region], jx_codes[rng.integers(0, len(jx_codes), n)])
        self.exam_no = _s((entry % 100) * 10 ** 11 + exam_region * 10 ** 5 + rng.integers(0, 10 ** 5, n))

        mnames = np.array([m.name for m in MAJORS], dtype=S)
        self.major_name = mnames[major]
        shorts = np.array([m.short for m in MAJORS], dtype=S)
        self.class_name = _cat("24", shorts[major], cls + 1, "班")
        # one teacher per class
        cls_id = np.cumsum(np.r_[True, (major[1:] != major[:-1]) | (cls[1:] != cls[:-1])]) - 1
        nc = int(cls_id[-1]) + 1
        tmale = rng.random(nc) < 0.5
        tname = _cat(_pick(rng, SURNAMES[:30], nc),
                     np.where(tmale, _pick(rng, ADULT_MALE, nc), _pick(rng, ADULT_FEMALE, nc)),
                     np.where(rng.random(nc) < 0.6,
                              np.where(tmale, _pick(rng, ADULT_MALE, nc), _pick(rng, ADULT_FEMALE, nc)), _s("")))
        self.teacher = tname[cls_id]
        self.status = np.full(n, "在籍", dtype=S)
        self.certified = np.full(n, "", dtype=S)
        self.diploma = _cat(SCHOOL_CODE[5:], COHORT, np.strings.zfill(_s(np.arange(1, n + 1)), 6))
        self.scenario = np.zeros(n, dtype=np.int16)     # 0 = none, else 1 + index into SCENARIOS

    # ---- grades (wide) ---------------------------------------------------
    def _grades(self):
        rng, n = self.rng, self.n
        C = len(self.course_names)
        g1 = np.full((n, C), -1, dtype=np.int8)
        g2 = np.full((n, C), -1, dtype=np.int8)
        g3 = np.full((n, C), -1, dtype=np.int8)
        for mi, (cols, types) in enumerate(self.major_cols):
            idx = np.flatnonzero(self.major == mi)
            k = len(idx)
            for c, typ in zip(cols, types):
                five = self.five[c]
                sc = _scores(rng, k, mean=rng.uniform(74, 80))
                code = _to_level(sc) if five else sc
                required = typ != "选修"
                taken = np.ones(k, bool) if required else rng.random(k) < 0.85
                absent = rng.random(k) < (0.003 if required else 0.0)
                code = np.where(absent, C_ABSENT, code).astype(np.int8)
                code = np.where(taken, code, -1).astype(np.int8)
                g1[idx, c] = code
                failed = _fails(code)
                if required:
                    mk_ok = rng.random(k) < 0.93
                    mk_pass = _scores(rng, k, 68, 5, 60, 85)
                    mk_fail = _scores(rng, k, 52, 5, 30, 59)
                    mk = np.where(mk_ok, mk_pass, mk_fail)
                    if five:
                        mk = _to_level(mk)
                    g2[idx, c] = np.where(failed, mk, -1)
                    cl = _scores(rng, k, 65, 3, 60, 75)
                    if five:
                        cl = _to_level(cl)
                    g3[idx, c] = np.where(failed & ~mk_ok, cl, -1)
                else:
                    mk = _scores(rng, k, 66, 5, 60, 80)
                    if five:
                        mk = _to_level(mk)
                    g2[idx, c] = np.where(failed & (rng.random(k) < 0.5), mk, -1)
        self.g1, self.g2, self.g3 = g1, g2, g3

    # ---- internship ------------------------------------------------------
    def _internship(self):
        rng, n = self.rng, self.n
        pool = []
        for m in MAJORS:
            city = _pick(rng, COMPANY_CITIES[0], 60, COMPANY_CITIES[1])
            pool.append(_cat(city, _pick(rng, COMPANY_STEMS, 60), _pick(rng, m.industries, 60),
                             np.where(rng.random(60) < 0.85, _s("有限公司"), _s("股份有限公司"))))
        self.companies = np.stack(pool)
        self.company = self.companies[self.major, rng.integers(0, 60, n)]
        self.has_internship = np.ones(n, bool)
        self.form = np.where(rng.random(n) < 0.7, 0, 1).astype(np.int8)
        self.report = np.zeros(n, np.int8)
        self.submitted = np.datetime64("2027-03-01") + rng.integers(0, 91, n).astype("timedelta64[D]")
        self.sub_style = rng.choice(3, size=n, p=[0.8, 0.15, 0.05]).astype(np.int8)
        lvl = rng.choice([C_EXCELLENT, C_GOOD, C_MID, C_PASS], size=n, p=[0.15, 0.4, 0.3, 0.15])
        self.assess = np.where(rng.random(n) < 0.65, lvl, rng.integers(62, 98, n)).astype(np.int8)
        self.extra_internship = []      # (student index, company, form, report, date, assessment)

    # ---- fees ------------------------------------------------------------
    def _fees(self):
        rng, n = self.rng, self.n
        tuition = np.array([m.tuition for m in MAJORS], np.int64)[self.major] * 100
        books = np.array([m.books for m in MAJORS], np.int64)[self.major] * 100
        boards = rng.random(n) < 0.7
        self.due = np.stack([tuition, np.where(boards, 120000, 0), books], axis=1)   # cents
        self.boards = boards                    # 走读生 keep a 住宿费 row with 0 due
        self.paid = self.due.copy()
        self.has_fees = np.ones(n, bool)

    # ---- photos ----------------------------------------------------------
    def _photos(self):
        # 0 ok by ID, 1 missing, 2 wrong size, 3 PNG as .jpg, 4 >100 KB, 5 by 学号, 6 .JPG, 7 .jpeg,
        # 8 none of its own (shares the file of a duplicate ID)
        self.photo_kind = np.zeros(self.n, np.int8)
        self.photo_variant = self.rng.integers(0, 6, self.n).astype(np.int8)

    # ---- mailing addresses -------------------------------------------------
    def _addresses(self):
        rng, n = self.rng, self.n
        self.has_address = rng.random(n) < 0.96
        parent = rng.random(n) < 0.15
        pmale = rng.random(n) < 0.5
        pname = _cat(self.surname, np.where(pmale, _pick(rng, ADULT_MALE, n), _pick(rng, ADULT_FEMALE, n)),
                     np.where(pmale, _pick(rng, ADULT_MALE, n), _pick(rng, ADULT_FEMALE, n)))
        self.recipient = np.where(parent, pname, self.name)
        self.mail_phone = np.where(parent, _s(np.array(PHONE_PREFIX)[rng.integers(0, len(PHONE_PREFIX), n)]
                                              * 10 ** 8 + rng.integers(0, 10 ** 8, n)), self.phone)
        self.mail_postcode = np.where(rng.random(n) < 0.05, _s(""), self.postcode)

    # ---- planted defects ---------------------------------------------------
    def _plant(self):
        rng, n = self.rng, self.n
        counts = []
        for s in SCENARIOS:
            c = max(s.minimum, int(round(s.rate * n)))
            if s.key == "id_duplicate":
                c += c % 2
            counts.append(c)
        total = sum(counts)
        if total > n // 2:
            raise ValueError(f"{n} students is too few for the planted scenarios ({total})")
        perm = rng.permutation(n)
        self.members: dict[str, np.ndarray] = {}
        at = 0
        for s, c in zip(SCENARIOS, counts):
            idx = np.sort(perm[at:at + c])
            at += c
            self.members[s.key] = idx
            self.scenario[idx] = _SC_INDEX[s.key] + 1
        for s in SCENARIOS:
            idx = self.members[s.key]
            for op, kw in s.ops:
                getattr(self, "_op_" + op)(idx, **kw)
        # clean students whose ID ends in X: write a few with a lowercase x
        free = np.flatnonzero((self.scenario == 0) & (self.check_idx == 2))
        k = min(len(free), max(3, n // 1000))
        lx = np.sort(rng.choice(free, size=k, replace=False)) if k else free[:0]
        self.idno[lx] = np.strings.replace(self.idno[lx], "X", "x")
        self.members["lowercase_x"] = lx
        self.scenario[lx] = _SC_INDEX["lowercase_x"] + 1
        free = np.flatnonzero(self.scenario == 0)
        st = np.sort(rng.choice(free, size=1, replace=False))
        self.members["stale_waiver"] = st
        self.scenario[st] = _SC_INDEX["stale_waiver"] + 1

    def _req_course(self, idx, internship=False, k=1, typ="必修"):
        """One (or k distinct) course columns per student of idx, of the student's own major."""
        out = np.zeros((len(idx), k), dtype=np.int64)
        rng = self.rng
        for mi, (cols, types) in enumerate(self.major_cols):
            sel = self.major[idx] == mi
            if not sel.any():
                continue
            cand = cols[types == ("实习" if internship else typ)]
            m = int(sel.sum())
            a = rng.integers(0, len(cand), m)
            out[sel, 0] = cand[a]
            if k == 2:
                out[sel, 1] = cand[(a + rng.integers(1, len(cand), m)) % len(cand)]
        return out

    def _fail_codes(self, cols):
        rng = self.rng
        n = cols.shape
        num = rng.integers(40, 60, n)
        lvl = np.full(n, C_FAIL)
        code = np.where(self.five[cols], lvl, num)
        return np.where(rng.random(n) < 0.1, C_ABSENT, code).astype(np.int8)

    def _op_status(self, idx, value):
        self.status[idx] = value
        if value in ("离校未办手续", "退学", "转出"):
            self.diploma[idx] = ""

    def _op_suspended(self, idx, certified):
        self.status[idx] = "休学"
        self.certified[idx] = certified

    def _op_course_failed(self, idx, k=1, internship=False):
        cols = self._req_course(idx, internship=internship, k=k)
        rows = np.repeat(idx, k)
        cols = cols.ravel()
        self.g1[rows, cols] = self._fail_codes(cols)
        self.g2[rows, cols] = self._fail_codes(cols)
        clear = self._fail_codes(cols)
        self.g3[rows, cols] = np.where(self.rng.random(len(cols)) < 0.67, clear, -1)

    def _op_grade_missing(self, idx, internship=False):
        cols = self._req_course(idx, internship=internship)[:, 0]
        self.g1[idx, cols] = -1
        self.g2[idx, cols] = -1
        self.g3[idx, cols] = -1

    def _op_elective_failed(self, idx):
        cols = self._req_course(idx, typ="选修")[:, 0]
        self.g1[idx, cols] = self._fail_codes(cols)
        self.g2[idx, cols] = -1
        self.g3[idx, cols] = -1

    def _op_internship_failed(self, idx):
        self.assess[idx] = np.where(self.rng.random(len(idx)) < 0.6, C_FAIL, self.rng.integers(35, 60, len(idx)))

    def _op_no_internship_row(self, idx):
        self.has_internship[idx] = False

    def _op_internship_unassessed(self, idx, code=-1):
        self.assess[idx] = code

    def _op_form_missing(self, idx):
        self.form[idx] = self.rng.choice([2, 3, 4], size=len(idx))

    def _op_report_missing(self, idx):
        self.report[idx] = self.rng.choice([1, 2], size=len(idx), p=[0.8, 0.2])

    def _op_materials_late(self, idx):
        self.submitted[idx] = np.datetime64("2027-06-01") + self.rng.integers(0, 25, len(idx)).astype("timedelta64[D]")

    def _op_due_date_exact(self, idx):
        self.submitted[idx] = DUE

    def _op_submission_blank(self, idx):
        self.submitted[idx] = np.datetime64("NaT")

    def _op_two_internship_rows(self, idx):
        for i in idx.tolist():      # a handful of students, never scales with N
            other = self.companies[self.major[i], (self.rng.integers(0, 60))]
            self.extra_internship.append((i, other, 0, 1, np.datetime64("2027-03-15"), C_FAIL))
            self.submitted[i] = np.datetime64("2027-05-20")

    def _op_fees_owed(self, idx):
        rng = self.rng
        k = len(idx)
        item = np.where(self.boards[idx] & (rng.random(k) < 0.35), 1, np.where(rng.random(k) < 0.8, 0, 2))
        due = self.due[idx, item]
        part = np.array([10000, 20000, 50000, 80000, 100000, 35050], np.int64)[rng.integers(0, 6, k)]
        owed = np.where(rng.random(k) < 0.3, due, np.minimum(part, due))      # cents, always > 0
        self.paid[idx, item] = due - owed

    def _op_fees_net_zero(self, idx):
        self.paid[idx, 0] -= 10000
        self.paid[idx, 2] += 10000

    def _op_no_fee_rows(self, idx):
        self.has_fees[idx] = False

    def _op_photo(self, idx, kind):
        self.photo_kind[idx] = kind

    def _op_record(self, idx, field, value):
        {"ethnic": self.ethnic, "sex": self.sex, "politics": self.politics, "address": self.address}[field][idx] = value

    def _op_major_typo(self, idx):
        typos = np.array([m.typo for m in MAJORS], dtype=S)
        self.major_name[idx] = typos[self.major[idx]]

    def _op_major_blank(self, idx):
        self.major_name[idx] = ""

    def _op_id_bad_checksum(self, idx):
        wrong = (self.check_idx[idx] + self.rng.integers(1, 11, len(idx))) % 11
        self.idno[idx] = _cat(self.id17[idx], _CHECK_ARR[wrong])

    def _op_id_birth_mismatch(self, idx):
        self.birth_text[idx] = _s(np.datetime_as_string(self.birth[idx] + np.timedelta64(1, "D"), unit="D"))

    def _op_id_sex_mismatch(self, idx):
        self.sex[idx] = np.where(self.male[idx], _s("女"), _s("男"))

    def _op_id_blank(self, idx):
        self.idno[idx] = ""
        self.photo_kind[idx] = 5

    def _op_temp_id(self, idx):
        self.idno[idx] = _cat("999" + SCHOOL_CODE, np.strings.zfill(_s(np.arange(1, len(idx) + 1)), 5))
        self.photo_kind[idx] = 5

    def _op_id_duplicate(self, idx):
        a, b = idx[0::2], idx[1::2]
        self.idno[b] = self.idno[a]
        self.sex[b] = self.sex[a]
        self.birth_text[b] = self.birth_text[a]
        self.photo_kind[b] = 8

    # ---- waivers ---------------------------------------------------------
    def _waivers(self):
        m = self.members
        fees, report, late = m["fees_owed"], m["report_missing"], m["materials_late"]
        failed, nofee, stale = m["course_failed"], m["payment_record_missing"], m["stale_waiver"]
        xh = self.xh
        P, V, CX = "校长 王某", "副校长 刘某", "学籍科 李某"
        rows = [
            (xh[fees[0]], "FEES_OWED", "家庭经济困难（建档立卡户），经校长办公会研究同意先发证后补缴", P,
             "2027-06-12", "豁免", CX, "2027-06-12 10:15:00"),
            (xh[report[0]], REASON_BY_CODE["INTERNSHIP_REPORT_MISSING"].label, "实习单位出具证明，实习报告已随单位材料归档", V,
             "2027-06-13", "豁免", CX, "2027-06-13 09:40:00"),
            (xh[nofee[0]], "PAYMENT_RECORD_MISSING", "班主任反映已缴费，收据待补", V,
             "2027-06-14", "豁免", CX, "2027-06-14 15:20:00"),
            (xh[late[0]], "INTERNSHIP_MATERIALS_LATE", "因病住院延期提交，附医院证明", V,
             "2027-06-15", "豁免", CX, "2027-06-15 11:05:00"),
            (xh[failed[0]], "COURSE_FAILED", "家长申请照顾毕业", P,
             "2027-06-16", "豁免", CX, "2027-06-16 16:30:00"),
            (xh[fees[1]], "FEES_OWED", "家庭突遭变故，经校长批准缓缴", P,
             "2027-06-17", "豁免", CX, "2027-06-17 08:50:00"),
            (xh[stale[0]], "INTERNSHIP_MATERIALS_LATE", "班主任误报材料逾期", V,
             "2027-06-18", "豁免", CX, "2027-06-18 14:00:00"),
            (xh[nofee[0]], "PAYMENT_RECORD_MISSING", "财务科核查无此缴费记录，撤销豁免", V,
             "2027-06-21", "撤销", CX, "2027-06-21 09:10:00"),
        ]
        self.waiver_rows = [tuple(str(v) for v in r) for r in rows]
        # who keeps what: (student index, reason) pairs a correct run removes
        self.waived = [(fees[0], "FEES_OWED"), (report[0], "INTERNSHIP_REPORT_MISSING"),
                       (late[0], "INTERNSHIP_MATERIALS_LATE"), (fees[1], "FEES_OWED")]

    # ---- tables ------------------------------------------------------------
    def tables(self, as_csv: bool) -> list[_Table]:
        return [self._t_roster(as_csv), self._t_plan(), self._t_grades(), self._t_fees(), self._t_internship()]

    def _t_roster(self, as_csv):
        n = self.n
        c = [
            _Col("姓名", self.name, width=10),
            _Col("性别", self.sex, width=6),
            _Col("身份证号", self.idno, width=21),
            _Col("出生日期", self.birth_text, width=12),
            _Col("民族", self.ethnic, width=8),
            _Col("政治面貌", self.politics, width=10),
            _Col("籍贯", self.native_place, width=10),
            _Col("年级", _cat(_s(self.entry), "级"), width=8),
            _Col("入学年月", _cat(_s(self.entry), "09"), width=10),
            _Col("修读专业", self.major_name, width=16),
            _Col("学制", np.full(n, "3年", dtype=S), width=6),
            _Col("班级名称", self.class_name, width=14),
            _Col("班主任", self.teacher, width=10),
            _Col("校内学号", self.xh, width=14),
            _Col("学生状态", self.status, width=12),
            _Col("成绩认定", self.certified, width=10),
            _Col("准考证号", self.exam_no, width=16),
            _Col("现家庭住址", self.address, width=44),
            _Col("邮政编码", self.postcode, width=10),
            _Col("联系电话", self.phone, width=14),
            _Col("毕业证书编号", self.diploma, width=18),
        ]
        title = None if as_csv else f"{SCHOOL}{COHORT}届毕业生学籍信息"
        return _Table("学籍库", "学生信息", c, title=title)

    def _t_plan(self):
        rows = self.plan
        cols = list(zip(*rows))
        c = [_Col("课程代码", _s(cols[0]), width=10), _Col("课程名称", _s(cols[1]), width=24),
             _Col("专业", _s(cols[2]), width=16), _Col("学期", _s(cols[3]), width=6),
             _Col("课程性质", _s(cols[4]), width=10)]
        return _Table("教学计划", "教学计划", c)

    def _t_grades(self):
        # one orphan row: a student transferred out and deleted from the roster, still in the grades
        orphan = f"2024{MAJORS[0].no}{1:0{self.width}d}99"
        ocols = self.major_cols[0][0]
        def add_orphan(a, fill):
            row = np.full((1, a.shape[1]), -1, np.int8)
            row[0, ocols] = fill
            return np.vstack([a, row])
        g1 = add_orphan(self.g1, 72)
        g2 = add_orphan(self.g2, -1)
        g3 = add_orphan(self.g3, -1)
        g1[-1, ocols[self.five[ocols]]] = C_MID
        xh = np.append(self.xh, _s([orphan]))
        name = np.append(self.name, _s(["邓子豪"]))
        cls = np.append(self.class_name, _s([f"24{MAJORS[0].short}1班"]))
        c = [_Col("学号", xh, width=14), _Col("姓名", name, width=10), _Col("班级", cls, width=14)]
        for j, nm in enumerate(self.course_names):
            c.append(_Col(nm, g1[:, j], "grade", width=max(8, len(nm) * 2 + 2)))
        for j, nm in enumerate(self.course_names):
            if (g2[:, j] >= 0).any():
                c.append(_Col(nm + ("(补考)" if j % 2 == 0 else "（补考）"), g2[:, j], "grade",
                              width=len(nm) * 2 + 8))
        for j, nm in enumerate(self.course_names):
            if (g3[:, j] >= 0).any():
                c.append(_Col(nm + ("（清考）" if j % 2 == 0 else "(清考)"), g3[:, j], "grade",
                              width=len(nm) * 2 + 8))
        return _Table("成绩库", "成绩总表", c)

    def _t_fees(self):
        n = self.n
        stu = np.repeat(np.arange(n), 3)
        item = np.tile(np.arange(3), n)
        keep = self.has_fees[stu]
        stu, item = stu[keep], item[keep]
        due = self.due[stu, item]
        paid = self.paid[stu, item]
        orphan = f"2024{MAJORS[1].no}{1:0{self.width}d}98"
        xh = np.append(self.xh[stu], _s([orphan]))
        name = np.append(self.name[stu], _s(["孙梦瑶"]))
        items = np.append(np.array(FEE_ITEMS, dtype=S)[item], _s(["学费"]))
        due = np.append(due, 240000)
        paid = np.append(paid, 240000)
        c = [_Col("学号", xh, width=14), _Col("姓名", name, width=10), _Col("收费项目", items, width=10),
             _Col("应缴金额", due, "money"), _Col("已缴金额", paid, "money"),
             _Col("欠费金额", due - paid, "money")]
        tot = [int(due.sum()), int(paid.sum()), int((due - paid).sum())]
        footer = [["合计", "", "", *tot], ["制表人：财务科 张某", "", "制表日期：2027年6月15日", None, None, None]]
        return _Table("缴费库", "缴费明细", c, footer=footer)

    def _t_internship(self):
        idx = np.flatnonzero(self.has_internship)
        ex = self.extra_internship
        stu = np.r_[idx, np.array([e[0] for e in ex], np.int64)]
        company = np.r_[self.company[idx], _s([e[1] for e in ex])] if ex else self.company[idx]
        form = np.r_[self.form[idx], [e[2] for e in ex]].astype(np.int8)
        report = np.r_[self.report[idx], [e[3] for e in ex]].astype(np.int8)
        date = np.r_[self.submitted[idx], np.array([e[4] for e in ex], "datetime64[D]")]
        style = np.r_[self.sub_style[idx], np.zeros(len(ex), np.int8)]
        assess = np.r_[self.assess[idx], [e[5] for e in ex]].astype(np.int8)
        order = np.argsort(self.xh[stu], kind="stable")
        stu, company, form, report, date, style, assess = (a[order] for a in
                                                            (stu, company, form, report, date, style, assess))
        orphan = f"2024{MAJORS[2].no}{1:0{self.width}d}99"
        c = [_Col("学号", np.append(self.xh[stu], _s([orphan])), width=14),
             _Col("姓名", np.append(self.name[stu], _s(["曾俊杰"])), width=10),
             _Col("实习单位", np.append(company, _s(["南昌恒通汽车维修有限公司"])), width=32),
             _Col("审批表", np.append(np.array(FORM_VALUES, dtype=S)[form], _s(["是"])), width=8),
             _Col("实习报告", np.append(np.array(REPORT_VALUES, dtype=S)[report], _s(["已交"])), width=10),
             _Col("提交日期", np.append(date, np.datetime64("2027-05-10")), "date",
                  style=np.append(style, np.int8(0)), width=16),
             _Col("实习考核", np.append(assess, np.int8(C_GOOD)), "grade", width=10)]
        return _Table("顶岗实习", "顶岗实习情况", c)

    def address_columns(self) -> list[np.ndarray]:
        """学号, 收件人, 联系电话, 邮寄地址, 邮政编码 of the students whose class teacher sent an address."""
        idx = np.flatnonzero(self.has_address)
        return [self.xh[idx], self.recipient[idx], self.mail_phone[idx], self.address[idx], self.mail_postcode[idx]]


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------
def _write_xlsx(path: Path, t: _Table) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    if t.n > 20_000:
        wb.use_zip64()
    wb.set_properties({"title": f"{SCHOOL}{COHORT}届 {t.stem}", "author": "gradlib.demo", "company": SCHOOL,
                       "created": CREATED})
    ws = wb.add_worksheet(t.sheet)
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for j, col in enumerate(t.cols):
        ws.set_column(j, j, col.width)
    if t.title:
        ws.merge_range(0, 0, 0, len(t.cols) - 1, t.title, wb.add_format({"bold": True, "font_size": 14,
                                                                          "align": "center"}))
        r = 1
    ws.write_row(r, 0, [c.header for c in t.cols], head_fmt)
    ws.freeze_panes(r + 1, 0)
    r += 1
    date_cols = [j for j, c in enumerate(t.cols) if c.kind == "date"]
    for a in range(0, t.n, _CHUNK):
        b = min(a + _CHUNK, t.n)
        for row in zip(*(c.native(a, b) for c in t.cols)):
            ws.write_row(r, 0, row)
            for j in date_cols:
                if isinstance(row[j], dt.date):
                    ws.write_datetime(r, j, row[j], date_fmt)
            r += 1
    if t.footer:
        r += 1                                                       # a blank row before the footer
        for row in t.footer:
            ws.write_row(r, 0, [x / 100 if isinstance(x, int) and not isinstance(x, bool) else x for x in row])
            r += 1
    wb.close()


def _write_csv(path: Path, t: _Table) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.header for c in t.cols])
        for a in range(0, t.n, _CHUNK):
            b = min(a + _CHUNK, t.n)
            w.writerows(zip(*(c.text(a, b) for c in t.cols)))
        if t.footer:
            w.writerow([""] * len(t.cols))
            for row in t.footer:
                w.writerow(["" if x is None else (f"{x / 100:.2f}" if isinstance(x, int) else x) for x in row])


def _portraits(seed: int) -> dict[str, bytes]:
    """A handful of distinct ID photos (and the bad ones), made once and reused."""
    rng = np.random.default_rng([seed, 480640])
    out = {}
    backgrounds = [(67, 142, 219), (255, 255, 255), (200, 30, 45)]
    for v in range(6):
        img = _portrait(rng, backgrounds[v % 3], (PHOTO_W, PHOTO_H))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        out[f"ok{v}"] = buf.getvalue()
    for v, size in enumerate([(358, 441), (390, 567), (295, 413)]):
        buf = io.BytesIO()
        _portrait(rng, backgrounds[v % 3], size).save(buf, "JPEG", quality=85)
        out[f"size{v}"] = buf.getvalue()
    buf = io.BytesIO()
    _portrait(rng, backgrounds[0], (PHOTO_W, PHOTO_H)).save(buf, "PNG")
    out["png"] = buf.getvalue()
    noise = rng.integers(0, 256, (PHOTO_H, PHOTO_W, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise, "RGB").save(buf, "JPEG", quality=95)
    out["big"] = buf.getvalue()
    assert len(out["big"]) > PHOTO_MAX_KB * 1024
    assert all(len(out[f"ok{v}"]) < PHOTO_MAX_KB * 1024 for v in range(6))
    return out


def _portrait(rng, bg, size) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    sx, sy = w / 480, h / 640
    skin = tuple(int(x) for x in rng.integers([215, 170, 140], [250, 205, 175]))
    cloth = tuple(int(x) for x in rng.integers(10, 90, 3))
    hair = tuple(int(x) for x in rng.integers(10, 40, 3))
    head_w = rng.uniform(150, 185)
    cx = w / 2
    d.ellipse([cx - 220 * sx, 470 * sy, cx + 220 * sx, 760 * sy], fill=cloth)             # shoulders
    d.rectangle([cx - 40 * sx, 360 * sy, cx + 40 * sx, 490 * sy], fill=skin)               # neck
    d.polygon([(cx - 50 * sx, 470 * sy), (cx, 560 * sy), (cx + 50 * sx, 470 * sy)], fill=(245, 245, 245))
    d.ellipse([cx - head_w / 2 * sx, 150 * sy, cx + head_w / 2 * sx, 410 * sy], fill=skin)  # face
    d.chord([cx - (head_w / 2 + 8) * sx, 120 * sy, cx + (head_w / 2 + 8) * sx, 330 * sy], 180, 360, fill=hair)
    for ex in (-35, 35):                                                                   # eyes
        d.ellipse([cx + (ex - 9) * sx, 265 * sy, cx + (ex + 9) * sx, 277 * sy], fill=(40, 30, 30))
    d.arc([cx - 28 * sx, 320 * sy, cx + 28 * sx, 360 * sy], 20, 160, fill=(160, 80, 80), width=3)
    grain = rng.normal(0, 4, (h, w, 1))
    arr = np.clip(np.asarray(img, dtype=np.float64) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB").filter(ImageFilter.SMOOTH)


def _write_photos(folder: Path, co: _Cohort) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    imgs = _portraits(co.seed)
    kind = co.photo_kind
    ids = np.strings.upper(np.strings.strip(co.idno))
    names = np.where(np.isin(kind, [5]), co.xh, ids)
    ext = np.where(kind == 6, _s(".JPG"), np.where(kind == 7, _s(".jpeg"), _s(".jpg")))
    files = _cat(names, ext)
    write = ~np.isin(kind, [1, 8])
    size_variant = np.arange(co.n) % 3
    for i in np.flatnonzero(write).tolist():
        k = int(kind[i])
        data = (imgs["png"] if k == 3 else imgs["big"] if k == 4 else imgs[f"size{size_variant[i]}"] if k == 2
                else imgs[f"ok{co.photo_variant[i]}"])
        (folder / str(files[i])).write_bytes(data)


def _params_text(students, seed, fmt, photos):
    ext = "csv" if fmt == "csv" else "xlsx"
    photo_line = "  photos: 照片/" if photos else "  photos: null"
    return (
        f"# {SCHOOL} {COHORT}届毕业生 演示数据（gradlib.demo：students={students}, seed={seed}）\n"
        f"cohort: {COHORT}\n"
        f"school: {SCHOOL}\n"
        "data_dir: data\n"
        "sources:\n"
        f"  students: 学籍库.{ext}\n"
        f"  curriculum: 教学计划.{ext}\n"
        f"  grades: 成绩库.{ext}\n"
        f"  fees: 缴费库.{ext}\n"
        f"  internship: 顶岗实习.{ext}\n"
        "  addresses: 邮寄地址.csv\n"
        f"{photo_line}\n"
        f"waivers: {COHORT}.waivers.csv\n"
        "fees_mode: ledger\n"
        "internship_materials_due: 2027-05-31\n"
        "makeup_results_published: 2027-06-20\n"
        "issue_window: [2027-07-01, 2027-07-15]\n"
        f"photo: {{width: {PHOTO_W}, height: {PHOTO_H}, max_kb: {PHOTO_MAX_KB}}}\n"
        "output_dir: outputs\n"
    )


def write_demo(out_dir: Path, students: int = 3000, seed: int = 2027, photos: bool = True) -> Path:
    """Write a synthetic cohort into out_dir and return the path of its params YAML.

    Writes ``params.yaml``, ``2027.waivers.csv`` and ``data/`` (学籍库, 教学计划, 成绩库, 缴费库,
    顶岗实习 as .xlsx — or as UTF-8 .csv above ``CSV_THRESHOLD`` students —, 邮寄地址.csv in GBK and
    the folder 照片/). Above ``CSV_THRESHOLD`` students no photos are written (``photos: null``).
    ``data/照片`` is emptied first so an earlier run cannot leave stale photos behind.
    """
    out_dir = Path(out_dir)
    students = int(students)
    co = _Cohort(students, seed)
    as_csv = students > CSV_THRESHOLD
    photos = bool(photos) and not as_csv
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    for t in co.tables(as_csv):
        if as_csv:
            _write_csv(data / f"{t.stem}.csv", t)
        else:
            _write_xlsx(data / f"{t.stem}.xlsx", t)
    # mailing addresses: collected by class teachers, saved from Excel on a Chinese Windows: GBK
    with open(data / "邮寄地址.csv", "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学号", "收件人", "联系电话", "邮寄地址", "邮政编码"])
        cols = co.address_columns()
        n = len(cols[0])
        for a in range(0, n, _CHUNK):
            w.writerows(zip(*(c[a:a + _CHUNK].tolist() for c in cols)))
    if photos:
        _write_photos(data / "照片", co)
    with open(out_dir / f"{COHORT}.waivers.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学号", "原因代码", "理由", "批准人", "日期", "操作", "记录人", "记录时间"])
        w.writerows(co.waiver_rows)
    params = out_dir / "params.yaml"
    params.write_text(_params_text(students, seed, "csv" if as_csv else "xlsx", photos), encoding="utf-8")
    return params


def expected_decisions(students: int = 3000, seed: int = 2027, photos: bool = True):
    """The decision a correct run must reach on ``write_demo(out, students, seed, photos)``.

    Returns a DataFrame sorted by student_id with the columns of decisions.csv
    (student_id, outcome, reasons, waived, deadline) plus ``scenario`` (the
    planted scenario's key, see ``SCENARIOS``; empty for a clean student).
    """
    import pandas as pd

    from .reasons import REASON_BY_CODE, REASONS, SEVERITY, join_codes

    co = _Cohort(int(students), seed)
    photos = bool(photos) and students <= CSV_THRESHOLD
    bit = {r.code: 1 << i for i, r in enumerate(REASONS)}
    mask = np.zeros(co.n, np.int64)
    for s in SCENARIOS:
        m = 0
        for code in s.reasons:
            if photos or code not in PHOTO_REASONS:
                m |= bit[code]
        mask[co.members[s.key]] |= m
    waived = np.zeros(co.n, np.int64)
    for i, code in co.waived:
        if mask[i] & bit[code]:
            waived[i] |= bit[code]
    mask &= ~waived

    def codes(m):
        return [r.code for r in REASONS if m & bit[r.code]]

    u_mask, inv = np.unique(mask, return_inverse=True)
    reasons_s = np.array([join_codes(codes(int(m))) for m in u_mask], dtype=object)[inv]
    outcome_of = []
    for m in u_mask:
        outs = [REASON_BY_CODE[c].outcome for c in codes(int(m))]
        outcome_of.append(max(outs, key=SEVERITY.__getitem__) if outs else "COLLECT")
    outcome = np.array(outcome_of, dtype=object)[inv]
    u_w, inv_w = np.unique(waived, return_inverse=True)
    waived_s = np.array([join_codes(codes(int(m))) for m in u_w], dtype=object)[inv_w]
    deadline = dt.date(MAKEUP_PUBLISHED.year + 1, MAKEUP_PUBLISHED.month, MAKEUP_PUBLISHED.day).isoformat()
    df = pd.DataFrame({
        "student_id": co.xh.astype(object),
        "outcome": outcome,
        "reasons": reasons_s,
        "waived": waived_s,
        "deadline": np.where(outcome == "WITHHELD", deadline, ""),
        "scenario": _SC_LABEL[co.scenario],
    })
    return df.sort_values("student_id", kind="stable").reset_index(drop=True)
