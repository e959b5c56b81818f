"""Execute the cohort notebook with papermill and build the run folder (params.md): all or nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import yaml

from . import __version__
from .errors import RunFailed
from .params import Params, load_params
from .sources import load_cohort

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "cohort.ipynb"
KERNEL_NAME = "gradlib-python"
STATUS_FILE = "run-status.json"
KEY_PACKAGES = ("pandas", "numpy", "python-calamine", "xlsxwriter", "papermill", "nbconvert", "nbformat",
                "ipykernel", "ipywidgets", "voila", "matplotlib", "Pillow", "PyYAML")


def log(msg: str):
    """Progress for the registrar, on standard error (never student data)."""
    print(msg, file=sys.stderr, flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def copy_inputs(params: Params, files: dict[str, Path], dest: Path) -> Path:
    """Copy every input (and the waivers file) into dest; write a params.yaml there that points at the copies."""
    dest.mkdir(parents=True)
    raw = dict(params.raw)
    sources = dict(raw.get("sources") or {})
    for key, path in files.items():
        if key == "waivers":
            continue
        try:
            rel = path.relative_to(params.data_dir)
        except ValueError:
            rel = Path(path.name)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copy2(path, target)
        src = params.sources[key]
        name = rel.as_posix() + ("/" if path.is_dir() else "")
        sources[key] = {"file": name, "sheet": src.sheet} if src.sheet else name
    raw["sources"] = sources
    raw["data_dir"] = "."
    if "waivers" in files:
        shutil.copy2(files["waivers"], dest / files["waivers"].name)
        raw["waivers"] = files["waivers"].name
    raw["output_dir"] = str(params.output_dir)
    if params.font:
        raw["font"] = str(params.font)
    copy = dest / "params.yaml"
    copy.write_text("# 本次运行所用参数（路径已指向 inputs/ 中的副本）\n" +
                    yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy2(params.path, dest / ("原参数-" + params.path.name))
    return copy


def export_html(notebook: Path, target: Path):
    """Render the executed notebook as HTML without code cells and without any CDN script."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_filename(str(notebook))
    body = re.sub(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", "", body)
    body = re.sub(r"<script\b[^>]*>(?:(?!</script>).)*?(?:https?://cdn|mathjax)(?:(?!</script>).)*</script>", "",
                  body, flags=re.S | re.I)
    body = re.sub(r"<link[^>]*\bhref=[\"']https?://[^>]*>", "", body)
    body = re.sub(r"<!--(?:(?!-->).)*?mathjax(?:(?!-->).)*-->", "", body, flags=re.S | re.I)
    target.write_text(body, encoding="utf-8")


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions() -> dict[str, str]:
    out = {}
    for p in KEY_PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def _files(folder: Path, skip=()) -> list[dict]:
    rows = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in skip:
            rows.append({"path": rel, "sha256": sha256(p), "bytes": p.stat().st_size})
    return rows


def write_manifest(run_dir: Path, params: Params, run_id: str, started: dt.datetime, finished: dt.datetime,
                   status: dict, sources: dict[str, Path]) -> Path:
    """manifest.json: inputs and outputs with SHA-256, params as read, versions, times, status, counts."""
    inputs = _files(run_dir / "inputs")
    outputs = [f for f in _files(run_dir, skip={"manifest.json"}) if not f["path"].startswith("inputs/")]
    manifest = {
        "tool": "gradlib", "version": __version__, "git_commit": git_commit(),
        "cohort": params.cohort, "run_id": run_id, "status": status.get("status", "failed"),
        "started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
        "duration_seconds": round((finished - started).total_seconds(), 2),
        "python": platform.python_version(), "platform": platform.platform(), "packages": package_versions(),
        "params_file": str(params.path), "params": params.as_record(),
        "sources": {k: str(v) for k, v in sources.items()},
        "inputs": inputs, "outputs": outputs,
        "students": status.get("students"), "counts": status.get("counts"),
        "timings": status.get("timings", {}),
    }
    path = run_dir / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_status(run_dir, decisions, timings: dict | None = None) -> Path:
    """Called by the notebook's last cell: gradlib's own record that every step finished."""
    path = Path(run_dir) / STATUS_FILE
    timings = {"load_seconds": round(decisions.cohort.seconds, 3), "decide_seconds": round(decisions.seconds, 3),
               **(timings or {})}
    counts = {k: int(v) for k, v in decisions.counts().items()}
    path.write_text(json.dumps({"status": "succeeded", "students": int(decisions.cohort.size), "counts": counts,
                                "timings": timings}, ensure_ascii=False, indent=2), encoding="utf-8")
    try:
        from IPython.display import HTML, display

        display(HTML(f"<p>本次审核全部步骤已完成：共 {decisions.cohort.size} 名学生，读取与校验 "
                     f"{timings['load_seconds']:.1f} 秒，审核 {timings['decide_seconds']:.2f} 秒。"
                     "运行文件夹中的 manifest.json 记录了全部输入、输出及其校验值。</p>"))
    except ImportError:
        pass
    return path


def run(params_path, output_dir=None, timeout: int | None = None) -> Path:
    """Run one cohort: validate, execute the notebook in a temporary folder, archive, rename. Returns the folder."""
    import papermill as pm

    started = dt.datetime.now()
    if not NOTEBOOK.is_file():  # gradlib runs from its checkout (make installs it in editable mode)
        raise RunFailed(f"找不到审核笔记本 {NOTEBOOK}：请在 gradlib 的代码文件夹中用 make 安装（pip install -e .）")
    params = load_params(params_path, output_dir)
    log(f"参数已读取：{params.cohort} 届")
    t0 = time.perf_counter()
    cohort = load_cohort(params, progress=log)  # structural problems stop here, before anything is written
    log(f"数据已读取并校验：{cohort.size} 名学生（{time.perf_counter() - t0:.1f} 秒）")
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
        log("正在执行审核笔记本…")
        kdir = kernel_dir()
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kdir), os.environ.get("JUPYTER_PATH")]))
        executed = work / "cohort.ipynb"
        try:
            pm.execute_notebook(str(NOTEBOOK), str(executed), kernel_name=KERNEL_NAME, cwd=str(work),
                                parameters={"params_path": str(params_copy), "run_dir": str(work)},
                                progress_bar={"file": sys.stderr, "desc": "执行进度", "leave": False},
                                execution_timeout=timeout, log_output=False, language="python")
        except pm.PapermillExecutionError as e:
            raise RunFailed(f"笔记本第 {e.exec_count} 个单元出错：{e.ename}: {e.evalue}")
        status_path = work / STATUS_FILE
        if not status_path.exists():
            raise RunFailed("笔记本未执行完毕（未写出运行状态），可能超时或被中断")
        status = json.loads(status_path.read_text(encoding="utf-8"))
        log("正在导出 HTML…")
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

