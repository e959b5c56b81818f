"""`gradlib followup PARAMS.yaml`: the follow-up of a published cohort's withheld and deferred students (Art 15).

The students to follow are read from the registry once, before the run: the current records (after earlier
follow-ups) of the cohort's published result that are WITHHELD or DEFERRED. They are written into the run's
inputs/ as 跟踪对象.csv beside the copies of the departments' updated files, so the notebook (and a later
`gradlib verify`) decides from the archive alone. The run goes to <output_dir>/<cohort>-followup/<run-id>/,
apart from the cohort's runs (their 与上次对比 never compares with a follow-up).
"""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import clock
from ..errors import GradlibError
from ..formats import cn_date
from ..log import progress
from ..params import Params, load_params
from ..registry import Registry, current_graduates, published
from ..registry.db import registries_nearby
from ..rules import DECISION_COLUMNS, FollowUp, to_follow
from ..sources import load_cohort
from . import archive
from .execute import Job, execute, output_root

KIND = "followup"
FOLLOWED_FILE = "跟踪对象.csv"   # inputs/: the records followed, as the registry held them


class FollowupRefused(GradlibError):
    """The follow-up cannot be made (nothing published yet, nobody to follow, a followed student not on the roster)."""
    headline = "无法跟踪复核"


@dataclass
class Followed:
    """The students to follow (their current records) and the publication they come from."""
    records: pd.DataFrame   # student_id, outcome, reasons, waived, deadline
    follows: dict           # publication, run_id, recorded_at, recorded_by (+ the latest follow-up publication)


def as_of_date(value) -> dt.date:
    """--as-of as a date (today when blank); a clear problem when it is not a date."""
    if value in (None, ""):
        return clock.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        err = FollowupRefused(f"--as-of 的值“{value}”不是日期：应为 年-月-日，如 2028-06-21")
        err.exit_code = 2
        raise err from None


def _refuse_unpublished(params: Params, why: str):
    raise FollowupRefused(f"{params.cohort} 届尚未发布毕业审核结果（{why}），没有可跟踪复核的学生。"
                          "请先用 gradlib publish 发布本届的运行文件夹，再运行 gradlib followup。")


def from_registry(params: Params) -> Followed:
    """The WITHHELD and DEFERRED students of the cohort's published result, as the registry holds them now."""
    path = params.registry
    if path is None or not Path(path).is_file():
        near = registries_nearby(but=path)
        if near:  # published from a run made with another --output-dir (make demo: outputs/demo)
            raise FollowupRefused(f"登记库 {path} 不存在（登记库在运行的输出文件夹中）。找到的登记库：{'、'.join(map(str, near))}。"
                                  f"如本届是用 --output-dir {near[0].parent} 运行并发布的，跟踪复核也请加上 "
                                  f"--output-dir {near[0].parent}")
        _refuse_unpublished(params, f"登记库 {path} 不存在")
    with Registry(path, create=False) as reg:
        pub = published(reg, params.cohort, "cohort")
        if pub is None:
            _refuse_unpublished(params, f"登记库 {path} 中没有本届的发布记录")
        last = published(reg, params.cohort, KIND)
        current = current_graduates(reg, params.cohort)
    follows = {"publication": pub.publication, "run_id": pub.run_id, "recorded_at": pub.recorded_at,
               "recorded_by": pub.recorded_by, "followup_publication": last.publication if last else None,
               "followup_run_id": last.run_id if last else None}
    records = to_follow(current)[DECISION_COLUMNS].astype(object).where(lambda x: x.notna(), "").astype(str)
    return Followed(records.reset_index(drop=True), follows)


def read_followed(path: Path) -> pd.DataFrame:
    """跟踪对象.csv as written by the run (every value text)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_followed(params: Params, follows: dict | None = None) -> Followed:
    """In a run, the records archived beside the params copy; in an interactive session, the registry's."""
    archived = params.path.parent / FOLLOWED_FILE
    if archived.is_file():
        return Followed(read_followed(archived), dict(follows or {}))
    return from_registry(params)


def _job(params: Params, files: dict, followed: Followed, as_of: dt.date) -> Job:
    text = io.StringIO()
    followed.records[DECISION_COLUMNS].to_csv(text, index=False, lineterminator="\n")
    return Job(KIND, params, output_root(params, f"{params.cohort}-{KIND}"), dict(files),
               parameters={"as_of": as_of.isoformat(), "follows": followed.follows},
               extras={FOLLOWED_FILE: text.getvalue()},
               record={"as_of": as_of.isoformat(), "follows": followed.follows, "followed": len(followed.records)})


def followup_job(params: Params, as_of: dt.date) -> Job:
    """Find the students to follow, validate the updated files (before any folder exists) and make the job."""
    followed = from_registry(params)
    if not len(followed.records):
        raise FollowupRefused(f"{params.cohort} 届已发布的结果中没有缓发毕业证书或暂缓领取的学生，无需跟踪复核")
    progress(f"已从登记库读取 {len(followed.records)} 名待跟踪复核的学生（依据运行 {followed.follows['run_id']}）")
    held = followed.records[followed.records["outcome"] == "WITHHELD"]
    if (held["deadline"] != params.withheld_deadline.isoformat()).any():
        progress(f"注意：登记库中部分缓发学生的截止日期与参数 makeup_results_published 推算的 "
                 f"{params.withheld_deadline.isoformat()} 不同；本次跟踪复核按参数文件的日期判断是否逾期")
    cohort = load_cohort(params, progress_to=progress)
    missing = sorted(set(followed.records["student_id"]) - set(cohort.students["学号"].astype(str)))
    if missing:
        err = FollowupRefused(f"学籍库中没有 {len(missing)} 名待跟踪复核的学生（学号 {'、'.join(missing[:20])}"
                              f"{'…' if len(missing) > 20 else ''}）：跟踪复核须使用本届完整的学籍库")
        err.exit_code = 2
        raise err
    progress(f"数据已读取并校验：{cohort.size} 名学生")
    return _job(params, cohort.files, followed, as_of)


def archived_job(run_dir: Path, params: Params, manifest: dict) -> Job:
    """The job of an archived follow-up run, made again from its inputs/ (gradlib verify)."""
    records = read_followed(Path(run_dir) / "inputs" / FOLLOWED_FILE)
    cohort = load_cohort(params, progress_to=progress)
    return _job(params, cohort.files, Followed(records, manifest.get("follows") or {}),
                as_of_date(manifest.get("as_of")))


def write_status(run_dir, fu: FollowUp) -> dict:
    """The follow-up notebook's last cell: gradlib's record that every step finished (counts of the followed)."""
    d = fu.decisions
    r = d.reasons[d.reasons["waived"]]
    sid = d.table["student_id"].to_numpy()
    followed = set(fu.table["student_id"])
    applied = [{"student_id": str(sid[i]), "reason": c, "approver": str(a), "date": str(t)}
               for i, c, a, t in zip(r["idx"], r["code"], r["批准人"], r["日期"]) if str(sid[i]) in followed]
    status = {"status": "succeeded", "students": len(fu.table),
              "counts": {k: int(v) for k, v in fu.counts().items()},
              "timings": {"load_seconds": round(d.cohort.seconds, 3), "decide_seconds": round(d.seconds, 3)},
              "waivers_applied": applied}
    (Path(run_dir) / archive.STATUS_FILE).write_text(json.dumps(status, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
    return status


def run_followup(params_path, output_dir=None, as_of=None, timeout: int | None = None) -> Path:
    """Run the follow-up of one cohort: find whom to follow, execute followup.ipynb, archive. Returns the folder."""
    day = as_of_date(as_of)
    params = load_params(params_path, output_dir)
    progress(f"参数已读取：{params.cohort} 届，跟踪复核日期 {cn_date(day)}")
    if day > clock.today():
        progress(f"注意：跟踪复核日期 {cn_date(day)} 晚于今天（{cn_date(clock.today())}）：本次结果仅供预览，不能发布")
    return execute(followup_job(params, day), timeout)
