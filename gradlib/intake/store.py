"""What the registry keeps of an intake: enrolled students (versioned rows), class reviews and corrections.

Every row is appended; a correction writes a new ``enrolled`` row that supersedes the old one and a
``corrections`` row with the old and the new value, who, when and why — both in one transaction.
"""
from __future__ import annotations

import json
import sqlite3

import pandas as pd

from ..errors import RegistryError
from ..reasons import REVIEW_STAGES
from ..registry import Registry, now
from ..sources.schema import MAINLAND_ID_TYPES
from ..sources.values import id_check_digit_ok, parse_dates, temporary_id

ENROLLED_COLUMNS = ["id", "cohort", "intake_year", "student_id", "class", "id_number", "exam_number", "record",
                    "run_id", "supersedes", "recorded_by", "recorded_at"]
# the fields a correction may change (the roster's Art 1 data and the class)
CORRECTABLE = ("姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "籍贯", "家庭地址", "中考报名序号", "专业", "班级",
               "班主任", "入学年份", "证件类型", "联系电话")


def current_enrolled(reg: Registry, cohort: int | None = None) -> pd.DataFrame:
    """Each student's current enrolled row (the newest per 学号), of one cohort or all, sorted by 学号."""
    rows = reg.read("""SELECT e.* FROM enrolled e
                       JOIN (SELECT student_id, MAX(id) AS id FROM enrolled GROUP BY student_id) c ON c.id = e.id
                       WHERE ? IS NULL OR e.cohort = ? ORDER BY e.student_id""", (cohort, cohort))
    return pd.DataFrame([tuple(r) for r in rows], columns=ENROLLED_COLUMNS, dtype=object)


def records_of(enrolled: pd.DataFrame) -> pd.DataFrame:
    """The roster rows (Chinese columns) of enrolled rows, in their order."""
    return pd.DataFrame([json.loads(r) for r in enrolled["record"]], dtype=object).fillna("")


def enrol(reg: Registry, cohort: int, intake_year: int, students: pd.DataFrame, run_id: str, by: str) -> tuple[int, int]:
    """Record an intake's students as enrolled, in one transaction: a new student gets a row; a student already
    enrolled with this intake is left as the registry has it (corrections are made with `correct`).
    Returns (added, already enrolled)."""
    with reg.write() as db:
        have = {r[0]: r[1] for r in db.execute("SELECT student_id, intake_year FROM enrolled")}
        at, added, kept = now(), [], 0
        for rec in students.astype(str).to_dict("records"):
            sid = rec["学号"]
            if sid in have:
                if int(have[sid]) != intake_year:
                    raise RegistryError(f"学号 {sid} 已在 {have[sid]} 级在册，不能再登记为 {intake_year} 级新生")
                kept += 1
                continue
            added.append((cohort, intake_year, sid, rec.get("班级", ""), rec.get("身份证号", ""),
                          rec.get("中考报名序号", ""), json.dumps(rec, ensure_ascii=False), run_id, None, by, at))
        db.executemany("INSERT INTO enrolled (cohort, intake_year, student_id, class, id_number, exam_number, record, "
                       "run_id, supersedes, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", added)
    return len(added), kept


def student(reg: Registry, student_id: str) -> sqlite3.Row:
    """The student's current enrolled row; a clear error when the registry has no such student."""
    row = reg.one("SELECT * FROM enrolled WHERE student_id = ? ORDER BY id DESC LIMIT 1", (student_id,))
    if row is None:
        raise RegistryError(f"登记库中没有学号为 {student_id} 的在册学生（请先用 gradlib enrol 登记新生）")
    return row



def _checked(column: str, value: str, record: dict) -> str:
    """The corrected value, as the roster's checks would take it; a clear error for one they would reject
    (a correction typed with a wrong check digit would otherwise only show at the graduation run)."""
    if column == "身份证号" and str(record.get("证件类型", "")).strip() in MAINLAND_ID_TYPES:
        v = pd.Series([value.upper()], dtype=object)
        if not temporary_id(v).iat[0] and not id_check_digit_ok(v).iat[0]:
            raise RegistryError(f"身份证号“{value}”无效：应为 17 位数字加 1 位数字或 X，且末位校验位正确"
                                "（GB 11643-1999）；如证件不是居民身份证，请先更正证件类型")
        return value.upper()
    if column == "证件类型" and value in MAINLAND_ID_TYPES:
        _checked("身份证号", str(record.get("身份证号", "")), {"证件类型": value})
    if column == "性别" and value not in ("男", "女"):
        raise RegistryError(f"性别“{value}”无效：应为“男”或“女”")
    if column == "出生日期":
        dates, bad = parse_dates(pd.Series([value], dtype=object))
        if bad.iat[0] or dates.isna().iat[0]:
            raise RegistryError(f"出生日期“{value}”不是日期：应如 2009-03-15 或 2009年3月15日")
    if column in ("姓名", "专业", "班级") and not value:
        raise RegistryError(f"{column}不能更正为空")
    return value


def _new_version(db, row, record: dict, by: str, at: str) -> int:
    return db.execute(
        "INSERT INTO enrolled (cohort, intake_year, student_id, class, id_number, exam_number, record, run_id, "
        "supersedes, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (row["cohort"], row["intake_year"], row["student_id"], record.get("班级", ""), record.get("身份证号", ""),
         record.get("中考报名序号", ""), json.dumps(record, ensure_ascii=False), row["run_id"], row["id"], by,
         at)).lastrowid


def correct(reg: Registry, student_id: str, column: str, value: str, why: str, by: str) -> dict:
    """Correct one field of a student's record (as marked on the signed roster): a new enrolled row and the
    correction's history (old value, new value, who, when, why), in one transaction. Returns the history row."""
    if column not in CORRECTABLE:
        raise RegistryError(f"字段“{column}”不能更正（可更正：{'、'.join(CORRECTABLE)}）")
    if not why.strip():
        raise RegistryError("更正须写明原因（如：学生在花名册上签字更正）")
    value = value.strip()
    with reg.write() as db:
        row = student(reg, student_id)
        record = json.loads(row["record"])
        value = _checked(column, value, record)
        old = str(record.get(column, ""))
        if old == value:
            raise RegistryError(f"学号 {student_id} 的{column}已是“{value}”，无需更正")
        record[column] = value
        at = now()
        new = _new_version(db, row, record, by, at)
        db.execute("INSERT INTO corrections (cohort, student_id, field, old_value, new_value, why, enrolled, "
                   "recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   (row["cohort"], student_id, column, old, value, why.strip(), new, by, at))
    return {"学号": student_id, "字段": column, "原值": old, "新值": value, "原因": why.strip(), "更正人": by,
            "更正时间": at}


def corrections(reg: Registry, student_id: str | None = None, cohort: int | None = None) -> pd.DataFrame:
    """The corrections made (of one student or one cohort), oldest first, with Chinese headers."""
    rows = reg.read("""SELECT student_id, field, old_value, new_value, why, recorded_by, recorded_at FROM corrections
                       WHERE (? IS NULL OR student_id = ?) AND (? IS NULL OR cohort = ?) ORDER BY id""",
                    (student_id, student_id, cohort, cohort))
    return pd.DataFrame([tuple(r) for r in rows], columns=["学号", "字段", "原值", "新值", "原因", "更正人", "更正时间"],
                        dtype=object)


def review(reg: Registry, cohort: int, class_name: str, stage: str, reviewer: str, day: str, by: str,
           note: str = "") -> None:
    """Record a class roster's first (班主任初审) or second (学籍管理部门复审) review; the second needs the first."""
    if stage not in REVIEW_STAGES:
        raise RegistryError(f"审核环节“{stage}”无效（可选：first 即班主任初审，second 即学籍管理部门复审）")
    with reg.write() as db:
        classes = set(current_enrolled(reg, cohort)["class"])
        if class_name not in classes:
            raise RegistryError(f"{cohort} 届没有班级“{class_name}”的在册学生" +
                                (f"（已有班级：{'、'.join(sorted(classes))}）" if classes else "（请先用 gradlib enrol 登记新生）"))
        done = {r[0] for r in db.execute("SELECT stage FROM class_reviews WHERE cohort = ? AND class = ?",
                                         (cohort, class_name))}
        if stage == "second" and "first" not in done:
            raise RegistryError(f"班级“{class_name}”尚无{REVIEW_STAGES['first']}记录，不能先记录{REVIEW_STAGES['second']}")
        db.execute("INSERT INTO class_reviews (cohort, class, stage, reviewer, day, note, recorded_by, recorded_at) "
                   "VALUES (?,?,?,?,?,?,?,?)", (cohort, class_name, stage, reviewer, day, note, by, now()))


def review_state(reg: Registry | None, cohort: int, classes) -> pd.DataFrame:
    """Per class: the latest first and second review (who, date), blank where none is recorded (or no registry)."""
    rows = [] if reg is None else reg.read(
        "SELECT class, stage, reviewer, day FROM class_reviews WHERE cohort = ? ORDER BY id", (cohort,))
    last = {(r["class"], r["stage"]): f"{r['reviewer']}（{r['day']}）" for r in rows}
    return pd.DataFrame({"班级": list(classes),
                         REVIEW_STAGES["first"]: [last.get((c, "first"), "") for c in classes],
                         REVIEW_STAGES["second"]: [last.get((c, "second"), "") for c in classes]})
