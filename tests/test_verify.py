"""`gradlib verify`: an archive is checked against its manifest and re-executed from its own inputs (issue #10)."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import CohortFiles


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "gradlib.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("verify")
    cf = CohortFiles(root)
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"
    cf.waivers = pd.DataFrame([{"学号": "2024000002", "原因代码": "INTERNSHIP_REPORT_MISSING", "理由": "已补交",
                                "批准人": "就业办 李某", "日期": "2027-06-25"}])
    r = _cli("run", cf.write())
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def _copy(run: Path, dest: Path) -> Path:
    import shutil
    target = dest / run.parent.name / run.name
    shutil.copytree(run, target)
    for p in [target, *target.rglob("*")]:
        os.chmod(p, 0o644 if p.is_file() else 0o755)
    return target


def test_a_finished_run_folder_is_read_only(run_folder):
    for p in [run_folder, *run_folder.rglob("*")]:
        assert not p.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), p


def test_verify_passes_on_a_fresh_run(run_folder):
    r = _cli("verify", run_folder)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("核验通过") and len(r.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize("target", ["可领取毕业证名单.xlsx", "inputs/缴费库.xlsx"])
def test_one_changed_byte_is_named(run_folder, tmp_path, target):
    copy = _copy(run_folder, tmp_path)
    p = copy / target
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    r = _cli("verify", copy, "--hashes-only")
    assert r.returncode == 1 and target in r.stdout, r.stdout


def test_an_edited_decision_is_named_with_student_and_field(run_folder, tmp_path):
    from gradlib.run.verify import compare_runs

    copy = _copy(run_folder, tmp_path)
    p = copy / "decisions.csv"
    text = p.read_text(encoding="utf-8-sig").replace("2024000001,DEFERRED", "2024000001,COLLECT")
    assert text != p.read_text(encoding="utf-8-sig")
    p.write_text(text, encoding="utf-8-sig")
    r = _cli("verify", copy)
    assert r.returncode == 1
    assert "decisions.csv" in r.stdout and "2024000001" in r.stdout and "outcome" in r.stdout
    assert compare_runs(run_folder, run_folder) == []


def test_verify_refuses_what_is_not_a_finished_run(tmp_path):
    r = _cli("verify", tmp_path)
    assert r.returncode == 2 and "manifest.json" in r.stderr
