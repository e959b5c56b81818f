"""Small cohorts built in code for the tests: a clean base that each test bends one way."""
from __future__ import annotations

import copy
import io
from pathlib import Path

import pandas as pd
import xlsxwriter
from PIL import Image

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(region: str, birth: str, seq: int, male: bool) -> str:
    """A valid 18-digit ID (GB 11643-1999) for region, birth YYYYMMDD and a sex."""
    s = seq * 2 + (1 if male else 0)
    body = f"{region}{birth}{s:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]


_JPEG = {}


def jpeg(width=480, height=640, quality=60) -> bytes:
    key = (width, height, quality)
    if key not in _JPEG:
        buf = io.BytesIO()
        Image.new("RGB", (width, height), (200, 210, 230)).save(buf, "JPEG", quality=quality)
        _JPEG[key] = buf.getvalue()
    return _JPEG[key]


def base_tables() -> dict[str, pd.DataFrame]:
    """Six clean students of two majors: every one COLLECT."""
    majors = ["机电技术应用"] * 3 + ["计算机应用"] * 3
    classes = ["24机电1班"] * 3 + ["24计算机1班"] * 3
    names = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"]
    male = [True, False, False, True, False, True]
    ids = [make_id("360102", f"2008{m:02d}15", i + 1, male[i]) for i, m in enumerate([1, 2, 3, 4, 5, 6])]
    students = pd.DataFrame({
        "学号": [f"20240{i + 1:05d}" for i in range(6)],
        "姓名": names, "性别": ["男" if m else "女" for m in male], "身份证号": ids,
        "出生日期": [f"2008-{m:02d}-15" for m in range(1, 7)],
        "民族": "汉族", "政治面貌": "共青团员", "籍贯": "江西南昌",
        "家庭地址": ["江西省南昌市青山湖区北京东路1号"] * 6,
        "专业": majors, "班级": classes, "班主任": ["赵老师"] * 3 + ["钱老师"] * 3,
        "入学年份": "2024", "学籍状态": "在籍", "成绩认定": "", "证书编号": "", "联系电话": "13800000000",
    })
    curriculum = pd.DataFrame({
        "专业": ["机电技术应用"] * 4 + ["计算机应用"] * 4,
        "课程代码": ["C01", "C02", "C03", "C09", "A01", "A02", "A03", "A09"],
        "课程名称": ["语文", "数学", "机械制图", "顶岗实习", "语文", "数学", "网页设计", "顶岗实习"],
        "学期": ["1", "1", "2", "6", "1", "1", "3", "6"],
        "课程性质": ["必修", "必修", "选修", "实习", "必修", "必修", "必修", "实习"],
    })
    rows = []
    for sid, major in zip(students["学号"], majors):
        codes = ["C01", "C02", "C03", "C09"] if major == "机电技术应用" else ["A01", "A02", "A03", "A09"]
        for code in codes:
            rows.append({"学号": sid, "课程代码": code, "成绩": "80", "补考成绩": "", "清考成绩": ""})
    grades = pd.DataFrame(rows)
    fees = pd.DataFrame({"学号": list(students["学号"]) * 2, "收费项目": ["学费"] * 6 + ["住宿费"] * 6,
                         "应缴金额": ["2400"] * 6 + ["800"] * 6, "已缴金额": ["2400"] * 6 + ["800"] * 6})
    internship = pd.DataFrame({"学号": students["学号"], "实习单位": "南昌某机械厂", "审批表": "是",
                               "实习报告": "已交", "提交日期": "2027-05-20", "实习考核": "良好"})
    addresses = pd.DataFrame({"学号": students["学号"], "收件人": names, "联系电话": "13800000000",
                              "邮寄地址": "江西省南昌市青山湖区北京东路1号", "邮政编码": "330000"})
    return {"students": students, "curriculum": curriculum, "grades": grades, "fees": fees,
            "internship": internship, "addresses": addresses}


def write_xlsx(path: Path, df: pd.DataFrame, title: str | None = None, sheet: str = "Sheet1",
               extra_rows: list[list] = (), numeric: dict[str, list] | None = None):
    """Write df as text cells (identifiers stay text), with an optional title row and trailing rows."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 1
    ws.write_row(r, 0, list(df.columns))
    for i, row in enumerate(df.itertuples(index=False), start=r + 1):
        for j, v in enumerate(row):
            col = df.columns[j]
            if numeric and col in numeric and (i - r - 1) in numeric[col]:
                ws.write_number(i, j, float(v))
            elif v != "":
                ws.write_string(i, j, str(v))
    for k, extra in enumerate(extra_rows, start=len(df) + r + 1):
        ws.write_row(k, 0, extra)
    wb.close()


def write_csv(path: Path, df: pd.DataFrame, encoding="utf-8", title: str | None = None):
    text = df.to_csv(index=False, lineterminator="\n")
    if title:
        text = title + "\n" + text
    path.write_bytes(text.encode(encoding))


class CohortFiles:
    """A cohort on disk: tables written as files plus a params YAML; tweak the tables, then write()."""

    FILES = {"students": "学籍库", "curriculum": "教学计划", "grades": "成绩库", "fees": "缴费库",
             "internship": "顶岗实习", "addresses": "邮寄地址"}

    def __init__(self, root: Path, tables=None, fmt="xlsx"):
        self.root = Path(root)
        self.tables = copy.deepcopy(tables) if tables is not None else base_tables()
        self.fmt = dict.fromkeys(self.FILES, fmt)
        self.params: dict = {
            "cohort": "2027", "internship_materials_due": "2027-05-31",
            "makeup_results_published": "2027-06-20", "output_dir": "outputs"}
        self.waivers: pd.DataFrame | None = None
        self.photos: dict[str, bytes] | None = None  # file name -> bytes; None = one valid photo per student

    def write(self) -> Path:
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        sources = {}
        for key, stem in self.FILES.items():
            df = self.tables[key]
            fmt = self.fmt[key]
            name = f"{stem}.{fmt.split('-')[0]}"
            if fmt == "xlsx":
                write_xlsx(data / name, df)
            else:
                write_csv(data / name, df, encoding={"csv": "utf-8", "csv-gbk": "gbk", "csv-bom": "utf-8-sig"}[fmt])
            sources[key] = name
        photos = data / "照片"
        photos.mkdir(exist_ok=True)
        for p in photos.iterdir():
            p.unlink()
        files = self.photos if self.photos is not None else {
            f"{i}.jpg": jpeg() for i in self.tables["students"]["身份证号"] if i}
        for name, content in files.items():
            (photos / name).write_bytes(content)
        sources["photos"] = "照片"
        lines = [f"{k}: {v}" for k, v in self.params.items() if not isinstance(v, (dict, list))]
        lines.append("data_dir: data")
        lines.append("sources:")
        lines += [f"  {k}: {v}" for k, v in sources.items()]
        for k, v in self.params.items():
            if isinstance(v, list):
                lines.append(f"{k}: [{', '.join(v)}]")
            elif isinstance(v, dict):
                lines.append(f"{k}: {{{', '.join(f'{a}: {b}' for a, b in v.items())}}}")
        if self.waivers is not None:
            write_csv(self.root / "waivers.csv", self.waivers, encoding="utf-8-sig")
            lines.append("waivers: waivers.csv")
        path = self.root / "params.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
