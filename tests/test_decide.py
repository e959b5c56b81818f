"""Waivers (valid, stale, non-waivable, by label, revoked), outcomes and deadlines (rules.md)."""
import datetime as dt

import pandas as pd
from builders import CohortFiles
from conftest import outcome_of, run_decide

from gradlib.findings import Kind
from gradlib.reasons import OUTCOMES, REASONS, reason_code
from gradlib.rules import withheld_deadline

S1, S2, S3, S4 = "2024000001", "2024000002", "2024000003", "2024000004"


def waivers(*rows) -> pd.DataFrame:
    cols = ["学号", "原因代码", "理由", "批准人", "日期", "操作"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols).fillna("")


def owe(cf: CohortFiles, sid: str, amount="100"):
    f = cf.tables["fees"]
    f.loc[(f["学号"] == sid) & (f["收费项目"] == "学费"), "已缴金额"] = str(2400 - int(amount))


def test_valid_waiver_moves_reason_to_waived(tmp_path):
    cf = CohortFiles(tmp_path)
    owe(cf, S1)
    cf.tables["internship"].loc[1, "实习报告"] = "否"
    cf.waivers = waivers((S1, "FEES_OWED", "家庭困难", "校长 王某", "2027-06-25", ""),
                         (S2, "未交顶岗实习报告", "报告已补交纸质版", "就业办 李某", "2027年6月26日", "豁免"))
    d = run_decide(cf)
    assert outcome_of(d, S1) == ("COLLECT", set(), {"FEES_OWED"})
    assert outcome_of(d, S2) == ("COLLECT", set(), {"INTERNSHIP_REPORT_MISSING"})
    w = d.reasons[d.reasons["waived"]]
    assert set(w["批准人"]) == {"校长 王某", "就业办 李某"}


def test_waiver_keeps_other_reasons(tmp_path):
    cf = CohortFiles(tmp_path)
    owe(cf, S1)
    cf.tables["internship"].loc[0, "审批表"] = "否"
    cf.waivers = waivers((S1, "FEES_OWED", "家庭困难", "校长", "2027-06-25", ""))
    d = run_decide(cf)
    assert outcome_of(d, S1) == ("DEFERRED", {"INTERNSHIP_FORM_MISSING"}, {"FEES_OWED"})


def test_stale_waiver_is_reported_and_changes_nothing(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.waivers = waivers((S1, "FEES_OWED", "家庭困难", "校长", "2027-06-25", ""))
    d = run_decide(cf)
    assert outcome_of(d, S1) == ("COLLECT", set(), set())
    assert (d.problems["kind"] == Kind.WAIVER_STALE).sum() == 1
    assert d.waivers.iloc[0]["status"] == "STALE"


def test_invalid_waivers_are_data_problems_never_applied(tmp_path):
    cf = CohortFiles(tmp_path)
    g = cf.tables["grades"]
    g.loc[(g["学号"] == S1) & (g["课程代码"] == "C01"), "成绩"] = "10"
    owe(cf, S2)
    owe(cf, S3)
    owe(cf, S4)
    cf.waivers = waivers(
        (S1, "COURSE_FAILED", "校长同意", "校长", "2027-06-25", ""),      # not waivable
        (S2, "FEES_OWED", "", "校长", "2027-06-25", ""),                 # blank 理由
        (S3, "FEES_OWED", "困难", "校长", "2027-13-01", ""),             # bad date
        (S4, "NO_SUCH_CODE", "困难", "校长", "2027-06-25", ""),          # unknown code
        ("2099999999", "FEES_OWED", "困难", "校长", "2027-06-25", ""),   # unknown 学号
    )
    d = run_decide(cf)
    assert outcome_of(d, S1)[0] == "WITHHELD"
    for sid in (S2, S3, S4):
        assert outcome_of(d, sid) == ("DEFERRED", {"FEES_OWED"}, set())
    wf = d.problems[d.problems["file"] == "waivers.csv"]
    assert len(wf) == 5
    assert set(wf["row"]) == {2, 3, 4, 5, 6}


def test_revocation_is_a_new_row_and_the_last_row_wins(tmp_path):
    cf = CohortFiles(tmp_path)
    owe(cf, S1)
    owe(cf, S2)
    cf.waivers = waivers((S1, "FEES_OWED", "困难", "校长", "2027-06-25", ""),
                         (S2, "FEES_OWED", "困难", "校长", "2027-06-25", ""),
                         (S1, "欠缴学杂费", "已查明可缴", "校长", "2027-06-27", "撤销"),
                         (S2, "FEES_OWED", "困难", "校长", "2027-06-25", "撤销"),
                         (S2, "FEES_OWED", "复议后同意", "校长", "2027-06-28", "豁免"),
                         (S2, "FEES_OWED", "", "校长", "2027-06-29", "撤销"))  # invalid: takes no part
    d = run_decide(cf)
    assert outcome_of(d, S1) == ("DEFERRED", {"FEES_OWED"}, set())
    assert outcome_of(d, S2) == ("COLLECT", set(), {"FEES_OWED"})
    assert list(d.waivers["status"])[:2] == ["SUPERSEDED", "SUPERSEDED"]
    assert d.waivers.iloc[2]["status"] == "REVOKED"


def test_reason_code_by_label():
    for r in REASONS:
        assert reason_code(r.label) == r.code
        assert reason_code(r.code.lower()) == r.code
    assert reason_code("不知道") is None


def test_deadline_only_for_withheld(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["internship"].loc[0, "实习考核"] = "40"
    cf.tables["internship"].loc[1, "审批表"] = "否"
    d = run_decide(cf).decisions_csv().set_index("student_id")
    assert d.loc[S1, "deadline"] == "2028-06-20"
    assert d.loc[S2, "deadline"] == "" and d.loc[S3, "deadline"] == ""


def test_29_february_deadline(tmp_path):
    assert withheld_deadline(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert withheld_deadline(dt.date(2027, 6, 20)) == dt.date(2028, 6, 20)
    cf = CohortFiles(tmp_path)
    cf.params["makeup_results_published"] = "2028-02-29"
    cf.tables["internship"].loc[0, "实习考核"] = "不合格"
    d = run_decide(cf).decisions_csv().set_index("student_id")
    assert d.loc[S1, "deadline"] == "2029-02-28"


def test_most_severe_reason_decides(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["students"].loc[0, "学籍状态"] = "转出"
    cf.tables["internship"].loc[0, "实习考核"] = "40"
    cf.tables["internship"].loc[1, "实习考核"] = "40"
    cf.tables["internship"].loc[1, "审批表"] = "否"
    d = run_decide(cf)
    assert outcome_of(d, S1)[0] == "NOT_ELIGIBLE"
    assert outcome_of(d, S2)[0] == "WITHHELD"
    assert d.decisions_csv().set_index("student_id").loc[S1, "deadline"] == ""


def test_decisions_csv_contract(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"]
    cf.tables["students"] = st.iloc[::-1].reset_index(drop=True)
    d = run_decide(cf).decisions_csv()
    assert list(d.columns) == ["student_id", "outcome", "reasons", "waived", "deadline"]
    assert list(d["student_id"]) == sorted(d["student_id"])
    assert set(d["outcome"]) <= {o.code for o in OUTCOMES}


def test_deciding_again_from_the_rules_reasons_matches_a_full_decide(tmp_path):
    from dataclasses import replace

    from gradlib.rules import decide
    cf = CohortFiles(tmp_path)
    owe(cf, S1)
    first = run_decide(cf)
    cf.waivers = waivers((S1, "FEES_OWED", "困难", "校长", "2027-06-25", ""))
    full = run_decide(cf)
    again = decide(replace(first.cohort, waivers=full.cohort.waivers), reasons=first.reasons)
    pd.testing.assert_frame_equal(again.decisions_csv(), full.decisions_csv())
    assert outcome_of(again, S1) == ("COLLECT", set(), {"FEES_OWED"})
