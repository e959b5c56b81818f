"""Findings about the input, after pandera's lazy validation: collect every problem, raise once at the edge.

A finding is *structural* (the run cannot start: a file or column missing, a duplicate 学号, bad params)
or a *data problem* (one row or student: it becomes a row of 数据问题清单 and, where the rules say so, a
reason). Each has a stable ``kind`` code besides its Chinese text, so tests compare kinds and fields,
not wording. ``Findings`` is the one collector used by params, sources and waivers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from .errors import InputError, ProblemsError
from .reasons import REASON_BY_CODE


class Kind(StrEnum):
    """Stable codes of findings (a student's reason found in the data uses the reason code instead)."""
    # params
    PARAMS_FILE_MISSING = "params_file_missing"
    PARAMS_ENCODING = "params_encoding"
    PARAMS_SYNTAX = "params_syntax"
    PARAMS_NOT_MAPPING = "params_not_mapping"
    PARAMS_NOT_A_FILE = "params_not_a_file"
    UNKNOWN_KEY = "unknown_key"
    MISSING_KEY = "missing_key"
    BAD_VALUE = "bad_value"
    # files and tables (structural)
    FILE_MISSING = "file_missing"
    FILE_UNREADABLE = "file_unreadable"
    FILE_CORRUPT = "file_corrupt"
    FILE_EMPTY = "file_empty"
    FILE_ENCRYPTED = "file_encrypted"
    FILE_IS_FOLDER = "file_is_folder"
    FILE_LOCK = "file_lock"
    FILE_NOT_A_TABLE = "file_not_a_table"
    FILE_ENCODING = "file_encoding"
    SHEET_MISSING = "sheet_missing"
    NO_DATA = "no_data"
    COLUMN_MISSING = "column_missing"
    HEADER_TOO_LOW = "header_too_low"
    DUPLICATE_HEADER = "duplicate_header"
    NO_STUDENTS = "no_students"
    STUDENT_ID_BLANK = "student_id_blank"
    STUDENT_ID_DUPLICATE = "student_id_duplicate"
    PHOTO_FOLDER_MISSING = "photo_folder_missing"
    PHOTO_FOLDER_IS_FILE = "photo_folder_is_file"
    # rows and cells (data problems)
    NOTE_ROW = "note_row"
    KEY_ROW = "key_row"
    SUFFIX_MISMATCH = "suffix_mismatch"
    SHEET_SKIPPED = "sheet_skipped"
    STATUS_COLUMN_ABSENT = "status_column_absent"
    FILE_OPEN_ELSEWHERE = "file_open_elsewhere"
    OTHER_ID_TYPE = "other_id_type"
    ORPHAN = "orphan"
    TEMPORARY_ID = "temporary_id"
    BAD_DATE = "bad_date"
    BAD_YESNO = "bad_yesno"
    BAD_STATUS = "bad_status"
    PLAN_ROW_INCOMPLETE = "plan_row_incomplete"
    BAD_NATURE = "bad_nature"
    BAD_TERM = "bad_term"
    BAD_EXAM_STATUS = "bad_exam_status"
    DUPLICATE_COURSE = "duplicate_course"
    UNKNOWN_GRADE_COLUMN = "unknown_grade_column"
    COURSE_NOT_IN_PLAN = "course_not_in_plan"
    NOT_A_GRADE = "not_a_grade"
    BAD_MONEY = "bad_money"
    MONEY_BLANK = "money_blank"
    MONEY_NEGATIVE = "money_negative"
    MONEY_DECIMALS = "money_decimals"
    ARREARS_MISMATCH = "arrears_mismatch"
    DUPLICATE_ROW = "duplicate_row"
    BAD_POSTCODE = "bad_postcode"
    ADDRESSES_MISSING = "addresses_missing"
    # the waivers log
    WAIVER_INVALID = "waiver_invalid"
    WAIVER_STALE = "waiver_stale"
    # the registry (collections imported from a filled-in roster or mailing sheet)
    NOT_IN_REGISTRY = "not_in_registry"
    NOT_COLLECT = "not_collect"
    NAME_MISMATCH = "name_mismatch"
    ALREADY_RECORDED = "already_recorded"
    NOTHING_TO_CORRECT = "nothing_to_correct"
    RECEIVER_MISSING = "receiver_missing"
    MAIL_DATE_MISSING = "mail_date_missing"
    TWO_METHODS = "two_methods"
    DATE_IN_FUTURE = "date_in_future"
    COHORT_AMBIGUOUS = "cohort_ambiguous"


@dataclass(frozen=True)
class Problem:
    """One finding: its kind, where it is (file, sheet, Excel row, column), the value, and what is expected."""
    kind: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    problem: str = ""
    expected: str = ""
    student_id: str = ""

    def text(self, column_noun: str = "列") -> str:
        """The problem as one Chinese line a registrar can act on."""
        where = [self.file or "（参数）"]
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"{column_noun}“{self.column}”")
        line = "，".join(where) + "：" + self.problem
        if self.value != "":
            line += f"（值：“{self.value}”）"
        if self.expected:
            line += f"；应为：{self.expected}"
        return line

    def as_dict(self) -> dict:
        return asdict(self)


# the data-problems table: its columns and their Chinese headers (kind stays internal)
HEADERS = {"file": "文件", "sheet": "工作表", "row": "行号", "column": "列",
           "value": "值", "problem": "问题", "expected": "应为", "student_id": "学号"}
COLUMNS = ["kind"] + list(HEADERS)


def frame(kind, file, sheet, rows, column, values, problem, expected="", student_ids=None) -> pd.DataFrame:
    """Data-problem rows for many cells at once (vectorised); any argument may be one value or one per row."""
    rows = pd.Series(rows).reset_index(drop=True)
    n = len(rows)

    def col(v, default=""):
        if v is None:
            return [default] * n
        if isinstance(v, (pd.Series, np.ndarray, list)):
            return pd.Series(v).reset_index(drop=True).astype(object).where(lambda s: s.notna(), "").astype(str).to_numpy()
        return [v] * n

    return pd.DataFrame({"kind": col(kind), "file": col(file), "sheet": col(sheet), "row": rows.astype("Int64"),
                         "column": col(column), "value": col(values), "problem": col(problem),
                         "expected": col(expected), "student_id": col(student_ids)})


def empty() -> pd.DataFrame:
    """A data-problems table with no rows."""
    return pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "row" else object) for c in COLUMNS})


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Several data-problem tables as one, in order, each finding once: exact repeats are dropped, and a reason
    row that only repeats what the readers found in the same Excel row is folded into their rows."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty()
    df = pd.concat(frames, ignore_index=True)[COLUMNS].drop_duplicates(ignore_index=True)
    return _fold_reasons(df)


def _fold_reasons(df: pd.DataFrame) -> pd.DataFrame:
    """A reason row (e.g. RECORD_INCOMPLETE at 学籍库 row 2564, value 学籍状态“在校”无效) whose evidence holds no
    more facts than the reader rows at the same file, sheet, row and student (学籍状态不在规定取值内) is dropped;
    those rows say the impact instead (…；影响毕业审核：学籍信息缺失或有误)."""
    reason = df["kind"].isin(REASON_BY_CODE).to_numpy()
    if not reason.any() or reason.all():
        return df
    at = df["row"].notna().to_numpy()
    key = df["file"] + "\x1f" + df["sheet"] + "\x1f" + df["row"].astype(str) + "\x1f" + df["student_id"]
    readers = key[~reason & at].value_counts()
    v = df["value"].str.replace(r"(；\s*)+", "；", regex=True).str.strip("； ")
    facts = (v.str.count("；") + 1).where(v != "", 0)
    fold = reason & at & key.isin(readers.index).to_numpy() & \
        (facts.to_numpy() <= key.map(readers).fillna(0).to_numpy())
    if not fold.any():
        return df
    impact = df[fold].groupby(key[fold])["problem"].agg("；".join)
    hit = ~reason & key.isin(impact.index).to_numpy()
    out = df.copy()
    out.loc[hit, "problem"] = out.loc[hit, "problem"] + "；" + key[hit].map(impact)
    return out[~fold].reset_index(drop=True)


def chinese(df: pd.DataFrame) -> pd.DataFrame:
    """The data-problems table with Chinese headers, for display and the workbook."""
    return df[list(HEADERS)].rename(columns=HEADERS)


class Findings:
    """Collects findings; ``check()`` raises every structural one at once (pandera's lazy validation)."""

    def __init__(self, error: type[ProblemsError] = InputError):
        self.error = error
        self.structural: list[Problem] = []
        self._data: list[pd.DataFrame] = []

    def stop(self, kind, file="", sheet="", row=None, column="", value="", problem="", expected="", student_id=""):
        """Record a structural problem (the run cannot start)."""
        self.structural.append(Problem(str(kind), file, sheet, row, column, "" if value is None else str(value),
                                       problem, expected, student_id))

    def extend(self, problems: list[Problem]):
        """Record structural problems found elsewhere (e.g. by the header search)."""
        self.structural.extend(problems)

    def note(self, *args, **kwargs):
        """Record data problems, with the arguments of frame()."""
        self.add(frame(*args, **kwargs))

    def add(self, rows: pd.DataFrame):
        """Record a table of data problems built elsewhere."""
        if len(rows):
            self._data.append(rows)

    @property
    def data(self) -> pd.DataFrame:
        """Every data problem recorded so far, as one table."""
        return combine(self._data)

    def check(self):
        """Raise the structural problems recorded so far, all at once."""
        if self.structural:
            raise self.error(self.structural)
