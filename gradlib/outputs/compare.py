"""与上次对比: which students' outcome or reasons changed since the previous successful run of the cohort.

The previous runs are the sibling folders of the run folder (same cohort, same output folder) whose names
do not start with "." (a run in progress or a failed run is hidden) and that hold a decisions.csv; run ids
sort by time, so the previous run is the greatest name other than this run's own.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..rules import DECISION_COLUMNS


def previous_run(run_dir) -> Path | None:
    """The folder of the previous successful run of the same cohort, or None on the first run."""
    run_dir = Path(run_dir).resolve()
    parent = run_dir.parent
    if not parent.is_dir():
        return None
    runs = sorted(p for p in parent.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.resolve() != run_dir
                  and (p / "decisions.csv").is_file())
    if not run_dir.name.startswith("."):  # a finished-looking run_dir: only runs before it count
        runs = [p for p in runs if p.name < run_dir.name]
    return runs[-1] if runs else None


def read_decisions(path) -> pd.DataFrame:
    """A decisions.csv as text (identifiers keep their zeros)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return df.reindex(columns=DECISION_COLUMNS, fill_value="")


def changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Students whose outcome or (unwaived) reasons differ; also students added to or gone from the roster.

    Returns student_id, kind (changed/added/removed) and the before/after outcome, reasons, waived, deadline.
    """
    b = before.set_index("student_id")
    a = after.set_index("student_id")
    m = b.merge(a, how="outer", left_index=True, right_index=True, suffixes=("_before", "_after"), sort=True)
    present_b = m.index.isin(b.index)
    present_a = m.index.isin(a.index)
    m = m.fillna("")
    differs = (m["outcome_before"] != m["outcome_after"]) | (m["reasons_before"] != m["reasons_after"])
    kind = pd.Series("changed", index=m.index)
    kind[~present_b] = "added"
    kind[~present_a] = "removed"
    out = m[differs | ~present_b | ~present_a].copy()
    out.insert(0, "kind", kind[out.index])
    return out.reset_index().rename(columns={"index": "student_id"})
