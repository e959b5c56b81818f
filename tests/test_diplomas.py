"""Diploma print (issue 11): one page per graduate, fields where the layout file says (within 0.5 mm, read back
from the PDF's text layer), the CJK font embedded, numbers and stock recorded, spoiled blanks, the offset, the
calibration page."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from documents_helpers import fresh, pdftext, published_registry
from pypdf import PdfReader
from registry_helpers import cli

from gradlib.documents.diplomas import print_diplomas
from gradlib.documents.layout import load_layout
from gradlib.documents.templates import PACKAGED
from gradlib.errors import DocumentError
from gradlib.registry import Registry

MM = 25.4 / 72


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    return published_registry(tmp_path_factory.mktemp("dipl"))


@pytest.fixture
def reg(cohort, tmp_path):
    return fresh(cohort[1], tmp_path)


def texts(pdf: Path, page: int = 0) -> list[tuple[str, float, float]]:
    """Every text shown on a page with its baseline origin in mm from the top-left corner (pypdf's text layer)."""
    pg = PdfReader(str(pdf)).pages[page]
    height = float(pg.mediabox.height)
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((text.replace("\x00", "").strip(), x * MM, (height - y) * MM))

    pg.extract_text(visitor_text=visit)
    return out


def test_one_page_per_graduate_with_numbers_recorded_and_stock_used(cohort, reg, tmp_path):
    b = print_diplomas(cohort[0], registry=reg, out=tmp_path, by="就业办 王老师")
    # 可领取 and 暂缓领取 graduate (Art 15): 2024000001 (DEFERRED) is printed, 2024000006 (NOT_ELIGIBLE) is not
    assert [p[0] for p in b.printed] == [f"20240{i:05d}" for i in range(1, 6)]
    numbers = {sid: n for sid, n, _ in b.printed}
    assert numbers["2024000005"] == "360121202700005"  # the roster's column wins
    assert numbers["2024000001"] == "3601212700001" and numbers["2024000004"] == "3601212700004"  # prefix + serial
    assert len(PdfReader(str(b.pdf)).pages) == 5
    text = pdftext(b.pdf)
    assert "张伟" in text and "3601212700001" in text and "杨磊" not in text
    with Registry(reg) as r:
        docs = r.read("SELECT student_id, diploma_number, output, output_sha256, recorded_by FROM documents "
                      "WHERE kind = 'diploma' ORDER BY id")
        stock = r.read("SELECT item, event, quantity, diploma_number FROM stock ORDER BY id")
    assert [(d[0], d[1]) for d in docs] == list(numbers.items())
    assert {d[2] for d in docs} == {str(b.pdf)} and docs[0][4] == "就业办 王老师"
    assert [tuple(s) for s in stock] == [("inner", "used", 1, n) for n in numbers.values()]


def test_a_printed_diploma_is_not_printed_twice(cohort, reg, tmp_path):
    print_diplomas(cohort[0], registry=reg, out=tmp_path)
    again = print_diplomas(cohort[0], registry=reg, out=tmp_path)
    assert again.pdf is None and len(again.skipped) == 5 and "--spoiled 3601212700001" in again.skipped[0][1]


def test_fields_sit_where_the_layout_says_within_half_a_millimetre(cohort, reg, tmp_path):
    b = print_diplomas(cohort[0], ["2024000002"], registry=reg, out=tmp_path)
    lay = load_layout(PACKAGED / "diploma-layout.yaml")
    placed = {t: (x, y) for t, x, y in texts(b.pdf)}
    expected = {"name": "李娜", "sex": "女", "birth_date": "2008年2月15日", "major": "机电技术应用", "length": "三年",
                "entry": "2024年9月", "graduation": "2027年7月", "diploma_number": "3601212700001",  # the first number
                "school": "江西省通用技术工程学校", "issue_date": "2027年7月1日"}
    assert {f.key for f in lay.fields} == set(expected)
    for f in lay.fields:
        x, y = placed[expected[f.key]]
        assert abs(x - f.x) <= 0.5 and abs(y - f.y) <= 0.5, (f.key, x, y, f.x, f.y)
    if shutil.which("pdftotext"):  # poppler reads the same place: each word's left edge
        bbox = subprocess.run(["pdftotext", "-bbox", str(b.pdf), "-"], capture_output=True, text=True).stdout
        lefts = {w: float(x) * MM for x, w in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', bbox)}
        assert abs(lefts["李娜"] - lay.fields[0].x) <= 0.5


def test_the_cjk_font_is_embedded(cohort, reg, tmp_path):
    if not shutil.which("pdffonts"):
        pytest.skip("needs pdffonts (poppler-utils)")
    b = print_diplomas(cohort[0], ["2024000003"], registry=reg, out=tmp_path)
    fonts = subprocess.run(["pdffonts", str(b.pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all("NotoSansCJK" in line and line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)
    if os.environ.get("GRADLIB_RENDER_DIR") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(b.pdf),
                        str(Path(os.environ["GRADLIB_RENDER_DIR"]) / "diploma")], check=True)


def _live_params(run: Path) -> Path:
    return run.parents[2] / "params.yaml"  # the cohort's own params file, beside data/ (CohortFiles)


def test_the_offset_and_a_school_layout_apply_without_a_new_run(cohort, reg, tmp_path):
    run = cohort[0]
    live = _live_params(run)
    original = live.read_text(encoding="utf-8")
    folder = live.parent / "templates"
    try:
        folder.mkdir(exist_ok=True)
        raw = yaml.safe_load((PACKAGED / "diploma-layout.yaml").read_text(encoding="utf-8"))
        raw["fields"] = {"name": {"x": 40, "y": 50, "size": 20}, "student_id": {"x": 40, "y": 70}}
        (folder / "diploma-layout.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        live.write_text(original.replace("documents: {", "documents: {offset_mm: [1.5, -2], "), encoding="utf-8")
        b = print_diplomas(run, ["2024000004"], registry=reg, out=tmp_path)
    finally:
        live.write_text(original, encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
    placed = {t: (x, y) for t, x, y in texts(b.pdf)}
    assert set(placed) == {"刘洋", "2024000004"}
    assert abs(placed["刘洋"][0] - 41.5) <= 0.5 and abs(placed["刘洋"][1] - 48) <= 0.5
    with Registry(reg) as r:
        template = r.one("SELECT template FROM documents WHERE kind = 'diploma'")[0]
    assert Path(template) == (folder / "diploma-layout.yaml").resolve()


def test_a_spoiled_blank_is_recorded_and_the_diploma_reprinted_on_a_new_one(cohort, reg, tmp_path):
    run = cohort[0]
    first = print_diplomas(run, registry=reg, out=tmp_path)
    r = cli("diplomas", run, "--spoiled", "3601212700002", "--reason", "卡纸", "--registry", reg, "--out", tmp_path,
            "--by", "就业办 王老师")
    assert r.returncode == 0, r.stderr
    assert "已登记作废内芯 1 张：证书编号 3601212700002" in r.stdout and "已打印 1 份" in r.stdout
    assert "内芯结存为 -7 张" in r.stderr and "gradlib stock receive" in r.stderr  # nothing was ever received
    assert first.inner_left == -5
    reprint = Path(r.stdout.strip().splitlines()[-1])
    assert reprint != first.pdf and len(PdfReader(str(reprint)).pages) == 1 and "李娜" in pdftext(reprint)
    with Registry(reg) as x:
        stock = x.read("SELECT event, SUM(quantity) FROM stock WHERE item = 'inner' GROUP BY event ORDER BY event")
        rows = x.read("SELECT d.serial, d.diploma_number, d.reissues, v.reason FROM documents d LEFT JOIN "
                      "document_voids v ON v.document = d.id WHERE d.student_id = '2024000002' ORDER BY d.id")
        spoiled = x.one("SELECT diploma_number, reason, recorded_by FROM stock WHERE event = 'spoiled'")
    assert [tuple(s) for s in stock] == [("spoiled", 1), ("used", 6)]  # 5 + the reprint; both kept in history
    assert tuple(spoiled) == ("3601212700002", "卡纸", "就业办 王老师")
    assert [(n, reason) for _, n, _, reason in rows] == [("3601212700002", "卡纸"), ("3601212700002", None)]
    assert rows[1][2] is not None  # the reprint names the print it replaces
    r = cli("diplomas", run, "--spoiled", "3601212700099", "--reason", "卡纸", "--registry", reg)
    assert r.returncode == 1 and "没有已打印且未作废的证书编号" in r.stderr
    r = cli("diplomas", run, "--spoiled", "3601212700001", "--registry", reg)
    assert r.returncode == 1 and "--reason" in r.stderr


def test_only_the_published_run_and_only_graduates_are_printed(cohort, reg, tmp_path):
    with pytest.raises(DocumentError, match="不具备毕业资格"):
        print_diplomas(cohort[0], ["2024000006"], registry=reg, out=tmp_path)
    with pytest.raises(DocumentError, match="不在本届已发布的名单中"):
        print_diplomas(cohort[0], ["2099000001"], registry=reg, out=tmp_path)
    with pytest.raises(DocumentError, match="尚未发布"):
        print_diplomas(cohort[0], registry=tmp_path / "empty.sqlite", out=tmp_path)


def test_the_calibration_page_shows_the_ruler_and_every_field(cohort, tmp_path):
    r = cli("diplomas", cohort[0], "--align", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "校准页_2027届.pdf"
    placed = texts(pdf)
    words = [t for t, _, _ in placed]
    assert "姓名 (62, 78)" in words and "证书编号 (62, 176)" in words and "100" in words and "290" in words
    ten = next((x, y) for t, x, y in placed if t == "100" and y < 10)  # the top ruler's label beside its 100 mm tick
    assert abs(ten[0] - 100.5) <= 0.5


def test_a_bad_layout_file_is_named(tmp_path):
    bad = tmp_path / "diploma-layout.yaml"
    bad.write_text("page: {width: 297, height: 210}\nfields:\n  nmae: {x: 10, y: 10}\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="未知的字段 nmae"):
        load_layout(bad)
    bad.write_text("page: {width: 297, height: 210}\nfields:\n  name: {x: 400, y: 10}\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="name.x"):
        load_layout(bad)


def test_a_missing_registry_is_not_created_by_a_certificate(tmp_path):
    r = cli("certificate", "status", "--student", "2024000001", "--registry", tmp_path / "none.sqlite")
    assert r.returncode == 1 and "登记库不存在" in r.stderr and not (tmp_path / "none.sqlite").exists()
