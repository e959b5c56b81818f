"""More edges of the rules, each stated in the regulation's terms (issue #15, found by `make mutate`): which of
several internship rows counts, what a student absent from the fee file owes, the evidence of unusable fee
rows and of mismatched IDs, and IDs that are not 居民身份证."""
import pandas as pd
import pytest
from builders import jpeg, make_id
from conftest import outcome_of, run_decide

from gradlib.params import load_params
from gradlib.rules.facts import judge
from gradlib.sources import load_cohort

S1, S2, S3 = "2024000001", "2024000002", "2024000003"


def set_cell(df: pd.DataFrame, sid: str, column: str, value):
    df.loc[df["学号"] == sid, column] = value


def _reasons(d, sid):
    return outcome_of(d, sid)[1]


def _evidence(d, sid: str, code: str) -> str:
    idx = d.table.index[d.table["student_id"] == sid][0]
    r = d.reasons[(d.reasons["idx"] == idx) & (d.reasons["code"] == code)]
    assert len(r) == 1, (sid, code, d.reasons)
    return r["evidence"].iloc[0]


# ---- several internship rows on the same 提交日期: the most favourable counts ------------------------------

def _two_rows(cf, sid: str, worse: dict, better: dict):
    """Two rows of one student on the same date; the worse one first in the file and first by 实习单位, so that
    neither file order nor the name of the company can make the better row count."""
    i = cf.tables["internship"]
    base = i[i["学号"] == sid]
    rows = [base.assign(实习单位="A厂", **worse), base.assign(实习单位="B厂", **better)]
    cf.tables["internship"] = pd.concat([i[i["学号"] != sid], *rows], ignore_index=True)


def test_on_the_same_date_a_passing_internship_row_counts_over_a_failing_one(cohort_files):
    _two_rows(cohort_files, S1, {"实习考核": "不及格"}, {"实习考核": "合格"})
    assert outcome_of(run_decide(cohort_files), S1)[:2] == ("COLLECT", set())


def test_on_the_same_date_an_assessed_internship_row_counts_over_an_unassessed_one(cohort_files):
    _two_rows(cohort_files, S1, {"实习考核": ""}, {"实习考核": "良好"})
    assert outcome_of(run_decide(cohort_files), S1)[:2] == ("COLLECT", set())


def test_on_the_same_date_an_unassessed_row_counts_over_a_failed_one(cohort_files):
    # a failed assessment is final, an unassessed one may still be assessed: unassessed is the more favourable
    _two_rows(cohort_files, S1, {"实习考核": "不及格"}, {"实习考核": ""})
    assert _reasons(run_decide(cohort_files), S1) == {"INTERNSHIP_UNASSESSED"}


@pytest.mark.parametrize("column, missing", [("审批表", "否"), ("实习报告", "未交")])
def test_on_the_same_date_a_row_with_the_form_or_report_handed_in_counts(cohort_files, column, missing):
    _two_rows(cohort_files, S1, {column: missing}, {column: "是"})
    assert outcome_of(run_decide(cohort_files), S1)[:2] == ("COLLECT", set())


def test_on_the_same_date_a_missing_form_weighs_more_than_a_missing_report(cohort_files):
    _two_rows(cohort_files, S1, {"审批表": "否"}, {"实习报告": "未交"})
    assert _reasons(run_decide(cohort_files), S1) == {"INTERNSHIP_REPORT_MISSING"}


def test_on_the_same_date_one_missing_paper_weighs_less_than_two(cohort_files):
    _two_rows(cohort_files, S1, {"审批表": "否", "实习报告": "未交"}, {"审批表": "否"})
    assert _reasons(run_decide(cohort_files), S1) == {"INTERNSHIP_FORM_MISSING"}


def test_a_dated_internship_row_counts_over_an_undated_one(cohort_files):
    i = cohort_files.tables["internship"]
    base = i[i["学号"] == S1]
    rows = [base.assign(提交日期="", 实习考核="不及格"), base.assign(提交日期="2027-05-01", 实习考核="")]
    cohort_files.tables["internship"] = pd.concat([i[i["学号"] != S1], *rows], ignore_index=True)
    assert _reasons(run_decide(cohort_files), S1) == {"INTERNSHIP_UNASSESSED"}  # the undated row is earliest


def test_students_without_an_internship_row_get_only_the_missing_record_reason(cohort_files):
    i = cohort_files.tables["internship"]
    cohort_files.tables["internship"] = i[~i["学号"].isin([S1, S3])]
    d = run_decide(cohort_files)
    for sid in (S1, S3):
        assert _reasons(d, sid) == {"INTERNSHIP_RECORD_MISSING"}
        assert _evidence(d, sid, "INTERNSHIP_RECORD_MISSING") == "顶岗实习表中无该生记录"
    assert _reasons(d, S2) == set()


# ---- fees: absent from the file, unusable rows ------------------------------------------------------------

def _facts(cf):
    return judge(load_cohort(load_params(cf.write())))


def test_a_student_absent_from_an_arrears_file_is_due_nothing_and_paid_nothing(cohort_files):
    cohort_files.params["fees_mode"] = "arrears"
    f = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = f[f["学号"] != S1]
    fees = _facts(cohort_files).fees
    assert fees.loc[0, ["due", "paid", "owed"]].tolist() == [0.0, 0.0, 0.0]
    assert not fees.loc[0, "has_fee_rows"] and fees.loc[0, "unusable"] == ""
    assert fees.loc[1, ["due", "paid", "owed"]].tolist() == [3200.0, 3200.0, 0.0] and fees.loc[1, "has_fee_rows"]


def test_amounts_are_summed_to_the_fen(cohort_files):
    f = cohort_files.tables["fees"]
    f.loc[(f["学号"] == S1) & (f["收费项目"] == "学费"), ["应缴金额", "已缴金额"]] = ["2400.10", "2400.06"]
    f.loc[(f["学号"] == S1) & (f["收费项目"] == "住宿费"), ["应缴金额", "已缴金额"]] = ["800.20", "800.21"]
    fees = _facts(cohort_files).fees
    assert fees.loc[0, ["due", "paid", "owed"]].tolist() == [3200.30, 3200.27, 0.03]


def _unreadable_fee_row(cf, sid):
    f = cf.tables["fees"]
    f.loc[(f["学号"] == sid) & (f["收费项目"] == "住宿费"), "已缴金额"] = "待定"


def test_an_unreadable_paid_amount_is_a_missing_payment_record_naming_the_row(cohort_files):
    _unreadable_fee_row(cohort_files, S1)
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"PAYMENT_RECORD_MISSING"}
    assert _evidence(d, S1, "PAYMENT_RECORD_MISSING") == "缴费记录无法使用：缴费库.xlsx 第 8 行“已缴金额”为“待定”，不是有效金额"


def test_a_student_missing_from_a_ledger_has_the_plain_missing_record_evidence(cohort_files):
    f = cohort_files.tables["fees"]
    cohort_files.tables["fees"] = f[f["学号"] != S1]
    assert _evidence(run_decide(cohort_files), S1, "PAYMENT_RECORD_MISSING") == "缴费库中无该生缴费记录"


def _suspended(cf, sid):
    set_cell(cf.tables["students"], sid, "学籍状态", "休学")
    set_cell(cf.tables["students"], sid, "成绩认定", "是")


def test_a_suspended_student_with_an_unreadable_fee_row_has_suspended_fees_owed_naming_the_row(cohort_files):
    _suspended(cohort_files, S1)
    _unreadable_fee_row(cohort_files, S1)
    d = run_decide(cohort_files)
    assert _reasons(d, S1) == {"SUSPENDED_FEES_OWED"}  # in place of PAYMENT_RECORD_MISSING
    assert (_evidence(d, S1, "SUSPENDED_FEES_OWED")
            == "休学；缴费记录无法使用：缴费库.xlsx 第 8 行“已缴金额”为“待定”，不是有效金额")


def test_an_unreadable_fee_row_counts_against_a_suspended_student_in_arrears_mode_too(cohort_files):
    cohort_files.params["fees_mode"] = "arrears"
    _suspended(cohort_files, S1)
    _unreadable_fee_row(cohort_files, S1)
    assert _reasons(run_decide(cohort_files), S1) == {"SUSPENDED_FEES_OWED"}


def test_the_evidence_of_a_suspended_student_owing_or_absent_from_the_ledger(cohort_files):
    _suspended(cohort_files, S1)
    _suspended(cohort_files, S2)
    f = cohort_files.tables["fees"]
    f.loc[(f["学号"] == S1) & (f["收费项目"] == "住宿费"), "已缴金额"] = "300"
    cohort_files.tables["fees"] = f[f["学号"] != S2]
    d = run_decide(cohort_files)
    assert _evidence(d, S1, "SUSPENDED_FEES_OWED") == "休学；欠缴 500.00 元"
    assert _evidence(d, S2, "SUSPENDED_FEES_OWED") == "休学；缴费库中无缴费记录"
    assert _reasons(d, S1) == _reasons(d, S2) == {"SUSPENDED_FEES_OWED"}


# ---- IDs: what the mismatch says, and IDs that are not 居民身份证 -------------------------------------------

def _with_id(cf, sid, new_id):
    st = cf.tables["students"]
    set_cell(st, sid, "身份证号", new_id)
    cf.photos = {f"{sid}.jpg": jpeg(), **{f"{i}.jpg": jpeg() for i in st["身份证号"] if i != new_id}}


def test_an_id_whose_sex_digit_disagrees_with_the_sex_says_so(cohort_files):
    # S2 is 女, born 2008-02-15: an odd 17th digit is a man's
    _with_id(cohort_files, S2, make_id("360102", "20080215", 3, male=True))
    d = run_decide(cohort_files)
    assert _reasons(d, S2) == {"ID_INVALID"}
    assert _evidence(d, S2, "ID_INVALID").endswith("与性别“女”不一致")


def test_an_id_whose_birth_date_disagrees_with_the_roster_says_so(cohort_files):
    _with_id(cohort_files, S2, make_id("360102", "20080216", 3, male=False))
    d = run_decide(cohort_files)
    assert _reasons(d, S2) == {"ID_INVALID"}
    assert _evidence(d, S2, "ID_INVALID").endswith("与出生日期 2008-02-15 不一致")


@pytest.mark.parametrize("bad, says", [("36010220080215001", "不是 17 位数字加 1 位数字或 X"),
                                       ("360102200802300027", "中的出生日期不存在")])
def test_each_id_fault_has_its_own_evidence(cohort_files, bad, says):
    if len(bad) == 18:  # a valid check digit on an impossible date
        bad = make_id("360102", "20080230", 1, male=False)
    _with_id(cohort_files, S2, bad)
    assert _evidence(run_decide(cohort_files), S2, "ID_INVALID").endswith(says)


def test_the_check_digit_evidence(cohort_files):
    good = make_id("360102", "20080215", 3, male=False)
    _with_id(cohort_files, S2, good[:17] + ("0" if good[17] != "0" else "1"))
    assert _evidence(run_decide(cohort_files), S2, "ID_INVALID").endswith("校验位错误")


def test_a_passport_number_is_not_checked_as_a_mainland_id(cohort_files):
    st = cohort_files.tables["students"]
    st["证件类型"] = ""
    set_cell(st, S1, "证件类型", "护照")
    set_cell(st, S1, "身份证号", "E12345678")
    set_cell(st, S2, "证件类型", "居民身份证")
    set_cell(st, S2, "身份证号", "E12345679")  # a 居民身份证 so written is checked
    cohort_files.photos = {f"{S1}.jpg": jpeg(), f"{S2}.jpg": jpeg(),
                           **{f"{i}.jpg": jpeg() for i in st["身份证号"][2:]}}
    d = run_decide(cohort_files)
    assert outcome_of(d, S1)[:2] == ("COLLECT", set())
    assert _reasons(d, S2) == {"ID_INVALID"}


def test_a_blank_id_is_invalid_even_for_another_id_type(cohort_files):
    st = cohort_files.tables["students"]
    st["证件类型"] = ""
    set_cell(st, S1, "证件类型", "护照")
    set_cell(st, S1, "身份证号", "")
    d = run_decide(cohort_files)
    assert _evidence(d, S1, "ID_INVALID") == "身份证号为空"


# ---- values: the check digit at every position, Excel serials, money codes ---------------------------------

def test_the_check_digit_weighs_every_one_of_the_17_digits():
    from gradlib.sources.values import id_check_char, id_check_digit_ok
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # GB 11643-1999, an independent oracle
    bodies = ["12345678912345678", "98765432198765432", "34122119991231357"]  # no digit 0 anywhere
    for body in bodies:
        want = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        assert id_check_char(body) == want
        wrong = "0" if want != "0" else "1"
        assert id_check_digit_ok(pd.Series([body + want, body + wrong])).tolist() == [True, False]
