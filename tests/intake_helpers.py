"""Shared by the intake tests: a new intake on disk (the six students of builders.py with 中考报名序号)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from builders import base_tables, jpeg, write_xlsx

from gradlib.intake.params import load_intake_params


def intake_students() -> pd.DataFrame:
    s = base_tables()["students"].drop(columns=["学籍状态", "成绩认定", "证书编号"])
    s["中考报名序号"] = [f"36012400{i:04d}" for i in range(1, 7)]
    return s


def write_intake(root: Path, students: pd.DataFrame | None = None, photos: dict[str, bytes] | None = None,
                 extra: str = "") -> Path:
    """Write 新生名单.xlsx (and 照片/ when photos is given: file name -> bytes) and its params; return the params."""
    students = intake_students() if students is None else students
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    write_xlsx(data / "新生名单.xlsx", students)
    photo_line = "  photos: null\n"
    if photos is not None:
        (data / "照片").mkdir(exist_ok=True)
        for name, content in photos.items():
            (data / "照片" / name).write_bytes(content)
        photo_line = "  photos: 照片/\n"
    p = root / "intake-2024.yaml"
    p.write_text("intake_year: 2024\ndata_dir: data\nsources:\n  students: 新生名单.xlsx\n" + photo_line +
                 "exam_number: '360124\\d{6}'\noutput_dir: outputs\n" + extra, encoding="utf-8")
    return p


def params_of(root: Path, **kw):
    return load_intake_params(write_intake(root, **kw))


def all_photos(students: pd.DataFrame | None = None) -> dict[str, bytes]:
    s = intake_students() if students is None else students
    return {f"{i}.jpg": jpeg() for i in s["身份证号"]}
