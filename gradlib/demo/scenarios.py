"""The planted scenarios of the synthetic cohort: who gets which defect, and which reasons that must give.

Each scenario names plain functions of ``plant.py`` (with their arguments) that bend the chosen students'
data; ``reasons`` is what a correct run must find for them before waivers, and ``without_status`` what it
must find on a roster without a 学籍状态 column (``write_demo(messy_files=True)``: the national export
cannot say 休学, 退学, 转出 or 离校未办手续, so every student is 在籍).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .reference import C_PENDING


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    rate: float          # share of the cohort
    minimum: int         # at least this many students, whatever the size
    ops: tuple           # (name of a function of plant.py, kwargs) applied to the chosen students
    reasons: tuple       # the reasons a correct run must find (before waivers)
    without_status: tuple | None = None   # the reasons when the roster has no 学籍状态 column (all 在籍)

    def reasons_for(self, with_status: bool) -> tuple:
        """The reasons a correct run must find, on a roster with or without a 学籍状态 column."""
        return self.reasons if with_status or self.without_status is None else self.without_status


def _sc(key, label, rate, minimum, ops, reasons=(), without_status=None):
    return Scenario(key, label, rate, minimum, tuple((o[0], o[1] if len(o) > 1 else {}) for o in ops),
                    tuple(reasons), None if without_status is None else tuple(without_status))


SCENARIOS: tuple[Scenario, ...] = (
    _sc("left_without_procedure", "离校未办手续", 0.0008, 1, [("status", {"value": "离校未办手续"})],
        ["LEFT_WITHOUT_PROCEDURE"], []),
    _sc("left_no_internship_fees", "离校未办手续，且无实习记录、欠费", 0.0008, 1,
        [("status", {"value": "离校未办手续"}), ("no_internship_row",), ("fees_owed",)],
        ["LEFT_WITHOUT_PROCEDURE", "INTERNSHIP_RECORD_MISSING", "FEES_OWED"], ["INTERNSHIP_RECORD_MISSING", "FEES_OWED"]),
    _sc("dropped_out", "退学（实习前退学，无实习记录和实习成绩）", 0.0015, 1,
        [("status", {"value": "退学"}), ("no_internship_row",), ("grade_missing", {"internship": True})],
        ["NO_STATUS", "GRADE_MISSING", "INTERNSHIP_RECORD_MISSING"], ["GRADE_MISSING", "INTERNSHIP_RECORD_MISSING"]),
    _sc("transferred", "转出", 0.001, 1, [("status", {"value": "转出"})], ["NO_STATUS"], []),
    _sc("suspended_ok", "休学，已缴清费用且成绩已认定（按在籍审核）", 0.001, 1, [("suspended", {"certified": "是"})], [], []),
    _sc("suspended_uncertified", "休学，成绩认定为“否”", 0.0008, 1, [("suspended", {"certified": "否"})],
        ["SUSPENDED_GRADES_UNCERTIFIED"], []),
    _sc("suspended_uncertified_blank", "休学，成绩认定为空", 0.0004, 1, [("suspended", {"certified": ""})],
        ["SUSPENDED_GRADES_UNCERTIFIED"], []),
    _sc("suspended_fees_owed", "休学，成绩已认定但欠费", 0.0008, 1,
        [("suspended", {"certified": "是"}), ("fees_owed",)], ["SUSPENDED_FEES_OWED"], ["FEES_OWED"]),
    _sc("suspended_no_fee_rows", "休学，成绩已认定但缴费库无记录", 0.0004, 1,
        [("suspended", {"certified": "是"}), ("no_fee_rows",)], ["SUSPENDED_FEES_OWED"], ["PAYMENT_RECORD_MISSING"]),
    _sc("suspended_both", "休学，欠费且成绩未认定", 0.0004, 1,
        [("suspended", {"certified": "否"}), ("fees_owed",)],
        ["SUSPENDED_FEES_OWED", "SUSPENDED_GRADES_UNCERTIFIED"], ["FEES_OWED"]),
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
        ["RECORD_INCOMPLETE"], []),
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
    _sc("fees_owed_photo_missing", "欠费且没有照片", 0.003, 1, [("fees_owed",), ("photo", {"kind": 1})],
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
SC_INDEX = {s.key: i for i, s in enumerate(SCENARIOS)}
SC_LABEL = np.array([""] + [s.key for s in SCENARIOS], dtype=object)
