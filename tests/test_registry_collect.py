"""Collection and mailing (issue #9, Art 16-18): one by one and in bulk from the run's own sheets, corrections,
refusals, and `gradlib status`."""
import datetime as dt
import sqlite3

import openpyxl
import pytest
from registry_helpers import cli, make_run

from gradlib.errors import RecordsRejected, RegistryError
from gradlib.registry import Registry
from gradlib.registry.collect import collect_one, events, states
from gradlib.registry.sheets import collect_file
from gradlib.registry.status import overview, status
from gradlib.run.publish import publish

ROSTER = "毕业证及报到证领取花名册（内部）.xlsx"
MAILING = "毕业证邮寄清单（内部）.xlsx"
AFTER_WINDOW = dt.date(2027, 8, 1)  # the six-student cohort's issue window is 2027-07-01 … 07-15


def _owing(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 张伟 owes 400: DEFERRED


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("collect") / "a", _owing)


@pytest.fixture
def reg(run, tmp_path):
    path = tmp_path / "r.sqlite"
    publish(run, by="就业办", registry=path)
    with Registry(path) as r:
        yield r


def _fill(book_path, dest, fills: dict[str, dict[str, str]], extra_columns=()):
    """The run's workbook with cells filled in (as the office types them): {学号: {column: value}}."""
    wb = openpyxl.load_workbook(book_path)
    for ws in wb.worksheets:
        header = next((r for r in range(1, 6) if "学号" in [c.value for c in ws[r]]), None)
        if header is None:
            continue
        cols = [c.value for c in ws[header]]
        for name in extra_columns:
            ws.cell(header, len(cols) + 1, name)
            cols.append(name)
        sid = cols.index("学号") + 1
        for r in range(header + 1, ws.max_row + 1):
            for col, value in fills.get(str(ws.cell(r, sid).value), {}).items():
                ws.cell(r, cols.index(col) + 1, value)
    wb.save(dest)
    return dest


def test_collected_in_person_by_proxy_and_mailed_one_by_one(reg):
    line = collect_one(reg, "2024000002", "王老师", day=dt.date(2026, 7, 3))
    assert "李娜" in line and "本人领取" in line
    collect_one(reg, "2024000003", "王老师", day=dt.date(2026, 7, 3), receiver="王大")
    collect_one(reg, "2024000004", "王老师", day=dt.date(2026, 7, 6), mail=True, tracking="SF1234567890")
    c = states(reg, 2027).set_index("student_id")
    assert c.loc["2024000002", ["method", "receiver", "proxy", "day"]].tolist() == ["in_person", "李娜", 0, "2026-07-03"]
    assert c.loc["2024000003", ["receiver", "proxy"]].tolist() == ["王大", 1]
    assert c.loc["2024000004", ["method", "tracking_number"]].tolist() == ["mail", "SF1234567890"]
    st = status(reg, 2027, AFTER_WINDOW)
    assert (st.in_person, st.proxy, st.mailed, st.outcomes) == (1, 1, 1, {"COLLECT": 5, "DEFERRED": 1})
    assert list(st.uncollected["学号"]) == ["2024000005", "2024000006"]


def test_a_student_not_collect_cannot_be_recorded(run, tmp_path):
    path = tmp_path / "r.sqlite"
    publish(run, registry=path)
    r = cli("collect", "2024000001", "--date", "2026-07-03", "--registry", path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "张伟" in r.stderr and "暂缓领取" in r.stderr and "不能登记" in r.stderr
    with Registry(path) as reg:
        assert reg.one("SELECT COUNT(*) FROM collections")[0] == 0


def test_the_command_records_and_prints_who(run, tmp_path):
    path = tmp_path / "r.sqlite"
    publish(run, registry=path)
    r = cli("collect", "2024000006", "--mail", "--tracking", "EMS0001", "--date", "2026-07-05", "--by", "甲",
            "--registry", path)
    assert r.returncode == 0, r.stderr
    assert "杨磊" in r.stdout and "EMS0001" in r.stdout
    r = cli("status", "2027", "--as-of", "2027-08-01", "--registry", path)
    assert r.returncode == 0, r.stderr
    assert "其中邮寄：1 人" in r.stdout and "其中未领取：4 人" in r.stdout and "已过" in r.stdout
    assert "2024000002  李娜" in r.stdout and "2024000006" not in r.stdout.split("已过")[1]
    r = cli("status", "2027", "--as-of", "2027-07-10", "--registry", path)
    assert "尚未结束" in r.stdout and "2024000002" not in r.stdout
    r = cli("status", "2030", "--registry", path)
    assert r.returncode == 1 and "没有 2030 届已发布的结果" in r.stderr


def test_a_correction_supersedes_and_a_void_cancels(reg):
    collect_one(reg, "2024000002", "甲", day=dt.date(2026, 7, 3))
    with pytest.raises(RegistryError, match="已登记为 2026-07-03 本人领取"):
        collect_one(reg, "2024000002", "甲", day=dt.date(2026, 7, 4), receiver="李父")
    collect_one(reg, "2024000002", "乙", day=dt.date(2026, 7, 4), receiver="李父", correct=True)
    collect_one(reg, "2024000002", "乙", void=True)
    ev = events(reg, "2024000002")
    assert [e["method"] for e in ev] == ["in_person", "in_person", "void"]
    assert ev[1]["supersedes"] == ev[0]["id"] and ev[2]["supersedes"] == ev[1]["id"] and ev[1]["proxy"] == 1
    assert "2024000002" in set(status(reg, 2027).uncollected["学号"])
    with pytest.raises(RegistryError, match="没有可更正或作废"):
        collect_one(reg, "2024000003", "甲", void=True)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        reg.db.execute("UPDATE collections SET day = '2026-01-01'")


def test_bulk_from_the_runs_own_roster(run, reg, tmp_path):
    filled = _fill(run / ROSTER, tmp_path / "领取花名册.xlsx", {
        "2024000002": {"领取人签名": "李娜", "领取日期": "2026-07-03"},
        "2024000003": {"领取人签名": "王大", "领取日期": "2026/7/4"},
        "2024000005": {"领取人签名": "陈静", "领取日期": dt.datetime(2026, 7, 5)}})  # a date cell, as Excel keeps it
    done = collect_file(reg, filled, "王老师")
    assert (done.written, done.skipped, done.by_method) == (3, 0, {"in_person": 2, "proxy": 1})
    c = states(reg, 2027).set_index("student_id")
    assert c.loc["2024000003", ["receiver", "proxy", "day"]].tolist() == ["王大", 1, "2026-07-04"]
    assert c.loc["2024000005", "day"] == "2026-07-05"
    assert "24机电1班" in c.loc["2024000002", "source"] and "第 4 行" in c.loc["2024000002", "source"]
    again = collect_file(reg, filled, "王老师")  # the same file twice: nothing new
    assert (again.written, again.skipped) == (0, 3)
    assert reg.one("SELECT COUNT(*) FROM collections")[0] == 3


def test_bulk_from_the_mailing_sheet_with_tracking_numbers(run, reg, tmp_path):
    filled = _fill(run / MAILING, tmp_path / "邮寄.xlsx", {
        "2024000004": {"快递单号": "SF100", "邮寄日期": "2026-07-06"},
        "2024000006": {"快递单号": "SF101", "邮寄日期": "2026-07-06"}}, extra_columns=("快递单号", "邮寄日期"))
    r = cli("collect", "--from", filled, "--registry", reg.path)
    assert r.returncode == 0, r.stderr
    assert "登记 2 人" in r.stdout and "邮寄 2 人" in r.stdout
    c = states(reg, 2027).set_index("student_id")
    assert c.loc[["2024000004", "2024000006"], "tracking_number"].tolist() == ["SF100", "SF101"]


def test_a_bad_bulk_row_records_nothing_and_every_problem_is_named(run, reg, tmp_path):
    filled = _fill(run / ROSTER, tmp_path / "领取花名册.xlsx", {
        "2024000002": {"领取人签名": "李娜", "领取日期": "2026-07-03"},   # good
        "2024000003": {"领取人签名": "王芳", "领取日期": "七月三日"},     # not a date
        "2024000004": {"姓名": "刘阳", "领取人签名": "刘阳", "领取日期": "2026-07-03"},  # a shifted row: wrong name
        "2024000005": {"领取日期": "2026-07-03"}})                          # nobody signed
    with pytest.raises(RecordsRejected) as e:
        collect_file(reg, filled, "王老师")
    got = {(p.kind, p.sheet, p.row, p.column) for p in e.value.problems}
    # all at once: the rows the sheet rejects and, among the others, the one the registry rejects (the
    # shifted row was named only once the sheet's own problems were mended and the file imported again)
    assert got == {("bad_date", "24机电1班", 5, "领取日期"), ("receiver_missing", "24计算机1班", 5, "领取人签名"),
                   ("name_mismatch", "24计算机1班", 4, "姓名")}
    assert [(p.sheet, p.row) for p in e.value.problems] == sorted((p.sheet, p.row) for p in e.value.problems)
    assert reg.one("SELECT COUNT(*) FROM collections")[0] == 0
    # the registry's problems alone, from the command line, still all or nothing
    filled = _fill(run / ROSTER, tmp_path / "b.xlsx", {
        "2024000002": {"领取人签名": "李娜", "领取日期": "2026-07-03"},
        "2024000004": {"姓名": "刘阳", "领取人签名": "刘阳", "领取日期": "2026-07-03"}})
    r = cli("collect", "--from", filled, "--registry", reg.path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "b.xlsx，工作表“24计算机1班”，第 4 行，列“姓名”" in r.stderr and "刘洋" in r.stderr
    assert "登记库未作任何改动" in r.stderr
    assert reg.one("SELECT COUNT(*) FROM collections")[0] == 0


def test_a_deferred_student_typed_into_the_roster_is_refused(run, reg, tmp_path):
    wb = openpyxl.load_workbook(run / ROSTER)
    ws = wb.worksheets[0]
    ws.append([9, "2024000001", "张伟", "男", "", "", "", "张伟", "2026-07-03"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(RecordsRejected) as e:
        collect_file(reg, tmp_path / "x.xlsx", "王老师")
    [p] = e.value.problems
    assert (p.kind, p.column, p.student_id) == ("not_collect", "学号", "2024000001") and "暂缓领取" in p.problem


def test_the_notebook_overview_and_a_missing_registry(reg, tmp_path):
    collect_one(reg, "2024000002", "甲", day=dt.date(2026, 7, 3))
    st, stock, order = overview(reg.path, 2027, 6, 0.05, AFTER_WINDOW)
    assert st.in_person == 1 and len(st.uncollected) == 4 and list(order["建议征订"]) == [7, 7]
    missing = tmp_path / "none.sqlite"
    st, stock, order = overview(missing, 2027, 6, 0.05)
    assert st is None and not missing.exists() and list(stock["结存"]) == [0, 0]
