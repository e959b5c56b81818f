"""`gradlib verify RUN_FOLDER`: is an archived run still what it was, and does it still decide the same?

First every SHA-256 of the manifest is checked against the files; then the run is executed again from its
own inputs/ in a temporary folder, and decisions.csv (byte for byte) and every list (cell by cell) are
compared with the archive. A run made by another gradlib version is still re-executed; differences are then
reported with both versions named, since they may come from the change of version rather than the files.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import GradlibError
from ..log import progress
from ..outputs.compare import previous_run
from ..params import load_params
from . import archive
from .execute import cohort_job, execute

DECISIONS = "decisions.csv"


class VerifyFailed(GradlibError):
    """The folder cannot be verified at all (no manifest, not a finished run)."""
    exit_code = 2
    headline = "无法核验"


@dataclass
class Verdict:
    """What verification found: an empty list of differences means the archive holds."""
    run_dir: Path
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def report(self) -> str:
        """The verdict as Chinese lines: one line when it holds, then every difference."""
        if self.ok:
            head = f"核验通过：{self.run_dir.name} 的全部文件与 manifest.json 一致，重新运行得到相同的审核结论和名单。"
        else:
            head = f"核验未通过：{self.run_dir.name} 有 {len(self.differences)} 处不一致："
        return "\n".join([head] + [f"  - {d}" for d in self.differences] + [f"  （{n}）" for n in self.notes])


def check_hashes(run_dir: Path, manifest: dict) -> list[str]:
    """Files of the manifest that are missing or changed, and files the manifest does not know."""
    out, known = [], {archive.MANIFEST}
    for section, base in (("inputs", run_dir / "inputs"), ("outputs", run_dir)):
        for entry in manifest.get(section) or []:
            p = base / entry["path"]
            rel = p.relative_to(run_dir).as_posix()
            known.add(rel)
            if not p.is_file():
                out.append(f"{rel}：文件缺失")
            elif archive.sha256(p) != entry["sha256"]:
                out.append(f"{rel}：内容已被改动（SHA-256 与 manifest.json 不符）")
    for p in sorted(run_dir.rglob("*")):
        rel = p.relative_to(run_dir).as_posix()
        if p.is_file() and rel not in known:
            out.append(f"{rel}：manifest.json 中没有此文件（事后加入）")
    return out


def workbook_cells(path: Path) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of cell values."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


def compare_workbooks(a: Path, b: Path) -> str | None:
    """The first difference between two workbooks' cells (sheet, row), or None when they hold the same."""
    ca, cb = workbook_cells(a), workbook_cells(b)
    if list(ca) != list(cb):
        return f"工作表不同（{'、'.join(ca)} ≠ {'、'.join(cb)}）"
    for sheet in ca:
        ra, rb = ca[sheet], cb[sheet]
        for i in range(max(len(ra), len(rb))):
            if (ra[i] if i < len(ra) else None) != (rb[i] if i < len(rb) else None):
                return f"工作表“{sheet}”第 {i + 1} 行不同"
    return None


def _decisions(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("student_id")


def compare_decisions(a: Path, b: Path) -> list[str]:
    """Students and fields whose decision differs between two decisions.csv files."""
    if a.read_bytes() == b.read_bytes():
        return []
    da, db = _decisions(a), _decisions(b)
    out = [f"学号 {s}：重新运行时没有此学生" for s in da.index.difference(db.index)]
    out += [f"学号 {s}：存档中没有此学生" for s in db.index.difference(da.index)]
    both = da.index.intersection(db.index)
    for col in da.columns.intersection(db.columns):
        diff = both[(da.loc[both, col] != db.loc[both, col]).to_numpy()]
        out += [f"学号 {s} 的 {col}：存档为“{da.at[s, col]}”，重新运行为“{db.at[s, col]}”" for s in diff[:50]]
    return out or ["decisions.csv 的字节不同（内容相同，格式有变）"]


def compare_runs(archived: Path, again: Path) -> list[str]:
    """Differences between an archived run folder and its re-execution: decisions and every list."""
    out = [f"{DECISIONS}：{d}" for d in compare_decisions(archived / DECISIONS, again / DECISIONS)]
    lists_a = {p.relative_to(archived).as_posix() for p in archived.rglob("*.xlsx") if "inputs" not in p.parts}
    lists_b = {p.relative_to(again).as_posix() for p in again.rglob("*.xlsx") if "inputs" not in p.parts}
    out += [f"{n}：重新运行时未生成" for n in sorted(lists_a - lists_b)]
    out += [f"{n}：存档中没有" for n in sorted(lists_b - lists_a)]
    for n in sorted(lists_a & lists_b):
        d = compare_workbooks(archived / n, again / n)
        if d:
            out.append(f"{n}：{d}")
    return out


def verify(run_dir, rerun: bool = True) -> Verdict:
    """Check every hash of the manifest, then re-execute the run from its inputs/ and compare."""
    run_dir = Path(run_dir).resolve()
    manifest = archive.read_manifest(run_dir)
    if manifest is None:
        raise VerifyFailed(f"{run_dir} 中没有可读的 manifest.json，不是 gradlib 的运行文件夹")
    if manifest.get("status") != "succeeded":
        raise VerifyFailed(f"{run_dir.name} 是一次未完成的运行（状态：{manifest.get('status')}），没有可核验的结果")
    verdict = Verdict(run_dir, check_hashes(run_dir, manifest))
    made_by = manifest.get("version")
    if made_by != __version__:
        verdict.notes.append(f"该运行由 gradlib {made_by} 生成，当前为 {__version__}；如有不一致，可能源于版本不同")
    if not rerun:
        verdict.notes.append("未重新运行（--hashes-only）")
        return verdict
    progress("文件校验值已核对，正在用存档的输入重新运行…")
    with tempfile.TemporaryDirectory(prefix="gradlib-verify-") as tmp:
        params = load_params(run_dir / "inputs" / "params.yaml", output_dir=Path(tmp))
        if manifest.get("kind") == "followup":
            from .followup import archived_job

            job, before = archived_job(run_dir, params, manifest), None
        else:
            job, before = cohort_job(params), previous_run(run_dir)
        if before is not None:  # 与上次对比 compares with the same previous run
            shutil.copytree(before, job.root / before.name)
        again = execute(job)
        verdict.differences += compare_runs(run_dir, again)
        archive.make_writable(Path(tmp))
    return verdict
