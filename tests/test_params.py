"""Params validation (params.md): every bad key named at once; dates and identifiers read as text."""
import datetime as dt
from pathlib import Path

import pytest

from gradlib.errors import ParamsError
from gradlib.findings import Kind
from gradlib.params import load_params

BASE = "cohort: 2027\ninternship_materials_due: 2027-05-31\nmakeup_results_published: 2027-06-20\n"


def write(tmp_path, text):
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path, text) -> dict:
    with pytest.raises(ParamsError) as e:
        load_params(write(tmp_path, text))
    return {p.column: p for p in e.value.problems}


def test_defaults(tmp_path):
    p = load_params(write(tmp_path, BASE))
    assert p.cohort == 2027
    assert p.issue_window == (dt.date(2027, 7, 1), dt.date(2027, 7, 15))
    assert p.fees_mode == "ledger" and p.fee_tolerance == 0 and p.pass_mark == 60
    assert (p.photo.width, p.photo.height, p.photo.max_kb) == (480, 640, 100)
    assert p.data_dir == tmp_path.resolve()
    assert p.sources["students"].path == tmp_path.resolve() / "学籍库.xlsx"
    assert p.output_dir == (tmp_path / "outputs").resolve()
    assert p.waivers is None


def test_every_problem_is_reported_with_its_key(tmp_path):
    text = ("cohort: twenty\ninternship_materials_due: 2027-02-30\nfees_mode: cash\npass_mark: 120\n"
            "colour: blue\nphoto: {width: wide, depth: 3}\nissue_window: [2027-07-15, 2027-07-01]\n")
    got = problems(tmp_path, text)
    assert set(got) >= {"cohort", "internship_materials_due", "makeup_results_published", "fees_mode",
                        "pass_mark", "colour", "photo.width", "photo.depth", "issue_window"}
    assert got["internship_materials_due"].kind == Kind.BAD_VALUE
    assert got["colour"].kind == Kind.UNKNOWN_KEY
    assert got["makeup_results_published"].kind == Kind.MISSING_KEY


def test_sources_and_paths(tmp_path):
    text = BASE + ("data_dir: data/2027\nwaivers: w/2027.waivers.csv\noutput_dir: out\n"
                   "sources:\n  students: {file: 学籍.xlsx, sheet: 2027届}\n  photos: null\n  addresses: 地址.csv\n")
    p = load_params(write(tmp_path, text))
    assert p.sources["students"].path == (tmp_path / "data/2027/学籍.xlsx").resolve()
    assert p.sources["students"].sheet == "2027届"
    assert p.sources["photos"].path is None
    assert p.waivers == (tmp_path / "w/2027.waivers.csv").resolve()
    assert p.output_dir == (tmp_path / "out").resolve()
    assert load_params(write(tmp_path, text), output_dir="elsewhere").output_dir.name == "elsewhere"


def test_unknown_source_and_yaml_error(tmp_path):
    got = problems(tmp_path, BASE + "sources:\n  marks: x.xlsx\n")
    assert "sources.marks" in got
    with pytest.raises(ParamsError) as e:
        load_params(write(tmp_path, "cohort: [2027\n"))
    assert e.value.problems[0].row is not None


def test_chinese_dates_and_values_read_as_text(tmp_path):
    p = load_params(write(tmp_path, BASE.replace("2027-06-20", "2027年6月20日") + "school: 007学校\n"))
    assert p.makeup_results_published == dt.date(2027, 6, 20)
    assert p.school == "007学校"


def test_every_params_key_has_its_meaning_in_the_docs():
    from gradlib.params import KEY_MEANINGS, KEYS

    assert set(KEY_MEANINGS) == set(KEYS)
    page = (Path(__file__).resolve().parents[1] / "docs" / "params.md").read_text(encoding="utf-8")
    for k in KEYS:
        assert f"| `{k}` |" in page and KEY_MEANINGS[k].split(" (")[0][:30] in page


@pytest.mark.parametrize("text, says", [("cohort: 2027\n  school: x\n", "缩进"), ("cohort: [2027\n", "方括号"),
                                        ("cohort:\n\t- 2027\n", "制表符"), ("school: '江西\n", "引号")])
def test_a_yaml_mistake_is_explained_in_chinese_with_its_line(tmp_path, text, says):
    with pytest.raises(ParamsError) as e:
        load_params(write(tmp_path, text))
    q = e.value.problems[0]
    assert q.row is not None and says in q.problem
    assert not any(w in q.problem for w in ("mapping", "expected", "found", "token"))  # PyYAML's English


def test_a_folder_or_a_workbook_given_as_params_is_named_for_what_it_is(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "params.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_params(tmp_path / "demo")
    assert e.value.problems[0].kind == Kind.PARAMS_NOT_A_FILE and "文件夹中的参数文件：params.yaml" in e.value.report()
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "学籍库.xlsx"))
    book.add_worksheet().write_string(0, 0, "学号")
    book.close()
    with pytest.raises(ParamsError) as e:
        load_params(tmp_path / "学籍库.xlsx")
    assert "这是 Excel 工作簿，不是参数文件" in e.value.report() and "UTF-8" not in e.value.report()


def test_a_mistyped_rehearsal_day_is_said_not_replaced_by_the_computers(monkeypatch):
    from gradlib import clock
    from gradlib.errors import GradlibError

    monkeypatch.setenv(clock.TODAY_ENV, "2028-06-21")
    assert clock.today() == dt.date(2028, 6, 21)
    monkeypatch.setenv(clock.TODAY_ENV, "2028年6月21日")
    with pytest.raises(GradlibError, match="GRADLIB_TODAY 的值“2028年6月21日”不是日期"):
        clock.today()
    monkeypatch.delenv(clock.TODAY_ENV)
    assert clock.today() == dt.date.today()
