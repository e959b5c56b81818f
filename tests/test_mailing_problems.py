"""The mailing list puts the school's own province first; 数据问题清单 lists each finding once."""
import pandas as pd
from conftest import run_decide

from gradlib import findings as F
from gradlib.outputs.internal import mailing_tables
from gradlib.outputs.mailing import home_province, province_rank

S = [f"20240{i:05d}" for i in range(1, 7)]


def test_the_schools_province_comes_first_then_gb_order(cohort_files):
    a = cohort_files.tables["addresses"]
    a["邮寄地址"] = ["浙江省杭州市西湖区1号", "北京市海淀区2号", "江西省九江市浔阳区3号", "江西省南昌市东湖区4号",
                 "火星某地5号", "安徽省合肥市蜀山区6号"]
    mail, per_city, _ = mailing_tables(run_decide(cohort_files))
    assert list(mail["省份"]) == ["江西省", "江西省", "北京市", "浙江省", "安徽省", "未识别"]
    assert list(per_city["省份"])[:2] == ["江西省", "江西省"]
    assert home_province("江西省通用技术工程学校") == "江西省" and home_province("某某学校") is None
    assert list(province_rank(pd.Series(["浙江省", "江西省"]))) == [10, 13]  # without a home: GB/T 2260 only


def test_a_roster_cell_found_by_the_reader_and_a_rule_is_listed_once(cohort_files):
    s = cohort_files.tables["students"]
    s.loc[0, "学籍状态"] = "在校"            # reader: not a status; rule: RECORD_INCOMPLETE — the same fact
    s.loc[1, "学籍状态"] = "在校"
    s.loc[1, "民族"] = ""                   # …and a second fact only the rule's row says
    p = run_decide(cohort_files).problems
    first = p[p["student_id"] == S[0]]
    assert list(first["kind"]) == ["bad_status"]
    assert first["problem"].iloc[0].endswith("；影响毕业审核：学籍信息缺失或有误")
    second = p[p["student_id"] == S[1]]
    assert sorted(second["kind"]) == ["RECORD_INCOMPLETE", "bad_status"]


def test_exact_repeats_are_dropped():
    f = F.frame(F.Kind.ORPHAN, "成绩库.xlsx", "Sheet1", [5, 6], "学号", ["X1", "X2"], "孤立记录", "", ["X1", "X2"])
    assert len(F.combine([f, f, f.head(1)])) == 2
