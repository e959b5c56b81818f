"""Runs stopped at any moment — Ctrl-C, SIGTERM, SIGKILL, by PID — leave no folder that looks finished and no
official list outside a finished run folder; the next run cleans what a killed run left (issue #8, #10)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradlib.demo import write_demo

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
RUN_ID = r"^\d{8}-\d{6}(-\d+)?$"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill")
    return write_demo(root / "demo", students=400, seed=3, photos=False), root


def _start(params: Path, out: Path, tmp: Path) -> subprocess.Popen:
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([sys.executable, "-m", "gradlib.cli", "run", str(params), "--output-dir", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for(cond, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


MOMENTS = {  # when to stop the run: a condition on the output root
    "claimed": lambda root: any(root.glob("未完成-请勿使用-*/inputs")),
    "notebook": lambda root: any(root.glob("未完成-请勿使用-*/cohort.ipynb")),
    "lists": lambda root: any(root.glob("未完成-请勿使用-*/毕业审核结果（内部）.xlsx")),
}


def _lists_outside_finished(root: Path) -> list[Path]:
    import re
    return [p for p in root.rglob("*.xlsx") if not re.match(RUN_ID, p.relative_to(root).parts[0])
            and "inputs" not in p.relative_to(root).parts] + list(root.glob("未完成-请勿使用-*/decisions.csv"))


def _finished_looking(root: Path) -> list[Path]:
    import re
    return [p for p in root.iterdir() if re.match(RUN_ID, p.name) and not (p / "manifest.json").exists()]


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_stopped_run_leaves_nothing_that_looks_finished(demo, tmp_path, sig, moment):
    params, _ = demo
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    root = out / "2027"
    proc = _start(params, out, tmp)
    reached = _wait_for(lambda: MOMENTS[moment](root), proc)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=120)
    if not reached:
        pytest.skip(f"the run ended before {moment}")  # a fast machine: nothing to stop
    assert _finished_looking(root) == []
    if sig != "SIGKILL":
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "已中断" in err
        assert _lists_outside_finished(root) == []
        assert not list(tmp.glob("gradlib-kernel-*"))
    # the next run cleans what was left, and says so when there was something to clean
    nxt = _start(params, out, tmp)
    out_text, err = nxt.communicate(timeout=300)
    assert nxt.returncode == 0, err
    assert _lists_outside_finished(root) == []
    assert not list(tmp.glob("gradlib-kernel-*"))
    unfinished = list(root.glob("未完成-请勿使用-*"))
    assert unfinished and all((p / "说明.txt").exists() for p in unfinished)
    if sig == "SIGKILL":
        assert "已清理未完成的运行" in err
    assert Path(out_text.strip().splitlines()[-1]).name in {p.name for p in root.iterdir()}


_POOL_CHILD = """
import os, sys, time
from pathlib import Path
from gradlib.outputs import parallel

def task(data, run_dir, i):
    (Path(run_dir) / f"{os.getpid()}.pid").write_text("")
    time.sleep(120)

parallel.run(task, [(1,), (2,)], None, sys.argv[1], 2)
"""


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] in {"Z", "X"}
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_list_workers_end_when_the_kernel_that_started_them_is_killed(tmp_path):
    """A kernel killed while its workers write lists must not leave them behind: they held the console's pipe
    open, so `gradlib run` killed mid-list never returned to whoever started it (CI, 2026-12-03)."""
    script = tmp_path / "child.py"
    script.write_text(_POOL_CHILD)
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path)])
    assert _wait_for(lambda: len(list(tmp_path.glob("*.pid"))) == 2, child, timeout=60)
    pids = [int(p.stem) for p in tmp_path.glob("*.pid")]
    child.kill()
    child.wait()
    try:
        assert _wait_for(lambda: all(_gone(p) for p in pids), None, timeout=20)
    finally:
        for p in pids:
            if not _gone(p):
                os.kill(p, signal.SIGKILL)
