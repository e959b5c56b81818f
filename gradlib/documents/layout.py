"""The diploma's layout file (templates/diploma-layout.yaml): where each field lands on the pre-printed inner
page, in millimetres, and the PDF pages drawn from it (fpdf2, the packaged CJK font embedded).

(x, y) of a field is the left end of its text's baseline, measured from the page's top-left corner; the
params' `documents.offset_mm` moves every field at once (a printer's drift). `calibration_page` draws a mm
ruler and a box per field, to print on plain paper and hold against an inner page.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import DocumentError
from ..outputs.fonts import font_file

FIELDS = {  # every value a diploma can print, and its Chinese name on the calibration page
    "name": "姓名", "sex": "性别", "birth_date": "出生日期", "birth_year": "出生年", "birth_month": "出生月",
    "birth_day": "出生日", "major": "专业", "length": "学制", "entry": "入学年月", "entry_year": "入学年",
    "entry_month": "入学月", "graduation": "毕业年月", "graduation_year": "毕业年", "graduation_month": "毕业月",
    "diploma_number": "证书编号", "school": "学校名称", "issue_date": "发证日期", "issue_year": "发证年",
    "issue_month": "发证月", "issue_day": "发证日", "student_id": "学号",
}
PT_MM = 25.4 / 72


@dataclass(frozen=True)
class Field:
    key: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Layout:
    path: Path
    width: float
    height: float
    fields: tuple[Field, ...]
    offset: tuple[float, float] = (0.0, 0.0)

    def at(self, f: Field) -> tuple[float, float]:
        """Where a field's baseline starts on paper, the offset applied (mm)."""
        return f.x + self.offset[0], f.y + self.offset[1]


def _number(path, where, v, lo, hi) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise DocumentError(f"版式文件 {path}：{where} 的值“{v}”不是数字") from None
    if not lo <= x <= hi:
        raise DocumentError(f"版式文件 {path}：{where} 的值 {v} 超出范围（{lo} 到 {hi}）")
    return x


def load_layout(path: Path, offset=(0.0, 0.0)) -> Layout:
    """Read and check a layout file; DocumentError names the file, the key and what is expected."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DocumentError(f"版式文件 {path} 无法读取：{type(e).__name__}（应为 UTF-8 的 YAML 文件）") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("page"), dict) or not isinstance(raw.get("fields"), dict):
        raise DocumentError(f"版式文件 {path} 应有 page: {{width, height}} 和 fields: 两项")
    w = _number(path, "page.width", raw["page"].get("width"), 50, 600)
    h = _number(path, "page.height", raw["page"].get("height"), 50, 600)
    default = _number(path, "font_size", raw.get("font_size", 14), 4, 72)
    fields = []
    for key, spec in raw["fields"].items():
        if key not in FIELDS:
            raise DocumentError(f"版式文件 {path}：未知的字段 {key}；可用字段：{'、'.join(FIELDS)}")
        if not isinstance(spec, dict) or "x" not in spec or "y" not in spec:
            raise DocumentError(f"版式文件 {path}：字段 {key} 应写成 {{x: 毫米, y: 毫米, size: 磅}}")
        fields.append(Field(key, _number(path, f"{key}.x", spec["x"], 0, w), _number(path, f"{key}.y", spec["y"], 0, h),
                            _number(path, f"{key}.size", spec.get("size", default), 4, 72)))
    if not fields:
        raise DocumentError(f"版式文件 {path}：fields: 中没有任何字段")
    return Layout(Path(path), w, h, tuple(fields), (float(offset[0]), float(offset[1])))


def new_pdf(layout: Layout):
    """An empty PDF of the inner page's size with the CJK font (embedded as a subset)."""
    from fpdf import FPDF

    font = font_file()
    if font is None:
        raise DocumentError("找不到中文字体（随 gradlib 安装的 mplfonts 软件包），无法生成 PDF：请重新安装 gradlib")
    pdf = FPDF(orientation="P", unit="mm", format=(layout.width, layout.height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("cjk", fname=str(font))
    pdf.set_creator("gradlib")
    return pdf


def draw_diploma(pdf, layout: Layout, values: dict) -> None:
    """One page: every field of the layout with the student's value at its place."""
    pdf.add_page()
    for f in layout.fields:
        text = str(values.get(f.key) or "")
        if text:
            pdf.set_font("cjk", size=f.size)
            pdf.text(*layout.at(f), text)


def _ruler(pdf, layout: Layout) -> None:
    pdf.set_draw_color(0)
    pdf.set_line_width(0.1)
    pdf.set_font("cjk", size=6)
    for mm in range(0, int(layout.width) + 1):
        tick = 5 if mm % 10 == 0 else 3 if mm % 5 == 0 else 1.5
        pdf.line(mm, 0, mm, tick)
        if mm % 10 == 0 and 0 < mm < layout.width - 3:
            pdf.text(mm + 0.5, 7.5, str(mm))
    for mm in range(0, int(layout.height) + 1):
        tick = 5 if mm % 10 == 0 else 3 if mm % 5 == 0 else 1.5
        pdf.line(0, mm, tick, mm)
        if mm % 10 == 0 and 0 < mm < layout.height - 3:
            pdf.text(6, mm + 1, str(mm))


def calibration_page(pdf, layout: Layout, sample: dict) -> None:
    """A mm ruler along the top and left edges, and each field's box with its name and a sample value; a
    cross marks each baseline's start. Printed on plain paper, held against an inner page."""
    pdf.add_page()
    _ruler(pdf, layout)
    pdf.set_font("cjk", size=9)
    pdf.text(20, layout.height - 12, f"校准页：用普通纸打印（实际大小，不缩放），覆在内芯上对光核对。版式文件：{layout.path.name}；"
                                      f"整体偏移 x={layout.offset[0]:g} 毫米，y={layout.offset[1]:g} 毫米。")
    pdf.text(20, layout.height - 7, "每个框的左下角十字是文字基线的起点；位置不准时改版式文件，整体偏移改参数文件 documents.offset_mm。")
    for f in layout.fields:
        x, y = layout.at(f)
        pdf.set_font("cjk", size=f.size)
        text = str(sample.get(f.key) or FIELDS[f.key])
        w, h = max(pdf.get_string_width(text), 8), f.size * PT_MM
        pdf.set_draw_color(200, 0, 0)
        pdf.rect(x, y - h * 0.9, w, h * 1.1)
        pdf.line(x - 2, y, x + 2, y)
        pdf.line(x, y - 2, x, y + 2)
        pdf.set_text_color(120)
        pdf.text(x, y, text)
        pdf.set_text_color(200, 0, 0)
        pdf.set_font("cjk", size=6)
        pdf.text(x, y - h * 0.9 - 0.8, f"{FIELDS[f.key]} ({f.x:g}, {f.y:g})")
        pdf.set_text_color(0)
