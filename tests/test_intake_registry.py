"""Intake in the registry (issue 13, Art 2-4): rosters read back, reviews, corrections with history, status
changes and their effects, impossible sequences refused, exports redacted unless approved."""
import sqlite3

import openpyxl
import pytest
from intake_helpers import intake_students, params_of

from gradlib.errors import RegistryError
from gradlib.intake import store
from gradlib.intake.checks import check_intake
from gradlib.intake.exports import export_roster
from gradlib.intake.rosters import ROSTER_FOLDER, write_class_rosters
from gradlib.intake.status import StatusChangeRefused, current_status, history, record_change, roster
from gradlib.reasons import PRIVATE_COLUMNS, REVIEW_FOOTER, STATUS_CHANGES
from gradlib.registry import Registry
from gradlib.sources.values import id_check_char

APPROVAL = {"approver": "李校长", "day": "2027-06-01", "purpose": "毕业审核", "recipient": "校企合作与就业办"}


@pytest.fixture
def reg(tmp_path):
    r = Registry(tmp_path / "r.sqlite")
    store.enrol(r, 2027, 2024, intake_students(), "run1", "学籍科 周老师")
    yield r
    r.close()


def test_class_rosters_read_back(tmp_path):
    intake = check_intake(params_of(tmp_path))
    paths = write_class_rosters(intake, tmp_path / "run")
    assert sorted(p.name for p in paths) == ["24机电1班（内部）.xlsx", "24计算机1班（内部）.xlsx"]  # 内部 even when a file is sent alone
    assert all(p.parent.name == ROSTER_FOLDER for p in paths)
    ws = openpyxl.load_workbook(tmp_path / "run" / ROSTER_FOLDER / "24机电1班（内部）.xlsx").active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    header = rows[header_at]
    assert header[-1] == "学生签字" and "身份证号" in header and "中考报名序号" in header
    body = rows[header_at + 1:header_at + 4]
    assert [r[1] for r in body] == ["2024000001", "2024000002", "2024000003"] and all(r[-1] is None for r in body)
    ids = [r[header.index("身份证号")] for r in body]
    assert all(isinstance(i, str) and len(i) == 18 for i in ids)  # IDs stay text
    texts = [str(r[0]) for r in rows[header_at + 4:] if r[0]]
    assert any(t.startswith(REVIEW_FOOTER[0]) for t in texts) and any(t.startswith(REVIEW_FOOTER[1]) for t in texts)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == f"$1:${header_at + 1}" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "内部资料" in (ws.oddHeader.center.text or "") and "第 &P 页" in (ws.oddFooter.center.text or "")


def test_reviews_first_then_second(reg):
    with pytest.raises(RegistryError, match="尚无班主任初审记录"):
        store.review(reg, 2027, "24机电1班", "second", "学籍科 周老师", "2024-09-20", "周")
    with pytest.raises(RegistryError, match="没有班级"):
        store.review(reg, 2027, "25机电1班", "first", "赵老师", "2024-09-18", "周")
    store.review(reg, 2027, "24机电1班", "first", "赵老师", "2024-09-18", "周")
    store.review(reg, 2027, "24机电1班", "second", "学籍科 周老师", "2024-09-20", "周")
    store.review(reg, 2027, "24计算机1班", "first", "钱老师", "2024-09-19", "周")
    state = store.review_state(reg, 2027, ["24机电1班", "24计算机1班"]).set_index("班级")
    assert state.loc["24机电1班"].tolist() == ["赵老师（2024-09-18）", "学籍科 周老师（2024-09-20）"]
    assert state.loc["24计算机1班"].tolist() == ["钱老师（2024-09-19）", ""]  # not yet reviewed by the office


def test_a_correction_applies_with_its_history(reg):
    old = intake_students().loc[0, "身份证号"]
    first17 = old[:16] + ("1" if old[16] != "1" else "3")  # another male's number: the 17th digit stays odd
    new = first17 + id_check_char(first17)
    c = store.correct(reg, "2024000001", "身份证号", new, "学生在花名册上签字更正", "学籍科 周老师")
    assert (c["原值"], c["新值"]) == (old, new)
    store.correct(reg, "2024000001", "籍贯", "江西九江", "户口本核对", "学籍科 吴老师")
    now = store.records_of(store.current_enrolled(reg, 2027)).set_index("学号").loc["2024000001"]
    assert (now["身份证号"], now["籍贯"]) == (new, "江西九江")
    h = store.corrections(reg, "2024000001")
    assert h[["字段", "原值", "新值", "原因", "更正人"]].values.tolist() == [
        ["身份证号", old, new, "学生在花名册上签字更正", "学籍科 周老师"],
        ["籍贯", "江西南昌", "江西九江", "户口本核对", "学籍科 吴老师"]]
    assert reg.one("SELECT COUNT(*) FROM enrolled WHERE student_id = '2024000001'")[0] == 3  # every version kept
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        reg.db.execute("UPDATE corrections SET new_value = 'x'")
    with pytest.raises(RegistryError, match="须写明原因"):
        store.correct(reg, "2024000002", "姓名", "李丽", " ", "周")
    with pytest.raises(RegistryError, match="不能更正"):
        store.correct(reg, "2024000002", "学号", "1", "x", "周")


def _change(reg, sid, kind, day, **kw):
    return record_change(reg, sid, kind, day, "家庭原因", "李校长 赣工学〔2025〕3 号", "学籍科", **kw)


def test_each_kind_of_status_change_and_its_effect(reg):
    _change(reg, "2024000001", "休学", "2025-03-01")
    assert current_status(reg, "2024000001") == "休学"
    _change(reg, "2024000001", "复学", "2025-09-01")
    assert current_status(reg, "2024000001") == "在籍"
    _change(reg, "2024000002", "退学", "2025-04-01")
    _change(reg, "2024000003", "转出", "2025-05-01")
    _change(reg, "2024000003", "转入", "2026-02-20")
    _change(reg, "2024000004", "转专业", "2025-02-01", new_major="机电技术应用", new_class="24机电1班")
    _change(reg, "2024000005", "转班", "2025-02-01", new_class="24计算机2班")
    _change(reg, "2024000006", "转出", "2026-01-10")
    r = roster(reg, 2027).set_index("学号")
    assert r["学籍状态"].to_dict() == {"2024000001": "在籍", "2024000002": "退学", "2024000003": "在籍",
                                    "2024000004": "在籍", "2024000005": "在籍", "2024000006": "转出"}
    assert (r.loc["2024000004", "专业"], r.loc["2024000004", "班级"]) == ("机电技术应用", "24机电1班")
    assert (r.loc["2024000005", "专业"], r.loc["2024000005", "班级"]) == ("计算机应用", "24计算机2班")
    h = history(reg, "2024000003")
    assert h[["异动类别", "日期", "异动后学籍状态"]].values.tolist() == [["转出", "2025-05-01", "转出"],
                                                                ["转入", "2026-02-20", "在籍"]]
    kinds = {k for k, in reg.read("SELECT kind FROM status_changes")}
    assert kinds == set(STATUS_CHANGES)


@pytest.mark.parametrize("before,kind,message", [
    ([], "复学", "只有休学的学生才能复学"),
    ([("退学", "2025-03-01")], "复学", "已退学"),
    ([("退学", "2025-03-01")], "转班", "已退学"),
    ([("休学", "2025-03-01")], "休学", "当前学籍状态为“休学”，不能办理休学"),
    ([("转出", "2025-03-01")], "休学", "当前学籍状态为“转出”"),
    ([("休学", "2025-03-01")], "转专业", "不能办理转专业"),
    ([("休学", "2025-03-01"), ("复学", "2025-09-01")], "转入", "只有已转出的学生才能转入"),
])
def test_impossible_sequences_are_refused(reg, before, kind, message):
    for k, day in before:
        _change(reg, "2024000001", k, day)
    with pytest.raises(StatusChangeRefused, match=message) as e:
        _change(reg, "2024000001", kind, "2026-01-01", new_major="计算机应用", new_class="24计算机1班")
    assert e.value.report().startswith("学籍异动未记录：")
    assert reg.one("SELECT COUNT(*) FROM status_changes")[0] == len(before)


def test_a_change_dated_before_the_last_and_incomplete_changes_are_refused(reg):
    _change(reg, "2024000001", "休学", "2025-03-01")
    with pytest.raises(StatusChangeRefused, match="不能早于"):
        _change(reg, "2024000001", "复学", "2025-02-01")
    with pytest.raises(StatusChangeRefused, match="须写明新专业"):
        _change(reg, "2024000002", "转专业", "2025-02-01")
    with pytest.raises(StatusChangeRefused, match="须写明批准"):
        record_change(reg, "2024000002", "退学", "2025-02-01", "个人原因", "", "学籍科")
    with pytest.raises(StatusChangeRefused, match="异动类别“留级”无效"):
        _change(reg, "2024000002", "留级", "2025-02-01")
    with pytest.raises(RegistryError, match="没有学号为 2099"):
        _change(reg, "2099", "休学", "2025-02-01")


def test_a_full_export_is_refused_without_approval_and_made_with_one(reg, tmp_path):
    out = tmp_path / "学籍库.xlsx"
    with pytest.raises(RegistryError, match="须经校领导批准"):
        export_roster(reg, 2027, out, "学籍科", full=True)
    with pytest.raises(RegistryError, match="缺少：用途、接收部门或人员"):
        export_roster(reg, 2027, out, "学籍科", full=True, approval={"approver": "李校长", "day": "2027-06-01"})
    assert not out.exists()
    assert reg.one("SELECT COUNT(*) FROM exports")[0] == 0

    redacted = export_roster(reg, 2027, tmp_path / "去除.xlsx", "学籍科")
    ws = openpyxl.load_workbook(redacted["path"]).active
    header = [c.value for c in ws[1]]
    assert "姓名" in header and "学号" in header and not set(PRIVATE_COLUMNS) & set(header)
    assert "内部资料" in ws.oddHeader.center.text

    full = export_roster(reg, 2027, out, "学籍科", full=True, approval=APPROVAL)
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert set(PRIVATE_COLUMNS) <= set(header) and ws.max_row == 7
    assert "内部资料" in ws.oddHeader.center.text
    right = ws.oddHeader.right.text
    assert all(v in right for v in APPROVAL.values())
    row = reg.one("SELECT a.approver, a.day, a.purpose, a.recipient, e.level, e.sha256 FROM exports e "
                  "JOIN export_approvals a ON a.id = e.approval")
    assert tuple(row) == (*APPROVAL.values(), "full", full["sha256"])
    assert reg.one("SELECT COUNT(*) FROM exports WHERE level = 'redacted' AND approval IS NULL")[0] == 1


@pytest.mark.parametrize("column,value,says", [
    ("身份证号", "360102200901011235", "校验位"),         # one digit off: the check digit no longer fits
    ("身份证号", "36010220090101123", "17 位数字"),
    ("性别", "M", "“男”或“女”"),
    ("出生日期", "2009-02-30", "不是日期"),
    ("班级", " ", "不能更正为空"),
])
def test_a_correction_the_roster_checks_would_reject_is_refused_and_nothing_is_written(reg, column, value, says):
    before = len(store.current_enrolled(reg, 2027)), len(store.corrections(reg))
    with pytest.raises(RegistryError, match=says):
        store.correct(reg, "2024000001", column, value, "学生在花名册上签字更正", "学籍科 周老师")
    assert (len(store.current_enrolled(reg, 2027)), len(store.corrections(reg))) == before
    assert len(reg.read("SELECT id FROM enrolled")) == len(intake_students())


def test_an_id_corrected_with_a_lower_case_x_is_kept_upper_case_and_a_temporary_number_is_accepted(reg):
    first17 = "36010220090101508"
    assert id_check_char(first17) == "X"
    assert store.correct(reg, "2024000001", "身份证号", first17 + "x", "核对", "周")["新值"] == first17 + "X"
    assert store.correct(reg, "2024000001", "身份证号", "999360100000100001", "暂无身份证，用临时号", "周")["新值"] \
        == "999360100000100001"


def test_another_kind_of_id_is_not_checked_against_gb_11643(reg):
    store.correct(reg, "2024000002", "证件类型", "护照", "证件核对", "周")
    assert store.correct(reg, "2024000002", "身份证号", "E12345678", "护照号码", "周")["新值"] == "E12345678"
    with pytest.raises(RegistryError, match="校验位|17 位"):   # back to a mainland ID: the number must fit it
        store.correct(reg, "2024000002", "证件类型", "居民身份证", "证件核对", "周")
