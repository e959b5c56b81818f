"""Shared by the registry tests: a finished run of the six-student cohort, and the CLI in a subprocess."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from builders import CohortFiles


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradlib.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def make_run(root: Path, tweak=None) -> Path:
    """Run the six-student cohort (tweak(cf) first); return the run folder."""
    cf = CohortFiles(root)
    if tweak:
        tweak(cf)
    r = cli("run", cf.write())
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


def writable_copy(run: Path, dest: Path) -> Path:
    """A copy of a (read-only) run folder that a test may change."""
    target = dest / run.parent.name / run.name
    shutil.copytree(run, target)
    for p in [target, *target.rglob("*")]:
        os.chmod(p, 0o644 if p.is_file() else 0o755)
    return target
