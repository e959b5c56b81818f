"""`gradlib new`: a new cohort's params file and empty waivers file, then `gradlib run` with no edit; a missing
waivers file says how to create it; a department file open in Excel/WPS is named on the console."""
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import CohortFiles

from gradlib.errors import InputError
from gradlib.findings import Kind
from gradlib.newcohort import params_text
from gradlib.params import load_params
from gradlib.sources import load_cohort
from gradlib.sources.waivers import COLUMNS, header_line

ROOT = Path(__file__).resolve().parent.parent


def gradlib(*args, cwd: Path):
    return subprocess.run([sys.executable, "-m", "gradlib.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_new_writes_params_waivers_and_data_folder_and_says_what_next(tmp_path):
    r = gradlib("new", "2028", "--data", "data/2028", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    params = tmp_path / "params" / "2028.yaml"
    assert r.stdout.strip().splitlines()[-1] == str(params)
    p = load_params(params)
    assert (p.cohort, p.data_dir, p.output_dir) == (2028, tmp_path / "data" / "2028", tmp_path / "outputs")
    assert p.waivers == tmp_path / "params" / "2028.waivers.csv"
    assert p.waivers.read_text(encoding="utf-8-sig") == ",".join(COLUMNS) + "\n"
    assert (tmp_path / "data" / "2028").is_dir()
    assert p.internship_materials_due.year == p.makeup_results_published.year == p.issue_window[0].year == 2028
    assert "下一步" in r.stderr and "gradlib run params/2028.yaml" in r.stderr and "data/2028/" in r.stderr


def test_new_never_overwrites_params_or_waivers(tmp_path):
    assert gradlib("new", "2028", cwd=tmp_path).returncode == 0
    params = tmp_path / "params" / "2028.yaml"
    log = tmp_path / "params" / "2028.waivers.csv"
    params.write_text(params.read_text(encoding="utf-8").replace("pass_mark: 60", "pass_mark: 55"), encoding="utf-8")
    with open(log, "a", encoding="utf-8") as f:
        f.write("2028000001,FEES_OWED,家庭困难,王校长,2028-06-25,豁免,李老师,2028-06-25T10:00:00\n")
    before = (params.read_bytes(), log.read_bytes())
    r = gradlib("new", "2028", cwd=tmp_path)
    assert r.returncode == 0 and "已存在，未改动" in r.stderr
    assert (params.read_bytes(), log.read_bytes()) == before
    log.unlink()  # a params file kept in git, its waivers file git-ignored: `new` creates only the log
    assert gradlib("new", "2028", cwd=tmp_path).returncode == 0
    assert params.read_bytes() == before[0] and log.read_text(encoding="utf-8-sig") == header_line() + "\n"


def test_new_then_run_works_on_the_demo_files_with_no_edit(tmp_path):
    from gradlib.demo import write_demo

    write_demo(tmp_path / "demo", students=200, seed=3)
    r = gradlib("new", "2027", "--data", "demo/data", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = gradlib("run", "params/2027.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    run_dir = Path(r.stdout.strip().splitlines()[-1])
    assert run_dir.parent == tmp_path / "outputs" / "2027"
    d = pd.read_csv(run_dir / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(d) == 200


def test_the_example_params_file_is_what_new_writes():
    path = ROOT / "params" / "2027.yaml"
    cwd = Path.cwd()
    try:
        os.chdir(ROOT)
        text = params_text(2027, path, ROOT / "data" / "2027", ROOT / "outputs")
    finally:
        os.chdir(cwd)
    assert path.read_text(encoding="utf-8") == text


def test_the_template_ships_inside_the_package():
    from gradlib.resources import PACKAGE, template

    assert template("cohort.yaml").is_file() and template("cohort.yaml").is_relative_to(PACKAGE)
    assert "templates/*.yaml" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_a_missing_waivers_file_shows_the_header_to_create_it_with(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.waivers = pd.DataFrame(columns=list(COLUMNS))
    params = cf.write()
    (tmp_path / "waivers.csv").unlink()
    with pytest.raises(InputError) as e:
        load_cohort(load_params(params))
    missing = [p for p in e.value.problems if p.kind == Kind.FILE_MISSING]
    assert [p.file for p in missing] == ["waivers.csv"]
    assert header_line() in missing[0].expected and "gradlib new 2027" in missing[0].expected
    assert header_line() in e.value.report()
    assert load_cohort(load_params(params), absent_waivers_ok=True).waivers is None  # the review panel creates it


@pytest.mark.parametrize("lock", ["~$成绩库.xlsx", ".~lock.成绩库.xlsx#"])
def test_a_file_open_in_excel_or_wps_is_named_on_the_console(tmp_path, capsys, lock):
    cf = CohortFiles(tmp_path)
    params = cf.write()
    load_cohort(load_params(params))
    assert "正在被 Excel 或 WPS 打开" not in capsys.readouterr().err
    (tmp_path / "data" / lock).write_bytes(b"\x00" * 165)  # what Excel leaves while the file is open
    load_cohort(load_params(params))
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if "正在被 Excel 或 WPS 打开" in x]
    assert len(lines) == 1 and lines[0].startswith("注意：成绩库.xlsx") and "尚未保存的修改不会读入" in lines[0]
    assert lock in lines[0]
