"""Load one cohort: read every departmental file, validate it, and return typed tables.

Structural problems (data-contract.md) are collected over all files and raised together as
InputError before anything is written; per-student problems become data-problem rows.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from .. import findings as F
from ..findings import Findings, Kind
from ..params import Params, Source
from . import lockfiles, tables, waivers
from .grades import grades
from .photos import index_photos
from .reading import RawTable, one_read
from .schema import ADDRESSES, CURRICULUM, FEES, GRADES, INTERNSHIP, STUDENTS

NOTICE_KINDS = (Kind.STATUS_COLUMN_ABSENT, Kind.SUFFIX_MISMATCH, Kind.FILE_OPEN_ELSEWHERE)


@dataclass
class Cohort:
    """Every input of one cohort run, parsed and validated (not yet judged)."""
    params: Params
    students: pd.DataFrame
    curriculum: pd.DataFrame
    attempts: pd.DataFrame
    fees: pd.DataFrame
    internship: pd.DataFrame  # every row; the rules pick the one that counts
    addresses: pd.DataFrame
    photos: pd.DataFrame | None
    waivers: pd.DataFrame | None
    problems: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0  # time taken by load_cohort()

    @property
    def size(self) -> int:
        return len(self.students)

    @property
    def notices(self) -> list[str]:
        """Facts about the whole input that the run states once in its summary (e.g. no 学籍状态 column)."""
        p = self.problems
        if not len(p):
            return []
        return list(pd.unique(p.loc[p["kind"].isin(NOTICE_KINDS), "problem"]))


def _resolve(src: Source, key: str, params: Params) -> Path:
    """The file of a source; a default name that is absent may also be found as .xls or .csv."""
    path = src.path
    named = key in (params.raw.get("sources") or {})
    if path is not None and not path.exists() and not named and path.suffix:
        for ext in (".xlsx", ".xls", ".csv"):
            alt = path.with_suffix(ext)
            if alt.exists():
                return alt
    return path


def source_files(params: Params, keys) -> dict[str, Path]:
    """The file (or folder) of each named source as load_cohort finds it, in the order of keys."""
    files = {}
    for key in keys:
        if key == "waivers":
            files[key] = params.waivers
        elif key == "photos":
            files[key] = params.sources["photos"].path
        else:
            files[key] = _resolve(params.sources[key], key, params)
    return files


def _read_all(params: Params, found: Findings, say,
              absent_waivers_ok: bool) -> tuple[dict[str, RawTable | None], dict[str, Path]]:
    """Every source file as a RawTable (None when unreadable: its problems are in found)."""
    files: dict[str, Path] = {}
    raw: dict[str, RawTable | None] = {}
    for key, table, required in (("students", STUDENTS, None), ("curriculum", CURRICULUM, None),
                                 ("fees", FEES, None), ("internship", INTERNSHIP, None),
                                 ("grades", GRADES, ("学号",))):
        src = params.sources[key]
        files[key] = _resolve(src, key, params)
        say(f"正在读取{table.label}：{files[key].name}")
        raw[key] = tables.read_table(table, files[key], src.sheet, found, required)
    asrc = params.sources["addresses"]
    raw["addresses"] = None
    if asrc.path is not None:
        apath = _resolve(asrc, "addresses", params)
        if apath.exists() or "addresses" in (params.raw.get("sources") or {}):
            files["addresses"] = apath
            raw["addresses"] = tables.read_table(ADDRESSES, apath, asrc.sheet, found)
        else:
            found.note(Kind.ADDRESSES_MISSING, apath.name, "", [None], "", [""], "未提供邮寄地址表",
                       "班主任提交的邮寄地址表")
    psrc = params.sources["photos"]
    if psrc.path is not None:
        files["photos"] = psrc.path
        if psrc.path.is_file():
            found.stop(Kind.PHOTO_FOLDER_IS_FILE, psrc.name or str(psrc.path), "", None, "", str(psrc.path),
                       "照片应为一个文件夹，但这是一个文件", "存放电子照片（<身份证号>.jpg）的文件夹（如 照片/）")
        elif not psrc.path.is_dir():
            found.stop(Kind.PHOTO_FOLDER_MISSING, psrc.name or str(psrc.path), "", None, "", str(psrc.path),
                       "照片文件夹不存在", "存放电子照片（<身份证号>.jpg）的文件夹")
    raw["waivers"] = None
    if params.waivers is not None and not (absent_waivers_ok and waivers.blank(params.waivers)):
        files["waivers"] = params.waivers
        raw["waivers"] = waivers.read_log(params, found)
    for path in lockfiles.warn_open_files(files.values()):  # kept with the run, not only said on the console
        found.note(Kind.FILE_OPEN_ELSEWHERE, path.name, "", [None], "", [""],
                   f"读取时 {path.name} 正在被 Excel 或 WPS 打开：读入的是它最后一次保存的内容",
                   "在 Excel/WPS 中保存并关闭该文件后再运行")
    return raw, files


def load_cohort(params: Params, progress_to=None, absent_waivers_ok: bool = False) -> Cohort:
    """Read and validate every source of the cohort; raise InputError listing all structural problems.

    `progress_to` (e.g. gradlib.log.progress) is called with a short Chinese message before each file is read.
    `absent_waivers_ok`: a named waivers file that does not exist yet (or is empty) is no problem — the review
    panel creates it with the first waiver; for a run it is structural (rules.md).
    """
    say = progress_to or (lambda msg: None)
    t0 = time.perf_counter()
    found = Findings()
    with one_read():
        raw, files = _read_all(params, found, say, absent_waivers_ok)
        return _validate(params, raw, files, found, say, t0)


def _validate(params: Params, raw: dict, files: dict, found: Findings, say, t0: float) -> Cohort:
    """The tables of load_cohort from the files read (every workbook still open in one_read)."""
    if raw["students"] is not None:
        students = tables.students(raw["students"], found)
    else:  # still check 学号 (duplicates, blanks) so that one report lists every problem
        students = None
        partial = tables.read_table(STUDENTS, files["students"], params.sources["students"].sheet, Findings(),
                                    required=("学号",))
        if partial is not None:
            tables.students(partial, found)
    found.check()
    sids = pd.Index(students["学号"])
    say("正在校验成绩、缴费、实习、地址和照片")
    curriculum = tables.curriculum(raw["curriculum"], found)
    gsrc = params.sources["grades"]
    attempts = grades(raw["grades"], files["grades"], gsrc.sheet, students, curriculum, found)
    raw["grades"] = None  # the wide table's cells are in attempts now: let them go before the other tables
    found.check()
    fees = tables.fees(raw["fees"], sids, found)
    internship = tables.internship(raw["internship"], sids, found)
    addresses = tables.addresses(raw["addresses"], sids, found)
    psrc = params.sources["photos"]
    photos = index_photos(psrc.path, students, params.photo) if psrc.path is not None else None
    w = waivers.parse(raw["waivers"], sids, found, params.waiver_dates) if raw["waivers"] is not None else None
    return Cohort(params, students, curriculum, attempts, fees, internship, addresses, photos, w,
                  found.data, files, time.perf_counter() - t0)


def refresh_waivers(cohort: Cohort, wf: waivers.WaiverFile) -> Cohort:
    """A copy of the cohort whose waivers (and their data problems) are read again from the file."""
    if not wf.named or not wf.path.exists() or wf.path.suffix.lower() != ".csv":
        return cohort
    w, probs = waivers.read(wf.path, cohort.students, cohort.params.waiver_dates)
    old = cohort.problems
    kept = old[old["file"] != wf.path.name] if len(old) else old
    files = dict(cohort.files)
    files["waivers"] = wf.path
    return replace(cohort, waivers=w, problems=F.combine([kept, probs]), files=files)


def load_roster(params: Params) -> pd.DataFrame:
    """The roster (学籍库) alone, read and validated as in load_cohort (e.g. to publish a run's students)."""
    found = Findings()
    path = _resolve(params.sources["students"], "students", params)
    raw = tables.read_table(STUDENTS, path, params.sources["students"].sheet, found)
    students = tables.students(raw, found) if raw is not None else None
    found.check()
    return students
