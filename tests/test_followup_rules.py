"""The follow-up's judgement (rules/followup.py, Art 15), pure: re-decided outcome, or ABANDONED after the deadline."""
import datetime as dt

import pandas as pd
import pytest
from conftest import run_decide

from gradlib.rules import follow_up, judge_followup, to_follow

PUB = dt.date(2027, 6, 20)  # deadline 2028-06-20


def frame(rows, cols):
    return pd.DataFrame(rows, columns=cols, dtype=object)


def judge(before, after, as_of, pub=PUB):
    b = frame(before, ["student_id", "outcome", "reasons"])
    a = frame([(s, o, r, "") for s, o, r in after], ["student_id", "outcome", "reasons", "waived"])
    return judge_followup(b, a, pub, as_of).set_index("student_id")


BEFORE = [("1", "WITHHELD", "COURSE_FAILED"), ("2", "DEFERRED", "FEES_OWED"), ("3", "WITHHELD", "COURSE_FAILED;FEES_OWED"),
          ("4", "WITHHELD", "COURSE_FAILED"), ("5", "DEFERRED", "GRADE_MISSING")]
AFTER = [("1", "COLLECT", ""), ("2", "COLLECT", ""), ("3", "DEFERRED", "FEES_OWED"), ("4", "WITHHELD", "COURSE_FAILED"),
         ("5", "WITHHELD", "COURSE_FAILED"), ("9", "COLLECT", "")]


def test_before_the_deadline_the_new_decision_counts():
    t = judge(BEFORE, AFTER, dt.date(2027, 12, 1))
    assert list(t.index) == ["1", "2", "3", "4", "5"]  # only the followed students, in their order
    assert list(t["outcome"]) == ["COLLECT", "COLLECT", "DEFERRED", "WITHHELD", "WITHHELD"]
    assert list(t["deadline"]) == ["", "", "", "2028-06-20", "2028-06-20"]
    assert t.loc["3", "reasons"] == "FEES_OWED" and t.loc["3", "before_reasons"] == "COURSE_FAILED;FEES_OWED"
    assert list(t["before_outcome"]) == [o for _, o, _ in BEFORE]


def test_after_the_deadline_a_still_withheld_student_is_abandoned():
    t = judge(BEFORE, AFTER, dt.date(2028, 6, 21))
    assert t.loc["4", ["outcome", "reasons", "deadline"]].tolist() == ["ABANDONED", "COURSE_FAILED", "2028-06-20"]
    # re-certified in time or not, a student who now passes collects; a deferring reason is never abandoned
    assert t.loc[["1", "2", "3"], "outcome"].tolist() == ["COLLECT", "COLLECT", "DEFERRED"]
    # only a student the published result withheld (and told the deadline) is deemed to have abandoned
    assert t.loc["5", "outcome"] == "WITHHELD"


def test_the_deadline_itself_is_on_time():
    assert judge(BEFORE, AFTER, dt.date(2028, 6, 20)).loc["4", "outcome"] == "WITHHELD"


@pytest.mark.parametrize(("as_of", "outcome"), [(dt.date(2029, 2, 28), "WITHHELD"), (dt.date(2029, 3, 1), "ABANDONED")])
def test_29_february_maps_to_28_february(as_of, outcome):
    t = judge(BEFORE, AFTER, as_of, pub=dt.date(2028, 2, 29))
    assert (t.loc["4", "outcome"], t.loc["4", "deadline"]) == (outcome, "2029-02-28")


def test_a_followed_student_not_decided_again_is_an_error():
    with pytest.raises(KeyError, match="'4'"):
        judge(BEFORE, [r for r in AFTER if r[0] != "4"], dt.date(2027, 12, 1))


def test_only_withheld_and_deferred_records_are_followed():
    current = frame([("3", "ABANDONED", "COURSE_FAILED"), ("2", "DEFERRED", "FEES_OWED"), ("1", "COLLECT", ""),
                     ("4", "WITHHELD", "COURSE_FAILED"), ("5", "NOT_ELIGIBLE", "NO_STATUS")],
                    ["student_id", "outcome", "reasons"])
    assert list(to_follow(current)["student_id"]) == ["2", "4"]


def _failing(cf, sid="2024000002", mark="50"):
    g = cf.tables["grades"]
    g.loc[(g["学号"] == sid) & (g["课程代码"] == "C01"), "成绩"] = mark


def test_follow_up_on_a_decided_cohort_with_a_29_february_publication(cohort_files):
    cf = cohort_files
    cf.params["makeup_results_published"] = "2028-02-29"
    _failing(cf)
    cf.tables["grades"].loc[cf.tables["grades"]["学号"] == "2024000003", "成绩"] = "40"
    cf.tables["grades"].loc[(cf.tables["grades"]["学号"] == "2024000003") & (cf.tables["grades"]["课程代码"] == "C01"),
                            "补考成绩"] = "75"  # one course passed at the makeup, the others still failed
    d = run_decide(cf)
    before = d.decisions_csv()[lambda x: x["outcome"] == "WITHHELD"][["student_id", "outcome", "reasons"]]
    assert list(before["student_id"]) == ["2024000002", "2024000003"]
    _failing(cf, mark="65")  # 2024000002 passed at a later makeup
    after = run_decide(cf)
    on_time = follow_up(after, before, dt.date(2029, 2, 28), {"run_id": "x"})
    late = follow_up(after, before, dt.date(2029, 3, 1))
    assert on_time.table.set_index("student_id")["outcome"].to_dict() == {"2024000002": "COLLECT",
                                                                        "2024000003": "WITHHELD"}
    assert late.table.set_index("student_id")["outcome"].to_dict() == {"2024000002": "COLLECT",
                                                                     "2024000003": "ABANDONED"}
    assert late.deadline == dt.date(2029, 2, 28) and late.table["姓名"].tolist() == ["李娜", "王芳"]
    assert late.counts()[["ABANDONED", "COLLECT"]].tolist() == [1, 1] and late.counts().sum() == 2
    x = late.before_after().set_index("原结论")
    assert x.loc["缓发毕业证书", ["视同放弃", "可领取", "合计"]].tolist() == [1, 1, 2] and x.loc["合计", "合计"] == 2
    assert list(late.decisions_csv().columns) == ["student_id", "outcome", "reasons", "waived", "deadline"]


def test_waivers_apply_as_in_the_cohort_run(cohort_files):
    cf = cohort_files
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 owes 400
    before = run_decide(cf).decisions_csv()
    before = before[before["outcome"] == "DEFERRED"][["student_id", "outcome", "reasons"]]
    assert before.values.tolist() == [["2024000001", "DEFERRED", "FEES_OWED"]]
    cf.waivers = pd.DataFrame([{"学号": "2024000001", "原因代码": "FEES_OWED", "理由": "经校长批准缓交",
                                "批准人": "就业办 李某", "日期": "2027-09-01"}])
    t = follow_up(run_decide(cf), before, dt.date(2027, 12, 1)).table
    assert t[["student_id", "outcome", "reasons", "waived"]].values.tolist() == [
        ["2024000001", "COLLECT", "", "FEES_OWED"]]
