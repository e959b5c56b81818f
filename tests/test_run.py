"""End to end: `gradlib run` executes the notebook and leaves a complete, self-describing run folder."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from builders import CohortFiles

from gradlib.errors import RunFailed
from gradlib.run import execute as run_module


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    cf = CohortFiles(root)
    cf.tables["internship"].loc[0, "实习报告"] = "否"
    cf.tables["students"].loc[1, "姓名"] = "=HYPERLINK(\"http://x\")"
    cf.waivers = pd.DataFrame([{"学号": "2024000001", "原因代码": "INTERNSHIP_REPORT_MISSING", "理由": "已补交",
                                "批准人": "就业办 李某", "日期": "2027-06-25"}])
    params = cf.write()
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(params)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return cf, Path(r.stdout.strip().splitlines()[-1]), r


def test_last_stdout_line_is_the_run_folder(finished_run):
    cf, folder, _ = finished_run
    assert folder.is_dir()
    assert folder.parent == (cf.root / "outputs" / "2027").resolve()
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []


def test_decisions_cover_every_roster_row(finished_run):
    cf, folder, _ = finished_run
    d = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(d.columns) == ["student_id", "outcome", "reasons", "waived", "deadline"]
    assert sorted(d["student_id"]) == sorted(cf.tables["students"]["学号"])
    row = d.set_index("student_id").loc["2024000001"]
    assert (row["outcome"], row["reasons"], row["waived"]) == ("COLLECT", "", "INTERNSHIP_REPORT_MISSING")


def test_manifest_hashes_inputs_outputs_and_status(finished_run):
    cf, folder, _ = finished_run
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "succeeded" and m["cohort"] == 2027
    assert m["counts"]["COLLECT"] + m["counts"]["DEFERRED"] + m["counts"]["WITHHELD"] + m["counts"]["NOT_ELIGIBLE"] == 6
    for entry in m["inputs"]:
        assert sha(folder / "inputs" / entry["path"]) == entry["sha256"]
    names = {e["path"] for e in m["outputs"]}
    assert {"decisions.csv", "cohort.ipynb", "cohort.html"} <= names
    for entry in m["outputs"]:
        assert sha(folder / entry["path"]) == entry["sha256"]
    # the copies are the departments' files, byte for byte
    for name in ("学籍库.xlsx", "成绩库.xlsx", "缴费库.xlsx", "顶岗实习.xlsx"):
        assert sha(folder / "inputs" / name) == sha(cf.root / "data" / name)
    assert sha(folder / "inputs" / "waivers.csv") == sha(cf.root / "waivers.csv")
    assert m["packages"]["pandas"] and m["python"]
    assert m["params"]["makeup_results_published"] == "2027-06-20"
    # who, with what, and how long each step took (issue #10)
    assert m["user"] and m["version"] and m["kind"] == "cohort" and "git_commit" in m
    assert m["waivers_applied"] == [{"student_id": "2024000001", "reason": "INTERNSHIP_REPORT_MISSING",
                                     "approver": "就业办 李某", "date": "2027-06-25"}]
    assert {"name", "file", "sha256"} <= set(m["font"]) and m["font"]["sha256"]
    assert {"copy_inputs_seconds", "notebook_seconds", "html_seconds", "load_seconds", "decide_seconds"} <= set(m["timings"])


def test_executed_notebook_and_offline_html(finished_run):
    _, folder, _ = finished_run
    nb = nbformat.read(folder / "cohort.ipynb", as_version=4)
    assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    html = (folder / "cohort.html").read_text(encoding="utf-8")
    assert "src=\"http" not in html and "cdnjs" not in html and "mathjax" not in html.lower()
    assert "审核结论" in html and "可领取" in html
    assert "gradlib.load_params" not in html  # no code cells
    assert "<img" in html  # the chart is embedded, not linked


def test_rerun_from_the_archived_inputs_gives_the_same_decisions(finished_run, tmp_path):
    _, folder, _ = finished_run
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(folder / "inputs" / "params.yaml"),
                        "--output-dir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    again = Path(r.stdout.strip().splitlines()[-1])
    assert (again / "decisions.csv").read_bytes() == (folder / "decisions.csv").read_bytes()


def test_failed_notebook_leaves_no_finished_looking_folder(tmp_path, monkeypatch):
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell('params_path = ""\nrun_dir = ""', metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    nb_path = tmp_path / "broken.ipynb"
    nbformat.write(broken, nb_path)
    monkeypatch.setattr(run_module, "NOTEBOOK", nb_path)
    params = CohortFiles(tmp_path / "c").write()
    with pytest.raises(RunFailed) as e:
        run_module.run(params)
    root = tmp_path / "c" / "outputs" / "2027"
    kept = e.value.evidence_dir
    assert [p.name for p in root.iterdir()] == [kept.name] and kept.name.startswith("未完成-请勿使用-")
    assert e.value.cell == 3 and e.value.ename == "RuntimeError"  # papermill injects a parameters cell
    assert (kept / "cohort.ipynb").exists() and (kept / "run.log").exists()  # the evidence survives
    assert "boom" in (kept / "说明.txt").read_text(encoding="utf-8")
    assert json.loads((kept / "manifest.json").read_text(encoding="utf-8"))["status"] == "failed"


def test_run_ids_sort_by_time_and_never_collide(tmp_path):
    import datetime as dt
    now = dt.datetime(2027, 6, 25, 14, 30, 12)
    a = run_module.new_run_id(tmp_path, now)
    (tmp_path / a).mkdir()
    b = run_module.new_run_id(tmp_path, now)
    assert a == "20270625-143012" and b == "20270625-143012-2"


def test_output_dir_that_is_a_file_is_a_clear_problem(tmp_path):
    params = CohortFiles(tmp_path / "c").write()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(params), "--output-dir", str(blocker)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "output_dir" in r.stderr and "不是文件夹" in r.stderr


def test_concurrent_runs_never_claim_the_same_folder(tmp_path):
    """The claim is the mkdir itself: eight processes claiming in the same second get eight folders."""
    code = ("import datetime as dt, sys; from pathlib import Path; from gradlib.run.execute import reserve; "
            "rid, work, owner = reserve(Path(sys.argv[1]), dt.datetime(2027, 6, 25, 14, 30, 12)); print(rid)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
             for _ in range(8)]
    ids = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert len(set(ids)) == 8 and "20270625-143012" in ids
