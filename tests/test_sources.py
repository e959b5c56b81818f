"""Reader quirks of data-contract.md: encodings, title and note rows, aliases, layouts, identifiers."""
import pandas as pd
import pytest
import xlsxwriter
from builders import CohortFiles, write_xlsx
from conftest import outcome_of, run_decide

from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort

S1 = "2024000001"


def decisions_of(cf: CohortFiles) -> pd.DataFrame:
    return run_decide(cf).decisions_csv()


@pytest.mark.parametrize("fmt", ["csv", "csv-gbk", "csv-bom"])
def test_csv_encodings_give_the_same_decisions_as_xlsx(tmp_path, fmt):
    xlsx = CohortFiles(tmp_path / "x")
    xlsx.tables["internship"].loc[0, "审批表"] = "否"
    expected = decisions_of(xlsx)
    csv = CohortFiles(tmp_path / "c", xlsx.tables)
    csv.fmt = dict.fromkeys(csv.fmt, fmt)
    got = run_decide(csv)
    pd.testing.assert_frame_equal(got.decisions_csv(), expected)
    assert got.cohort.students.loc[0, "姓名"] == "张伟"  # no mojibake


def test_gbk_csv_decodes_chinese(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.fmt["students"] = "csv-gbk"
    d = run_decide(cf)
    assert list(d.cohort.students["姓名"]) == ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"]
    assert list(d.cohort.students["班级"])[0] == "24机电1班"


def test_title_rows_above_the_header_and_excel_row_numbers(tmp_path):
    cf = CohortFiles(tmp_path)
    params = cf.write()
    st = cf.tables["students"].copy()
    st.loc[2, "民族"] = ""
    wb = xlsxwriter.Workbook(str(tmp_path / "data" / "学籍库.xlsx"))
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "江西省通用技术工程学校2027届毕业生学籍信息")
    ws.write_string(1, 0, "制表日期：2027年6月1日")
    ws.write_row(3, 0, list(st.columns))  # row 3 blank, header on Excel row 4
    for i, row in enumerate(st.itertuples(index=False), start=4):
        ws.write_row(i, 0, [str(v) for v in row])
    wb.close()
    d = decide(load_cohort(load_params(params)))
    assert d.cohort.size == 6
    assert list(d.cohort.students["excel_row"]) == [5, 6, 7, 8, 9, 10]
    p = d.problems[d.problems["student_id"] == "2024000003"]
    assert 7 in set(p["row"])


def test_total_and_footer_rows_are_skipped_and_listed(tmp_path):
    cf = CohortFiles(tmp_path)
    params = cf.write()
    fees = cf.tables["fees"]
    write_xlsx(tmp_path / "data" / "缴费库.xlsx", fees, title="2024级学生缴费明细",
               extra_rows=[["合计", "", "19200", "19200"], ["", "小计", "1", "1"], ["制表人：财务科 张某"]])
    st = cf.tables["students"]
    write_xlsx(tmp_path / "data" / "学籍库.xlsx", st,
               extra_rows=[["", "合计：6人"], ["审核：学生管理科"]])
    d = decide(load_cohort(load_params(params)))
    assert d.cohort.size == 6
    assert set(d.table["outcome"]) == {"COLLECT"}
    notes = d.problems[d.problems["kind"] == Kind.NOTE_ROW]
    assert set(notes["file"]) == {"缴费库.xlsx", "学籍库.xlsx"}
    assert len(notes) == 5
    assert set(notes[notes["file"] == "缴费库.xlsx"]["row"]) == {15, 16, 17}  # title row 1, header row 2


def test_aliases_and_spaces_in_headers(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["fees"] = cf.tables["fees"].rename(columns={"应缴金额": "应收金额", "已缴金额": " 实缴金额\u3000"})
    cf.tables["grades"] = cf.tables["grades"].rename(columns={"成绩": "总评成绩", "课程代码": "课程编号"})
    cf.tables["internship"] = cf.tables["internship"].rename(
        columns={"审批表": "校外实习审批表", "实习报告": "顶岗实习报告", "提交日期": "材料提交日期", "实习考核": "实习成绩"})
    cf.tables["curriculum"] = cf.tables["curriculum"].rename(columns={"课程性质": "课程类别", "专业": "专业名称"})
    cf.tables["fees"].loc[0, "应收金额"] = "9999"
    d = run_decide(cf)
    assert outcome_of(d, S1)[1] == {"FEES_OWED"}
    assert set(d.table["outcome"]) == {"COLLECT", "DEFERRED"}


def test_canonical_header_wins_over_alias(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"]
    st.insert(0, "学籍号", ["X" + s for s in st["学号"]])  # alias before the canonical column
    d = run_decide(cf)
    assert list(d.table["student_id"])[0] == S1


def test_national_system_roster_export(tmp_path):
    cf = CohortFiles(tmp_path)
    st = cf.tables["students"]
    national = pd.DataFrame({
        "身份证号": st["身份证号"], "姓名": st["姓名"], "性别": st["性别"], "民族": st["民族"], "年级": "2024级",
        "入学年月": "202409", "修读专业": st["专业"], "学制": "3", "班级": st["班级"], "详细地址": "某地",
        "出生日期": st["出生日期"].str.replace("-", ""), "校内学号": st["学号"], "联系电话": "13800000000",
        "邮政编码": "330000", "省级电子注册学籍号": "G3601", "政治面貌": st["政治面貌"], "籍贯": "江西",
        "现家庭住址": st["家庭地址"], "学生状态": st["学籍状态"], "毕业证书编号": "0123456",
    })
    cf.tables["students"] = national
    d = run_decide(cf)
    assert set(d.table["outcome"]) == {"COLLECT"}
    s = d.cohort.students
    assert list(s["学号"]) == list(st["学号"])
    assert s.loc[0, "家庭地址"] == "江西省南昌市青山湖区北京东路1号"  # 现家庭住址 listed before 详细地址
    assert s.loc[0, "入学年份"] == "2024"
    assert s.loc[0, "证书编号"] == "0123456"
    assert "省级电子注册学籍号" in s.columns  # extra columns kept


def _wide(cf: CohortFiles, by="name") -> pd.DataFrame:
    st = cf.tables["students"]
    cur = cf.tables["curriculum"]
    wide = pd.DataFrame({"序号": [str(i + 1) for i in range(len(st))], "学号": st["学号"], "姓名": st["姓名"],
                         "班级": st["班级"]})
    for major in cur["专业"].unique():
        for _, c in cur[cur["专业"] == major].iterrows():
            head = c["课程名称"] if by == "name" else c["课程代码"]
            if head not in wide:
                wide[head] = ""
            wide.loc[st["专业"] == major, head] = "80"
    return wide


def test_wide_grades_by_course_name_within_each_major(tmp_path):
    cf = CohortFiles(tmp_path)
    wide = _wide(cf)
    wide.loc[0, "语文"] = "40"  # C01 for 机电, A01 for 计算机
    wide["语文(补考)"] = ""
    wide["语文（清考）"] = ""
    wide.loc[0, "语文(补考)"] = "50"
    wide.loc[0, "语文（清考）"] = "不及格"
    wide.loc[3, "语文"] = "缺考"
    wide.loc[3, "语文(补考)"] = "61"
    cf.tables["grades"] = wide
    d = run_decide(cf)
    assert outcome_of(d, S1)[1] == {"COURSE_FAILED"}
    ev = d.reasons.set_index("code").loc["COURSE_FAILED", "evidence"]
    assert "（C01）" in ev and "50" in ev and "不及格" in ev
    assert outcome_of(d, "2024000004")[0] == "COLLECT"


def test_wide_grades_makeup_sheet_and_unknown_header(tmp_path):
    cf = CohortFiles(tmp_path)
    params = cf.write()
    wide = _wide(cf, by="code")
    wide.loc[0, "C01"] = "30"
    wide["体育"] = "90"  # matches no course of any plan: a data problem, never silently dropped
    makeup = wide[["学号", "姓名"]].copy()
    makeup["C01"] = ""
    makeup.loc[0, "C01"] = "70"
    path = tmp_path / "data" / "成绩库.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, df in (("总评", wide), ("补考", makeup)):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, list(df.columns))
        for i, row in enumerate(df.itertuples(index=False), start=1):
            ws.write_row(i, 0, [str(v) for v in row])
    wb.close()
    d = decide(load_cohort(load_params(params)))
    assert outcome_of(d, S1)[0] == "COLLECT"
    bad = d.problems[d.problems["column"] == "体育"]
    assert list(bad["kind"]) == [Kind.UNKNOWN_GRADE_COLUMN]


def test_long_grades_by_course_name(tmp_path):
    cf = CohortFiles(tmp_path)
    g = cf.tables["grades"]
    names = dict(zip(cf.tables["curriculum"]["课程代码"], cf.tables["curriculum"]["课程名称"]))
    g["课程名称"] = g["课程代码"].map(names)
    g = g.drop(columns="课程代码")
    g.loc[(g["学号"] == "2024000004") & (g["课程名称"] == "语文"), "成绩"] = "20"
    cf.tables["grades"] = g
    d = run_decide(cf)
    assert outcome_of(d, "2024000004")[1] == {"COURSE_FAILED"}
    assert "语文（A01）" in d.reasons.set_index("code").loc["COURSE_FAILED", "evidence"]


def test_leading_zeros_and_x_survive(tmp_path):
    cf = CohortFiles(tmp_path)
    for key in ("students", "grades", "fees", "internship", "addresses"):
        t = cf.tables[key]
        t["学号"] = t["学号"].str.replace("2024", "00", n=1)
    d = run_decide(cf)
    assert d.table.loc[0, "student_id"] == "00000001"
    assert set(d.table["outcome"]) == {"COLLECT"}


def test_numeric_cells_in_identifier_columns(tmp_path):
    cf = CohortFiles(tmp_path)
    params = cf.write()
    st = cf.tables["students"].copy()
    st.loc[0, "身份证号"] = "3.60102200801151E+17"
    st.loc[1, "学号"] = "2024000002"
    write_xlsx(tmp_path / "data" / "学籍库.xlsx", st, numeric={"身份证号": [0], "学号": [1]})
    d = decide(load_cohort(load_params(params)))
    # an ID that arrived as an Excel number is a data error, never guessed
    o, reasons, _ = outcome_of(d, S1)
    assert "ID_INVALID" in reasons
    assert "数字" in d.reasons.set_index(["idx", "code"]).loc[(0, "ID_INVALID"), "evidence"]
    # a numeric 学号 is taken as its integer digits
    assert d.table.loc[1, "student_id"] == "2024000002"
    assert outcome_of(d, "2024000002")[0] == "COLLECT"


def test_scientific_notation_id_in_csv(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.fmt["students"] = "csv"
    cf.tables["students"].loc[0, "身份证号"] = "3.60102E+17"
    d = run_decide(cf)
    assert "ID_INVALID" in outcome_of(d, S1)[1]


def test_dates_money_and_yes_no_spellings(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["students"].loc[0, "出生日期"] = "2008年1月15日"
    cf.tables["students"].loc[1, "出生日期"] = "20080215"
    cf.tables["students"].loc[2, "出生日期"] = "2008/3/15"
    f = cf.tables["fees"]
    f.loc[f["学号"] == S1, "应缴金额"] = ["￥1,200.50", "800"]
    f.loc[f["学号"] == S1, "已缴金额"] = ["1200.5", "￥800.00"]
    cf.tables["internship"]["审批表"] = ["已交", "有", "Y", "true", "1", "是"]
    d = run_decide(cf)
    assert set(d.table["outcome"]) == {"COLLECT"}
    assert len(d.problems) == 0


def test_orphans_and_fee_mismatch_are_listed(tmp_path):
    cf = CohortFiles(tmp_path)
    f = cf.tables["fees"]
    f["欠费金额"] = "0"
    f.loc[1, "欠费金额"] = "100"
    cf.tables["fees"] = pd.concat([f, pd.DataFrame([{"学号": "2099000001", "收费项目": "学费", "应缴金额": "1",
                                                      "已缴金额": "0", "欠费金额": "1"}])], ignore_index=True)
    cf.tables["internship"] = pd.concat([cf.tables["internship"], cf.tables["internship"].iloc[[0]].assign(学号="2099000002")])
    d = run_decide(cf)
    assert d.cohort.size == 6  # orphans never join the cohort
    p = d.problems
    assert set(p[p["kind"] == Kind.ORPHAN]["value"]) == {"2099000001", "2099000002"}
    assert (p["kind"] == Kind.ARREARS_MISMATCH).sum() == 1


def test_literal_contract_examples(tmp_path):
    """00123 keeps its zeros; 2027年6月20日 is a date; ￥1,200.50 is money; 已交 is yes."""
    import datetime as dt

    from gradlib.sources.values import parse_dates, parse_money, parse_yesno
    cf = CohortFiles(tmp_path)
    for key in ("students", "grades", "fees", "internship", "addresses"):
        t = cf.tables[key]
        t.loc[t["学号"] == S1, "学号"] = "00123"
    cf.fmt["students"] = "csv-gbk"
    d = run_decide(cf)
    assert "00123" in set(d.table["student_id"]) and outcome_of(d, "00123")[0] == "COLLECT"
    dates, bad = parse_dates(pd.Series(["2027年6月20日"]))
    assert dates[0].date() == dt.date(2027, 6, 20) and not bad[0]
    assert parse_money(pd.Series(["￥1,200.50"]))[0][0] == 1200.50
    assert bool(parse_yesno(pd.Series(["已交"]))[0][0])


def test_xls_sources_read_like_xlsx(tmp_path):
    """A department's old-format .xls (converted here with LibreOffice) gives the same decisions."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice not installed (.ci/run installs libreoffice-calc)")
    cf = CohortFiles(tmp_path / "c")
    cf.tables["internship"].loc[0, "审批表"] = "否"
    expected = decisions_of(cf)
    data = tmp_path / "c" / "data"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
                    "--outdir", str(data), str(data / "学籍库.xlsx"), str(data / "顶岗实习.xlsx")],
                   check=True, capture_output=True, timeout=180)
    params = tmp_path / "c" / "params.yaml"
    text = params.read_text(encoding="utf-8").replace("学籍库.xlsx", "学籍库.xls").replace("顶岗实习.xlsx", "顶岗实习.xls")
    params.write_text(text, encoding="utf-8")
    got = decide(load_cohort(load_params(params))).decisions_csv()
    pd.testing.assert_frame_equal(got, expected)


def test_course_names_with_spaces_and_starred_headers(tmp_path):
    cf = CohortFiles(tmp_path)
    cur = cf.tables["curriculum"]
    cur.loc[cur["课程名称"] == "网页设计", "课程名称"] = "网页 设计"
    wide = _wide(cf)
    wide = wide.rename(columns={"网页 设计": "网页设计(补考)", "学号": "*学号"})  # the 补考 column only
    wide.loc[3, "网页设计(补考)"] = "30"
    cf.tables["grades"] = wide
    d = run_decide(cf)
    assert outcome_of(d, "2024000004")[1] == {"COURSE_FAILED"}
    assert "网页设计（A03）" in d.reasons.set_index("code").loc["COURSE_FAILED", "evidence"]


def test_a_file_open_in_excel_is_kept_as_a_notice_of_the_run_not_only_said(tmp_path, capsys):
    """A ~$ lock file means unsaved edits may be missing: the lists made from it must say so afterwards too."""
    params = CohortFiles(tmp_path).write()
    (tmp_path / "data" / "~$缴费库.xlsx").write_bytes(b"\x00" * 162)
    c = load_cohort(load_params(params))
    p = c.problems[c.problems["kind"] == Kind.FILE_OPEN_ELSEWHERE]
    assert list(p["file"]) == ["缴费库.xlsx"] and "最后一次保存的内容" in p["problem"].iloc[0]
    assert any("缴费库.xlsx 正在被 Excel 或 WPS 打开" in n for n in c.notices)
    assert "缴费库.xlsx 正在被 Excel 或 WPS 打开" in capsys.readouterr().err
