"""Electronic photos (Art 2, 6, 12): find each student's JPEG and check it against the params' spec."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from ..params import PhotoSpec


def check_photo(path: Path, spec: PhotoSpec) -> str:
    """'' when the file is a JPEG of exactly width×height pixels and at most max_kb KiB, else what is wrong."""
    size = path.stat().st_size
    problems = []
    try:
        with Image.open(path) as im:
            fmt, (w, h) = im.format, im.size
    except Exception:
        return "不是 JPEG 图片"
    if fmt != "JPEG":
        problems.append(f"格式为 {fmt}，不是 JPEG")
    if size > spec.max_kb * 1024:
        problems.append(f"大小 {size / 1024:.0f} KB，超过 {spec.max_kb:g} KB")
    if (w, h) != (spec.width, spec.height):
        problems.append(f"尺寸 {w}×{h}，应为 {spec.width}×{spec.height} 像素")
    return "；".join(problems)


def index_photos(folder: Path, students: pd.DataFrame, spec: PhotoSpec) -> pd.DataFrame:
    """Per roster position: the photo file found ('' if none) and what is wrong with it ('' if fine).

    Looked up under the 身份证号 as written (trimmed, x→X) unless it arrived as a number, then under the 学号.
    """
    files = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg"):
            files.setdefault(p.stem.strip().upper(), p)
    stems = pd.Series(files.keys(), dtype=object)
    names = pd.Series([p.name for p in files.values()], dtype=object, index=stems)
    ids = students["身份证号"].astype(str).str.upper().where(~students["id_numeric"].astype(bool), "")
    by_id = ids.map(names).astype(object).where(ids != "")
    by_sid = students["学号"].astype(str).str.upper().map(names).astype(object)
    found = by_id.where(by_id.notna(), by_sid).where(lambda s: s.notna(), "")
    checked = {name: check_photo(folder / name, spec) for name in pd.unique(found[found != ""])}
    problem = found.map(checked).astype(object).where(lambda s: s.notna(), "")
    return pd.DataFrame({"idx": np.arange(len(students)), "photo_file": found.to_numpy(),
                         "photo_problem": problem.to_numpy()})
