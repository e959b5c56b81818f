"""gradlib followup end to end (issue #9, Art 15): a temporary registry, the six-student cohort, updated files.

The cohort run withholds 2024000002 and 2024000003 (a failed course) and defers 2024000001 (fees owed); it is
published. A follow-up before the deadline, on files where 2024000001 has paid and 2024000002 passed a makeup,
makes both COLLECT and keeps 2024000003 WITHHELD; once published, a follow-up after the deadline abandons
2024000003 and decides nobody else again.
"""
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import CohortFiles
from registry_helpers import cli

from gradlib.clock import TODAY_ENV
from gradlib.errors import RegistryError
from gradlib.registry import Registry, current_graduates, history, published
from gradlib.run.publish import publish
from gradlib.run.verify import check_hashes

COLS = ["student_id", "outcome", "reasons", "waived", "deadline"]


def _grade(cf, sid, code, **marks):
    g = cf.tables["grades"]
    for col, v in marks.items():
        g.loc[(g["学号"] == sid) & (g["课程代码"] == code), col] = v


def _published_cohort(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"   # 2024000001 owes 400: DEFERRED
    _grade(cf, "2024000002", "C01", 成绩="50")      # WITHHELD
    _grade(cf, "2024000003", "C02", 成绩="40")      # WITHHELD


def _updated_files(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2400"   # paid since
    _grade(cf, "2024000002", "C01", 补考成绩="72")  # passed a later makeup


def last_line(r) -> Path:
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def decisions(run: Path) -> pd.DataFrame:
    return pd.read_csv(run / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module", autouse=True)
def rehearsal_day():
    """The six-student cohort graduates in 2027: these tests live on a day past its follow-ups' dates."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TODAY_ENV, "2028-07-01")
        yield


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    root = tmp_path_factory.mktemp("followup")
    cf = CohortFiles(root)
    _published_cohort(cf)
    cohort_run = last_line(cli("run", cf.write()))
    assert cli("publish", cohort_run, "--by", "就业办 王老师").returncode == 0
    _updated_files(cf)
    params = cf.write()
    before = last_line(cli("followup", params, "--as-of", "2027-12-01"))
    assert cli("publish", before).returncode == 0
    after = last_line(cli("followup", params, "--as-of", "2028-06-21"))
    return cf, params, cohort_run, before, after


def test_before_the_deadline_a_passed_makeup_and_a_paid_fee_collect(year):
    cf, _, cohort_run, before, _ = year
    assert before.parent == (cf.root / "outputs" / "2027-followup").resolve()
    assert cohort_run.parent == (cf.root / "outputs" / "2027").resolve()  # 与上次对比 never meets a follow-up
    d = decisions(before)
    assert list(d.columns) == COLS
    assert d.values.tolist() == [["2024000001", "COLLECT", "", "", ""], ["2024000002", "COLLECT", "", "", ""],
                                 ["2024000003", "WITHHELD", "COURSE_FAILED", "", "2028-06-20"]]


def test_after_the_deadline_the_still_withheld_student_is_abandoned_and_no_one_else_decided_again(year):
    _, _, _, _, after = year
    assert decisions(after).values.tolist() == [["2024000003", "ABANDONED", "COURSE_FAILED", "", "2028-06-20"]]
    m = json.loads((after / "manifest.json").read_text(encoding="utf-8"))
    assert (m["kind"], m["as_of"], m["students"], m["counts"]["ABANDONED"]) == ("followup", "2028-06-21", 1, 1)
    assert m["follows"]["run_id"] == year[2].name and m["follows"]["followup_run_id"] == year[3].name


def test_publishing_follow_ups_writes_each_students_history(year, tmp_path):
    _, _, cohort_run, before, after = year
    reg_path = cohort_run.parents[1] / "registry.sqlite"
    copy = tmp_path / "r.sqlite"
    with Registry(reg_path) as reg:  # the fixture published the cohort and the first follow-up
        reg.db.execute("VACUUM INTO ?", (str(copy),))
    r = cli("publish", after, "--registry", copy)
    assert r.returncode == 0, r.stderr
    assert "跟踪复核结果" in r.stdout and "视同放弃 1 人" in r.stdout
    with Registry(copy) as reg:
        assert [h["outcome"] for h in history(reg, "2024000002")] == ["WITHHELD", "COLLECT"]
        assert [h["outcome"] for h in history(reg, "2024000001")] == ["DEFERRED", "COLLECT"]
        h = history(reg, "2024000003")
        assert [(x["outcome"], x["run_kind"]) for x in h] == [("WITHHELD", "cohort"), ("WITHHELD", "followup"),
                                                              ("ABANDONED", "followup")]
        assert h[2]["supersedes"] == h[1]["id"] and h[2]["deadline"] == "2028-06-20" and h[2]["name"] == "王芳"
        current = current_graduates(reg, 2027).set_index("student_id")["outcome"]
        assert current.to_dict() == {"2024000001": "COLLECT", "2024000002": "COLLECT", "2024000003": "ABANDONED",
                                     "2024000004": "COLLECT", "2024000005": "COLLECT", "2024000006": "COLLECT"}
        assert published(reg, 2027, "followup").run_id == after.name


def _parts(run: Path, kind: str) -> set[str]:
    """The archive parts of a run folder, the kind's own name replaced (lists apart: they differ by kind)."""
    out = set()
    for p in run.rglob("*"):
        rel = p.relative_to(run).as_posix()
        if rel.startswith("inputs/照片/") or not rel.startswith("inputs") and (p.suffix == ".xlsx" or p.is_dir()):
            continue  # the lists (and their folders) differ by kind
        out.add(rel.replace(f"{kind}.", "<kind>."))
    return out


def test_the_follow_up_folder_has_the_archive_parts_of_a_cohort_run(year):
    _, _, cohort_run, before, after = year
    cohort_parts = _parts(cohort_run, "cohort")
    assert _parts(after, "followup") == cohort_parts | {"inputs/跟踪对象.csv"}
    assert {"decisions.csv", "<kind>.ipynb", "<kind>.html", "manifest.json", "run-status.json",
            "inputs/params.yaml", "inputs/学籍库.xlsx", "inputs/成绩库.xlsx"} <= cohort_parts
    mc = json.loads((cohort_run / "manifest.json").read_text(encoding="utf-8"))
    for run in (before, after):
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        assert set(mc) | {"as_of", "follows", "followed"} == set(m) and m["status"] == "succeeded"
        assert check_hashes(run, m) == []
        assert all(not (p.stat().st_mode & 0o222) for p in [run, *run.rglob("*")])  # read-only, like a cohort run
    archived = pd.read_csv(after / "inputs" / "跟踪对象.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert archived.values.tolist() == [["2024000003", "WITHHELD", "COURSE_FAILED", "", "2028-06-20"]]


def test_the_follow_up_html_reads_offline(year):
    _, _, _, before, _ = year
    html = (before / "followup.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?(https?:)?//|@import\s+["']?(url\()?["']?https?:""", html, re.I)
    assert "cdnjs" not in html and "mathjax" not in html.lower() and "gl.follow_up" not in html
    assert "跟踪复核前后" in html and "缓发毕业证书" in html and "可领取" in html


def _rows(path: Path) -> tuple[list, list[list], openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(values) if r[0] == "序号")
    data = [r for r in values[h + 1:] if isinstance(r[0], (int, float))]
    return list(values[h]), data, wb


def test_the_reissue_list_is_public_and_says_what_and_when(year):
    cf, _, _, before, _ = year
    header, data, wb = _rows(before / "补发毕业证名单.xlsx")
    assert header == ["序号", "专业", "班级", "学号", "姓名", "领取内容", "领取时间"]
    assert [r[3] for r in data] == ["2024000001", "2024000002"]
    assert {(r[5], r[6]) for r in data} == {("毕业证书、报到证", "2027年12月8日起")}
    ws = wb.active
    text = "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert ws["A1"].value == "江西省通用技术工程学校 2027 届补发毕业证名单"
    assert "公示期：2027年12月1日至12月7日" in text and "校企合作与就业办" in text and "2027年12月1日" in text
    assert not re.search(r"\d{17}[\dXx]", text) and "元" not in text and "地址" not in text
    for v in cf.tables["students"]["身份证号"]:
        assert v not in text
    assert "内部资料" not in (ws.oddHeader.center.text or "") and ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert str(ws.page_setup.paperSize) == "9" and ws.print_title_rows and ws.freeze_panes


def test_the_abandoned_list_is_internal(year):
    _, _, _, before, after = year
    header, data, wb = _rows(after / "视同放弃名单（内部）.xlsx")
    assert header == ["序号", "学号", "姓名", "班级", "专业", "原缓发原因", "截止日期"]
    assert data == [[1, "2024000003", "王芳", "24机电1班", "机电技术应用", "课程经补考、清考后仍不合格", "2028年6月20日"]]
    assert "内部资料 请勿外传" in wb.active.oddHeader.center.text
    assert _rows(before / "视同放弃名单（内部）.xlsx")[1] == []  # before the deadline nobody is abandoned
    basis = [c for row in wb.active.iter_rows(values_only=True) for c in row if c and "跟踪复核；" in str(c)]
    assert basis and re.match(r"依据\d{4}年\d+月\d+日发布的运行 [\d-]+，截至2028年6月21日跟踪复核；缓发毕业证书的截止日期为2028年6月20日",
                              basis[0]), basis  # dates as people write them, no ISO, no stray spaces
    wb = openpyxl.load_workbook(before / "跟踪复核结果（内部）.xlsx")
    assert all("内部资料 请勿外传" in ws.oddHeader.center.text for ws in wb)
    summary = wb["汇总"]
    rows = {r[0]: r[1:] for r in summary.iter_rows(values_only=True) if r[0] in ("缓发毕业证书", "暂缓领取", "合计")}
    assert rows["缓发毕业证书"][-1] == 2 and rows["暂缓领取"][-1] == 1 and rows["合计"][-1] == 3
    people = [r for r in wb["逐人"].iter_rows(values_only=True) if str(r[1]).startswith("2024")]
    assert [(r[1], r[5], r[7]) for r in people] == [("2024000001", "暂缓领取", "可领取"),
                                                   ("2024000002", "缓发毕业证书", "可领取"),
                                                   ("2024000003", "缓发毕业证书", "缓发毕业证书")]


def test_a_follow_up_run_verifies(year):
    _, _, _, _, after = year
    r = cli("verify", after)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "核验通过" in r.stdout


def test_a_follow_up_of_a_result_since_superseded_is_not_published(year, tmp_path):
    cf, params, cohort_run, before, after = year
    copy = tmp_path / "r.sqlite"
    with Registry(cohort_run.parents[1] / "registry.sqlite") as reg:
        reg.db.execute("VACUUM INTO ?", (str(copy),))
    again = last_line(cli("run", params, "--output-dir", tmp_path / "out"))  # a later cohort run, published
    publish(again, registry=copy)
    with pytest.raises(RegistryError, match="正式结果已改为运行"):
        publish(after, registry=copy)


def test_the_follow_up_lists_are_declared_in_the_catalog_and_only_follow_ups_write_them(year):
    from gradlib.outputs.catalog import FOLLOWUP_LISTS, LISTS

    _, _, cohort_run, before, _ = year
    for x in FOLLOWUP_LISTS:
        assert x.kind == "followup" and x.internal == x.file_stem.endswith("（内部）"), x.key
        assert (before / x.file).is_file() and not (cohort_run / x.file).exists()
    assert {x.kind for x in LISTS} == {"cohort"} and not any((before / x.shown).exists() for x in LISTS)
    assert [x.level for x in FOLLOWUP_LISTS if x.key == "reissue"] == ["public"]


def test_a_followed_student_missing_from_the_updated_roster_is_a_structural_problem(year, tmp_path):
    cf, _, cohort_run, _, _ = year
    short = CohortFiles(tmp_path / "c", cf.tables)
    short.tables["students"] = short.tables["students"][short.tables["students"]["学号"] != "2024000003"]
    short.params["registry"] = str(cohort_run.parents[1] / "registry.sqlite")
    r = cli("followup", short.write(), "--as-of", "2028-06-21")
    assert r.returncode == 2 and "学籍库中没有 1 名待跟踪复核的学生" in r.stderr and "2024000003" in r.stderr
    assert not (tmp_path / "c" / "outputs" / "2027-followup").exists()


def test_without_a_published_result_the_follow_up_is_refused(tmp_path):
    cf = CohortFiles(tmp_path / "c")
    params = cf.write()
    r = cli("followup", params)
    assert r.returncode == 1 and "2027 届尚未发布毕业审核结果" in r.stderr and "gradlib publish" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "c" / "outputs" / "2027-followup").exists()
    Registry(tmp_path / "c" / "outputs" / "registry.sqlite").close()  # a registry without this cohort
    r = cli("followup", params, "--as-of", "2028-06-21")
    assert r.returncode == 1 and "没有本届的发布记录" in r.stderr
    r = cli("followup", params, "--as-of", "明年")
    assert r.returncode == 2 and "--as-of" in r.stderr and "Traceback" not in r.stderr


def test_nobody_to_follow_is_said_plainly(tmp_path):
    cf = CohortFiles(tmp_path / "c")
    run = last_line(cli("run", cf.write()))
    publish(run)
    r = cli("followup", tmp_path / "c" / "params.yaml")
    assert r.returncode == 1 and "无需跟踪复核" in r.stderr


def test_a_follow_up_dated_after_today_is_a_preview_and_cannot_be_published(year, tmp_path, monkeypatch):
    """A mistyped --as-of (2030 for 2027) must not abandon students who still have time: publish refuses it."""
    _, params, _, _, _ = year
    monkeypatch.setenv(TODAY_ENV, "2028-06-20")
    r = cli("followup", params, "--as-of", "2030-01-01")
    run = last_line(r)
    assert "仅供预览，不能发布" in r.stderr and "2030年1月1日" in r.stderr
    r = cli("publish", run)
    assert r.returncode != 0 and "晚于今天（2028年6月20日），不能发布" in r.stderr and "Traceback" not in r.stderr


def test_a_follow_up_looking_in_the_wrong_folder_names_the_registry_it_found(tmp_path):
    """make demo runs and publishes into outputs/demo: a follow-up of its params without --output-dir looked for
    the registry elsewhere and said the cohort was never published."""
    work = tmp_path / "work"
    (work / "outputs" / "demo").mkdir(parents=True)
    Registry(work / "outputs" / "demo" / "registry.sqlite").close()
    params = CohortFiles(tmp_path / "c").write()
    r = cli("followup", params, cwd=work)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "找到的登记库：outputs/demo/registry.sqlite" in r.stderr and "加上 --output-dir outputs/demo" in r.stderr


def test_a_run_made_on_a_rehearsal_day_says_so_in_its_manifest(year):
    _, _, cohort_run, before, _ = year  # made with GRADLIB_TODAY=2028-07-01 (rehearsal_day)
    assert json.loads((before / "manifest.json").read_text(encoding="utf-8"))["today"] == "2028-07-01"
