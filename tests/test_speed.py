"""Issue 12: one read per run, lists by several processes, a register workbook opened once, `make bench` works.

Behaviour only (no timings): the cached path decides and writes exactly what reading the files does.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradlib import notebook
from gradlib.demo import write_demo
from gradlib.outputs import write_outputs
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.run import archive, cache, execute
from gradlib.run.verify import compare_runs
from gradlib.sources import load_cohort, reading

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo") / "demo", students=200, seed=7)


@pytest.fixture(scope="module")
def two_runs(demo, tmp_path_factory):
    """The same cohort run with the validated tables handed to the notebook, and with the notebook reading them."""
    root = tmp_path_factory.mktemp("runs")
    cached = execute.run(demo, output_dir=root / "cached")
    real_write = cache.write
    cache.write = lambda *a, **k: None
    try:
        uncached = execute.run(demo, output_dir=root / "uncached")
    finally:
        cache.write = real_write
    return cached, uncached


def test_cached_and_uncached_runs_decide_and_write_the_same(two_runs):
    cached, uncached = two_runs
    m = archive.read_manifest(cached)
    assert "cache_seconds" in m["timings"]           # the cache was written …
    assert "cache_seconds" not in archive.read_manifest(uncached)["timings"]
    assert compare_runs(cached, uncached) == []      # … and changes nothing: decisions and every list cell


def test_no_cache_stays_in_the_finished_run_folder(two_runs):
    cached, _ = two_runs
    assert not (cached / cache.CACHE_FILE).exists()
    assert [p.name for p in cached.rglob("*") if "pickle" in p.name or p.suffix == ".tmp"] == []
    assert all("pickle" not in e["path"] for e in archive.read_manifest(cached)["outputs"])


def _run_dir_with_cache(demo, tmp_path) -> tuple[Path, object]:
    params = load_params(demo)
    cohort = load_cohort(params)
    run_dir = tmp_path / "run"
    copy = archive.copy_inputs(params, dict(cohort.files), run_dir / "inputs")
    assert cache.write(run_dir, cohort, cache.stamps(cohort.files)) is not None
    return run_dir, load_params(copy)


def test_the_notebook_takes_the_cache_without_reading_a_file(demo, tmp_path, monkeypatch):
    run_dir, params = _run_dir_with_cache(demo, tmp_path)
    monkeypatch.setattr(notebook, "_load_cohort", lambda *a, **k: pytest.fail("the files were read again"))
    cohort = notebook.load_cohort(params, run_dir)
    assert cohort.params is params
    assert all(Path(p).is_relative_to(run_dir / "inputs") for p in cohort.files.values())
    fresh = load_cohort(params)
    assert (decide(cohort).decisions_csv()).equals(decide(fresh).decisions_csv())


def test_a_cache_of_other_files_is_not_taken(demo, tmp_path, monkeypatch):
    run_dir, params = _run_dir_with_cache(demo, tmp_path)
    assert cache.read(run_dir, params) is not None
    assert cache.read("", params) is None                                     # an interactive session
    assert cache.read(run_dir, load_params(demo)) is None                    # params not of this run's inputs/
    grades = params.sources["grades"].path
    os.chmod(grades, 0o644)
    grades.write_bytes(grades.read_bytes() + b" ")                           # a copy changed after the cache
    assert cache.read(run_dir, params) is None
    (run_dir / cache.CACHE_FILE).write_bytes(b"not a pickle")
    assert cache.read(run_dir, params) is None


def test_a_source_changed_while_it_was_read_leaves_no_cache(demo, tmp_path):
    params = load_params(demo)
    cohort = load_cohort(params)
    before = cache.stamps(cohort.files)
    archive.copy_inputs(params, dict(cohort.files), tmp_path / "run" / "inputs")
    before[next(iter(before))] = (0, 0)   # as if the department saved the file between reading and copying
    assert cache.write(tmp_path / "run", cohort, before) is None
    assert not (tmp_path / "run" / cache.CACHE_FILE).exists()


def test_lists_by_several_processes_equal_lists_by_one(demo, tmp_path, monkeypatch):
    d = decide(load_cohort(load_params(demo)))
    many_dir, one_dir = tmp_path / "a" / "many", tmp_path / "b" / "one"   # apart: neither is the other's previous run
    many_dir.mkdir(parents=True)
    one_dir.mkdir(parents=True)
    monkeypatch.setenv("GRADLIB_WORKERS", "3")
    many = write_outputs(d, many_dir)
    monkeypatch.setenv("GRADLIB_WORKERS", "1")
    one = write_outputs(d, one_dir)
    assert [p.relative_to(many_dir) for p in many] == [p.relative_to(one_dir) for p in one]
    assert len([p for p in many if p.parent.name == "班主任通知"]) > 3     # the packets were split in shards
    assert compare_runs(many_dir, one_dir) == []


def test_a_register_workbook_is_opened_once_for_all_its_sheets(tmp_path, monkeypatch):
    params = write_demo(tmp_path / "messy", students=200, seed=3, photos=False, messy_files=True)
    opened = []
    real = reading._workbook
    monkeypatch.setattr(reading, "_workbook", lambda data: opened.append(len(data)) or real(data))
    cohort = load_cohort(load_params(params))
    workbooks = [p for p in cohort.files.values() if Path(p).suffix in (".xlsx", ".xls")]
    assert len(opened) == len(workbooks)                                     # each workbook opened once …
    assert len(reading.sheet_names(cohort.files["grades"])) > 3             # … one of them of many sheets


def test_make_bench_runs_and_writes_its_report(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    env = dict(os.environ, BENCH_SIZES="200", BENCH_REPEATS="1", BENCH_PROFILE="0", BENCH_OUT=str(out))
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py")], env=env, capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for part in ("## Targets", "`gradlib run` ≤ 2× an empty papermill run", "## 2. Files → decisions",
                 "## 3. All lists", "| 200 | 1 |", "## 5. After the run", "| `gradlib diplomas` | 1 |",
                 "| `gradlib followup` | 1 |"):
        assert part in text, part


def test_a_table_longer_than_an_excel_sheet_is_split_across_sheets_with_a_note(demo, tmp_path, monkeypatch):
    from gradlib.outputs import LIST_BY_KEY, public, workbook
    from gradlib.run.verify import workbook_cells
    d = decide(load_cohort(load_params(demo)))
    rows = public.collect_list(d)
    monkeypatch.setattr(workbook, "EXCEL_ROWS", 40)         # as if Excel held 40 rows a sheet
    spec = LIST_BY_KEY["collect"]
    [path] = spec.writer(d, tmp_path, spec)
    sheets = workbook_cells(path)
    assert len(sheets) == -(-len(rows) // (40 - 1 - 3 - 2 - 1 - workbook.FOOT_ROWS))
    assert all(len(r) <= 40 for r in sheets.values())
    ids = [row[3] for cells in sheets.values() for row in cells if row and row[3] in set(rows["学号"])]
    assert ids == list(rows["学号"])                          # every student once, in order, across the sheets
    first = next(iter(sheets.values()))
    assert any(f"共 {len(sheets)} 部分" in str(c) for row in first[:5] for c in row)


def test_the_report_says_which_half_of_a_two_part_target_is_missed():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from report import targets
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))

    def verdict(total, floor, rss_mb):
        row = {"students": 1_000_000, "decisions": {"total": {"median": total}, "floor": {"median": floor},
                                                    "rss": rss_mb}}
        return {t: v for t, _, v in targets([row])}["1,000,000: files → decisions ≤ 2× the bare floor, ≤ 4 GB"]

    assert verdict(60, 50, 3000) == "met"
    assert verdict(60, 50, 7000) == "time met, memory missed (see 2.)"
    assert verdict(150, 50, 3000) == "memory met, time missed (see 2.)"
    assert verdict(150, 50, 7000) == "missed (see 2.)"
