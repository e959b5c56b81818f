"""Property tests (hypothesis) beyond the six students: readers read back what was written in any accepted
format and encoding, hostile bytes never raise anything but InputError, orphans and duplicate internship
rows never change the cohort."""
from __future__ import annotations

import string

import pandas as pd
from builders import CohortFiles, write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlib.errors import InputError
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort
from gradlib.sources.reading import Unreadable, read_sheet, to_table
from gradlib.sources.schema import ADDRESSES

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
_TEXT = st.text(alphabet=st.sampled_from("张伟李娜𠀀😀 abcXYZ0123-_.,，“”\"'；;\t=+@" + string.digits), min_size=0, max_size=12)


@SETTINGS
@given(rows=st.lists(st.tuples(st.from_regex(r"[0-9]{6,10}", fullmatch=True), _TEXT, _TEXT, _TEXT),
                     min_size=1, max_size=12, unique_by=lambda r: r[0]),
       fmt=st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "gb18030"]))
def test_any_table_reads_back_equal(tmp_path_factory, rows, fmt):
    df = pd.DataFrame(rows, columns=["学号", "收件人", "联系电话", "邮寄地址"])
    df = df.map(lambda v: v.strip())
    keep = df.drop(columns="学号").ne("").any(axis=1)
    df = df[keep].reset_index(drop=True)
    if not len(df):
        return
    path = tmp_path_factory.mktemp("r") / ("t.xlsx" if fmt == "xlsx" else "t.csv")
    if fmt == "xlsx":
        write_xlsx(path, df)
    else:
        try:
            write_csv(path, df, encoding=fmt)
        except UnicodeEncodeError:
            return
    t = to_table(read_sheet(path, path.name), ADDRESSES)
    got = t.data[["学号", "收件人", "联系电话", "邮寄地址"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype(str), df.astype(str), check_dtype=False)


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".xls"]))
def test_hostile_bytes_never_escape_as_tracebacks(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("h") / f"t{suffix}"
    path.write_bytes(data)
    try:
        t = to_table(read_sheet(path, path.name), ADDRESSES)
    except Unreadable:
        return
    assert isinstance(t, list) or len(t.data) >= 0


@SETTINGS
@given(encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "big5", "latin-1"]))
def test_hostile_encodings_read_or_stop(tmp_path_factory, encoding):
    cf = CohortFiles(tmp_path_factory.mktemp("e"))
    params = cf.write()
    text = cf.tables["fees"].to_csv(index=False)
    (cf.root / "data" / "缴费库.xlsx").write_bytes(text.encode(encoding, errors="replace"))
    try:
        d = decide(load_cohort(load_params(params)))
    except InputError:
        return
    assert d.cohort.size == 6


@SETTINGS
@given(orphans=st.lists(st.from_regex(r"20990[0-9]{5}", fullmatch=True), max_size=8, unique=True),
       dup=st.lists(st.integers(0, 5), max_size=6))
def test_orphans_and_duplicate_internship_rows(tmp_path_factory, orphans, dup):
    cf = CohortFiles(tmp_path_factory.mktemp("o"))
    base = decide(load_cohort(load_params(cf.write()))).decisions_csv()
    i = cf.tables["internship"]
    extra = i.iloc[dup].assign(实习考核="不合格", 提交日期="2027-01-01")  # earlier rows: never the one that counts
    orph = i.iloc[[0] * len(orphans)].assign(学号=orphans)
    cf.tables["internship"] = pd.concat([i, extra, orph], ignore_index=True).sample(frac=1, random_state=1)
    d = decide(load_cohort(load_params(cf.write())))
    pd.testing.assert_frame_equal(d.decisions_csv(), base)
    assert (d.problems["kind"] == "orphan").sum() == len(orphans)
    assert (d.problems["kind"] == "duplicate_row").sum() == (len(i.iloc[pd.unique(pd.Series(dup))]) * 2
                                                              + len(dup) - len(pd.unique(pd.Series(dup))) if dup else 0)
