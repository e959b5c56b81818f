"""Every reason code of rules.md, each with a case that fails without its rule."""
import pandas as pd
import pytest
from builders import jpeg, make_id
from conftest import outcome_of, run_decide

from gradlib.findings import Kind
from gradlib.reasons import REASONS

S1, S2, S4 = "2024000001", "2024000002", "2024000004"


def set_cell(df: pd.DataFrame, sid: str, column: str, value, key="学号"):
    df.loc[df[key] == sid, column] = value


def test_base_cohort_is_all_collect(cohort_files):
    d = run_decide(cohort_files)
    assert set(d.table["outcome"]) == {"COLLECT"}
    assert (d.table["reasons"] == "").all()
    assert len(d.problems) == 0


def _only(d, sid, code, outcome):
    got_outcome, reasons, waived = outcome_of(d, sid)
    assert reasons == {code}, reasons
    assert got_outcome == outcome
    others = d.table[d.table["student_id"] != sid]
    assert set(others["outcome"]) == {"COLLECT"}


def test_left_without_procedure(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "离校未办手续")
    _only(run_decide(cohort_files), S1, "LEFT_WITHOUT_PROCEDURE", "NOT_ELIGIBLE")


@pytest.mark.parametrize("status", ["退学", "转出"])
def test_no_status(cohort_files, status):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", status)
    _only(run_decide(cohort_files), S1, "NO_STATUS", "NOT_ELIGIBLE")


def test_suspended_owing_fees(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "休学")
    set_cell(cohort_files.tables["students"], S1, "成绩认定", "是")
    fees = cohort_files.tables["fees"]
    fees.loc[(fees["学号"] == S1) & (fees["收费项目"] == "学费"), "已缴金额"] = "1900"
    d = run_decide(cohort_files)
    _only(d, S1, "SUSPENDED_FEES_OWED", "NOT_ELIGIBLE")  # never FEES_OWED as well
    ev = d.reasons.set_index("code").loc["SUSPENDED_FEES_OWED", "evidence"]
    assert "500.00" in ev


def test_suspended_without_fee_rows_in_ledger_mode(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "休学")
    set_cell(cohort_files.tables["students"], S1, "成绩认定", "是")
    fees = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = fees[fees["学号"] != S1]
    _only(run_decide(cohort_files), S1, "SUSPENDED_FEES_OWED", "NOT_ELIGIBLE")  # not PAYMENT_RECORD_MISSING


def test_suspended_grades_uncertified(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "休学")
    set_cell(cohort_files.tables["students"], S1, "成绩认定", "否")
    _only(run_decide(cohort_files), S1, "SUSPENDED_GRADES_UNCERTIFIED", "NOT_ELIGIBLE")


def test_suspended_student_meeting_both_conditions_is_checked_like_enrolled(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "休学")
    set_cell(cohort_files.tables["students"], S1, "成绩认定", "已交")
    o, reasons, _ = outcome_of(run_decide(cohort_files), S1)
    assert o == "COLLECT" and reasons == set()


def test_course_failed_after_makeup_and_clearance(cohort_files):
    g = cohort_files.tables["grades"]
    sel = (g["学号"] == S1) & (g["课程代码"] == "C01")
    g.loc[sel, ["成绩", "补考成绩", "清考成绩"]] = ["45", "50", "缺考"]
    d = run_decide(cohort_files)
    _only(d, S1, "COURSE_FAILED", "WITHHELD")
    ev = d.reasons.set_index("code").loc["COURSE_FAILED", "evidence"]
    assert "语文" in ev and "45" in ev and "50" in ev and "缺考" in ev
    row = d.table.set_index("student_id").loc[S1]
    assert row["deadline"] == "2028-06-20"


def test_course_passed_at_clearance_is_not_failed(cohort_files):
    g = cohort_files.tables["grades"]
    sel = (g["学号"] == S1) & (g["课程代码"] == "C01")
    g.loc[sel, ["成绩", "补考成绩", "清考成绩"]] = ["45", "不及格", "及格"]
    assert outcome_of(run_decide(cohort_files), S1)[0] == "COLLECT"


def test_attempts_pooled_over_rows(cohort_files):
    g = cohort_files.tables["grades"]
    sel = (g["学号"] == S1) & (g["课程代码"] == "C01")
    g.loc[sel, "成绩"] = "30"
    extra = pd.DataFrame([{"学号": S1, "课程代码": "C01", "成绩": "", "补考成绩": "75", "清考成绩": ""}])
    cohort_files.tables["grades"] = pd.concat([g, extra], ignore_index=True)
    assert outcome_of(run_decide(cohort_files), S1)[0] == "COLLECT"


def test_elective_never_blocks(cohort_files):
    g = cohort_files.tables["grades"]
    g.loc[(g["学号"] == S1) & (g["课程代码"] == "C03"), "成绩"] = "10"  # 机械制图 is 选修
    cohort_files.tables["grades"] = g[~((g["学号"] == S2) & (g["课程代码"] == "C03"))]
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[0] == "COLLECT" and outcome_of(d, S2)[0] == "COLLECT"


def test_internship_course_is_judged_like_any_course(cohort_files):
    g = cohort_files.tables["grades"]
    g.loc[(g["学号"] == S1) & (g["课程代码"] == "C09"), "成绩"] = "不合格"
    _only(run_decide(cohort_files), S1, "COURSE_FAILED", "WITHHELD")


def test_internship_failed(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "实习考核", "不及格")
    _only(run_decide(cohort_files), S1, "INTERNSHIP_FAILED", "WITHHELD")


def test_record_incomplete(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "民族", "")
    set_cell(cohort_files.tables["students"], S2, "性别", "M")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[1] == {"RECORD_INCOMPLETE"}
    # 性别 not 男/女: incomplete, and the ID's sex check is not applied to an invalid 性别
    assert outcome_of(d, S2) == ("DEFERRED", {"RECORD_INCOMPLETE"}, set())


def test_bad_birth_date_and_unknown_status_are_record_incomplete(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "出生日期", "2008-13-45")
    set_cell(cohort_files.tables["students"], S2, "学籍状态", "在校")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[1] == {"RECORD_INCOMPLETE"}
    assert outcome_of(d, S2) == ("DEFERRED", {"RECORD_INCOMPLETE"}, set())  # then checked as 在籍


def test_major_not_in_plan(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "专业", "烹饪")
    set_cell(cohort_files.tables["students"], S2, "专业", "")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1) == ("DEFERRED", {"MAJOR_NOT_IN_PLAN"}, set())
    assert outcome_of(d, S2) == ("DEFERRED", {"MAJOR_NOT_IN_PLAN"}, set())  # not RECORD_INCOMPLETE as well


def test_grade_missing(cohort_files):
    g = cohort_files.tables["grades"]
    g = g[~((g["学号"] == S1) & (g["课程代码"] == "C02"))]
    g.loc[(g["学号"] == S2) & (g["课程代码"] == "C02"), "成绩"] = "abc"  # not a grade: no attempt
    g.loc[(g["学号"] == S4) & (g["课程代码"] == "A02"), "成绩"] = "105"
    cohort_files.tables["grades"] = g
    d = run_decide(cohort_files)
    for sid in (S1, S2, S4):
        assert outcome_of(d, sid) == ("DEFERRED", {"GRADE_MISSING"}, set())
    assert (d.problems["value"] == "abc").any() and (d.problems["value"] == "105").any()


def test_internship_record_missing_excludes_the_other_internship_reasons(cohort_files):
    i = cohort_files.tables["internship"]
    cohort_files.tables["internship"] = i[i["学号"] != S1]
    _only(run_decide(cohort_files), S1, "INTERNSHIP_RECORD_MISSING", "DEFERRED")


@pytest.mark.parametrize("value", ["", "待定"])
def test_internship_unassessed(cohort_files, value):
    set_cell(cohort_files.tables["internship"], S1, "实习考核", value)
    _only(run_decide(cohort_files), S1, "INTERNSHIP_UNASSESSED", "DEFERRED")


@pytest.mark.parametrize("value", ["否", "", "未交", "无"])
def test_internship_form_missing(cohort_files, value):
    set_cell(cohort_files.tables["internship"], S1, "审批表", value)
    _only(run_decide(cohort_files), S1, "INTERNSHIP_FORM_MISSING", "DEFERRED")


def test_internship_report_missing(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "实习报告", "N")
    _only(run_decide(cohort_files), S1, "INTERNSHIP_REPORT_MISSING", "DEFERRED")


def test_internship_materials_late_but_due_date_is_on_time(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "提交日期", "2027年6月1日")
    set_cell(cohort_files.tables["internship"], S2, "提交日期", "2027-05-31")
    set_cell(cohort_files.tables["internship"], S4, "提交日期", "不详")  # unparseable: a problem, not late
    d = run_decide(cohort_files)
    _only_reasons = outcome_of(d, S1)
    assert _only_reasons == ("DEFERRED", {"INTERNSHIP_MATERIALS_LATE"}, set())
    assert outcome_of(d, S2)[0] == "COLLECT"
    assert outcome_of(d, S4)[0] == "COLLECT"
    assert (d.problems["value"] == "不详").any()


def test_latest_internship_row_counts(cohort_files):
    i = cohort_files.tables["internship"]
    older = i[i["学号"] == S1].assign(提交日期="2027-04-01", 实习考核="不及格")
    newer_same_day = i[i["学号"] == S2].assign(实习报告="否")  # same date as S2's row: the favourable one counts
    cohort_files.tables["internship"] = pd.concat([older, i, newer_same_day], ignore_index=True)
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[0] == "COLLECT"
    assert outcome_of(d, S2)[0] == "COLLECT"
    assert ((d.problems["kind"] == Kind.DUPLICATE_ROW) & (d.problems["file"] == "顶岗实习.xlsx")).sum() == 4


def test_fees_owed_with_amount(cohort_files):
    f = cohort_files.tables["fees"]
    f.loc[(f["学号"] == S1) & (f["收费项目"] == "住宿费"), "已缴金额"] = "300"
    d = run_decide(cohort_files)
    _only(d, S1, "FEES_OWED", "DEFERRED")
    assert "500.00" in d.reasons.set_index("code").loc["FEES_OWED", "evidence"]


def test_fee_tolerance(cohort_files):
    f = cohort_files.tables["fees"]
    f.loc[(f["学号"] == S1) & (f["收费项目"] == "住宿费"), "已缴金额"] = "799.5"
    cohort_files.params["fee_tolerance"] = "1"
    assert outcome_of(run_decide(cohort_files), S1)[0] == "COLLECT"


def test_payment_record_missing_in_ledger_mode_only(cohort_files):
    f = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = f[f["学号"] != S1]
    _only(run_decide(cohort_files), S1, "PAYMENT_RECORD_MISSING", "DEFERRED")
    cohort_files.params["fees_mode"] = "arrears"
    assert outcome_of(run_decide(cohort_files), S1)[0] == "COLLECT"


def test_photo_missing_and_found_under_student_id(cohort_files):
    st = cohort_files.tables["students"]
    photos = {f"{i}.jpg": jpeg() for i in st["身份证号"]}
    del photos[f"{st.loc[0, '身份证号']}.jpg"]
    del photos[f"{st.loc[1, '身份证号']}.jpg"]
    photos[f"{S2}.JPEG"] = jpeg()  # found under the 学号, any letter case
    cohort_files.photos = photos
    d = run_decide(cohort_files)
    _only(d, S1, "PHOTO_MISSING", "DEFERRED")


def test_photo_invalid(cohort_files):
    import io

    from PIL import Image
    st = cohort_files.tables["students"]
    photos = {f"{i}.jpg": jpeg() for i in st["身份证号"]}
    photos[f"{st.loc[0, '身份证号']}.jpg"] = jpeg(400, 600)
    png = io.BytesIO()
    Image.new("RGB", (480, 640)).save(png, "PNG")
    photos[f"{st.loc[1, '身份证号']}.jpg"] = png.getvalue()
    big = io.BytesIO()
    import numpy as np
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (640, 480, 3), dtype=np.uint8)).save(big, "JPEG", quality=95)
    assert len(big.getvalue()) > 100 * 1024
    photos[f"{st.loc[3, '身份证号']}.jpg"] = big.getvalue()
    cohort_files.photos = photos
    d = run_decide(cohort_files)
    for sid in (S1, S2, S4):
        assert outcome_of(d, sid) == ("DEFERRED", {"PHOTO_INVALID"}, set()), sid


@pytest.mark.parametrize("mutate", ["checksum", "format", "blank", "sex", "birth", "impossible"])
def test_id_invalid(cohort_files, mutate):
    st = cohort_files.tables["students"]
    good = st.loc[0, "身份证号"]
    bad = {
        "checksum": good[:17] + ("0" if good[17] != "0" else "1"),
        "format": good[:16] + "AB",
        "blank": "",
        "sex": make_id("360102", "20080115", 7, male=False),
        "birth": make_id("360102", "20080116", 1, male=True),
        "impossible": make_id("360102", "20080230", 1, male=True),
    }[mutate]
    set_cell(st, S1, "身份证号", bad)
    cohort_files.photos = {f"{S1}.jpg": jpeg(), **{f"{i}.jpg": jpeg() for i in st["身份证号"][1:]}}
    _only(run_decide(cohort_files), S1, "ID_INVALID", "DEFERRED")


def test_id_lowercase_x_is_valid():
    from gradlib.sources.values import id_check_digit_ok, normalise_id
    ids = normalise_id(pd.Series(["11010519491231002x"]))
    assert ids[0].endswith("X") and id_check_digit_ok(ids)[0]


def test_id_duplicate_marks_every_holder(cohort_files):
    st = cohort_files.tables["students"]
    set_cell(st, S2, "身份证号", st.loc[0, "身份证号"].lower())
    set_cell(st, S2, "性别", "男")
    set_cell(st, S2, "出生日期", "2008-01-15")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1) == ("DEFERRED", {"ID_DUPLICATE"}, set())
    assert outcome_of(d, S2) == ("DEFERRED", {"ID_DUPLICATE"}, set())


def test_temporary_id_is_a_data_problem_not_a_reason(cohort_files):
    st = cohort_files.tables["students"]
    set_cell(st, S1, "身份证号", "999" + "3601000123" + "00001")
    cohort_files.photos = {f"{i}.jpg": jpeg() for i in st["身份证号"]}
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[0] == "COLLECT"
    assert (d.problems["kind"] == Kind.TEMPORARY_ID).any()


def test_not_eligible_student_keeps_all_other_reasons(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "退学")
    set_cell(cohort_files.tables["internship"], S1, "审批表", "否")
    o, reasons, _ = outcome_of(run_decide(cohort_files), S1)
    assert o == "NOT_ELIGIBLE" and reasons == {"NO_STATUS", "INTERNSHIP_FORM_MISSING"}


def test_reasons_column_follows_table_order(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "实习报告", "否")
    set_cell(cohort_files.tables["internship"], S1, "审批表", "否")
    set_cell(cohort_files.tables["students"], S1, "民族", "")
    d = run_decide(cohort_files)
    row = d.decisions_csv().set_index("student_id").loc[S1]
    assert row["reasons"] == "RECORD_INCOMPLETE;INTERNSHIP_FORM_MISSING;INTERNSHIP_REPORT_MISSING"


def test_every_reason_code_has_a_test_here():
    import pathlib
    text = pathlib.Path(__file__).read_text(encoding="utf-8")
    for r in REASONS:
        assert f'"{r.code}"' in text, r.code
