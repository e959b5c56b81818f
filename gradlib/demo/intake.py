"""A synthetic intake (`gradlib demo --intake`): new students of three classes, photos and an intake params file.

Deterministic for a seed. A few students carry the mistakes Art 1 checks catch, one of each (PLANTED):
a wrong check digit, a sex that disagrees with the ID, a birth date typed differently from the ID, a blank
native place, a malformed and a repeated 中考报名序号, a missing photo and one of the wrong size.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import xlsxwriter
from PIL import Image

from .files import _portrait
from .reference import ETHNIC, FEMALE_CHARS, MALE_CHARS, PHOTO_H, PHOTO_W, POLITICS, SCHOOL, SURNAMES

CLASSES = (("机电技术应用", "机电1班"), ("计算机应用", "计算机1班"), ("会计事务", "会计1班"))
COLUMNS = ("学号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "籍贯", "家庭地址", "中考报名序号", "专业",
           "班级", "班主任", "入学年份", "联系电话")
PLANTED = {1: "ID_INVALID (check digit)", 2: "ID_INVALID (sex)", 3: "ID_INVALID (birth date)", 4: "FIELD_MISSING",
           5: "EXAM_NUMBER_INVALID", 6: "EXAM_NUMBER_DUPLICATE", 7: "PHOTO_MISSING", 8: "PHOTO_INVALID"}
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id(region: str, birth: str, seq: int, male: bool) -> str:
    body = f"{region}{birth}{(seq % 500) * 2 + (1 if male else 0):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def _rows(year: int, per_class: int, rng) -> list[dict]:
    rows, k = [], 0
    for c, (major, cls) in enumerate(CLASSES):
        teacher = SURNAMES[(c * 7) % len(SURNAMES)] + "老师"
        for i in range(per_class):
            k += 1
            male = bool(rng.random() < 0.55)
            given = "".join(rng.choice(MALE_CHARS if male else FEMALE_CHARS, size=int(rng.integers(1, 3))))
            birth = f"{year - 15}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
            sid = f"{year}{c + 1:02d}{i + 1:03d}"
            rows.append({"学号": sid, "姓名": SURNAMES[int(rng.integers(len(SURNAMES)))] + given,
                         "性别": "男" if male else "女", "身份证号": _id("360121", birth, k, male),
                         "出生日期": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                         "民族": str(rng.choice(ETHNIC[0], p=ETHNIC[1])), "政治面貌": str(rng.choice(POLITICS[0], p=POLITICS[1])),
                         "籍贯": "江西南昌", "家庭地址": f"江西省南昌市南昌县莲塘镇{int(rng.integers(1, 200))}号",
                         "中考报名序号": f"3601{year % 100:02d}{k:06d}", "专业": major, "班级": f"{year % 100}{cls}",
                         "班主任": teacher, "入学年份": str(year),
                         "联系电话": f"139{int(rng.integers(10_000_000, 99_999_999))}"})
    return rows


def _plant(rows: list[dict]):
    r = rows
    last = r[1]["身份证号"][-1]
    r[1]["身份证号"] = r[1]["身份证号"][:-1] + ("0" if last != "0" else "1")
    r[2]["性别"] = "女" if r[2]["性别"] == "男" else "男"
    r[3]["出生日期"] = r[3]["出生日期"][:-2] + ("01" if r[3]["出生日期"][-2:] != "01" else "02")
    r[4]["籍贯"] = ""
    r[5]["中考报名序号"] = r[5]["中考报名序号"][:-3]
    r[6]["中考报名序号"] = r[0]["中考报名序号"]


def _photos(folder: Path, rows: list[dict], seed: int):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 1])
    buf = io.BytesIO()
    _portrait(rng, (67, 142, 219), (PHOTO_W, PHOTO_H)).save(buf, "JPEG", quality=80)
    ok = buf.getvalue()
    small = io.BytesIO()
    Image.open(io.BytesIO(ok)).resize((358, 441)).save(small, "JPEG", quality=80)
    for i, r in enumerate(rows):
        if i == 7:
            continue
        (folder / f"{r['身份证号']}.jpg").write_bytes(small.getvalue() if i == 8 else ok)


def write_intake_demo(out_dir, year: int = 2024, per_class: int = 30, seed: int = 2024) -> Path:
    """Write the intake example into out_dir (新生名单.xlsx, 照片/, intake-<year>.yaml); return the params file."""
    out = Path(out_dir)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = _rows(year, per_class, np.random.default_rng(seed))
    _plant(rows)
    wb = xlsxwriter.Workbook(str(data / "新生名单.xlsx"), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet("新生名单")
    for j, c in enumerate(COLUMNS):
        ws.write_string(0, j, c)
        for i, r in enumerate(rows, 1):
            ws.write_string(i, j, r[c])
    wb.close()
    _photos(data / "照片", rows, seed)
    params = out / f"intake-{year}.yaml"
    params.write_text(
        f"# {year} 级新生信息核查参数（示例）。运行：gradlib intake {params.name}\n"
        f"intake_year: {year}\nschool: {SCHOOL}\ndata_dir: data\n"
        "sources:\n  students: 新生名单.xlsx\n  photos: 照片/\n"
        f"exam_number: '3601\\d{{8}}'          # 中考报名序号：3601 + 8 位数字\n"
        "output_dir: outputs\nregistry: outputs/registry.sqlite\n", encoding="utf-8")
    return params
