"""Intake checks (issue 13, Art 1-2): every check with a failing case, params validated, structural problems."""
import pytest
from builders import jpeg
from intake_helpers import all_photos, intake_students, params_of, write_intake

from gradlib.errors import InputError, ParamsError
from gradlib.intake import store
from gradlib.intake.checks import check_intake
from gradlib.intake.params import load_intake_params
from gradlib.registry import Registry


def codes(intake) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sid, code in zip(intake.problems["学号"], intake.problems["code"]):
        out.setdefault(sid, set()).add(code)
    return out


def test_a_clean_intake_has_no_problems(tmp_path):
    intake = check_intake(params_of(tmp_path, photos=all_photos()))
    assert intake.size == 6 and intake.problems.empty
    assert list(intake.students["学籍状态"]) == ["在籍"] * 6  # no 学籍状态 column: every new student 在籍
    assert list(intake.classes()["人数"]) == [3, 3]


def _flip_check_digit(s):
    last = s.loc[0, "身份证号"][-1]
    s.loc[0, "身份证号"] = s.loc[0, "身份证号"][:-1] + ("0" if last != "0" else "1")


def _swap_sex(s):
    s.loc[0, "性别"] = "女"


def _birth_typed_otherwise(s):
    s.loc[0, "出生日期"] = "2008-01-16"


def _id_17_digits(s):
    s.loc[0, "身份证号"] = s.loc[0, "身份证号"][:17]


def _duplicate_id(s):
    s.loc[1, "身份证号"] = s.loc[0, "身份证号"]
    s.loc[1, "性别"], s.loc[1, "出生日期"] = s.loc[0, "性别"], s.loc[0, "出生日期"]


CASES = [
    ("native place blank", lambda s: s.__setitem__("籍贯", ["", *s["籍贯"][1:]]), "FIELD_MISSING", "籍贯 为空"),
    ("exam number blank", lambda s: s.loc.__setitem__((0, "中考报名序号"), ""), "FIELD_MISSING", "中考报名序号 为空"),
    ("ethnicity blank", lambda s: s.loc.__setitem__((0, "民族"), ""), "FIELD_MISSING", "民族 为空"),
    ("political status blank", lambda s: s.loc.__setitem__((0, "政治面貌"), ""), "FIELD_MISSING", "政治面貌 为空"),
    ("address blank", lambda s: s.loc.__setitem__((0, "家庭地址"), ""), "FIELD_MISSING", "家庭地址 为空"),
    ("sex not 男/女", lambda s: s.loc.__setitem__((0, "性别"), "M"), "FIELD_INVALID", "不是男/女"),
    ("birth date not a date", lambda s: s.loc.__setitem__((0, "出生日期"), "2008-13-40"), "FIELD_INVALID", "不是日期"),
    ("check digit", _flip_check_digit, "ID_INVALID", "校验位错误"),
    ("sex against the ID", _swap_sex, "ID_INVALID", "与性别“女”不一致"),
    ("birth date against the ID", _birth_typed_otherwise, "ID_INVALID", "与出生日期 2008-01-16 不一致"),
    ("ID of 17 digits", _id_17_digits, "ID_INVALID", "不是 17 位数字加 1 位数字或 X"),
    ("ID twice in the intake", _duplicate_id, "ID_DUPLICATE", "同时出现在学号 2024000001、2024000002 上"),
    ("exam number format", lambda s: s.loc.__setitem__((0, "中考报名序号"), "3601240001"), "EXAM_NUMBER_INVALID",
     "不符合参数文件 exam_number 规定的格式"),
    ("exam number twice", lambda s: s.loc.__setitem__((1, "中考报名序号"), s.loc[0, "中考报名序号"]),
     "EXAM_NUMBER_DUPLICATE", "同时出现在学号 2024000001、2024000002 上"),
]


@pytest.mark.parametrize("what,tweak,code,evidence", CASES, ids=[c[0] for c in CASES])
def test_every_art1_check_fails_its_case(tmp_path, what, tweak, code, evidence):
    s = intake_students()
    tweak(s)
    intake = check_intake(params_of(tmp_path, students=s))
    found = intake.problems[intake.problems["code"] == code]
    assert "2024000001" in set(found["学号"]), (what, intake.problems)
    assert any(evidence in e for e in found["问题说明"]), found["问题说明"].tolist()
    assert set(found["班级"]) == {"24机电1班"} and set(found["条款"]) == {"第一条"}
    assert not (codes(intake).keys() - {"2024000001", "2024000002"})  # nobody else is touched


def test_photos_missing_and_of_the_wrong_size(tmp_path):
    s = intake_students()
    photos = all_photos(s)
    del photos[f"{s.loc[0, '身份证号']}.jpg"]
    photos[f"{s.loc[1, '身份证号']}.jpg"] = jpeg(358, 441)
    intake = check_intake(params_of(tmp_path, photos=photos))
    assert codes(intake) == {"2024000001": {"PHOTO_MISSING"}, "2024000002": {"PHOTO_INVALID"}}
    assert "358×441" in intake.problems.loc[intake.problems["code"] == "PHOTO_INVALID", "问题说明"].iat[0]


def test_duplicates_against_students_already_enrolled(tmp_path):
    reg = Registry(tmp_path / "r.sqlite")
    earlier = intake_students().iloc[:1].copy()
    earlier["学号"] = "2023000099"  # the same person enrolled a year earlier under another 学号
    store.enrol(reg, 2026, 2023, earlier, "r1", "学籍科")
    same = intake_students().iloc[1:2]  # enrolled with this very intake: checked again, not a duplicate
    store.enrol(reg, 2027, 2024, same, "r2", "学籍科")
    intake = check_intake(params_of(tmp_path), store.current_enrolled(reg))
    assert codes(intake) == {"2024000001": {"ALREADY_ENROLLED"}}
    ev = intake.problems["问题说明"].iat[0]
    assert "已登记在学号 2023000099 上" in ev and "身份证号" in ev and "中考报名序号" in ev


def test_the_exam_number_column_is_required(tmp_path):
    with pytest.raises(InputError) as e:
        check_intake(params_of(tmp_path, students=intake_students().drop(columns="中考报名序号")))
    assert any(p.kind == "column_missing" and "中考报名序号" in p.text() for p in e.value.problems)


def test_params_are_checked_in_full_with_a_chinese_report(tmp_path):
    p = write_intake(tmp_path)
    p.write_text("intake_yeer: 2024\nexam_number: '3601(\\d'\nsources: {grades: x.xlsx}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_intake_params(p)
    keys = {q.column for q in e.value.problems}
    assert {"intake_yeer", "intake_year", "exam_number", "sources.grades"} <= keys
    assert "参数文件有误" in e.value.report() and "正则表达式" in e.value.report()


def test_the_cohort_is_three_years_after_the_intake_unless_given(tmp_path):
    assert params_of(tmp_path).cohort == 2027
    assert load_intake_params(write_intake(tmp_path, extra="cohort: 2028\n")).cohort == 2028
