"""Published cohorts: runs, publications, and the graduates' records with their history."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from ..errors import RegistryError
from ..formats import cn_datetime
from .db import Registry, now

# roster columns kept as typed columns of `graduates` (the whole roster row is kept as JSON too)
ROSTER_COLUMNS = {"姓名": "name", "性别": "sex", "出生日期": "birth_date", "身份证号": "id_number",
                  "专业": "major", "班级": "class", "证书编号": "diploma_number"}
DECISION_COLUMNS = ("student_id", "outcome", "reasons", "waived", "deadline")


@dataclass(frozen=True)
class RunRecord:
    """What the registry keeps of a run folder (from its manifest)."""
    cohort: int
    kind: str
    run_id: str
    folder: str
    manifest_sha256: str
    started: str
    finished: str | None
    version: str | None
    git_commit: str | None
    students: int
    counts: dict


@dataclass(frozen=True)
class Published:
    publication: int
    run_id: str
    cohort: int
    kind: str
    folder: str
    started: str
    recorded_by: str
    recorded_at: str
    students: int
    counts: dict
    superseded: int | None  # the publication this one superseded


def published(reg: Registry, cohort: int, kind: str = "cohort") -> Published | None:
    """The cohort's current publication of that kind (the newest), or None."""
    row = reg.one("""SELECT p.id, r.run_id, p.cohort, p.kind, r.folder, r.started, p.recorded_by, p.recorded_at,
                            r.students, r.counts, p.supersedes
                     FROM publications p JOIN runs r ON r.id = p.run
                     WHERE p.cohort = ? AND p.kind = ? ORDER BY p.id DESC LIMIT 1""", (cohort, kind))
    if row is None:
        return None
    return Published(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                     json.loads(row[9] or "{}"), row[10])


def publications(reg: Registry, cohort: int | None = None) -> list[Published]:
    """Every publication (of one cohort or all), oldest first: the history of what was official when."""
    rows = reg.read("""SELECT p.id, r.run_id, p.cohort, p.kind, r.folder, r.started, p.recorded_by, p.recorded_at,
                              r.students, r.counts, p.supersedes
                       FROM publications p JOIN runs r ON r.id = p.run
                       WHERE ? IS NULL OR p.cohort = ? ORDER BY p.id""", (cohort, cohort))
    return [Published(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9] or "{}"), r[10])
            for r in rows]


def publish(reg: Registry, run: RunRecord, graduates: pd.DataFrame, by: str) -> Published:
    """Make a run the cohort's official result, in one transaction.

    `graduates`: one row per student of the run (decisions columns + roster columns in Chinese, + ``record``
    JSON). A cohort run publishes every student of the roster; a follow-up run the students it re-decided,
    each record superseding the student's current one. Refuses a run older than the published one.
    """
    with reg.write() as db:
        current = published(reg, run.cohort, "cohort")
        if run.kind == "followup" and current is None:
            raise RegistryError(f"{run.cohort} 届尚未发布毕业审核结果，不能发布跟踪复核结果")
        latest = published(reg, run.cohort, run.kind)
        if latest is not None:
            if latest.run_id == run.run_id:
                raise RegistryError(f"运行 {run.run_id} 已于 {cn_datetime(latest.recorded_at)} 由 {latest.recorded_by} 发布，无需重复发布")
            if (latest.started, latest.run_id) > (run.started, run.run_id):
                raise RegistryError(f"运行 {run.run_id}（{run.started}）早于已发布的运行 {latest.run_id}"
                                    f"（{latest.started}），不能用较早的运行取代较新的结果")
        at = now()
        row = db.execute("SELECT id FROM runs WHERE cohort = ? AND kind = ? AND run_id = ?",
                         (run.cohort, run.kind, run.run_id)).fetchone()
        if row is None:
            run_pk = db.execute(
                "INSERT INTO runs (cohort, kind, run_id, folder, manifest_sha256, started, finished, version, "
                "git_commit, students, counts) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (run.cohort, run.kind, run.run_id, run.folder, run.manifest_sha256, run.started, run.finished,
                 run.version, run.git_commit, run.students, json.dumps(run.counts, ensure_ascii=False))).lastrowid
        else:
            run_pk = row[0]
        pub = db.execute("INSERT INTO publications (run, cohort, kind, supersedes, recorded_by, recorded_at) "
                         "VALUES (?,?,?,?,?,?)", (run_pk, run.cohort, run.kind,
                                                  latest.publication if latest else None, by, at)).lastrowid
        _insert_graduates(db, run.cohort, pub, graduates, by, at)
    return published(reg, run.cohort, run.kind)


def _insert_graduates(db, cohort: int, pub: int, g: pd.DataFrame, by: str, at: str):
    prev = dict(db.execute("SELECT student_id, MAX(id) FROM graduates WHERE cohort = ? GROUP BY student_id",
                           (cohort,)).fetchall())
    cols = {zh: (g[zh] if zh in g else pd.Series("", index=g.index)) for zh in ROSTER_COLUMNS}
    rows = []
    for i, sid in enumerate(g["student_id"]):
        roster = tuple(_text(cols[zh].iat[i]) for zh in ROSTER_COLUMNS)
        rows.append((cohort, sid, pub, *roster, g["outcome"].iat[i], _text(g["reasons"].iat[i]),
                     _text(g["waived"].iat[i]), _text(g["deadline"].iat[i]) or None,
                     g["record"].iat[i] if "record" in g else "{}", prev.get(sid), by, at))
    db.executemany(
        "INSERT INTO graduates (cohort, student_id, publication, name, sex, birth_date, id_number, major, class, "
        "diploma_number, outcome, reasons, waived, deadline, record, supersedes, recorded_by, recorded_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def current_graduates(reg: Registry, cohort: int) -> pd.DataFrame:
    """Each student's current record of the cohort (the newest row per 学号), sorted by 学号."""
    rows = reg.read("""SELECT g.* FROM graduates g
                       JOIN (SELECT student_id, MAX(id) AS id FROM graduates WHERE cohort = ? GROUP BY student_id) c
                       ON c.id = g.id ORDER BY g.student_id""", (cohort,))
    cols = [d[0] for d in reg.db.execute("SELECT * FROM graduates LIMIT 0").description]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols, dtype=object)


def history(reg: Registry, student_id: str, cohort: int | None = None) -> list[dict]:
    """Every record of a student, oldest first, with the run and publication each came from."""
    rows = reg.read("""SELECT g.*, r.run_id, r.kind AS run_kind FROM graduates g
                       JOIN publications p ON p.id = g.publication JOIN runs r ON r.id = p.run
                       WHERE g.student_id = ? AND (? IS NULL OR g.cohort = ?) ORDER BY g.id""",
                    (student_id, cohort, cohort))
    return [dict(r) for r in rows]
