"""Rendered check: a public list and a class-teacher packet printed to PDF by LibreOffice, page 1 rendered to PNG.

Skipped when soffice or pdftoppm is absent (Debian: libreoffice-calc, poppler-utils). `make render-check` keeps
the PDFs and PNGs in outputs/render-check/ to look at.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_decide
from PIL import Image
from test_lists import bent_cohort

from gradlib import outputs as lists
from gradlib.documents.word import office_env  # fontconfig sees the packaged CJK font; 宋体/黑体 print in it

TOOLS = [shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext", "pdfinfo")]
pytestmark = pytest.mark.skipif(not all(TOOLS), reason="needs soffice (libreoffice-calc) and poppler-utils")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    out = Path(os.environ.get("GRADLIB_RENDER_DIR") or root / "pdf").resolve()
    out.mkdir(parents=True, exist_ok=True)
    run_dir = root / "outputs" / "2027" / ".run.partial"
    run_dir.mkdir(parents=True)
    lists.write_outputs(run_decide(bent_cohort(root / "cohort")), run_dir)
    files = [run_dir / "暂缓领取毕业证名单.xlsx", run_dir / "班主任通知" / "24机电1班（内部）.xlsx"]
    profile = (root / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=180,
                   env=office_env(root / "fontconfig"))
    result = {}
    for f in files:
        pdf = out / f"{f.stem}.pdf"
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(out / f.stem)], check=True, timeout=60)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        text = "".join(text.split())  # pdftotext spaces CJK text its own way
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        result[f.stem] = (out / f"{f.stem}.png", text, info, fonts)
    return result


def _size(info: str) -> tuple[float, float]:
    line = next(x for x in info.splitlines() if x.startswith("Page size:"))
    w, h = line.split(":")[1].split("pts")[0].split("x")
    return float(w), float(h)


def test_public_list_prints_on_a4_with_title_dates_and_page_numbers(rendered):
    png, text, info, _ = rendered["暂缓领取毕业证名单"]
    w, h = sorted(_size(info))
    assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4
    assert "江西省通用技术工程学校2027届暂缓领取毕业证名单" in text
    assert "公示期" in text and "第1页共1页" in text and "内部资料" not in text
    assert "需补考认定" in text and "2028年6月20日" in text
    assert "共2人校企合作与就业办2027年6月24日" in text  # the foot of a posted list


def test_packet_prints_landscape_with_the_internal_header(rendered):
    _, text, info, _ = rendered["24机电1班（内部）"]
    w, h = _size(info)
    assert w > h  # landscape
    assert "内部资料请勿外传" in text and "第1页共1页" in text
    assert "欠缴学杂费500.00元" in text


def test_pages_render_to_png_with_a_cjk_font(rendered):
    for png, _, _, fonts in rendered.values():
        im = Image.open(png).convert("L")
        assert im.size[0] > 500 and im.getextrema()[0] < 100  # something dark was printed
        assert "NotoSansCJK" in fonts.replace(" ", ""), fonts  # the packaged font, not a system one
