"""The intake as a run (issue 13): `gradlib demo --intake`, enrol, the commands, and the graduation roster
exported from the registry that `gradlib run` decides exactly as the original roster."""
import json
import shutil
from pathlib import Path

import openpyxl
from builders import CohortFiles, base_tables
from registry_helpers import cli

from gradlib.intake import store
from gradlib.intake.exports import export_roster
from gradlib.intake.status import record_change
from gradlib.registry import Registry

APPROVAL = ["--approver", "李校长", "--approved-on", "2027-06-01", "--purpose", "毕业审核", "--recipient", "就业办"]


def test_demo_intake_then_enrol_review_change_and_export(tmp_path):
    r = cli("demo", "--intake", "--out", tmp_path / "demo", "--output-dir", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    run = Path(r.stdout.strip().splitlines()[-1])
    assert run.parent == tmp_path / "out" / "intake-2024"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["kind"], manifest["status"], manifest["students"]) == ("intake", "succeeded", 90)
    assert {"ID_INVALID", "FIELD_MISSING", "EXAM_NUMBER_INVALID", "EXAM_NUMBER_DUPLICATE", "PHOTO_MISSING",
            "PHOTO_INVALID"} <= set(manifest["counts"])
    assert sorted(p.name for p in (run / "班级花名册（内部）").iterdir()) == ["24会计1班（内部）.xlsx", "24机电1班（内部）.xlsx",
                                                                       "24计算机1班（内部）.xlsx"]
    assert (run / "inputs" / "新生名单.xlsx").is_file() and (run / "intake.html").is_file()
    html = (run / "intake.html").read_text(encoding="utf-8")
    assert "尚未完成审核的班级（共 3 个）" in html
    problems = openpyxl.load_workbook(run / "新生信息核查问题清单（内部）.xlsx")
    assert problems.sheetnames[:2] == ["汇总", "24机电1班"]

    params = tmp_path / "demo" / "intake-2024.yaml"
    (tmp_path / "demo" / "outputs").mkdir(exist_ok=True)
    reg_line = f"registry: {tmp_path / 'reg.sqlite'}\n"
    text = params.read_text(encoding="utf-8").replace("registry: outputs/registry.sqlite\n", reg_line)
    params.write_text(text, encoding="utf-8")
    r = cli("intake", params, "--output-dir", tmp_path / "out2")  # the registry of this params, still empty
    assert r.returncode == 0, r.stderr
    run2 = Path(r.stdout.strip().splitlines()[-1])
    r = cli("enrol", run2, "--by", "学籍科 周老师")
    assert r.returncode == 0 and "已登记 2024 级（2027 届）新生 90 人" in r.stdout, r.stderr
    assert cli("enrol", run2).stdout.count("90 人此前已登记") == 1
    r = cli("class-review", params, "24机电1班", "second", "--reviewer", "周老师")
    assert r.returncode == 1 and "尚无班主任初审记录" in r.stderr and "Traceback" not in r.stderr
    assert cli("class-review", params, "24机电1班", "first", "--reviewer", "刘老师", "--date", "2024-09-18").returncode == 0
    r = cli("correct", params, "202401005", "籍贯", "江西九江", "--why", "学生签字更正")
    assert r.returncode == 0 and "“” → “江西九江”" in r.stdout, r.stderr
    r = cli("status-change", params, "202401010", "休学", "--date", "2025-03-01", "--reason", "病休",
            "--approval", "李校长")
    assert r.returncode == 0 and "当前学籍状态：休学" in r.stdout, r.stderr
    r = cli("status-history", params, "202401010")
    assert r.returncode == 0 and "当前学籍状态：休学；学籍异动 1 次" in r.stdout and "2025-03-01 休学（病休" in r.stdout
    r = cli("status-change", params, "202401011", "复学", "--reason", "x", "--approval", "李校长")
    assert r.returncode == 1 and "只有休学的学生才能复学" in r.stderr
    out = tmp_path / "export.xlsx"
    r = cli("roster-export", params, "--out", out, "--full")
    assert r.returncode == 1 and "须经校领导批准" in r.stderr and not out.exists()
    r = cli("roster-export", params, "--out", out, "--full", *APPROVAL)
    assert r.returncode == 0 and "完整信息" in r.stdout, r.stderr
    r = cli("intake", params, "--output-dir", tmp_path / "out3")  # checked again: the reviewed class is listed
    html = (Path(r.stdout.strip().splitlines()[-1]) / "intake.html").read_text(encoding="utf-8")
    assert "尚未完成审核的班级（共 3 个）" in html and "刘老师（2024-09-18）" in html


def _run(cf: CohortFiles, students_file: Path | None = None) -> Path:
    params = cf.write()
    if students_file is not None:
        shutil.copy(students_file, cf.root / "data" / "学籍库.xlsx")
    r = cli("run", params)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def test_the_graduation_roster_from_the_registry_is_decided_as_the_original(tmp_path):
    original = base_tables()
    s = original["students"]
    s.loc[1, "学籍状态"] = "休学"
    s.loc[3, "学籍状态"] = "退学"
    s.loc[4, "班级"] = "24计算机2班"
    s.loc[5, "学籍状态"] = "转出"
    s.loc[0, "籍贯"] = "江西九江"
    decided = _run(CohortFiles(tmp_path / "original", original))

    intake = base_tables()["students"].drop(columns=["学籍状态"])
    intake["中考报名序号"] = [f"36012400{i:04d}" for i in range(1, 7)]
    with Registry(tmp_path / "r.sqlite") as reg:
        store.enrol(reg, 2027, 2024, intake, "run", "学籍科")
        store.correct(reg, "2024000001", "籍贯", "江西九江", "签字更正", "学籍科")
        for sid, kind, day, kw in (("2024000002", "休学", "2025-03-01", {}), ("2024000004", "退学", "2025-05-01", {}),
                                   ("2024000005", "转班", "2025-02-01", {"new_class": "24计算机2班"}),
                                   ("2024000006", "休学", "2025-03-01", {}), ("2024000006", "转出", "2026-03-01", {})):
            record_change(reg, sid, kind, day, "原因", "李校长", "学籍科", **kw)
        export_roster(reg, 2027, tmp_path / "学籍库.xlsx", "学籍科", full=True,
                      approval={"approver": "李校长", "day": "2027-06-01", "purpose": "毕业审核", "recipient": "就业办"})
    exported = _run(CohortFiles(tmp_path / "exported", base_tables()), tmp_path / "学籍库.xlsx")
    a = (decided / "decisions.csv").read_bytes()
    assert a == (exported / "decisions.csv").read_bytes()
    assert b"NO_STATUS" in a and b"SUSPENDED" in a  # the statuses came through the registry
