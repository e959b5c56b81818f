"""与上次对比 end to end: only runs of the same cohort from the same params file and data folder meet (a demo
run never), and each changed student's row says why — a waiver recorded or revoked with its approver, or the
department's table that changed."""
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import CohortFiles

from gradlib.outputs.compare import origin, previous_run

ROOT = Path(__file__).resolve().parent.parent
S = [f"20240{i:05d}" for i in range(1, 7)]
WAIVER_COLUMNS = ["学号", "原因代码", "理由", "批准人", "日期", "操作", "记录人", "记录时间"]


def run(params: Path, output_dir: Path) -> Path:
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(params), "--output-dir", str(output_dir)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return Path(r.stdout.strip().splitlines()[-1])


def comparison(run_dir: Path) -> tuple[str, pd.DataFrame]:
    ws = openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")["与上次对比"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "序号")
    body = [r for r in rows[head + 1:] if r and isinstance(r[0], (int, float))]
    return rows[1][0], pd.DataFrame(body, columns=rows[head]).fillna("")


def write_cohort(cf: CohortFiles) -> Path:
    """The cohort's params saved as 2027.yaml (as `gradlib new` names it), beside its data folder."""
    path = cf.write()
    target = path.with_name("2027.yaml")
    shutil.move(path, target)
    return target


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    """A real cohort run three times into one output folder, with a demo run in between."""
    root = tmp_path_factory.mktemp("compare")
    out = root / "outputs"
    cf = CohortFiles(root / "cohort")
    cf.tables["fees"].loc[cf.tables["fees"]["学号"] == S[1], "已缴金额"] = "1000"  # S2 owes
    cf.tables["internship"].loc[cf.tables["internship"]["学号"] == S[2], "实习报告"] = "否"  # S3: no report
    cf.waivers = pd.DataFrame(columns=WAIVER_COLUMNS)
    first = run(write_cohort(cf), out)

    from gradlib.demo import write_demo
    demo = run(write_demo(root / "demo", students=200, seed=5, photos=False), out)  # same output folder

    cf.waivers = pd.DataFrame([[S[1], "FEES_OWED", "家庭困难", "王校长", "2027-06-25", "豁免", "李老师", ""]],
                              columns=WAIVER_COLUMNS)
    cf.tables["internship"].loc[cf.tables["internship"]["学号"] == S[2], "实习报告"] = "是"  # handed in since
    second = run(write_cohort(cf), out)

    cf.waivers.loc[1] = [S[1], "FEES_OWED", "核实后不予豁免", "李主任", "2027-06-27", "撤销", "李老师", ""]
    third = run(write_cohort(cf), out)
    return first, demo, second, third


def test_a_demo_run_never_meets_a_real_one(three_runs):
    first, demo, second, third = three_runs
    assert demo.parent == first.parent and first.name < demo.name < second.name  # the demo is newer
    assert origin(first) == origin(second) != origin(demo)
    assert previous_run(second) == first and previous_run(third) == second
    assert previous_run(demo) is None
    note, _ = comparison(second)
    assert first.name in note and demo.name not in note
    note, table = comparison(demo)
    assert "首次运行" in note and table.empty


def test_each_change_names_its_cause(three_runs):
    _, _, second, third = three_runs
    _, t = comparison(second)
    why = t.set_index("学号")["变化原因"]
    assert set(why.index) == {S[1], S[2]}
    assert why[S[1]] == "记录豁免“欠缴学杂费”（批准人：王校长）"
    assert why[S[2]] == "顶岗实习已更新：消除“未交顶岗实习报告”"
    _, t = comparison(third)
    why = t.set_index("学号")["变化原因"]
    assert list(why.index) == [S[1]] and why[S[1]] == "撤销豁免“欠缴学杂费”（批准人：李主任）"


def test_make_demo_writes_into_its_own_folder():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(x for x in make.splitlines() if "gradlib demo" in x)
    assert "--output-dir outputs/demo" in line
