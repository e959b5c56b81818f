"""Classes in natural order everywhere a class list is sorted: 24会计1班, 24会计2班, 24会计10班."""
import pandas as pd
from conftest import run_decide

from gradlib.outputs import listing, tables
from gradlib.outputs.internship import by_class as internship_by_class
from gradlib.review.index import StudentIndex

NATURAL = ["24会计1班", "24会计2班", "24会计10班"]


def test_class_names_sort_naturally():
    shuffled = pd.Series(["24会计10班", "24会计2班", "24会计1班"])
    assert list(shuffled.iloc[listing.class_key(shuffled).argsort()]) == NATURAL
    rows = pd.DataFrame({"班级": ["24会计10班", "24会计1班", "24会计2班"], "学号": ["1", "2", "3"]})
    assert list(listing.ordered(rows)["班级"]) == NATURAL


def test_the_review_filters_the_tables_and_the_lists_use_natural_order(cohort_files):
    s = cohort_files.tables["students"]
    s["专业"] = "会计事务"
    s["班级"] = ["24会计10班", "24会计10班", "24会计2班", "24会计1班", "24会计2班", "24会计1班"]
    cohort_files.tables["curriculum"]["专业"] = cohort_files.tables["curriculum"]["专业"].replace(
        {"机电技术应用": "会计事务", "计算机应用": "旧专业"})
    d = run_decide(cohort_files)
    index = StudentIndex(d)
    assert index.options("班级") == NATURAL  # the panel's 班级 filter
    assert list(pd.unique(index.frame["班级"].astype(str))) == NATURAL  # the student list
    assert list(tables.by_class(d)["班级"]) == NATURAL
    assert list(internship_by_class(d)["班级"]) == NATURAL
