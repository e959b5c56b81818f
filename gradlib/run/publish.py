"""`gradlib publish RUN_FOLDER`: make a finished run the cohort's official result in the registry."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from .. import clock, formats
from ..errors import RegistryError
from ..params import load_params
from ..registry import Registry, RunRecord, default_user, published
from ..registry import publish as record
from ..sources import load_roster
from ..sources.schema import STUDENTS
from . import archive
from .verify import check_hashes

ROSTER_FIELDS = tuple(c.name for c in STUDENTS.columns)


def registry_of(run_dir: Path) -> Path:
    """The registry a run belongs to: `registry:` of the run's params (default registry.sqlite in output_dir)."""
    return load_params(Path(run_dir) / "inputs" / "params.yaml").registry


def check_run(run_dir: Path) -> dict:
    """The run's manifest, if the run succeeded and every file matches it; else RegistryError saying why."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RegistryError(f"运行文件夹不存在：{run_dir}")
    manifest = archive.read_manifest(run_dir)
    if manifest is None:
        raise RegistryError(f"{run_dir} 不是运行文件夹（没有 {archive.MANIFEST}）")
    if manifest.get("status") != "succeeded" or archive.read_status(run_dir) is None:
        raise RegistryError(f"运行 {run_dir.name} 未成功完成（状态：{manifest.get('status')}），不能发布")
    changed = check_hashes(run_dir, manifest)
    if changed:
        raise RegistryError(f"运行 {run_dir.name} 的文件与 manifest.json 不符，不能发布：\n  " + "\n  ".join(changed))
    return manifest


def graduates_of(run_dir: Path, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """decisions.csv of the run joined with the roster of its inputs/ (personal data, 证书编号)."""
    params = load_params(run_dir / "inputs" / "params.yaml")
    if decisions is None:
        decisions = pd.read_csv(run_dir / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roster = load_roster(params)
    fields = [c for c in ROSTER_FIELDS if c in roster]
    text = roster[fields].astype(object).where(roster[fields].notna(), "").astype(str)
    text["出生日期"] = roster["birth_date"].map(formats.iso).where(roster["birth_date"].notna(), text["出生日期"])
    text["record"] = [json.dumps(r, ensure_ascii=False) for r in text[fields].to_dict("records")]
    text["student_id"] = roster["学号"].astype(str)
    return decisions.merge(text, on="student_id", how="left", validate="one_to_one").fillna("")


def publish(run_dir, by: str | None = None, registry: Path | None = None):
    """Check the run, then record it and its students as the cohort's official result (one transaction)."""
    run_dir = Path(run_dir).resolve()
    manifest = check_run(run_dir)
    g = graduates_of(run_dir)
    run = RunRecord(cohort=int(manifest["cohort"]), kind=manifest.get("kind", "cohort"), run_id=manifest["run_id"],
                    folder=str(run_dir), manifest_sha256=archive.sha256(run_dir / archive.MANIFEST),
                    started=manifest["started"], finished=manifest.get("finished"),
                    version=manifest.get("version"), git_commit=manifest.get("git_commit"),
                    students=int(manifest.get("students") or len(g)), counts=manifest.get("counts") or {})
    with Registry(registry or registry_of(run_dir)) as reg:
        if run.kind == "followup":
            check_basis(reg, run, manifest)
        return record(reg, run, g, by or default_user())


def check_basis(reg: Registry, run: RunRecord, manifest: dict):
    """A follow-up run may be published only while the cohort result it followed is still the official one, and
    only once its day has come: the withheld it found past their deadline are abandoned for good."""
    day = manifest.get("as_of")
    if day and dt.date.fromisoformat(day) > clock.today():
        raise RegistryError(f"跟踪复核运行 {run.run_id} 的复核日期 {formats.cn_date(dt.date.fromisoformat(day))} 晚于今天"
                            f"（{formats.cn_date(clock.today())}），不能发布：发布后逾期的缓发学生视同放弃，不能撤回。"
                            "请在复核日期当天或之后重新运行 gradlib followup，再发布")
    current = published(reg, run.cohort, "cohort")
    follows = manifest.get("follows") or {}
    if current is not None and follows.get("publication") != current.publication:
        raise RegistryError(f"跟踪复核运行 {run.run_id} 依据的是运行 {follows.get('run_id')} 的发布结果，但本届的正式结果"
                            f"已改为运行 {current.run_id}（{formats.cn_datetime(current.recorded_at)}发布）：请重新运行 gradlib followup 后再发布")
