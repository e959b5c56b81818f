"""Files as real school systems write them (issue 14): aliases, marks, vocabularies, 证件类型, optional
学籍状态, two-up registers, title-block courses; and the waivers lock under real processes."""
from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pytest
import xlsxwriter
from builders import CohortFiles, jpeg
from conftest import outcome_of, run_decide

from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort
from gradlib.sources.schema import TABLES
from gradlib.sources.values import parse_grades, parse_yesno

S1 = "2024000001"


@pytest.mark.parametrize("key,canonical,alias", [
    (k, c.name, a) for k, t in TABLES.items() for c in t.columns for a in c.aliases
    if k in ("students", "grades", "fees", "internship") and c.name in
    {"身份证号", "家庭地址", "专业", "班级", "学号", "课程代码", "成绩", "收费项目", "应缴金额", "已缴金额", "实习单位"}
    and not (k == "students" and c.name == "学号")])
def test_every_alias_is_read(tmp_path, key, canonical, alias):
    cf = CohortFiles(tmp_path)
    cf.photos = {f"{i}.jpg": jpeg() for i in cf.tables["students"]["身份证号"]}
    t = cf.tables[key]
    if canonical not in t.columns:
        t[canonical] = "学费"
    cf.tables[key] = t.rename(columns={canonical: alias})
    d = run_decide(cf)
    assert set(d.table["outcome"]) == {"COLLECT"}, (alias, d.problems)


@pytest.mark.parametrize("header", ["学号(*)", "*学号", "学号＊", "学号（必填）", "（*）学号", "学 号"])
def test_required_field_marks(tmp_path, header):
    cf = CohortFiles(tmp_path)
    cf.tables["grades"] = cf.tables["grades"].rename(columns={"学号": header})
    assert set(run_decide(cf).table["outcome"]) == {"COLLECT"}


def test_current_home_wins_over_household_address(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"].rename(columns={"家庭地址": "详细地址"})
    st.insert(2, "现家庭详细地址", "江西省九江市某路2号")
    cf.tables["students"] = st
    assert run_decide(cf).cohort.students.loc[0, "家庭地址"] == "江西省九江市某路2号"


@pytest.mark.parametrize("word,valid,passes", [
    ("旷考", True, False), ("免修", True, True), ("免考", True, True), ("取消资格", True, False),
    ("补考合格", True, True), ("优", True, True), ("良", True, True), ("中", True, True), ("差", True, False),
    ("８５", True, True), ("缺考", True, False), ("作弊", True, False), ("缓考", True, False)])
def test_grade_vocabulary(word, valid, passes):
    v, score, level_pass, bad = parse_grades(pd.Series([word]))
    assert bool(v[0]) is valid and not bad[0]
    assert bool(level_pass[0] or score[0] >= 60) is passes


@pytest.mark.parametrize("word,yes", [("已提交", True), ("未提交", False), ("已上交", True), ("未上交", False),
                                      ("✓", True), ("✗", False), ("Ｙ", True)])
def test_yes_no_vocabulary(word, yes):
    v, bad = parse_yesno(pd.Series([word]))
    assert bool(v[0]) is yes and not bad[0]


@pytest.mark.parametrize("kind,reasons", [("港澳台居民居住证", set()), ("护照", set()), ("居民身份证", {"ID_INVALID"}),
                                         ("", {"ID_INVALID"})])
def test_id_type(tmp_path, kind, reasons):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"]
    st["证件类型"] = ""
    st.loc[0, "证件类型"] = kind
    st.loc[0, "身份证号"] = "E12345678"
    cf.photos = None
    d = run_decide(cf)
    assert outcome_of(d, S1)[1] - {"PHOTO_MISSING"} == reasons


def test_roster_without_status_is_all_enrolled_and_said_once(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["students"] = cf.tables["students"].drop(columns="学籍状态")
    d = run_decide(cf)
    assert set(d.table["outcome"]) == {"COLLECT"}
    assert (d.problems["kind"] == Kind.STATUS_COLUMN_ABSENT).sum() == 1
    assert len(d.cohort.notices) == 1


def _register(path, blocks_per_sheet: dict[str, tuple[str, list[list[str]]]], two_up=True):
    wb = xlsxwriter.Workbook(str(path))
    for sheet, (title, rows) in blocks_per_sheet.items():
        ws = wb.add_worksheet(sheet)
        ws.write_string(0, 0, "江西省通用技术工程学校 成绩登记表")
        ws.write_string(1, 0, title)
        head = ["序号", "学号", "姓名", "成绩"]
        half = (len(rows) + 1) // 2 if two_up else len(rows)
        ws.write_row(2, 0, head + ([""] + head if two_up else []))
        for i, r in enumerate(rows):
            col = 0 if i < half else 5
            ws.write_row(3 + (i % half), col, [str(i + 1)] + r)
    wb.close()


def test_two_up_register_workbook_keeps_every_student(tmp_path):
    """Students of both halves of every sheet are read; each sheet's course comes from its title block."""
    cf = CohortFiles(tmp_path)
    params = cf.write()
    st = cf.tables["students"]
    sheets = {}
    for code, name in (("C01", "语文"), ("C02", "数学"), ("C03", "机械制图"), ("C09", "顶岗实习")):
        rows = [[sid, nm, "30" if (sid == "2024000003" and code == "C02") else "80"]
                for sid, nm in zip(st["学号"][:3], st["姓名"][:3])]
        sheets[code] = (f"课程代码：{code}    课程名称：{name}    学分：2", rows)
    for code, name in (("A01", "语文"), ("A02", "数学"), ("A03", "网页设计"), ("A09", "顶岗实习")):
        rows = [[sid, nm, "80"] for sid, nm in zip(st["学号"][3:], st["姓名"][3:])]
        sheets[code] = (f"课程名称：{name}" if code != "A01" else "课程代码：A01", rows)
    _register(tmp_path / "data" / "成绩库.xlsx", sheets)
    d = decide(load_cohort(load_params(params)))
    assert outcome_of(d, "2024000003")[1] == {"COURSE_FAILED"}
    assert set(d.table.set_index("student_id").drop("2024000003")["outcome"]) == {"COLLECT"}
    assert len(d.cohort.attempts) == 24


def test_repeated_header_that_is_not_two_up_is_structural(tmp_path):
    cf = CohortFiles(tmp_path)
    g = cf.tables["grades"]
    g.columns = ["学号", "课程代码", "成绩", "成绩", "清考成绩"]
    from gradlib.errors import InputError
    with pytest.raises(InputError) as e:
        load_cohort(load_params(cf.write()))
    p = e.value.problems[0]
    assert p.kind == Kind.DUPLICATE_HEADER and "C 列" in p.problem and "D 列" in p.problem


def _append_many(args):
    path, who, n = args
    import datetime as dt
    from pathlib import Path

    from gradlib.sources.waivers import COLUMNS, WaiverFile, append, make_row
    wf = WaiverFile(Path(path), True, False, COLUMNS)
    for i in range(n):
        append(wf, make_row(f"S{who}-{i}", "FEES_OWED", "理由", "批准人", dt.date(2027, 6, 25), recorder="x"))


@pytest.mark.parametrize("trial", range(5))
def test_two_processes_creating_the_waivers_file_lose_nothing(tmp_path, trial):
    path = tmp_path / "w.csv"
    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(_append_many, [(str(path), 1, 5), (str(path), 2, 5)])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("学号,原因代码") and len(lines) == 11
    assert sum(line.startswith("学号") for line in lines) == 1


def test_documented_required_marks_are_stripped():
    """docs/inputs.md lists the required-field marks from docgen.REQUIRED_MARKS: the reader strips each."""
    from gradlib.docgen import REQUIRED_MARKS, inputs_page
    from gradlib.sources.layout import clean_header

    for m in REQUIRED_MARKS:
        assert clean_header(m + "学号") == clean_header("学号" + m) == "学号", m
        assert f"`{m}`" in inputs_page()


@pytest.mark.parametrize("sid,code", [("学生(*)", "课程＊"), ("*学生", "课程号（必填）"), ("学生＊", "（*）课程编码")])
def test_aliases_under_required_field_marks(tmp_path, sid, code):
    """An alias that carries a mark (学生(*), 课程＊ — an import template's headers) is still the column."""
    cf = CohortFiles(tmp_path)
    cf.tables["grades"] = cf.tables["grades"].rename(columns={"学号": sid, "课程代码": code})
    cf.tables["grades"].loc[0, "成绩"] = "50"
    d = run_decide(cf)
    assert outcome_of(d, S1)[1] == {"COURSE_FAILED"}
    assert set(d.table["outcome"]) == {"COLLECT", outcome_of(d, S1)[0]}
