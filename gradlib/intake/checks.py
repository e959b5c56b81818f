"""The Art 1 checks of a new intake: read the new students' table, check every field, list problems per class.

The ID and photo checks are the cohort rules' own (gradlib.rules.eligibility), run over the intake table;
the reader's data problems (temporary IDs, bad dates …) are listed as in a cohort run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..findings import Findings, Kind
from ..formats import iso
from ..outputs.listing import class_key
from ..reasons import INTAKE_CHECK_BY_CODE
from ..rules.eligibility import id_rules, photo_rules, records
from ..sources import tables
from ..sources.photos import index_photos
from ..sources.schema import STUDENTS
from ..sources.values import nfkc
from .params import IntakeParams

# Art 1's fields (and 班级, which the class roster needs)
ART1_FIELDS = ("中考报名序号", "身份证号", "姓名", "性别", "出生日期", "政治面貌", "民族", "专业", "籍贯", "家庭地址", "班级")
READ_REQUIRED = STUDENTS.required + ("中考报名序号",)
# the roster columns kept for each student (the data contract's order)
ROSTER_COLUMNS = tuple(c.name for c in STUDENTS.columns)
PROBLEM_COLUMNS = ["班级", "学号", "姓名", "检查项", "问题说明", "条款"]


@dataclass
class Intake:
    """A new intake, read and checked: the students, the problems per student, and the reader's problems."""
    params: IntakeParams
    students: pd.DataFrame          # the roster columns (text), one row per student, in file order
    problems: pd.DataFrame          # PROBLEM_COLUMNS, one row per (student, check)
    data_problems: pd.DataFrame     # findings.COLUMNS (as a cohort run lists them)
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.students)

    def classes(self) -> pd.DataFrame:
        """Per class: students, students with problems, problems (natural order of class names)."""
        s = self.students.groupby("班级", sort=False).size().rename("人数")
        p = self.problems.groupby("班级", sort=False)
        out = pd.DataFrame({"人数": s, "有问题的学生": p["学号"].nunique(), "问题数": p.size()}).fillna(0)
        out = out.astype(int).reset_index().rename(columns={"index": "班级"})
        return out.sort_values("班级", key=class_key, kind="mergesort").reset_index(drop=True)


def read_intake(params: IntakeParams, say=None) -> tuple[pd.DataFrame, Findings, dict[str, Path]]:
    """The new students' table parsed like a cohort roster; structural problems raise InputError."""
    say = say or (lambda msg: None)
    found = Findings()
    src = params.sources["students"]
    say(f"正在读取新生名单：{src.path.name}")
    raw = tables.read_table(STUDENTS, src.path, src.sheet, found, READ_REQUIRED)
    students = tables.students(raw, found) if raw is not None else None
    files = {"students": src.path}
    photos = params.sources["photos"].path
    if photos is not None:
        files["photos"] = photos
        if not photos.is_dir():
            found.stop(Kind.PHOTO_FOLDER_MISSING, params.sources["photos"].name, "", None, "", str(photos),
                       "照片文件夹不存在", "存放电子照片（<身份证号>.jpg）的文件夹（或在参数中写 photos: null）")
    found.check()
    return students, found, files


def check_intake(params: IntakeParams, enrolled: pd.DataFrame | None = None, say=None) -> Intake:
    """Read the intake and run every Art 1 check; `enrolled`: the registry's current students (may be None)."""
    students, found, files = read_intake(params, say)
    s = students
    photos = None
    if "photos" in files:
        photos = index_photos(files["photos"], s, params.photo)
    view = SimpleNamespace(students=s, photos=photos)
    parts = [*_field_checks(s), *id_rules(view, None), *_exam_checks(s, params),
             *photo_rules(view, None), *_enrolled_checks(s, params, enrolled)]
    recs = pd.concat([p for p in parts if len(p)] or [records([], "FIELD_MISSING", "")], ignore_index=True)
    recs = recs.sort_values(["idx"], kind="mergesort")
    i = recs["idx"].to_numpy(dtype=np.int64)
    problems = pd.DataFrame({
        "班级": s["班级"].to_numpy(dtype=object)[i], "学号": s["学号"].to_numpy(dtype=object)[i],
        "姓名": s["姓名"].to_numpy(dtype=object)[i],
        "检查项": [INTAKE_CHECK_BY_CODE[c].label for c in recs["code"]],
        "问题说明": recs["evidence"].astype(str).to_numpy(),
        "条款": [INTAKE_CHECK_BY_CODE[c].article for c in recs["code"]]})
    problems.insert(0, "code", recs["code"].to_numpy())
    roster = s[list(ROSTER_COLUMNS)].astype(str).reset_index(drop=True)
    roster["出生日期"] = s["birth_date"].map(iso).where(s["birth_date"].notna(), roster["出生日期"]).to_numpy()
    data = found.data
    data = data[data["kind"] != Kind.STATUS_COLUMN_ABSENT].reset_index(drop=True)  # an intake is 在籍 by default
    return Intake(params, roster, problems.reset_index(drop=True), data, files)


def _field_checks(s: pd.DataFrame) -> list[pd.DataFrame]:
    """FIELD_MISSING (an Art 1 field blank) and FIELD_INVALID (性别 not 男/女, 出生日期 not a date)."""
    blank = {c: (s[c].astype(str).str.strip() == "").to_numpy() for c in ART1_FIELDS}
    missing = np.logical_or.reduce(list(blank.values()))
    sex = s["性别"].astype(str)
    sex_bad = ((sex != "") & ~sex.isin(("男", "女"))).to_numpy()
    birth_bad = s["birth_bad"].to_numpy(bool)

    def missing_ev(idx):
        parts = [np.where(blank[c][idx], c + "、", "") for c in ART1_FIELDS]
        return pd.Series(np.sum(np.vstack(parts).astype(object), axis=0)).str.rstrip("、") + " 为空"

    def invalid_ev(idx):
        a = np.where(sex_bad[idx], "性别“" + sex.to_numpy(dtype=object)[idx].astype(str) + "”不是男/女；", "")
        b = np.where(birth_bad[idx], "出生日期“" + s["出生日期"].astype(str).to_numpy()[idx] + "”不是日期；", "")
        return pd.Series(a.astype(object) + b.astype(object)).str.rstrip("；")

    return [records(missing, "FIELD_MISSING", missing_ev), records(sex_bad | birth_bad, "FIELD_INVALID", invalid_ev)]


def _exam_checks(s: pd.DataFrame, params: IntakeParams) -> list[pd.DataFrame]:
    """EXAM_NUMBER_INVALID (not the params' format) and EXAM_NUMBER_DUPLICATE (within the intake)."""
    n = nfkc(s["中考报名序号"].astype(str))
    given = (n != "").to_numpy()
    ok = n.map(lambda v: params.exam_number.fullmatch(v) is not None).to_numpy(bool)
    dup = given & n.where(given).duplicated(keep=False).to_numpy()
    sids = s["学号"].astype(str)
    groups = pd.Series(sids.to_numpy()[dup]).groupby(n.to_numpy()[dup]).agg(lambda x: "、".join(sorted(x)))

    def dup_ev(idx):
        v = n.to_numpy(dtype=object)[idx]
        return "中考报名序号“" + pd.Series(v) + "”同时出现在学号 " + pd.Series(v).map(groups) + " 上"

    return [records(given & ~ok, "EXAM_NUMBER_INVALID",
                    lambda idx: "中考报名序号“" + n.to_numpy(dtype=object)[idx] + "”不符合参数文件 exam_number 规定的格式（"
                    + params.exam_number.pattern + "）"),
            records(dup, "EXAM_NUMBER_DUPLICATE", dup_ev)]


def _enrolled_checks(s: pd.DataFrame, params: IntakeParams, enrolled: pd.DataFrame | None) -> list[pd.DataFrame]:
    """ALREADY_ENROLLED: the same 身份证号 or 中考报名序号 on another 学号 in the registry, or the same 学号 enrolled
    with another intake year (a student already enrolled with this intake is the same student, checked again)."""
    if enrolled is None or not len(enrolled):
        return []
    e = enrolled
    same_intake = e["intake_year"].astype(int) == params.intake_year
    by_sid = dict(zip(e.loc[~same_intake, "student_id"], e.loc[~same_intake, "intake_year"]))
    texts = []
    for col, key, label in (("身份证号", "id_number", "身份证号"), ("中考报名序号", "exam_number", "中考报名序号")):
        known = e[e[key].astype(str) != ""].groupby(key)["student_id"].agg(lambda x: "、".join(sorted(set(x))))
        mine = s[col].astype(str)
        hit = mine.map(known).fillna("")
        other = [h != "" and h != sid for h, sid in zip(hit, s["学号"].astype(str))]
        texts.append(np.where(other, label + "“" + mine + "”已登记在学号 " + hit + " 上；", ""))
    sid_hit = s["学号"].astype(str).map(by_sid)
    texts.append(np.where(sid_hit.notna(), "学号已在 " + sid_hit.fillna(0).astype(int).astype(str) + " 级在册；", ""))
    ev = pd.Series(np.sum(np.vstack(texts).astype(object), axis=0)).str.rstrip("；")
    return [records((ev != "").to_numpy(), "ALREADY_ENROLLED", lambda idx: ev.to_numpy()[idx])]
