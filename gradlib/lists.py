"""The run's written outputs: decisions.csv first; the official lists build on it (outputs.md)."""
from __future__ import annotations

from pathlib import Path

from .decide import Decisions, write_decisions


def write_outputs(d: Decisions, run_dir) -> list[Path]:
    """Write every output of the run into run_dir and return their paths (nothing when run_dir is empty)."""
    if not run_dir:
        return []
    run_dir = Path(run_dir)
    return [write_decisions(d, run_dir)]
