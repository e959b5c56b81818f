"""Execute a notebook with papermill and build its run folder (params.md): all or nothing.

A run works in a folder named 未完成-请勿使用-<run-id> (visible on every system, and saying what it is)
and renames it to <run-id> only when every step finished. A run that fails or is interrupted keeps that
name, its partial notebook and log, and no printable list. A run killed outright leaves its folder behind;
the next run in the same place finds it (its lock is free) and cleans it the same way.
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ParamsError, RunFailed
from ..filelock import Owner, abandoned
from ..findings import Kind, Problem
from ..log import logger, progress
from ..params import Params, load_params
from ..resources import notebook
from ..sources import load_cohort
from . import archive, cache

KERNEL_NAME = "gradlib-python"
UNFINISHED = "未完成-请勿使用"
KERNEL_PREFIX = "gradlib-kernel-"
NOTE_FILE = "说明.txt"
LOG_FILE = "run.log"
KEEP = {"inputs", LOG_FILE, "kernel.log", NOTE_FILE, archive.MANIFEST, Owner.NAME}  # what an unfinished folder keeps
NOTEBOOK = notebook("cohort.ipynb")


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C or SIGTERM)."""


@dataclass
class Job:
    """One notebook run: its kind (the notebook is <kind>.ipynb), its params, where its runs go, what it reads."""
    kind: str
    params: Params
    root: Path                      # the folder of this kind of run, e.g. <output_dir>/<cohort>/
    files: dict[str, Path]          # the inputs to copy into inputs/
    parameters: dict = field(default_factory=dict)  # further notebook parameters
    notebook: Path | None = None    # default: the shipped <kind>.ipynb
    extras: dict[str, str] = field(default_factory=dict)  # further inputs made by gradlib: name -> text
    record: dict = field(default_factory=dict)  # further facts for the manifest (a follow-up: as_of, follows)
    cohort: object = None           # the cohort validated before the folder existed, handed to the notebook
    stamps: dict = field(default_factory=dict)  # size and time of its files when read (cache.stamps)

    @property
    def notebook_path(self) -> Path:
        return self.notebook or notebook(f"{self.kind}.ipynb")


def new_run_id(root: Path, now: dt.datetime | None = None) -> str:
    """A run id that sorts by time (20270625-143012), with a suffix if that second is taken (no folder made)."""
    return next(rid for rid in _ids(root, now) if not _taken(root, rid))


def _ids(root: Path, now: dt.datetime | None):
    base = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    yield base
    k = 2
    while True:
        yield f"{base}-{k}"
        k += 1


def _taken(root: Path, rid: str) -> bool:
    return (root / rid).exists() or (root / f"{UNFINISHED}-{rid}").exists()


def reserve(root: Path, now: dt.datetime | None = None) -> tuple[str, Path, Owner]:
    """Claim a run id and its working folder at once (mkdir is the claim: two runs never share a folder)."""
    for rid in _ids(root, now):
        if (root / rid).exists():
            continue
        work = root / f"{UNFINISHED}-{rid}"
        try:
            work.mkdir()
        except FileExistsError:
            continue
        if (root / rid).exists():  # a run of that second finished between the check and the claim
            work.rmdir()
            continue
        return rid, work, Owner(work)
    raise AssertionError("unreachable")


def kernel_dir() -> tuple[Path, Owner]:
    """A kernelspec for this very Python (papermill never picks another environment's kernel); its stderr goes
    to the run's kernel.log, never to the console."""
    d = Path(tempfile.mkdtemp(prefix=KERNEL_PREFIX))
    owner = Owner(d)
    spec = d / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "gradlib.run.kernel", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "gradlib (Python)", "language": "python"}), encoding="utf-8")
    return d, owner


def clean_leftovers(root: Path) -> list[str]:
    """Make safe what runs that are gone left behind: their working folders lose every printable list (the
    notebook and log stay as evidence) and their temporary kernel folders are removed. Returns what was done."""
    done = []
    if root.is_dir():
        for folder in sorted(root.glob(".*.partial")) + sorted(root.glob(".failed-*")):  # older gradlib's names
            rid = folder.name.removeprefix(".failed-").removeprefix(".").removesuffix(".partial")
            if folder.is_dir() and abandoned(folder) and not (root / f"{UNFINISHED}-{rid}").exists():
                folder.rename(root / f"{UNFINISHED}-{rid}")
        for folder in sorted(root.glob(f"{UNFINISHED}-*")):
            if folder.is_dir() and not (folder / NOTE_FILE).exists() and abandoned(folder):
                _strip(folder, "运行进程已不存在（可能被强制结束或断电），运行未完成。")
                done.append(f"已清理未完成的运行 {folder.name}（名单已删除，笔记本与日志保留）")
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_PREFIX}*"):
        if folder.is_dir() and abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"已删除遗留的临时文件夹 {folder.name}")
    return done


def _strip(folder: Path, why: str):
    """Remove every printable list and the decisions from an unfinished folder; say why it is unfinished."""
    for p in folder.iterdir():
        if p.name in KEEP or p.suffix == ".ipynb":
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    (folder / NOTE_FILE).write_text(
        f"本文件夹是一次未完成的运行，请勿使用。\n原因：{why}\n其中的名单已删除；保留的笔记本与日志仅供查找原因。\n"
        "请修正问题后重新运行。\n", encoding="utf-8")


def output_root(params: Params, *parts: str) -> Path:
    """<output_dir>/<parts…>, created; a clear problem when output_dir is a file or cannot be made."""
    root = params.output_dir.joinpath(*parts)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ParamsError([Problem(Kind.BAD_VALUE, params.path.name, "", None, "output_dir", str(params.output_dir),
                                   "输出位置不是文件夹（已有同名文件）", "一个文件夹的路径（可用 --output-dir 另指定）")]) from None
    except PermissionError:
        raise ParamsError([Problem(Kind.BAD_VALUE, params.path.name, "", None, "output_dir", str(params.output_dir),
                                   "没有权限在此位置创建文件夹", "当前用户可写入的文件夹（可用 --output-dir 另指定）")]) from None
    return root


def _on_signal(signum, _frame):
    raise Interrupted(signum)


class _Signals:
    """SIGTERM (and SIGHUP where it exists) stop a run like Ctrl-C, so its folder is made safe first."""

    def __enter__(self):
        self.old = {}
        for name in ("SIGTERM", "SIGHUP"):
            s = getattr(signal, name, None)
            if s is not None:
                with contextlib.suppress(ValueError):  # not the main thread
                    self.old[s] = signal.signal(s, _on_signal)
        return self

    def __exit__(self, *exc):
        for s, h in self.old.items():
            signal.signal(s, h)


def _papermill(job: Job, work: Path, params_copy: Path, timeout: int | None) -> Path:
    # jsonschema (under nbformat) builds lark grammars for the "iri" format when rfc3987_syntax is installed: about
    # 0.9 s at import for a check no notebook needs; without the module jsonschema skips that format
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill as pm

    kdir, kowner = kernel_dir()
    old_path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kdir), old_path]))
    os.environ["GRADLIB_KERNEL_LOG"] = str(work / "kernel.log")
    executed = work / f"{job.kind}.ipynb"
    try:
        pm.execute_notebook(str(job.notebook_path), str(executed), kernel_name=KERNEL_NAME, cwd=str(work),
                            parameters={"params_path": str(params_copy), "run_dir": str(work), **job.parameters},
                            progress_bar={"file": sys.stderr, "desc": "执行进度", "leave": False},
                            execution_timeout=timeout, log_output=False, language="python")
    except pm.PapermillExecutionError as e:
        raise RunFailed(f"笔记本第 {e.exec_count} 个单元出错：{e.ename}: {e.evalue}",
                        cell=e.exec_count, ename=e.ename) from None
    finally:
        if old_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old_path
        os.environ.pop("GRADLIB_KERNEL_LOG", None)
        kowner.release()
        shutil.rmtree(kdir, ignore_errors=True)
    return executed


def _give_back_memory() -> None:
    """Hand the freed tables' memory back to the system before the kernel loads its own copy: without it the C
    allocator keeps it for this process (2.3 GB of a 1,000,000-student run, idle while the lists are written)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def execute(job: Job, timeout: int | None = None) -> Path:
    """Run one job in a claimed folder; rename it to its run id only when every step finished. Returns it."""
    started = dt.datetime.now()
    if not job.notebook_path.is_file():
        raise RunFailed(f"找不到笔记本 {job.notebook_path}：gradlib 安装不完整，请重新安装（make install 或 pip install .）")
    for line in clean_leftovers(job.root):
        progress(line)
    rid, work, owner = reserve(job.root, started)
    handler = logging.FileHandler(work / LOG_FILE, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    steps: dict[str, float] = {}
    try:
        with _Signals():
            t = time.perf_counter()
            params_copy = archive.copy_inputs(job.params, job.files, work / "inputs")
            archive.write_extras(work / "inputs", job.extras)
            steps["copy_inputs_seconds"] = round(time.perf_counter() - t, 3)
            if job.cohort is not None:
                t = time.perf_counter()
                if cache.write(work, job.cohort, job.stamps) is not None:
                    steps["cache_seconds"] = round(time.perf_counter() - t, 3)
                job.cohort = None  # the kernel holds the tables from here on: not twice in memory
                _give_back_memory()
            progress("正在执行笔记本…")
            t = time.perf_counter()
            executed = _papermill(job, work, params_copy, timeout)
            steps["notebook_seconds"] = round(time.perf_counter() - t, 3)
            cache.remove(work)
            status = archive.read_status(work)
            if status is None:
                raise RunFailed("笔记本未执行完毕（未写出运行状态），可能超时或被中断")
            progress("正在导出 HTML…")
            t = time.perf_counter()
            archive.export_html(executed, executed.with_suffix(".html"))
            steps["html_seconds"] = round(time.perf_counter() - t, 3)
            logger.removeHandler(handler)
            handler.close()
            owner.release()
            archive.write_manifest(work, job, rid, started, dt.datetime.now(), status, steps)
            final = job.root / rid
            work.rename(final)
        archive.make_read_only(final)
        return final
    except BaseException as e:
        _keep_evidence(job, work, rid, started, e, steps)
        raise
    finally:
        logger.removeHandler(handler)
        handler.close()
        owner.release(remove=False)


def _keep_evidence(job: Job, work: Path, rid: str, started: dt.datetime, e: BaseException, steps: dict):
    """A run that did not finish: strip its lists, record why (note and manifest), keep notebook and log."""
    if not work.exists():
        return
    interrupted = isinstance(e, KeyboardInterrupt)
    why = "运行被中断（Ctrl+C 或被终止）" if interrupted else (e.report() if isinstance(e, RunFailed) else
                                                        f"运行出错：{type(e).__name__}: {e}")
    _strip(work, why)
    with contextlib.suppress(Exception):  # the evidence must survive whatever broke the run
        archive.write_manifest(work, job, rid, started, dt.datetime.now(),
                               {"status": "interrupted" if interrupted else "failed", "error": why}, steps)
    with contextlib.suppress(AttributeError):
        e.evidence_dir = work


def cohort_job(params: Params) -> Job:
    """Validate the cohort's files (structural problems stop here, before any folder exists) and make its job."""
    t0 = time.perf_counter()
    cohort = load_cohort(params, progress_to=progress)
    progress(f"数据已读取并校验：{cohort.size} 名学生（{time.perf_counter() - t0:.1f} 秒）")
    return Job("cohort", params, output_root(params, str(params.cohort)), dict(cohort.files), notebook=NOTEBOOK,
               cohort=cohort, stamps=cache.stamps(cohort.files))


def run(params_path, output_dir=None, timeout: int | None = None) -> Path:
    """Run one cohort: validate, execute the notebook in a claimed folder, archive, rename. Returns the folder."""
    params = load_params(params_path, output_dir)
    progress(f"参数已读取：{params.cohort} 届")
    return execute(cohort_job(params), timeout)
