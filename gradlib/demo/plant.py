"""Plain functions that plant one defect (or harmless trap) on chosen students of a SyntheticCohort.

Each takes the cohort and the students' positions (idx) and changes their data in place; scenarios.py
names them. The random draws follow the cohort's own generator, so the same seed plants the same cells.
"""
from __future__ import annotations

import numpy as np

from ..sources.values import CHECK_CHARS
from .arrays import cat, strs
from .reference import C_ABSENT, C_FAIL, DUE, MAJORS, SCHOOL_CODE, S

_CHECK_ARR = np.array(list(CHECK_CHARS), dtype=S)


def _req_course(co, idx, internship=False, k=1, typ="必修"):
    """One (or k distinct) course columns per student of idx, of the student's own major."""
    out = np.zeros((len(idx), k), dtype=np.int64)
    rng = co.rng
    for mi, (cols, types) in enumerate(co.major_cols):
        sel = co.major[idx] == mi
        if not sel.any():
            continue
        cand = cols[types == ("实习" if internship else typ)]
        m = int(sel.sum())
        a = rng.integers(0, len(cand), m)
        out[sel, 0] = cand[a]
        if k == 2:
            out[sel, 1] = cand[(a + rng.integers(1, len(cand), m)) % len(cand)]
    return out

def _fail_codes(co, cols):
    rng = co.rng
    n = cols.shape
    num = rng.integers(40, 60, n)
    lvl = np.full(n, C_FAIL)
    code = np.where(co.five[cols], lvl, num)
    return np.where(rng.random(n) < 0.1, C_ABSENT, code).astype(np.int8)

def status(co, idx, value):
    """Give the students this 学籍状态 (those without status lose their diploma number)."""
    co.status[idx] = value
    if value in ("离校未办手续", "退学", "转出"):
        co.diploma[idx] = ""

def suspended(co, idx, certified):
    """Make the students 休学, with this 成绩认定."""
    co.status[idx] = "休学"
    co.certified[idx] = certified

def course_failed(co, idx, k=1, internship=False):
    """Fail k required (or the internship) courses in every attempt; the clearance exam is often absent."""
    cols = _req_course(co, idx, internship=internship, k=k)
    rows = np.repeat(idx, k)
    cols = cols.ravel()
    co.g1[rows, cols] = _fail_codes(co, cols)
    co.g2[rows, cols] = _fail_codes(co, cols)
    clear = _fail_codes(co, cols)
    co.g3[rows, cols] = np.where(co.rng.random(len(cols)) < 0.67, clear, -1)

def grade_missing(co, idx, internship=False):
    """Blank one required (or the internship) course in every attempt."""
    cols = _req_course(co, idx, internship=internship)[:, 0]
    co.g1[idx, cols] = -1
    co.g2[idx, cols] = -1
    co.g3[idx, cols] = -1

def elective_failed(co, idx):
    """Fail one elective course (which never blocks)."""
    cols = _req_course(co, idx, typ="选修")[:, 0]
    co.g1[idx, cols] = _fail_codes(co, cols)
    co.g2[idx, cols] = -1
    co.g3[idx, cols] = -1

def internship_failed(co, idx):
    """A failing 实习考核."""
    co.assess[idx] = np.where(co.rng.random(len(idx)) < 0.6, C_FAIL, co.rng.integers(35, 60, len(idx)))

def no_internship_row(co, idx):
    """Leave the students out of the internship table."""
    co.has_internship[idx] = False

def internship_unassessed(co, idx, code=-1):
    """A blank (or not a grade) 实习考核."""
    co.assess[idx] = code

def form_missing(co, idx):
    """审批表 not handed in (否, 未交 or blank)."""
    co.form[idx] = co.rng.choice([2, 3, 4], size=len(idx))

def report_missing(co, idx):
    """实习报告 not handed in (未交 or blank)."""
    co.report[idx] = co.rng.choice([1, 2], size=len(idx), p=[0.8, 0.2])

def materials_late(co, idx):
    """Materials handed in after the due date."""
    co.submitted[idx] = np.datetime64("2027-06-01") + co.rng.integers(0, 25, len(idx)).astype("timedelta64[D]")

def due_date_exact(co, idx):
    """Materials handed in on the due date itself (on time)."""
    co.submitted[idx] = DUE

def submission_blank(co, idx):
    """No 提交日期 (not late)."""
    co.submitted[idx] = np.datetime64("NaT")

def two_internship_rows(co, idx):
    """A second, earlier and failing internship row; the later one passes."""
    for i in idx.tolist():      # a handful of students, never scales with N
        other = co.companies[co.major[i], (co.rng.integers(0, 60))]
        co.extra_internship.append((i, other, 0, 1, np.datetime64("2027-03-15"), C_FAIL))
        co.submitted[i] = np.datetime64("2027-05-20")

def fees_owed(co, idx):
    """Part (or all) of one fee item unpaid."""
    rng = co.rng
    k = len(idx)
    item = np.where(co.boards[idx] & (rng.random(k) < 0.35), 1, np.where(rng.random(k) < 0.8, 0, 2))
    due = co.due[idx, item]
    part = np.array([10000, 20000, 50000, 80000, 100000, 35050], np.int64)[rng.integers(0, 6, k)]
    owed = np.where(rng.random(k) < 0.3, due, np.minimum(part, due))      # cents, always > 0
    co.paid[idx, item] = due - owed

def fees_net_zero(co, idx):
    """100 yuan short on tuition, 100 yuan over on books: owes nothing in total."""
    co.paid[idx, 0] -= 10000
    co.paid[idx, 2] += 10000

def no_fee_rows(co, idx):
    """Leave the students out of the fee ledger."""
    co.has_fees[idx] = False

def photo(co, idx, kind):
    """The photo of kind k (see SyntheticCohort._photos)."""
    co.photo_kind[idx] = kind

def record(co, idx, field, value):
    """Set one roster field (ethnic, sex, politics, address) to a value."""
    {"ethnic": co.ethnic, "sex": co.sex, "politics": co.politics, "address": co.address}[field][idx] = value

def major_typo(co, idx):
    """The status office's misspelling of the major."""
    typos = np.array([m.typo for m in MAJORS], dtype=S)
    co.major_name[idx] = typos[co.major[idx]]

def major_blank(co, idx):
    """A blank 专业."""
    co.major_name[idx] = ""

def id_bad_checksum(co, idx):
    """A wrong check character."""
    wrong = (co.check_idx[idx] + co.rng.integers(1, 11, len(idx))) % 11
    co.idno[idx] = cat(co.id17[idx], _CHECK_ARR[wrong])

def id_birth_mismatch(co, idx):
    """A 出生日期 one day off the ID's."""
    co.birth_text[idx] = strs(np.datetime_as_string(co.birth[idx] + np.timedelta64(1, "D"), unit="D"))

def id_sex_mismatch(co, idx):
    """A 性别 against the ID's 17th digit."""
    co.sex[idx] = np.where(co.male[idx], strs("女"), strs("男"))

def id_blank(co, idx):
    """A blank 身份证号 (the photo is named by 学号)."""
    co.idno[idx] = ""
    co.photo_kind[idx] = 5

def temp_id(co, idx):
    """The national system's temporary 999… number (the photo is named by 学号)."""
    co.idno[idx] = cat("999" + SCHOOL_CODE, np.strings.zfill(strs(np.arange(1, len(idx) + 1)), 5))
    co.photo_kind[idx] = 5

def id_duplicate(co, idx):
    """Pairs of students with the same ID (the second has no photo of its own)."""
    a, b = idx[0::2], idx[1::2]
    co.idno[b] = co.idno[a]
    co.sex[b] = co.sex[a]
    co.birth_text[b] = co.birth_text[a]
    co.photo_kind[b] = 8

