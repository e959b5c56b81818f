"""与上次对比: which students' outcome or reasons changed since the previous successful run, and why.

The previous runs are the sibling folders of the run folder (same cohort, same output folder) whose names
do not start with "." (a run in progress or a failed run is hidden), that hold a decisions.csv and that were
made from the same params file name and the same data folder as this run (the copy of the original params
file in ``inputs/`` says which): a demo run is never compared with a real one. Run ids sort by time, so the
previous run is the greatest such name before this run's own.

Each change names its cause: a waiver recorded or revoked (with the approver), a department's table that
changed between the two runs' input copies, the params, or gradlib's version.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import __version__
from ..reasons import REASON_SOURCES, REVOKE, reason_label
from ..rules import DECISION_COLUMNS, Decisions
from ..sources.schema import TABLES

ORIGINAL_PREFIX = "原参数-"  # the copy of the params file as the registrar wrote it, in <run>/inputs/
SOURCE_LABELS = {**{k: t.label for k, t in TABLES.items()}, "photos": "照片", "waivers": "豁免记录"}
RULE_PARAMS = ("fees_mode", "fee_tolerance", "pass_mark", "internship_materials_due", "makeup_results_published",
               "issue_window", "photo")


def origin(run_dir) -> tuple[str, str] | None:
    """The params file (name) and data folder (as written in it) a run was made from; None when unknown."""
    copies = sorted((Path(run_dir) / "inputs").glob(ORIGINAL_PREFIX + "*"))
    if not copies:
        return None
    try:
        raw = yaml.load(copies[0].read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    data_dir = raw.get("data_dir", ".") if isinstance(raw, dict) else "."
    data_dir = os.path.normpath(data_dir if isinstance(data_dir, str) else ".").replace("\\", "/")
    return copies[0].name.removeprefix(ORIGINAL_PREFIX), data_dir


def previous_run(run_dir) -> Path | None:
    """The folder of the previous successful run of the same cohort from the same data, or None on the first."""
    run_dir = Path(run_dir).resolve()
    parent = run_dir.parent
    if not parent.is_dir():
        return None
    runs = sorted(p for p in parent.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.resolve() != run_dir
                  and (p / "decisions.csv").is_file())
    if not run_dir.name.startswith("."):  # a finished-looking run_dir: only runs before it count
        runs = [p for p in runs if p.name < run_dir.name]
    mine = origin(run_dir)
    if mine is not None:
        runs = [p for p in runs if origin(p) == mine]
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


# ---- why it changed ---------------------------------------------------------------------------------

def _digest(path: Path) -> str:
    """The SHA-256 of a file, or of a folder's file names and contents."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        h.update(p.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        h.update(p.read_bytes())
    return h.hexdigest()


def _inputs(run_dir: Path) -> tuple[dict, dict[str, str]] | None:
    """A run's params as written in its inputs/params.yaml and a digest of each source copy; None without."""
    inputs = Path(run_dir) / "inputs"
    try:
        raw = yaml.load((inputs / "params.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(raw, dict):
        return None
    digests = {}
    for key, v in dict(raw.get("sources") or {}).items():
        name = v.get("file") if isinstance(v, dict) else v
        path = inputs / str(name)
        if name and path.exists():
            digests[key] = _digest(path) + (f"#{v.get('sheet')}" if isinstance(v, dict) else "")
    if raw.get("waivers") and (inputs / raw["waivers"]).exists():
        digests["waivers"] = _digest(inputs / raw["waivers"])
    return raw, digests


def _version(run_dir: Path) -> str | None:
    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def what_changed(previous: Path, run_dir: Path) -> dict:
    """Between two runs: the sources whose copies differ (None when unknown), params keys, and versions."""
    a, b = _inputs(previous), _inputs(run_dir)
    if a is None or b is None:
        return {"sources": None, "params": [], "version": None}
    sources = {k for k in set(a[1]) | set(b[1]) if a[1].get(k) != b[1].get(k)}
    params = [k for k in RULE_PARAMS if a[0].get(k) != b[0].get(k)]
    before = _version(previous)
    return {"sources": sources, "params": params,
            "version": (before, __version__) if before and before != __version__ else None}


def _split(s: pd.Series) -> pd.Series:
    return s.map(lambda v: frozenset(v.split(";")) if v else frozenset())


def _labels(codes) -> str:
    return "、".join(f"“{reason_label(c)}”" for c in sorted(codes, key=list(REASON_SOURCES).index))


def _tables(keys) -> str:
    return "、".join(SOURCE_LABELS.get(k, k) for k in sorted(keys, key=list(SOURCE_LABELS).index))


def _waiver_notes(ch: pd.DataFrame, d: Decisions) -> pd.Series:
    """Per changed student: waivers recorded or revoked since the previous run, with their approver."""
    r = d.reasons[d.reasons["waived"]]
    sid = d.table["student_id"].to_numpy()
    approver = pd.Series(r["批准人"].astype(str).to_numpy(),
                         index=pd.MultiIndex.from_arrays([sid[r["idx"].to_numpy()], r["code"].to_numpy()]))
    w = d.waivers
    rev = w[(w["操作"] == REVOKE.label) & (w["status"] == "REVOKED")] if len(w) else w
    revoker = pd.Series(rev["批准人"].astype(str).to_numpy(),
                        index=pd.MultiIndex.from_arrays([rev["学号"].to_numpy(), rev["原因代码"].to_numpy()])) \
        if len(rev) else pd.Series(dtype=object)
    wb, wa, ra = _split(ch["waived_before"]), _split(ch["waived_after"]), _split(ch["reasons_after"])
    notes = []
    for s, before, after, live in zip(ch["student_id"], wb, wa, ra):
        parts = [f"记录豁免“{reason_label(c)}”（批准人：{approver.get((s, c), '')}）" for c in sorted(after - before)]
        for c in sorted((before - after) & live):
            who = revoker.get((s, c))
            parts.append(f"撤销豁免“{reason_label(c)}”（批准人：{who}）" if who is not None
                         else f"豁免“{reason_label(c)}”不再生效（豁免记录已改）")
        notes.append("；".join(parts))
    return pd.Series(notes, index=ch.index, dtype=object)


def _data_notes(ch: pd.DataFrame, changed: dict) -> pd.Series:
    """Per changed student: which department's table (or the params, or gradlib) explains the reasons gained/lost."""
    raw_b = [x | y for x, y in zip(_split(ch["reasons_before"]), _split(ch["waived_before"]))]
    raw_a = [x | y for x, y in zip(_split(ch["reasons_after"]), _split(ch["waived_after"]))]
    sources = changed["sources"]
    cache: dict = {}
    notes = []
    for kind, before, after in zip(ch["kind"], raw_b, raw_a):
        key = (kind, before, after)
        if key not in cache:
            cache[key] = _data_note(kind, before, after, sources, changed)
        notes.append(cache[key])
    return pd.Series(notes, index=ch.index, dtype=object)


def _data_note(kind, before, after, sources, changed) -> str:
    if kind == "added":
        return "学籍库中新增该生"
    if kind == "removed":
        return "学籍库中已无此学号"
    gained, lost = after - before, before - after
    if not gained and not lost:
        return ""
    what = "；".join(x for x in (f"新增{_labels(gained)}" if gained else "", f"消除{_labels(lost)}" if lost else "") if x)
    relevant = {s for c in gained | lost for s in REASON_SOURCES.get(c, ())}
    if sources is None:  # no input copies to compare: the tables these reasons come from
        return f"{_tables(relevant)}的数据有变化：{what}"
    hit = relevant & sources
    if hit:
        return f"{_tables(hit)}已更新：{what}"
    if changed["params"]:
        return f"参数已改变（{'、'.join(changed['params'])}）：{what}"
    if changed["version"]:
        return f"gradlib 版本已改变（{changed['version'][0]} → {changed['version'][1]}）：{what}"
    if sources - {"waivers"}:
        return f"{_tables(sources - {'waivers'})}已更新：{what}"
    return what


def causes(ch: pd.DataFrame, d: Decisions, previous: Path, run_dir: Path) -> pd.Series:
    """Why each row of the comparison changed, in Chinese (waivers first, then data, params or version)."""
    if not len(ch):
        return pd.Series([], dtype=object)
    changed = what_changed(previous, run_dir)
    parts = pd.DataFrame({"w": _waiver_notes(ch, d), "data": _data_notes(ch, changed)})
    out = np.where((parts["w"] != "") & (parts["data"] != ""), parts["w"] + "；" + parts["data"],
                   parts["w"] + parts["data"])
    return pd.Series(out, index=ch.index, dtype=object)
