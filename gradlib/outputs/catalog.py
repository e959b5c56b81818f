"""The year's official lists, declared once (outputs.md): file, privacy level, articles and writer.

``write_outputs`` loops over ``LISTS``; a list's privacy is this one fact: an internal list's file name
ends in （内部） and its book prints 内部资料 请勿外传 on every page, because its level says so.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..rules import Decisions
from . import database, followup, internal, parallel, public, results
from .internship import write_internship
from .workbook import INTERNAL_SUFFIX, Book

# privacy levels (Art 4), as the README and docs name them
LEVELS = {"public": "公开（可张贴）", "report": "统计（仅人数）", "internal": "内部"}


@dataclass(frozen=True)
class OfficialList:
    """One official list: where it is written, who may see it, which articles it serves, who writes it."""
    key: str
    file: str        # inside the run folder; {part} is a class (packets) or a file number (database)
    level: str       # public | report | internal
    articles: str
    content: str     # what it holds, in a line
    writer: Callable[[Decisions, Path, OfficialList], list[Path]]
    part: str = ""   # what {part} stands for, as people are told (README, docs)
    kind: str = "cohort"  # the run that writes it: cohort (gradlib run) | followup (gradlib followup)

    @property
    def internal(self) -> bool:
        return self.level == "internal"

    @property
    def file_stem(self) -> str:
        """The file name without folder and extension (with （内部） for an internal list)."""
        return Path(self.file.replace("{part}", "")).stem

    @property
    def name(self) -> str:
        """The list's name for titles: the file stem without （内部）."""
        return self.file_stem.removesuffix(INTERNAL_SUFFIX)

    @property
    def shown(self) -> str:
        """The file as people are told about it: 班主任通知/<班级>（内部）.xlsx."""
        return self.file.replace("{part}", self.part)

    def path(self, run_dir: Path, part: str = "") -> Path:
        """The file of this list (one part of it) in run_dir; its folder is created."""
        path = Path(run_dir) / self.file.replace("{part}", part)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def split(self) -> bool:
        """Written in shards by several processes: a list of many files (one per class, or numbered)."""
        return "{part}" in self.file

    def book(self, run_dir: Path, part: str = "", in_memory: bool = False) -> Book:
        """A print-ready workbook for this list, internal when its level is."""
        return Book(self.path(run_dir, part), internal=self.internal, in_memory=in_memory)


LISTS: tuple[OfficialList, ...] = (
    OfficialList("results", "毕业审核结果（内部）.xlsx", "internal", "第十五条、第十六条",
                 "汇总与图表；按结论分表列出每名学生的原因、证据、需办理事项、豁免；与上次对比；豁免记录",
                 results.write_results),
    OfficialList("collect", "可领取毕业证名单.xlsx", "public", "第十七条",
                 "可领取的学生，标题含领取时间", public.write_collect),
    OfficialList("deferred", "暂缓领取毕业证名单.xlsx", "public", "第十七条",
                 "暂缓领取与缓发的学生，简短的公开说明和截止日期", public.write_deferred),
    OfficialList("roster", "毕业证及报到证领取花名册（内部）.xlsx", "internal", "第十六条",
                 "可领取的学生，每班一个工作表，领取人签名、领取日期两栏留空", internal.write_roster),
    OfficialList("packets", "班主任通知/{part}（内部）.xlsx", "internal", "第十七条",
                 "每班一个文件：每名学生的结论、需办理事项和期限、邮寄地址", internal.write_packets, "<班级>"),
    OfficialList("mailing", "毕业证邮寄清单（内部）.xlsx", "internal", "第十八条",
                 "按省份、城市分组的邮寄清单；无邮寄地址的学生另列一表", internal.write_mailing),
    OfficialList("internship", "顶岗实习情况统计.xlsx", "report", "第九条",
                 "按专业、班级统计审批表、实习报告、考核、逾期和无记录人数，附图", write_internship),
    OfficialList("database", "毕业生信息库（内部）{part}.xlsx", "internal", "第六条、第十条",
                 "可领取与暂缓领取的毕业生全部学籍信息，每表不超过 2,000 行、每文件不超过 3 表（超过 6,000 人时分为 -1、-2… 多个文件）",
                 database.write_database),
    OfficialList("problems", "数据问题清单（内部）.xlsx", "internal", "第一条至第八条",
                 "全部数据问题：文件、行号、列、值、应为", internal.write_problems),
)
# the follow-up's lists (gradlib followup, Art 15): their writers take a FollowUp instead of Decisions
FOLLOWUP_LISTS: tuple[OfficialList, ...] = (
    OfficialList("followup_results", "跟踪复核结果（内部）.xlsx", "internal", "第十五条",
                 "跟踪复核前后各结论人数；每名被跟踪学生的原结论、原原因、现结论、现原因、截止日期",
                 followup.write_followup_results, kind="followup"),
    OfficialList("reissue", "补发毕业证名单.xlsx", "public", "第十五条、第十七条",
                 "经跟踪复核现可领取的学生，可领取的证书和领取时间", followup.write_reissue, kind="followup"),
    OfficialList("abandoned", "视同放弃名单（内部）.xlsx", "internal", "第十五条",
                 "缓发期满仍未认定、视同放弃的学生：学号、姓名、班级、专业、原缓发原因、截止日期",
                 followup.write_abandoned, kind="followup"),
)
LISTS_OF_KIND = {"cohort": LISTS, "followup": FOLLOWUP_LISTS}
LIST_BY_KEY = {x.key: x for x in LISTS + FOLLOWUP_LISTS}


def write_decisions(d: Decisions, run_dir) -> Path:
    """Write decisions.csv (UTF-8 with BOM so Excel opens it correctly) into the run folder."""
    path = Path(run_dir) / "decisions.csv"
    d.decisions_csv().to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def write_lists(d: Decisions, run_dir, workers: int | None = None) -> list[Path]:
    """Write every official list into run_dir (decisions.csv excluded) and return their paths, in LISTS order.

    The workbooks are written by `workers` processes (default: GRADLIB_WORKERS, else one per core); a list of
    many files (packets, numbered database files) is split into shards, each file written by exactly one of them.
    """
    run_dir = Path(run_dir)
    n = parallel.workers(workers)
    shards = {spec.key: (2 * n if spec.split and n > 1 else 1) for spec in LISTS}
    tasks = [(spec.key, i, shards[spec.key]) for spec in LISTS for i in range(shards[spec.key])]
    with internal.grouped(d):
        done = parallel.run(_write_task, tasks, d, run_dir, n, internal.keep_groups)
    out = []
    for spec in LISTS:
        parts = [done[t] for t in tasks if t[0] == spec.key]
        out += [p for row in itertools.zip_longest(*parts) for p in row if p is not None]  # back in class order
    return out


def _write_task(d: Decisions, run_dir: Path, key: str, i: int, k: int) -> list[Path]:
    spec = LIST_BY_KEY[key]
    with parallel.no_gc_passes():
        return spec.writer(d, run_dir, spec, shard=(i, k)) if spec.split else spec.writer(d, run_dir, spec)


def write_outputs(d: Decisions, run_dir) -> list[Path]:
    """Write decisions.csv and every list into run_dir and return their paths (nothing when run_dir is empty)."""
    if not run_dir:
        return []
    return [write_decisions(d, run_dir)] + write_lists(d, run_dir)


def write_followup_outputs(fu, run_dir) -> list[Path]:
    """Write the follow-up's decisions.csv and its lists into run_dir (nothing when run_dir is empty)."""
    if not run_dir:
        return []
    run_dir = Path(run_dir)
    return [followup.write_followup_decisions(fu, run_dir)] + [p for spec in FOLLOWUP_LISTS
                                                               for p in spec.writer(fu, run_dir, spec)]
