"""`gradlib intake PARAMS.yaml`: the intake checks as a notebook run (notebooks/intake.ipynb), archived like a
cohort run in <output_dir>/intake-<intake year>/<run id>/; the notebook's steps; `gradlib enrol RUN_FOLDER`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import RegistryError
from ..intake import store
from ..intake.checks import Intake, check_intake
from ..intake.params import IntakeParams, load_intake_params
from ..intake.rosters import write_class_rosters, write_problems
from ..log import progress
from ..reasons import REVIEW_STAGES
from ..registry import Registry, default_user
from ..resources import notebook
from . import archive
from .execute import Job, execute, output_root

STUDENTS_FILE = "students.csv"   # the checked intake (the data contract's columns): what `gradlib enrol` records
PROBLEMS_FILE = "problems.csv"


def intake_job(params: IntakeParams) -> Job:
    """Check the intake's files (structural problems stop here, before any folder exists) and make its job."""
    intake = check_intake(params, say=progress)
    progress(f"新生名单已读取并校验：{intake.size} 名学生")
    root = output_root(params, params.run_root.name)
    return Job("intake", params, root, dict(intake.files), notebook=notebook("intake.ipynb"))


def run_intake(params_path, output_dir=None, timeout: int | None = None) -> Path:
    """Run the intake checks: validate, execute notebooks/intake.ipynb in a claimed folder, archive, rename."""
    params = load_intake_params(params_path, output_dir)
    progress(f"参数已读取：{params.intake_year} 级新生（{params.cohort} 届）")
    return execute(intake_job(params), timeout)


# ---- the notebook's steps ----------------------------------------------------------------------------

def _enrolled(params: IntakeParams) -> pd.DataFrame | None:
    if params.registry is None or not params.registry.exists():
        return None
    with Registry(params.registry) as reg:
        return store.current_enrolled(reg)


def reviews(params: IntakeParams, classes) -> pd.DataFrame:
    """Each class's first and second review as the registry records them (blank: not yet reviewed)."""
    if params.registry is None or not params.registry.exists():
        return store.review_state(None, params.cohort, classes)
    with Registry(params.registry) as reg:
        return store.review_state(reg, params.cohort, classes)


def check(params: IntakeParams) -> Intake:
    """Read the intake and run every Art 1 check (against the students already enrolled in the registry)."""
    return check_intake(params, _enrolled(params))


def _show(df: pd.DataFrame, title: str):
    from IPython.display import HTML, display

    from ..outputs.html import html_table

    display(HTML(html_table(df, title)))


def show_params(params: IntakeParams):
    """一、本次核查的参数."""
    rows = [("入学年份", f"{params.intake_year} 级"), ("届别", f"{params.cohort} 届"), ("学校", params.school),
            ("新生名单", params.sources["students"].name),
            ("照片", params.sources["photos"].name or "（不核查照片）"),
            ("中考报名序号格式", params.exam_number.pattern), ("登记库", params.registry.name)]
    _show(pd.DataFrame(rows, columns=["项目", "设置"]), f"{params.school} {params.intake_year} 级新生信息核查参数")


def show_classes(intake: Intake) -> pd.DataFrame:
    """二、各班核查结果 and 三、尚未审核的班级 (the roster reviews of Art 2). Returns the review state."""
    state = reviews(intake.params, list(intake.classes()["班级"]))
    _show(intake.classes().merge(state, on="班级", how="left"), f"各班核查结果（共 {intake.size} 名新生）")
    first, second = REVIEW_STAGES["first"], REVIEW_STAGES["second"]
    todo = state[(state[first] == "") | (state[second] == "")]
    todo = todo.assign(尚缺=[("、".join(x for x, v in ((first, a), (second, b)) if v == "")) for a, b in
                          zip(todo[first], todo[second])])
    _show(todo[["班级", "尚缺"]], f"尚未完成审核的班级（共 {len(todo)} 个）")
    return state


def show_problems(intake: Intake, limit: int = 200):
    """四、问题清单 (every class together, the first `limit`) and the reader's data problems."""
    from .. import findings as F

    p = intake.problems.drop(columns="code")
    _show(p.head(limit), f"新生信息问题（共 {len(p)} 个" + (f"，以下显示前 {limit} 个" if len(p) > limit else "") + "）")
    if len(intake.data_problems):
        _show(F.chinese(intake.data_problems).head(limit), f"数据问题（共 {len(intake.data_problems)} 条）")


def write_outputs(intake: Intake, run_dir, state: pd.DataFrame | None = None) -> list[Path]:
    """The class rosters for signature, the problems workbook and the checked intake (nothing interactively)."""
    if not run_dir:
        return []
    run_dir = Path(run_dir)
    paths = write_class_rosters(intake, run_dir)
    paths.append(write_problems(intake, run_dir, state))
    intake.students.to_csv(run_dir / STUDENTS_FILE, index=False, encoding="utf-8-sig")
    intake.problems.to_csv(run_dir / PROBLEMS_FILE, index=False, encoding="utf-8-sig")
    return paths + [run_dir / STUDENTS_FILE, run_dir / PROBLEMS_FILE]


def finish(run_dir, intake: Intake):
    """The last step: gradlib's own record that every step finished (a batch run only)."""
    if not run_dir:
        return
    counts = {str(k): int(v) for k, v in intake.problems["code"].value_counts().items()}
    status = {"status": "succeeded", "students": intake.size, "counts": counts, "timings": {},
              "intake_year": intake.params.intake_year, "problems": len(intake.problems)}
    (Path(run_dir) / archive.STATUS_FILE).write_text(json.dumps(status, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
    from IPython.display import HTML, display

    display(HTML(f"<p>本次核查全部步骤已完成：共 {intake.size} 名新生，{len(intake.problems)} 个问题。</p>"))


# ---- gradlib enrol RUN_FOLDER --------------------------------------------------------------------------

def enrol(run_dir, by: str | None = None) -> tuple[IntakeParams, int, int]:
    """Record the students of a finished intake run as enrolled in the registry. Returns (params, added, kept)."""
    from .publish import check_run

    run_dir = Path(run_dir).resolve()
    manifest = check_run(run_dir)
    if manifest.get("kind") != "intake":
        raise RegistryError(f"{run_dir.name} 不是新生信息核查的运行文件夹（gradlib intake 的结果）")
    params = load_intake_params(run_dir / "inputs" / "params.yaml")
    students = pd.read_csv(run_dir / STUDENTS_FILE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    with Registry(params.registry) as reg:
        added, kept = store.enrol(reg, params.cohort, params.intake_year, students, manifest["run_id"],
                                  by or default_user())
    return params, added, kept
