"""The edges of the regulation's rules, each stated in its terms (issue #15): what exactly passes, what is late,
what is owed to the fen, what is never a duplicate — so that a rule moved by one step fails a test."""
import datetime as dt

import pandas as pd
import pytest
import xlsxwriter
from builders import make_id
from conftest import outcome_of, run_decide

from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.reasons import REASON_BY_CODE
from gradlib.rules import decide
from gradlib.sources import load_cohort
from gradlib.sources.values import id_check_char, parse_dates

S1, S2, S3 = "2024000001", "2024000002", "2024000003"


def set_cell(df: pd.DataFrame, sid: str, column: str, value):
    df.loc[df["学号"] == sid, column] = value


def _grade(cf, sid, code, **attempts):
    g = cf.tables["grades"]
    for col, v in attempts.items():
        g.loc[(g["学号"] == sid) & (g["课程代码"] == code), col] = v


def _reasons(d, sid):
    return outcome_of(d, sid)[1]


# ---- grades: 0 to 100, the pass mark itself passes -----------------------------------------------------

def test_grade_of_zero_is_a_failing_grade(cohort_files):
    _grade(cohort_files, S1, "C01", 成绩="0")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[:2] == ("WITHHELD", {"COURSE_FAILED"})  # a valid attempt, not GRADE_MISSING


@pytest.mark.parametrize("value", ["60", "60.0", "100"])
def test_the_pass_mark_and_full_marks_pass(cohort_files, value):
    _grade(cohort_files, S1, "C01", 成绩=value)
    assert outcome_of(run_decide(cohort_files), S1)[:2] == ("COLLECT", set())


def test_a_grade_just_under_the_pass_mark_fails(cohort_files):
    _grade(cohort_files, S1, "C01", 成绩="59.9")
    assert _reasons(run_decide(cohort_files), S1) == {"COURSE_FAILED"}


def test_the_pass_mark_comes_from_params(cohort_files):
    cohort_files.params["pass_mark"] = "70"
    _grade(cohort_files, S1, "C01", 成绩="69")
    _grade(cohort_files, S2, "C01", 成绩="70")
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"COURSE_FAILED"} and _reasons(d, S2) == set()


@pytest.mark.parametrize("value", ["100.5", "101", "-1", "105"])
def test_a_grade_above_100_or_below_0_is_not_a_grade(cohort_files, value):
    _grade(cohort_files, S1, "C01", 成绩=value)
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"GRADE_MISSING"}  # counts as no attempt
    bad = d.problems[(d.problems["student_id"] == S1) & (d.problems["kind"] == Kind.NOT_A_GRADE)]
    assert list(bad["value"]) == [value]


def test_a_failed_makeup_keeps_the_course_failed_and_a_passed_one_clears_it(cohort_files):
    _grade(cohort_files, S1, "C01", 成绩="40", 补考成绩="59")
    _grade(cohort_files, S2, "C01", 成绩="40", 补考成绩="60")
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"COURSE_FAILED"} and _reasons(d, S2) == set()
    ev = d.reasons[(d.reasons["idx"] == 0) & (d.reasons["code"] == "COURSE_FAILED")]["evidence"].iloc[0]
    assert "成绩 40" in ev and "补考 59" in ev


def test_an_elective_never_blocks_even_at_zero(cohort_files):
    _grade(cohort_files, S1, "C03", 成绩="0")  # C03 is 选修 for 机电技术应用
    assert _reasons(run_decide(cohort_files), S1) == set()


# ---- dates: Excel serials and the materials deadline ---------------------------------------------------

def _serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def test_excel_serial_dates_use_the_1899_12_30_epoch():
    dates, bad = parse_dates(pd.Series([str(_serial(dt.date(2027, 5, 31))), "46537", "20270531"]))
    assert list(dates.dt.date) == [dt.date(2027, 5, 31), dt.date(2027, 5, 30), dt.date(2027, 5, 31)]
    assert not bad.any()


def _rewrite(path, df: pd.DataFrame, cells: dict[tuple[int, str], object]):
    """Write df to path as text cells, except (row, column) → a number or a real Excel date."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet()
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, list(df.columns))
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            special = cells.get((i - 1, df.columns[j]))
            if isinstance(special, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(special, dt.time()), date_fmt)
            elif special is not None:
                ws.write_number(i, j, special)
            elif v != "":
                ws.write_string(i, j, str(v))
    wb.close()


@pytest.mark.parametrize("as_serial", [True, False])
def test_materials_handed_in_on_the_due_date_are_on_time_the_day_after_is_late(cohort_files, as_serial):
    params = cohort_files.write()
    due, after = dt.date(2027, 5, 31), dt.date(2027, 6, 1)
    cells = {(0, "提交日期"): _serial(due) if as_serial else due, (1, "提交日期"): _serial(after) if as_serial else after}
    _rewrite(cohort_files.root / "data" / "顶岗实习.xlsx", cohort_files.tables["internship"], cells)
    d = decide(load_cohort(load_params(params)))
    assert _reasons(d, S1) == set()
    assert _reasons(d, S2) == {"INTERNSHIP_MATERIALS_LATE"}
    ev = d.reasons[d.reasons["code"] == "INTERNSHIP_MATERIALS_LATE"]["evidence"].iloc[0]
    assert ev == "提交日期2027年6月1日，晚于规定的2027年5月31日"  # as the packet's own dates are written


def test_an_excel_serial_birth_date_agrees_with_the_id(cohort_files):
    params = cohort_files.write()
    st = cohort_files.tables["students"]
    cells = {(0, "出生日期"): _serial(dt.date(2008, 1, 15)), (1, "出生日期"): _serial(dt.date(2008, 2, 16))}
    _rewrite(cohort_files.root / "data" / "学籍库.xlsx", st, cells)
    d = decide(load_cohort(load_params(params)))
    assert _reasons(d, S1) == set()            # 2008-01-15 is the ID's birth date
    assert _reasons(d, S2) == {"ID_INVALID"}   # one day after the ID's 2008-02-15


# ---- fees: to the fen ------------------------------------------------------------------------------------

def test_four_fen_owed_with_no_tolerance_is_fees_owed(cohort_files):
    set_cell(cohort_files.tables["fees"], S1, "已缴金额", "2399.96")
    cohort_files.tables["fees"].loc[(cohort_files.tables["fees"]["学号"] == S1)
                                    & (cohort_files.tables["fees"]["收费项目"] == "住宿费"), "已缴金额"] = "800"
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"FEES_OWED"}
    assert "欠缴 0.04 元" in d.reasons[d.reasons["code"] == "FEES_OWED"]["evidence"].iloc[0]


def test_an_amount_owed_equal_to_the_tolerance_is_not_owed(cohort_files):
    cohort_files.params["fee_tolerance"] = "5"
    fees = cohort_files.tables["fees"]
    fees.loc[(fees["学号"] == S1) & (fees["收费项目"] == "学费"), "已缴金额"] = "2395"
    fees.loc[(fees["学号"] == S2) & (fees["收费项目"] == "学费"), "已缴金额"] = "2394.99"
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == set() and _reasons(d, S2) == {"FEES_OWED"}


def test_a_suspended_student_absent_from_an_arrears_list_owes_nothing(cohort_files):
    cohort_files.params["fees_mode"] = "arrears"
    set_cell(cohort_files.tables["students"], S1, "学籍状态", "休学")
    set_cell(cohort_files.tables["students"], S1, "成绩认定", "是")
    fees = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = fees[fees["学号"] != S1]
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[:2] == ("COLLECT", set())  # checked like an enrolled student, no fee reason


def test_an_enrolled_student_absent_from_an_arrears_list_has_no_payment_reason(cohort_files):
    cohort_files.params["fees_mode"] = "arrears"
    fees = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = fees[fees["学号"] != S1]
    assert _reasons(run_decide(cohort_files), S1) == set()


# ---- IDs: what is never a duplicate ----------------------------------------------------------------------

def test_two_blank_ids_are_invalid_but_never_duplicates(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "身份证号", "")
    set_cell(cohort_files.tables["students"], S2, "身份证号", "")
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == _reasons(d, S2) == {"ID_INVALID", "PHOTO_MISSING"}  # and never ID_DUPLICATE


def test_the_same_excel_mangled_id_on_two_students_is_not_a_duplicate(cohort_files):
    params = cohort_files.write()
    st = cohort_files.tables["students"]
    number = float(st.loc[0, "身份证号"][:17] + "0")
    _rewrite(cohort_files.root / "data" / "学籍库.xlsx", st, {(0, "身份证号"): number, (1, "身份证号"): number})
    d = decide(load_cohort(load_params(params)))
    for sid in (S1, S2):
        assert "ID_INVALID" in _reasons(d, sid) and "ID_DUPLICATE" not in _reasons(d, sid)
    ev = d.reasons[(d.reasons["idx"] == 0) & (d.reasons["code"] == "ID_INVALID")]["evidence"].iloc[0]
    assert "以数字形式导入" in ev


def test_a_scientific_notation_id_in_csv_is_invalid_never_duplicate_and_not_used_for_the_photo(cohort_files):
    cohort_files.fmt["students"] = "csv"
    st = cohort_files.tables["students"]
    real = st.loc[0, "身份证号"]
    sci = "3.60102200801150E+17"
    st.loc[0, "身份证号"] = sci
    st.loc[1, "身份证号"] = sci
    # a photo named after the mangled text must not be taken; the 学号 photo is
    cohort_files.photos = {f"{sci}.jpg": __import__("builders").jpeg(), f"{S2}.jpg": __import__("builders").jpeg()}
    d = run_decide(cohort_files)
    for sid in (S1, S2):
        assert "ID_INVALID" in _reasons(d, sid) and "ID_DUPLICATE" not in _reasons(d, sid)
    assert "PHOTO_MISSING" in _reasons(d, S1) and "PHOTO_MISSING" not in _reasons(d, S2)
    ev = d.reasons[(d.reasons["idx"] == 0) & (d.reasons["code"] == "ID_INVALID")]["evidence"].iloc[0]
    assert "以数字形式导入" in ev and real not in ev


def test_an_id_with_lower_case_x_is_the_same_id_as_with_upper_case(cohort_files):
    x_id = next(i for i in (make_id("360102", "20080115", k, True) for k in range(1, 500)) if i.endswith("X"))
    set_cell(cohort_files.tables["students"], S1, "身份证号", x_id[:-1] + "x")
    set_cell(cohort_files.tables["students"], S1, "出生日期", "2008-01-15")
    set_cell(cohort_files.tables["students"], S1, "性别", "男")
    set_cell(cohort_files.tables["students"], S2, "身份证号", x_id)
    set_cell(cohort_files.tables["students"], S2, "出生日期", "2008-01-15")
    set_cell(cohort_files.tables["students"], S2, "性别", "男")
    cohort_files.photos = {f"{x_id}.jpg": __import__("builders").jpeg()}
    cohort_files.photos.update({f"{i}.jpg": __import__("builders").jpeg()
                                for i in cohort_files.tables["students"]["身份证号"][2:]})
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == _reasons(d, S2) == {"ID_DUPLICATE"}  # one valid ID, two students, one photo


def test_the_check_digit_follows_gb_11643():
    assert id_check_char("11010519491231002") == "X"   # the standard's own example
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # an independent oracle
    for body in ("44052418800101001", "36010220080115001", "36012119990229123"):
        assert id_check_char(body) == "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


# ---- the data-problems sheet, waivers, decisions.csv, evidence ------------------------------------------

def test_each_reason_found_in_the_data_is_listed_under_its_own_code(cohort_files):
    st = cohort_files.tables["students"]
    set_cell(st, S1, "专业", "机电一体化")
    set_cell(st, S2, "民族", "")
    set_cell(st, S3, "身份证号", "360102200803150019")
    cohort_files.photos = {}
    d = run_decide(cohort_files)
    rows = d.problems[d.problems["kind"].isin(REASON_BY_CODE)]
    assert len(rows)
    for r in rows.itertuples():
        assert REASON_BY_CODE[r.kind].label in r.problem
        assert r.kind in _reasons(d, r.student_id)
    assert set(rows[rows["student_id"] == S1]["kind"]) >= {"MAJOR_NOT_IN_PLAN"}


def _waivers(rows):
    return pd.DataFrame([dict(zip(["学号", "原因代码", "理由", "批准人", "日期", "操作"], r)) for r in rows])


def test_a_revocation_that_a_later_waiver_supersedes_is_superseded(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "实习报告", "否")
    cohort_files.waivers = _waivers([
        (S1, "INTERNSHIP_REPORT_MISSING", "已补交", "李某", "2027-06-20", "豁免"),
        (S1, "INTERNSHIP_REPORT_MISSING", "材料不全", "李某", "2027-06-21", "撤销"),
        (S1, "INTERNSHIP_REPORT_MISSING", "已补齐", "李某", "2027-06-22", "豁免"),
    ])
    d = run_decide(cohort_files)
    assert list(d.waivers["status"]) == ["SUPERSEDED", "SUPERSEDED", "ACTIVE"]
    assert outcome_of(d, S1) == ("COLLECT", set(), {"INTERNSHIP_REPORT_MISSING"})


def test_the_last_revocation_is_in_force(cohort_files):
    set_cell(cohort_files.tables["internship"], S1, "实习报告", "否")
    cohort_files.waivers = _waivers([
        (S1, "INTERNSHIP_REPORT_MISSING", "已补交", "李某", "2027-06-20", "豁免"),
        (S1, "INTERNSHIP_REPORT_MISSING", "材料不全", "李某", "2027-06-21", "撤销"),
    ])
    d = run_decide(cohort_files)
    assert list(d.waivers["status"]) == ["SUPERSEDED", "REVOKED"]
    assert outcome_of(d, S1) == ("DEFERRED", {"INTERNSHIP_REPORT_MISSING"}, set())


def test_decisions_csv_has_exactly_the_contract_columns_and_no_index(cohort_files, tmp_path):
    from gradlib.outputs import write_decisions

    path = write_decisions(run_decide(cohort_files), tmp_path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "student_id,outcome,reasons,waived,deadline"
    assert lines[1].split(",")[0] == S1 and len(lines) == 7


def test_evidence_of_a_major_not_in_the_plan_and_of_a_missing_photo(cohort_files):
    set_cell(cohort_files.tables["students"], S1, "专业", "机电一体化")
    set_cell(cohort_files.tables["students"], S2, "专业", "")
    ids = cohort_files.tables["students"]["身份证号"]
    cohort_files.photos = {f"{i}.jpg": __import__("builders").jpeg() for i in ids[3:]}
    d = run_decide(cohort_files)
    ev = d.reasons.assign(sid=d.table["student_id"].to_numpy()[d.reasons["idx"]]).set_index(["sid", "code"])["evidence"]
    assert ev[(S1, "MAJOR_NOT_IN_PLAN")] == "专业“机电一体化”不在教学计划中"
    assert ev[(S2, "MAJOR_NOT_IN_PLAN")] == "专业为空"
    assert ev[(S3, "PHOTO_MISSING")] == f"照片文件夹中没有 {ids[2]}.jpg 或 {S3}.jpg"


def test_the_withheld_deadline_is_one_calendar_year_and_29_february_maps_to_28(cohort_files):
    from gradlib.rules import withheld_deadline
    assert withheld_deadline(dt.date(2027, 6, 20)) == dt.date(2028, 6, 20)
    assert withheld_deadline(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    _grade(cohort_files, S1, "C01", 成绩="30")
    d = run_decide(cohort_files)
    assert d.table.set_index("student_id").loc[S1, "deadline"] == "2028-06-20"
    assert (d.table[d.table["outcome"] != "WITHHELD"]["deadline"] == "").all()
