"""Execute the cohort notebook with papermill and build the run folder (params.md): all or nothing."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..errors import RunFailed
from ..log import progress
from ..params import load_params
from ..resources import notebook
from ..sources import load_cohort
from .archive import STATUS_FILE, copy_inputs, export_html, write_manifest

NOTEBOOK = notebook("cohort.ipynb")
KERNEL_NAME = "gradlib-python"


def new_run_id(root: Path, now: dt.datetime | None = None) -> str:
    """A run id that sorts by time (20270625-143012), with a suffix if that second is taken."""
    base = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    rid, k = base, 1
    while (root / rid).exists() or (root / f".{rid}.partial").exists():
        k += 1
        rid = f"{base}-{k}"
    return rid


def kernel_dir() -> Path:
    """A kernelspec for this very Python (so papermill never picks another environment's kernel)."""
    d = Path(tempfile.mkdtemp(prefix="gradlib-kernel-"))
    spec = d / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "gradlib (Python)", "language": "python"}), encoding="utf-8")
    return d


def run(params_path, output_dir=None, timeout: int | None = None) -> Path:
    """Run one cohort: validate, execute the notebook in a temporary folder, archive, rename. Returns the folder."""
    import papermill as pm

    started = dt.datetime.now()
    if not NOTEBOOK.is_file():
        raise RunFailed(f"找不到审核笔记本 {NOTEBOOK}：gradlib 安装不完整，请重新安装（make install 或 pip install .）")
    params = load_params(params_path, output_dir)
    progress(f"参数已读取：{params.cohort} 届")
    t0 = time.perf_counter()
    cohort = load_cohort(params, progress_to=progress)  # structural problems stop here, before anything is written
    progress(f"数据已读取并校验：{cohort.size} 名学生（{time.perf_counter() - t0:.1f} 秒）")
    root = params.output_dir / str(params.cohort)
    root.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(root, started)
    work = root / f".{run_id}.partial"
    work.mkdir()
    kdir = None
    try:
        sources = dict(cohort.files)
        params_copy = copy_inputs(params, sources, work / "inputs")
        del cohort
        progress("正在执行审核笔记本…")
        kdir = kernel_dir()
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kdir), os.environ.get("JUPYTER_PATH")]))
        executed = work / "cohort.ipynb"
        try:
            pm.execute_notebook(str(NOTEBOOK), str(executed), kernel_name=KERNEL_NAME, cwd=str(work),
                                parameters={"params_path": str(params_copy), "run_dir": str(work)},
                                progress_bar={"file": sys.stderr, "desc": "执行进度", "leave": False},
                                execution_timeout=timeout, log_output=False, language="python")
        except pm.PapermillExecutionError as e:
            raise RunFailed(f"笔记本第 {e.exec_count} 个单元出错：{e.ename}: {e.evalue}",
                            cell=e.exec_count, ename=e.ename) from None
        status_path = work / STATUS_FILE
        if not status_path.exists():
            raise RunFailed("笔记本未执行完毕（未写出运行状态），可能超时或被中断")
        status = json.loads(status_path.read_text(encoding="utf-8"))
        progress("正在导出 HTML…")
        export_html(executed, work / "cohort.html")
        write_manifest(work, params, run_id, started, dt.datetime.now(), status, sources)
        final = root / run_id
        work.rename(final)
        return final
    except BaseException as e:
        failed = root / f".failed-{run_id}"
        if work.exists():
            work.rename(failed)
        if isinstance(e, RunFailed):
            e.evidence_dir = failed
        raise
    finally:
        if kdir:
            shutil.rmtree(kdir, ignore_errors=True)

