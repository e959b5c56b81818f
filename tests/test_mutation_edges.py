"""Edges of the rules, the value parsers and decide that `make mutate` found unpinned (issue #15), each stated in
the terms of the regulation and the data contract (/work/shared/spec): a test here fails when its rule is
broken the way a surviving mutant broke it."""
import pandas as pd
from conftest import outcome_of, run_decide

S1, S2, S3 = "2024000001", "2024000002", "2024000003"


def set_cell(df: pd.DataFrame, sid: str, column: str, value):
    df.loc[df["学号"] == sid, column] = value


# ---- decide: the data-problems list ------------------------------------------------------------------------

def test_the_data_problems_list_goes_file_by_file_with_the_roster_first(cohort_files):
    st = cohort_files.tables["students"]
    set_cell(st, S1, "民族", "")                                       # 学籍库: RECORD_INCOMPLETE
    g = cohort_files.tables["grades"]
    cohort_files.tables["grades"] = g[~((g["学号"] == S2) & (g["课程代码"] == "C01"))]  # 成绩库: GRADE_MISSING
    set_cell(st, S3, "身份证号", st.loc[st["学号"] == S3, "身份证号"].iloc[0][:17] + "0")  # 学籍库: ID_INVALID
    d = run_decide(cohort_files)
    p = d.problems
    assert list(zip(p["kind"], p["file"], p["student_id"])) == [
        ("RECORD_INCOMPLETE", "学籍库.xlsx", S1), ("ID_INVALID", "学籍库.xlsx", S3), ("GRADE_MISSING", "成绩库.xlsx", S2)]


def test_a_roster_of_one_student_names_its_file_and_sheet_in_the_data_problems(cohort_files):
    t = cohort_files.tables
    for key in ("students", "grades", "fees", "internship", "addresses"):
        t[key] = t[key][t[key]["学号"] == S1].reset_index(drop=True)
    set_cell(t["students"], S1, "民族", "")
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[:2] == ("DEFERRED", {"RECORD_INCOMPLETE"})
    row = d.problems[d.problems["kind"] == "RECORD_INCOMPLETE"]
    assert row[["file", "sheet", "row", "student_id"]].values.tolist() == [["学籍库.xlsx", "Sheet1", 2, S1]]


# ---- values: dates given as Excel serial numbers, terms ------------------------------------------------------

def test_a_five_digit_number_is_an_excel_serial_date_only_inside_the_window_1927_to_2119():
    # data-contract.md: real Excel dates are accepted. A date cell holding a bare number is read as an Excel
    # serial (days after 1899-12-30) when it is 10001-79999; 10000 and 80000 are no date of this procedure.
    from gradlib.sources.values import parse_dates

    dates, bad = parse_dates(pd.Series(["10000", "10001", "79999", "80000"]))
    assert [None if pd.isna(x) else x.date().isoformat() for x in dates] == [None, "1927-05-19", "2119-01-10", None]
    assert bad.tolist() == [True, False, False, True]


def test_a_term_exported_as_a_whole_decimal_number_is_that_term():
    # data-contract.md: 学期 is an integer 1-6; a spreadsheet export writes 2 as 2.0, which is still term 2
    from gradlib.sources.values import parse_terms

    term, bad = parse_terms(pd.Series(["2.0", "6.00", "2.5", "7", "", "３"]))
    assert term.tolist() == ["2", "6", "", "", "", "3"]
    assert bad.tolist() == [False, False, True, True, False, False]


# ---- waivers: an invalid row says why, a valid one does not ------------------------------------------------

def test_a_waiver_row_without_an_approver_is_listed_as_invalid_saying_why_and_never_applied(cohort_files):
    # rules.md: a waiver with a blank field is a data problem, reported with the field that is wrong, never applied
    from gradlib.rules.waivers import status_text

    set_cell(cohort_files.tables["internship"], S1, "实习报告", "否")
    set_cell(cohort_files.tables["internship"], S2, "实习报告", "否")
    cohort_files.waivers = pd.DataFrame([
        {"学号": S1, "原因代码": "INTERNSHIP_REPORT_MISSING", "理由": "已补交", "批准人": "", "日期": "2027-06-20"},
        {"学号": S2, "原因代码": "INTERNSHIP_REPORT_MISSING", "理由": "已补交", "批准人": "李某", "日期": "2027-06-20"}])
    d = run_decide(cohort_files)
    assert list(d.waivers["status"]) == ["INVALID", "ACTIVE"]
    why = d.waivers["detail"].iloc[0]
    assert why != "" and d.waivers["detail"].iloc[1] == ""
    text = status_text(d.waivers)
    assert text.iloc[0].startswith("无效：") and text.iloc[0].endswith(why)
    assert "：" not in text.iloc[1]
    assert outcome_of(d, S1) == ("DEFERRED", {"INTERNSHIP_REPORT_MISSING"}, set())
    assert outcome_of(d, S2) == ("COLLECT", set(), {"INTERNSHIP_REPORT_MISSING"})


def test_a_blank_or_numeric_cell_is_read_as_text_and_a_blank_as_empty():
    import numpy as np
    import pandas as pd

    from gradlib.sources.values import as_text
    out = as_text(pd.Series(["甲", np.nan, None, 1.5], dtype=object))
    assert out.tolist() == ["甲", "", "", "1.5"]
    assert all(type(v) is str for v in out) and out.dtype == object
    assert as_text(pd.Series(["甲", np.nan], dtype=object)).tolist() == ["甲", ""]   # text with one blank cell
