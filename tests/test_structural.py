"""Structural problems stop the run before anything is written, all reported at once (exit 2)."""
import subprocess
import sys

import pandas as pd
import pytest
from builders import CohortFiles

from gradlib.errors import InputError
from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.sources import load_cohort


def structural(cf: CohortFiles, after_write=None) -> list:
    params = cf.write()
    if after_write:
        after_write(cf.root / "data")
    with pytest.raises(InputError) as e:
        load_cohort(load_params(params))
    return e.value.problems


def test_missing_file(tmp_path):
    ps = structural(CohortFiles(tmp_path), lambda d: (d / "缴费库.xlsx").unlink())
    assert [(p.kind, p.file) for p in ps] == [(Kind.FILE_MISSING, "缴费库.xlsx")]


def test_unreadable_file(tmp_path):
    ps = structural(CohortFiles(tmp_path), lambda d: (d / "顶岗实习.xlsx").write_bytes(b"PK\x03\x04 not a workbook"))
    assert [(p.kind, p.file) for p in ps] == [(Kind.FILE_CORRUPT, "顶岗实习.xlsx")]


def test_every_problem_in_one_report(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["fees"] = cf.tables["fees"].drop(columns="已缴金额")
    cf.tables["internship"] = cf.tables["internship"].drop(columns=["审批表", "实习考核"])
    st = cf.tables["students"]
    st.loc[3, "学号"] = st.loc[1, "学号"]
    ps = structural(cf, lambda d: __import__("shutil").rmtree(d / "照片"))
    found = {(p.kind, p.file, p.column) for p in ps}
    assert found == {(Kind.COLUMN_MISSING, "缴费库.xlsx", "已缴金额"), (Kind.COLUMN_MISSING, "顶岗实习.xlsx", "审批表"),
                     (Kind.COLUMN_MISSING, "顶岗实习.xlsx", "实习考核"), (Kind.STUDENT_ID_DUPLICATE, "学籍库.xlsx", "学号"),
                     (Kind.PHOTO_FOLDER_MISSING, "照片", "")}
    dup = next(p for p in ps if p.kind == Kind.STUDENT_ID_DUPLICATE)
    assert dup.row == 3 and dup.value == "2024000002" and "第 3、5 行" in dup.problem
    missing = next(p for p in ps if p.column == "已缴金额")
    assert "实缴金额" in missing.expected  # the aliases that would do


def test_blank_student_id_with_data(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["students"].loc[2, "学号"] = ""
    ps = structural(cf)
    assert [(p.kind, p.file, p.row, p.column) for p in ps] == [(Kind.STUDENT_ID_BLANK, "学籍库.xlsx", 4, "学号")]


def test_missing_sheet_and_waivers(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.waivers = pd.DataFrame({"学号": ["2024000001"], "原因代码": ["FEES_OWED"], "理由": ["x"], "批准人": ["y"]})
    params = cf.write()
    text = params.read_text(encoding="utf-8").replace("  students: 学籍库.xlsx", "  students: {file: 学籍库.xlsx, sheet: 2027届}")
    params.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_cohort(load_params(params))
    found = {(p.file, p.column) for p in e.value.problems}
    assert ("waivers.csv", "日期") in found
    assert any("2027届" in p.problem for p in e.value.problems)
    (tmp_path / "waivers.csv").unlink()
    with pytest.raises(InputError) as e:
        load_cohort(load_params(params))
    assert any(p.file == "waivers.csv" and p.kind == Kind.FILE_MISSING for p in e.value.problems)


def test_report_text_names_file_row_column_value_and_expectation(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"]
    st.loc[3, "学号"] = st.loc[1, "学号"]
    params = cf.write()
    with pytest.raises(InputError) as e:
        load_cohort(load_params(params))
    text = e.value.report()
    assert "学籍库.xlsx" in text and "第 3 行" in text and "列“学号”" in text and "2024000002" in text and "应为" in text


def _cli(*args, cwd=None):
    exe = [sys.executable, "-m", "gradlib.cli", *map(str, args)]
    return subprocess.run(exe, capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_exits_2_and_writes_nothing_on_structural_problem(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["grades"] = cf.tables["grades"].drop(columns="学号")
    params = cf.write()
    r = _cli("run", params)
    assert r.returncode == 2
    assert "成绩库.xlsx" in r.stderr and "学号" in r.stderr
    assert r.stdout == ""
    assert not (tmp_path / "outputs").exists()


def test_cli_exits_2_on_bad_params(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("cohort: 2027\nfees_mode: cash\n", encoding="utf-8")
    r = _cli("run", p)
    assert r.returncode == 2
    assert "fees_mode" in r.stderr and "internship_materials_due" in r.stderr
    assert not (tmp_path / "outputs").exists()


def test_every_command_has_help():
    from gradlib.cli import build_parser
    p = build_parser()
    sub = next(a for a in p._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert parser.description, name
        for a in parser._actions:
            assert a.help, (name, a.dest)


def test_missing_roster_column_and_duplicate_student_id_in_one_report(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"].drop(columns="性别")
    st.loc[3, "学号"] = st.loc[1, "学号"]
    cf.tables["students"] = st
    ps = structural(cf)
    assert {(p.kind, p.column) for p in ps} == {(Kind.COLUMN_MISSING, "性别"), (Kind.STUDENT_ID_DUPLICATE, "学号")}
