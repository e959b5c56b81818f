"""The default Word templates shipped in templates/, built with python-docx (`python -m
gradlib.documents.defaults` rewrites them). Staff edit a copy in Word (`gradlib templates`); the
placeholders in {{ }} are filled by docxtpl, each kept in one run so Word does not split it.

Placeholders every template may use: school, serial, code, issued_on, name, sex, birth_date, id_number,
student_id, major, class_name, cohort, entry, graduation, length, diploma_number, status, purpose, qr;
the study certificate also course, study_from, study_to; the letter outcome.
"""
from __future__ import annotations

from pathlib import Path

from ..outputs.workbook import BODY_FONT, TITLE_FONT
from ..reasons import DOCUMENT_BY_CODE

BODY = {
    "graduation": [
        "{{ name }}，{{ sex }}，{{ birth_date }}出生，身份证号{{ id_number }}，于{{ entry }}至{{ graduation }}在我校"
        "{{ major }}专业（学制{{ length }}）学习，修完教学计划规定的全部课程，成绩合格，准予毕业，"
        "毕业证书编号{{ diploma_number }}。",
        "因本人毕业证书遗失，经核查我校毕业生档案，情况属实，特此证明。",
        "{%p if purpose %}",
        "本证明书用于{{ purpose }}。",
        "{%p endif %}",
        "本证明书与毕业证书具有同等证明效力，涂改无效。",
    ],
    "status": [
        "兹证明{{ name }}，{{ sex }}，{{ birth_date }}出生，身份证号{{ id_number }}，学号{{ student_id }}，"
        "系我校{{ major }}专业{{ class_name }}学生，{{ entry }}入学，学制{{ length }}，现学籍状态为{{ status }}。",
        "{%p if purpose %}",
        "本证明用于{{ purpose }}。",
        "{%p endif %}",
        "特此证明。",
    ],
    "enrolment": [
        "兹证明{{ name }}，{{ sex }}，身份证号{{ id_number }}，系我校{{ major }}专业{{ class_name }}在读学生，"
        "学号{{ student_id }}，{{ entry }}入学，学制{{ length }}，预计于{{ graduation }}毕业。",
        "{%p if purpose %}",
        "本证明用于{{ purpose }}。",
        "{%p endif %}",
        "特此证明。",
    ],
    "study": [
        "兹证明{{ name }}，{{ sex }}，身份证号{{ id_number }}，于{{ study_from }}至{{ study_to }}在我校参加"
        "{{ course }}学习，经教务科核查，学习期满，成绩合格。",
        "该学员未取得我校学籍，本证明书仅证明其学习经历，不作为学历证明。",
        "{%p if purpose %}",
        "本证明书用于{{ purpose }}。",
        "{%p endif %}",
        "特此证明。",
    ],
    "letter": [
        "经核查我校毕业生档案，{{ name }}，{{ sex }}，{{ birth_date }}出生，身份证号{{ id_number }}，"
        "于{{ entry }}至{{ graduation }}在我校{{ major }}专业（学制{{ length }}）学习，{{ outcome }}，"
        "毕业证书编号{{ diploma_number }}。",
        "{%p if purpose %}",
        "本证明应{{ purpose }}的要求出具。",
        "{%p endif %}",
        "中等职业学校毕业证书可在江西省教育厅网站查询。特此证明。",
    ],
}
FOOT = ("核验码：{{ code }}",
        "凭编号和核验码可向{{ school }}校企合作与就业办核验本文件的真伪（扫描二维码可读出编号和核验码）。")


def _font(run, name: str, size: float, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def build(kind: str, target: Path) -> Path:
    """Write the default template of a kind (a certificate or the letter) to target."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(28)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)

    def para(text="", *, size=14, font=BODY_FONT, bold=False, align=None, indent=True, after=6):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(after)
        p.paragraph_format.line_spacing = 1.5
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        if text:
            _font(p.add_run(text), font, size, bold)
        return p

    para(DOCUMENT_BY_CODE[kind].label, size=24, font=TITLE_FONT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
         indent=False, after=18)
    para("编号：{{ serial }}", size=11, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, after=12)
    for text in BODY[kind]:
        para(text, indent=not text.startswith("{%"))
    para(after=24)
    for text in ("{{ school }}", "（盖章）", "{{ issued_on }}"):
        para(text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, after=0)
    para(after=30)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    for column, cell, width in zip(table.columns, (left, right), (Mm(32), Mm(122))):
        column.width = cell.width = width  # LibreOffice reads the grid, Word the cells
    _font(left.paragraphs[0].add_run("{{ qr }}"), BODY_FONT, 10)
    right.paragraphs[0].paragraph_format.space_after = Pt(4)
    _font(right.paragraphs[0].add_run(FOOT[0]), BODY_FONT, 11, True)
    p = right.add_paragraph()
    _font(p.add_run(FOOT[1]), BODY_FONT, 10)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def main(folder: Path | None = None) -> list[Path]:
    """Rebuild every default DOCX template in the package's templates/ (or in folder)."""
    from .templates import PACKAGED

    folder = Path(folder or PACKAGED)
    return [build(kind, folder / DOCUMENT_BY_CODE[kind].template) for kind in BODY]


if __name__ == "__main__":
    for path in main():
        print(path)
