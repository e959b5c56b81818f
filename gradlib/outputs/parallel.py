"""Workbooks written by several processes: xlsxwriter is pure Python, so one process per core.

Each task writes its own files and returns their paths; the caller puts them back in a fixed order, so the
output never depends on which process finished first. On Linux the workers are forked and share the decisions
without copying them; elsewhere (Windows) each worker receives one pickled copy when it starts.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

WORKERS_ENV = "GRADLIB_WORKERS"  # how many processes write the lists (1: all in the calling process)
_STATE: dict = {}                 # in a worker: what every task of it works on


def workers(n: int | None = None) -> int:
    """How many processes: n, else GRADLIB_WORKERS, else the machine's cores."""
    if n is None:
        env = os.environ.get(WORKERS_ENV, "").strip()
        n = int(env) if env.isdigit() else (os.cpu_count() or 1)
    return max(1, n)


@contextmanager
def no_gc_passes() -> Iterator[None]:
    """Python's cycle collector paused while a workbook is written. Each of its full passes walks every object
    the process holds (the decisions, and xlsxwriter's cells of every sheet written so far), so a big list
    written with it cost more than linearly: a roster of 300,000 students 69 s with it, 41 s without. Cycles
    made meanwhile are collected by the first pass after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _end_with(parent: int, every: float = 0.5) -> None:
    """Ends this worker as soon as the process that started it is gone. A kernel killed mid-list (SIGKILL, or
    its own parent killed) leaves its workers waiting for tasks forever, each holding the console open, so the
    command that ran the notebook never ends for whoever started it."""
    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)
    threading.Thread(target=watch, name="gradlib-parent-watch", daemon=True).start()


def _start(data, run_dir, on_start: Callable | None, parent: int | None = None):
    if parent is not None and sys.platform != "win32":
        _end_with(parent)
    gc.freeze()  # what the worker inherits is never walked by its collector (nor its pages copied for it)
    _STATE.update(data=data, run_dir=run_dir)
    if on_start is not None:
        on_start()


def _call(fn: Callable, *task):
    return fn(_STATE["data"], _STATE["run_dir"], *task)


def run(fn: Callable, tasks: list[tuple], data, run_dir, n: int, on_start: Callable | None = None) -> dict:
    """fn(data, run_dir, *task) for every task, in n processes (in this one when n is 1); {task: result}.
    fn and on_start (called once in each worker) must be module-level functions."""
    if n <= 1 or len(tasks) <= 1:
        return {t: fn(data, run_dir, *t) for t in tasks}
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=min(n, len(tasks)), mp_context=ctx, initializer=_start,
                             initargs=(data, run_dir, on_start, os.getpid())) as pool:
        futures = {t: pool.submit(_call, fn, *t) for t in tasks}
        return {t: f.result() for t, f in futures.items()}
