"""The invariants of rules.md as property tests over randomly bent cohorts."""
import shutil

import pandas as pd
from builders import CohortFiles, base_tables
from conftest import run_decide
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlib.reasons import SEVERITY, WAIVABLE

SIDS = list(base_tables()["students"]["学号"])
MUTATIONS = {
    "status": lambda t, i, v: t["students"].__setitem__("学籍状态", _set(t["students"]["学籍状态"], i, v)),
    "certified": lambda t, i, v: t["students"].__setitem__("成绩认定", _set(t["students"]["成绩认定"], i, v)),
    "grade": lambda t, i, v: t["grades"].__setitem__("成绩", _set(t["grades"]["成绩"], i * 4 + 1, v)),
    "makeup": lambda t, i, v: t["grades"].__setitem__("补考成绩", _set(t["grades"]["补考成绩"], i * 4 + 1, v)),
    "paid": lambda t, i, v: t["fees"].__setitem__("已缴金额", _set(t["fees"]["已缴金额"], i, v)),
    "form": lambda t, i, v: t["internship"].__setitem__("审批表", _set(t["internship"]["审批表"], i, v)),
    "report": lambda t, i, v: t["internship"].__setitem__("实习报告", _set(t["internship"]["实习报告"], i, v)),
    "assess": lambda t, i, v: t["internship"].__setitem__("实习考核", _set(t["internship"]["实习考核"], i, v)),
    "date": lambda t, i, v: t["internship"].__setitem__("提交日期", _set(t["internship"]["提交日期"], i, v)),
    "nation": lambda t, i, v: t["students"].__setitem__("民族", _set(t["students"]["民族"], i, v)),
}
VALUES = {
    "status": ["在籍", "休学", "退学", "转出", "离校未办手续", "在校"],
    "certified": ["是", "否", ""],
    "grade": ["80", "40", "", "缺考", "abc", "优秀"],
    "makeup": ["", "30", "70", "不及格"],
    "paid": ["2400", "2000", "0", "2400.00"],
    "form": ["是", "否", "", "已交"],
    "report": ["已交", "未交", "无"],
    "assess": ["良好", "不及格", "", "59", "x"],
    "date": ["2027-05-20", "2027-06-03", "", "不详", "2027年5月31日"],
    "nation": ["汉族", ""],
}


def _set(series: pd.Series, i: int, v):
    s = series.copy()
    s.iloc[i] = v
    return s


@st.composite
def bent_tables(draw):
    tables = base_tables()
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(sorted(MUTATIONS)))
        i = draw(st.integers(0, 5))
        MUTATIONS[kind](tables, i, draw(st.sampled_from(VALUES[kind])))
    drop_fee = draw(st.sets(st.integers(0, 5), max_size=2))
    fees = tables["fees"]
    tables["fees"] = fees[~fees["学号"].isin([SIDS[i] for i in drop_fee])]
    drop_intern = draw(st.sets(st.integers(0, 5), max_size=1))
    tables["internship"] = tables["internship"].drop(index=list(drop_intern))
    return tables


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _decide(tmp_path, name, tables, fmt="xlsx", waivers=None):
    root = tmp_path / name
    shutil.rmtree(root, ignore_errors=True)
    cf = CohortFiles(root, tables, fmt=fmt)
    cf.waivers = waivers
    return run_decide(cf)


@SETTINGS
@given(tables=bent_tables(), seed=st.integers(0, 2**16))
def test_order_format_and_rerun_do_not_change_decisions(tmp_path, tables, seed):
    first = _decide(tmp_path, "a", tables)
    d = first.decisions_csv()
    # every roster row exactly one decision; counts add up
    assert len(d) == len(tables["students"]) and d["student_id"].is_unique
    assert first.counts().sum() == len(tables["students"])
    # rows shuffled and columns reordered in every table
    shuffled = {k: v.sample(frac=1, random_state=seed).pipe(lambda x: x[x.columns[::-1]]) for k, v in tables.items()}
    pd.testing.assert_frame_equal(_decide(tmp_path, "b", shuffled).decisions_csv(), d)
    # csv in GBK instead of xlsx
    pd.testing.assert_frame_equal(_decide(tmp_path, "c", tables, fmt="csv-gbk").decisions_csv(), d)
    # rerun
    pd.testing.assert_frame_equal(_decide(tmp_path, "a", tables).decisions_csv(), d)


@SETTINGS
@given(tables=bent_tables(), pick=st.integers(0, 100))
def test_waiving_never_makes_an_outcome_more_severe(tmp_path, tables, pick):
    before = _decide(tmp_path, "a", tables)
    waivable = before.reasons[before.reasons["code"].isin(WAIVABLE)]
    if not len(waivable):
        return
    row = waivable.iloc[pick % len(waivable)]
    sid = before.cohort.students.loc[row["idx"], "学号"]
    w = pd.DataFrame([{"学号": sid, "原因代码": row["code"], "理由": "测试", "批准人": "校长", "日期": "2027-06-25"}])
    after = _decide(tmp_path, "b", tables, waivers=w)
    b = before.table.set_index("student_id")["outcome"].map(SEVERITY)
    a = after.table.set_index("student_id")["outcome"].map(SEVERITY)
    assert (a <= b).all()
    assert row["code"] in after.table.set_index("student_id").loc[sid, "waived"]


@SETTINGS
@given(tables=bent_tables(), kind=st.sampled_from(sorted(MUTATIONS)), i=st.integers(0, 5))
def test_adding_a_reason_never_makes_an_outcome_less_severe(tmp_path, tables, kind, i):
    before = _decide(tmp_path, "a", tables)
    worse = {k: v.copy() for k, v in tables.items()}
    bad = {"status": "退学", "certified": "否", "grade": "10", "makeup": "", "paid": "0", "form": "否",
           "report": "否", "assess": "不及格", "date": "2027-07-01", "nation": ""}[kind]
    if kind == "makeup":  # a failing first attempt without any passing makeup
        MUTATIONS["grade"](worse, i, "10")
    elif kind in ("form", "report", "assess", "date") and SIDS[i] not in set(worse["internship"]["学号"]) or kind == "paid" and SIDS[i] not in set(worse["fees"]["学号"]):
        return
    else:
        target = {"students": "学号", "internship": "学号", "fees": "学号"}
        table = {"status": "students", "certified": "students", "nation": "students", "grade": "grades",
                 "paid": "fees", "form": "internship", "report": "internship", "assess": "internship",
                 "date": "internship"}[kind]
        column = {"status": "学籍状态", "certified": "成绩认定", "nation": "民族", "grade": "成绩",
                  "paid": "已缴金额", "form": "审批表", "report": "实习报告", "assess": "实习考核",
                  "date": "提交日期"}[kind]
        t = worse[table]
        if table == "grades":
            t.loc[(t["学号"] == SIDS[i]) & t["课程代码"].isin(["C01", "A01"]), ["成绩", "补考成绩", "清考成绩"]] = ["10", "", ""]
        else:
            t.loc[t[target.get(table, "学号")] == SIDS[i], column] = bad
    after = _decide(tmp_path, "b", worse)
    sid = SIDS[i]
    b = before.table.set_index("student_id").loc[sid, "outcome"]
    a = after.table.set_index("student_id").loc[sid, "outcome"]
    if kind == "certified" and before.cohort.students.set_index("学号").loc[sid, "status"] != "休学":
        assert a == b
    else:
        assert SEVERITY[a] >= SEVERITY[b]
