"""`gradlib demo --messy` (issue 14 item 6): the demo cohort as the departments' own systems export it is
decided exactly as the clean demo — every student — except what a roster without 学籍状态 cannot say."""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from python_calamine import CalamineWorkbook

from gradlib import cli
from gradlib.demo import MESSY_MAX_STUDENTS, SCENARIOS, expected_decisions, write_demo
from gradlib.demo.messy import FILES, REGISTER_HEADER
from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort

N, SEED = 400, 11
STATUS_SCENARIOS = {s.key for s in SCENARIOS if s.without_status is not None}
DECISION = ["outcome", "reasons", "waived", "deadline"]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("messy")
    clean = write_demo(base / "clean", N, SEED)
    messy = write_demo(base / "messy", N, SEED, messy_files=True)
    cc, cm = load_cohort(load_params(clean)), load_cohort(load_params(messy))
    return clean, messy, cc, cm, decide(cc).decisions_csv(), decide(cm).decisions_csv()


def _rows(path, sheet=None):
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet or wb.sheet_names[0]).to_python()


def test_every_student_decided_as_the_clean_demo(both):
    *_, dc, dm = both
    key = expected_decisions(N, SEED)[["student_id", "scenario"]]
    j = dc.merge(dm, on="student_id", suffixes=("_clean", "_messy")).merge(key, on="student_id")
    assert len(j) == len(dc) == len(dm) == N
    same = np.logical_and.reduce([j[f"{c}_clean"] == j[f"{c}_messy"] for c in DECISION])
    # every student whose scenario does not rest on 学籍状态 is decided exactly as on the clean files
    assert same[~j.scenario.isin(STATUS_SCENARIOS)].all(), j[~same].to_string()
    # and the students planted with a status are the only ones a roster without 学籍状态 decides otherwise
    assert not same[j.scenario.isin(STATUS_SCENARIOS)].all()


def test_every_student_decided_as_the_messy_answer_key(both):
    *_, dm = both
    want = expected_decisions(N, SEED, messy_files=True)[["student_id"] + DECISION].reset_index(drop=True)
    pd.testing.assert_frame_equal(dm.reset_index(drop=True), want, check_dtype=False)
    status = expected_decisions(N, SEED).merge(want, on="student_id", suffixes=("", "_m"))
    status = status[status.scenario.isin(STATUS_SCENARIOS)]
    assert len(status) >= len(STATUS_SCENARIOS)
    assert not status.reasons_m.str.contains("NO_STATUS|LEFT_WITHOUT|SUSPENDED").any()  # all 在籍


def test_every_attempt_of_both_halves_is_read(both):
    """Each grade of the clean demo's wide table arrives from a two-up register with the same meaning."""
    _, _, cc, cm, _, _ = both
    planned = cc.students["专业"].isin(set(cc.curriculum["专业"])).to_numpy()
    keys = ["idx", "课程代码", "attempt"]

    def passing(a):
        return a.assign(passes=a["level_pass"] | (a["score"] >= 60))[keys + ["valid", "passes"]]

    a = passing(cc.attempts[planned[cc.attempts["idx"]]])
    b = passing(cm.attempts[planned[cm.attempts["idx"]]])
    m = a.merge(b, on=keys, how="outer", suffixes=("_clean", "_messy"), indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head().to_string()
    assert (m.valid_clean == m.valid_messy).all() and (m.passes_clean == m.passes_messy).all()
    first = cm.attempts[cm.attempts["attempt"] == "成绩"]
    per_row = first.groupby(["sheet", "row"])["idx"].nunique()
    assert first["sheet"].nunique() > 100 and (per_row == 2).mean() > 0.4      # both halves of each Excel row


def test_status_absent_said_once(both):
    _, _, cc, cm, _, _ = both
    p = cm.problems
    assert (p["kind"] == Kind.STATUS_COLUMN_ABSENT).sum() == 1
    assert len(cm.notices) >= 1 and any("学籍状态" in n for n in cm.notices)
    assert (cm.students["学籍状态"] == "在籍").all()
    assert not (cc.problems["kind"] == Kind.STATUS_COLUMN_ABSENT).any()


def test_current_home_not_the_household_address(both):
    clean, messy, cc, cm, _, dm = both
    rows = _rows(messy.parent / "data" / FILES["students"])
    head = rows[1]
    df = pd.DataFrame(rows[2:], columns=head)
    assert (df["详细地址"] != df["现家庭住址"]).mean() > 0.3
    got = cm.students.set_index("学号")["家庭地址"]
    assert (got.reindex(df["校内学号"]).to_numpy() == df["现家庭住址"].to_numpy()).all()
    blank = df.loc[df["现家庭住址"] == "", "校内学号"]
    assert len(blank) and (df.loc[df["现家庭住址"] == "", "详细地址"] != "").all()
    assert dm.set_index("student_id").loc[blank, "reasons"].str.contains("RECORD_INCOMPLETE").all()


def test_the_national_export_head(both):
    _, messy, *_ = both
    rows = _rows(messy.parent / "data" / FILES["students"])
    assert "学生基本信息" in rows[0][0]
    head = rows[1]
    for h in ["身份证号", "姓名", "性别", "民族", "年级", "入学年月", "修读专业", "学制", "班级", "详细地址", "现家庭住址",
              "出生日期", "校内学号", "证件类型", "省级电子注册学籍号", "政治面貌", "籍贯", "联系电话", "邮政编码"]:
        assert h in head
    assert not {"学号", "学籍号", "学籍状态", "状态", "学生状态", "专业", "家庭地址"} & set(head)
    ids = [r[head.index("身份证号")] for r in rows[2:]]
    assert all(isinstance(v, str) for v in ids) and any(v.endswith("x") for v in ids)


def test_the_course_registers(both):
    _, messy, _, cm, _, _ = both
    path = messy.parent / "data" / FILES["grades"]
    wb = CalamineWorkbook.from_path(str(path))
    majors = cm.students.groupby("班级").size()
    assert len(wb.sheet_names) > 10 * len(majors) // 2
    words: set = set()
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        code = re.fullmatch(r"课程代码：(\w+)", rows[1][0])
        assert code, rows[1]
        header = [c for c in rows[3] if c]
        w = len(header) // 2
        assert header[:w] == header[w:] == list(REGISTER_HEADER[:w])           # two-up, identical halves
        for r in rows[4:]:
            words |= {str(v) for v in r[3:w] + r[w + 3:] if isinstance(v, str)}
    for word in ["旷考", "缺考", "作弊", "正常", "免修", "补考合格", "优", "良", "中", "差", "不合格"]:
        assert word in words, word
    assert any(re.fullmatch(r"[０-９]+", v) for v in words)                    # full-width digits


def test_fee_export_and_internship_template(both):
    _, messy, _, cm, _, _ = both
    data = messy.parent / "data"
    raw = (data / FILES["fees"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                                     # a GBK export
    rows = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert rows[1][:7] == ["序号", "学号", "姓名", "班级", "收费类型", "应缴", "实缴"]
    assert any(v.startswith("￥") for r in rows for v in r) and any(v.endswith("元") for r in rows for v in r)
    assert any("," in v for r in rows[2:] for v in r[5:7])
    rows = _rows(data / FILES["internship"])
    assert rows[0][0] == "学号(*)" and "校外实习审批表＊" in rows[0] and "顶岗实习报告（必填）" in rows[0]
    assert rows[1][0] == "std.code"                                            # the template's key row
    cells = {v for r in rows[2:] for v in r if isinstance(v, str)}
    assert {"已提交", "未提交", "已上交", "优", "良"} <= cells
    assert (cm.problems["kind"] == Kind.KEY_ROW).sum() == 1


def test_cli_demo_messy_runs(tmp_path, capsys):
    out = tmp_path / "m"
    assert cli.main(["demo", "--messy", "--students", "200", "--seed", "3", "--no-photos", "--out", str(out)]) == 0
    folder = capsys.readouterr().out.strip().splitlines()[-1]
    y = yaml.safe_load((out / "params.yaml").read_text(encoding="utf-8"))
    assert y["sources"]["grades"] == FILES["grades"] and y["sources"]["photos"] is None
    got = pd.read_csv(f"{folder}/decisions.csv", dtype=str, keep_default_na=False)
    want = expected_decisions(200, 3, photos=False, messy_files=True)[["student_id"] + DECISION]
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False)


def test_cli_demo_messy_too_many_students(tmp_path, capsys):
    out = tmp_path / "m"
    assert cli.main(["demo", "--messy", "--students", str(MESSY_MAX_STUDENTS + 1), "--out", str(out)]) == 1
    assert "--messy" in capsys.readouterr().err and not out.exists()
