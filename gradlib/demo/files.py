"""Write the synthetic cohort as the departments would send it: workbooks or CSV, photos, waivers, params."""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import numpy as np
import xlsxwriter
from PIL import Image, ImageDraw, ImageFilter

from . import messy
from .arrays import cat, strs
from .cohort import SyntheticCohort
from .reference import _CHUNK, COHORT, CREATED, CSV_THRESHOLD, PHOTO_H, PHOTO_MAX_KB, PHOTO_W, SCHOOL
from .tables import Table, address_columns, tables


def _write_xlsx(path: Path, t: Table) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    if t.n > 20_000:
        wb.use_zip64()
    wb.set_properties({"title": f"{SCHOOL}{COHORT}届 {t.stem}", "author": "gradlib.demo", "company": SCHOOL,
                       "created": CREATED})
    ws = wb.add_worksheet(t.sheet)
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    for j, col in enumerate(t.cols):
        ws.set_column(j, j, col.width)
    if t.title:
        ws.merge_range(0, 0, 0, len(t.cols) - 1, t.title, wb.add_format({"bold": True, "font_size": 14,
                                                                          "align": "center"}))
        r = 1
    ws.write_row(r, 0, [c.header for c in t.cols], head_fmt)
    ws.freeze_panes(r + 1, 0)
    r += 1
    if t.keys:
        ws.write_row(r, 0, list(t.keys), wb.add_format({"font_color": "#808080", "italic": True}))
        r += 1
    date_cols = [j for j, c in enumerate(t.cols) if c.kind == "date"]
    for a in range(0, t.n, _CHUNK):
        b = min(a + _CHUNK, t.n)
        for row in zip(*(c.native(a, b) for c in t.cols)):
            ws.write_row(r, 0, row)
            for j in date_cols:
                if isinstance(row[j], dt.date):
                    ws.write_datetime(r, j, row[j], date_fmt)
            r += 1
    if t.footer:
        r += 1                                                       # a blank row before the footer
        for row in t.footer:
            ws.write_row(r, 0, [x / 100 if isinstance(x, int) and not isinstance(x, bool) else x for x in row])
            r += 1
    wb.close()


def _write_csv(path: Path, t: Table) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.header for c in t.cols])
        for a in range(0, t.n, _CHUNK):
            b = min(a + _CHUNK, t.n)
            w.writerows(zip(*(c.text(a, b) for c in t.cols)))
        if t.footer:
            w.writerow([""] * len(t.cols))
            for row in t.footer:
                w.writerow(["" if x is None else (f"{x / 100:.2f}" if isinstance(x, int) else x) for x in row])


def _portraits(seed: int) -> dict[str, bytes]:
    """A handful of distinct ID photos (and the bad ones), made once and reused."""
    rng = np.random.default_rng([seed, 480640])
    out = {}
    backgrounds = [(67, 142, 219), (255, 255, 255), (200, 30, 45)]
    for v in range(6):
        img = _portrait(rng, backgrounds[v % 3], (PHOTO_W, PHOTO_H))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        out[f"ok{v}"] = buf.getvalue()
    for v, size in enumerate([(358, 441), (390, 567), (295, 413)]):
        buf = io.BytesIO()
        _portrait(rng, backgrounds[v % 3], size).save(buf, "JPEG", quality=85)
        out[f"size{v}"] = buf.getvalue()
    buf = io.BytesIO()
    _portrait(rng, backgrounds[0], (PHOTO_W, PHOTO_H)).save(buf, "PNG")
    out["png"] = buf.getvalue()
    noise = rng.integers(0, 256, (PHOTO_H, PHOTO_W, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise, "RGB").save(buf, "JPEG", quality=95)
    out["big"] = buf.getvalue()
    assert len(out["big"]) > PHOTO_MAX_KB * 1024
    assert all(len(out[f"ok{v}"]) < PHOTO_MAX_KB * 1024 for v in range(6))
    return out


def _portrait(rng, bg, size) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    sx, sy = w / 480, h / 640
    skin = tuple(int(x) for x in rng.integers([215, 170, 140], [250, 205, 175]))
    cloth = tuple(int(x) for x in rng.integers(10, 90, 3))
    hair = tuple(int(x) for x in rng.integers(10, 40, 3))
    head_w = rng.uniform(150, 185)
    cx = w / 2
    d.ellipse([cx - 220 * sx, 470 * sy, cx + 220 * sx, 760 * sy], fill=cloth)             # shoulders
    d.rectangle([cx - 40 * sx, 360 * sy, cx + 40 * sx, 490 * sy], fill=skin)               # neck
    d.polygon([(cx - 50 * sx, 470 * sy), (cx, 560 * sy), (cx + 50 * sx, 470 * sy)], fill=(245, 245, 245))
    d.ellipse([cx - head_w / 2 * sx, 150 * sy, cx + head_w / 2 * sx, 410 * sy], fill=skin)  # face
    d.chord([cx - (head_w / 2 + 8) * sx, 120 * sy, cx + (head_w / 2 + 8) * sx, 330 * sy], 180, 360, fill=hair)
    for ex in (-35, 35):                                                                   # eyes
        d.ellipse([cx + (ex - 9) * sx, 265 * sy, cx + (ex + 9) * sx, 277 * sy], fill=(40, 30, 30))
    d.arc([cx - 28 * sx, 320 * sy, cx + 28 * sx, 360 * sy], 20, 160, fill=(160, 80, 80), width=3)
    grain = rng.normal(0, 4, (h, w, 1))
    arr = np.clip(np.asarray(img, dtype=np.float64) + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB").filter(ImageFilter.SMOOTH)


def _write_photos(folder: Path, co: SyntheticCohort) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    imgs = _portraits(co.seed)
    kind = co.photo_kind
    ids = np.strings.upper(np.strings.strip(co.idno))
    names = np.where(np.isin(kind, [5]), co.xh, ids)
    ext = np.where(kind == 6, strs(".JPG"), np.where(kind == 7, strs(".jpeg"), strs(".jpg")))
    files = cat(names, ext)
    write = ~np.isin(kind, [1, 8])
    size_variant = np.arange(co.n) % 3
    for i in np.flatnonzero(write).tolist():
        k = int(kind[i])
        data = (imgs["png"] if k == 3 else imgs["big"] if k == 4 else imgs[f"size{size_variant[i]}"] if k == 2
                else imgs[f"ok{co.photo_variant[i]}"])
        (folder / str(files[i])).write_bytes(data)


def _params_text(students, seed, sources: dict[str, str], photos, messy=False):
    photo_line = "  photos: 照片/" if photos else "  photos: null"
    kind = "，各部门系统原样导出（--messy）" if messy else ""
    return (
        f"# {SCHOOL} {COHORT}届毕业生 演示数据（gradlib.demo：students={students}, seed={seed}{kind}）\n"
        f"cohort: {COHORT}\n"
        f"school: {SCHOOL}\n"
        "data_dir: data\n"
        "sources:\n"
        + "".join(f"  {key}: {name}\n" for key, name in sources.items())
        + f"{photo_line}\n"
        f"waivers: {COHORT}.waivers.csv\n"
        "fees_mode: ledger\n"
        "internship_materials_due: 2027-05-31\n"
        "makeup_results_published: 2027-06-20\n"
        "issue_window: [2027-07-01, 2027-07-15]\n"
        f"photo: {{width: {PHOTO_W}, height: {PHOTO_H}, max_kb: {PHOTO_MAX_KB}}}\n"
        "output_dir: outputs\n"
    )


def _clean_tables(co: SyntheticCohort, data: Path, as_csv: bool) -> dict[str, str]:
    """The departments' tables as the contract's canonical layout; returns the sources of params.yaml."""
    ext = "csv" if as_csv else "xlsx"
    for t in tables(co, as_csv):
        if as_csv:
            _write_csv(data / f"{t.stem}.csv", t)
        else:
            _write_xlsx(data / f"{t.stem}.xlsx", t)
    # mailing addresses: collected by class teachers, saved from Excel on a Chinese Windows: GBK
    with open(data / "邮寄地址.csv", "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学号", "收件人", "联系电话", "邮寄地址", "邮政编码"])
        cols = address_columns(co)
        n = len(cols[0])
        for a in range(0, n, _CHUNK):
            w.writerows(zip(*(c[a:a + _CHUNK].tolist() for c in cols)))
    return {"students": f"学籍库.{ext}", "curriculum": f"教学计划.{ext}", "grades": f"成绩库.{ext}",
            "fees": f"缴费库.{ext}", "internship": f"顶岗实习.{ext}", "addresses": "邮寄地址.csv"}


def _messy_tables(co: SyntheticCohort, data: Path) -> dict[str, str]:
    """The departments' tables as their systems export them (messy.py); returns the sources of params.yaml."""
    rng = messy.messy_rng(co.seed)
    f = messy.FILES
    _write_xlsx(data / f["students"], messy.national_roster(co, rng))
    _write_xlsx(data / f["curriculum"], messy.plan(co))
    messy.write_registers(data / f["grades"], co, rng)
    messy.write_fees(data / f["fees"], co, rng)
    _write_xlsx(data / f["internship"], messy.internship(co, rng))
    messy.write_addresses(data / f["addresses"], address_columns(co))
    return dict(f)


def write_demo(out_dir: Path, students: int = 3000, seed: int = 2027, photos: bool = True,
               messy_files: bool = False) -> Path:
    """Write a synthetic cohort into out_dir and return the path of its params YAML.

    Writes ``params.yaml``, ``2027.waivers.csv`` and ``data/`` (学籍库, 教学计划, 成绩库, 缴费库,
    顶岗实习 as .xlsx — or as UTF-8 .csv above ``CSV_THRESHOLD`` students —, 邮寄地址.csv in GBK and
    the folder 照片/). Above ``CSV_THRESHOLD`` students no photos are written (``photos: null``).
    ``data/照片`` is emptied first so an earlier run cannot leave stale photos behind.

    ``messy_files``: the same cohort as the departments' own systems export it (messy.py: the national
    student export without 学籍状态, two-up course registers, a GBK fee export …), at most
    ``messy.MAX_STUDENTS`` students; ``expected_decisions(..., messy_files=True)`` is its answer key.
    """
    out_dir = Path(out_dir)
    students = int(students)
    if messy_files and students > messy.MAX_STUDENTS:
        raise ValueError(f"messy_files: at most {messy.MAX_STUDENTS} students (got {students})")
    co = SyntheticCohort(students, seed)
    as_csv = students > CSV_THRESHOLD
    photos = bool(photos) and not as_csv
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    sources = _messy_tables(co, data) if messy_files else _clean_tables(co, data, as_csv)
    if photos:
        _write_photos(data / "照片", co)
    with open(out_dir / f"{COHORT}.waivers.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学号", "原因代码", "理由", "批准人", "日期", "操作", "记录人", "记录时间"])
        w.writerows(co.waiver_rows)
    params = out_dir / "params.yaml"
    params.write_text(_params_text(students, seed, sources, photos, messy_files), encoding="utf-8")
    return params
