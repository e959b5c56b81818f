"""Word templates filled with docxtpl, and PDF through LibreOffice when it is installed.

Placeholders are strict: a placeholder the template names but gradlib does not know is an error naming the
template and the placeholder (a typo in an edited template never prints an empty line). PDF conversion runs
`soffice --headless --convert-to pdf` with a private profile and fontconfig also seeing the packaged CJK
font (宋体/黑体 print in it where Windows' fonts are absent).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DocumentError
from ..outputs.fonts import font_file, font_name
from ..outputs.workbook import BODY_FONT, TITLE_FONT
from . import codes

NO_OFFICE = "本机未安装 LibreOffice（soffice），只写出了 Word 文件（.docx），未生成 PDF；可在 Word 中打开后打印"


def render(template: Path, context: dict, target: Path, qr: str | None = None) -> Path:
    """Fill the template with the context (and a QR code of qr as {{ qr }}, 22 mm wide); write target."""
    import jinja2
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    try:
        doc = DocxTemplate(str(template))
        names = doc.get_undeclared_template_variables()
    except jinja2.TemplateSyntaxError as e:
        raise DocumentError(f"模板 {template} 的占位符写法有误（第 {e.lineno} 处附近：{e.message}）；"
                            "占位符应写成 {{ name }}") from None
    except Exception as e:  # not a Word file, or a damaged one
        raise DocumentError(f"模板 {template} 不是可用的 Word 文件（.docx）：{type(e).__name__}") from None
    ctx = dict(context)
    if qr is not None:
        ctx["qr"] = InlineImage(doc, codes.qr_png(qr), width=Mm(22))
    unknown = sorted(set(names) - set(ctx))
    if unknown:
        raise DocumentError(f"模板 {template} 中的占位符 {'、'.join(unknown)} 不存在；可用的占位符："
                            + "、".join(sorted(ctx)))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        doc.render(ctx, jinja_env=env)
    except jinja2.TemplateError as e:
        raise DocumentError(f"模板 {template} 无法填写：{e}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


WINDOWS_SOFFICE = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                   r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")


def soffice() -> str | None:
    """LibreOffice's command: on the PATH, or where its Windows installer puts it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.name == "nt":
        found = next((p for p in WINDOWS_SOFFICE if Path(p).is_file()), None)
    return found


def office_env(folder: Path) -> dict:
    """The environment for LibreOffice: fontconfig also sees the packaged CJK font, 宋体/黑体 print in it."""
    path = font_file()
    if path is None:
        return dict(os.environ)
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    link = fonts / path.name
    if not link.exists():
        try:
            link.symlink_to(path)
        except OSError:  # Windows without the right to make links
            shutil.copy2(path, link)
    name = font_name(path)
    aliases = "\n".join(f'  <alias binding="same"><family>{f}</family><prefer><family>{name}</family></prefer></alias>'
                        for f in (BODY_FONT, TITLE_FONT, "SimSun", "SimHei"))
    conf = folder / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{folder / "cache"}</cachedir>
{aliases}
</fontconfig>
""", encoding="utf-8")
    return dict(os.environ, FONTCONFIG_FILE=str(conf))


def to_pdf(files: list[Path], timeout: int = 600) -> list[Path] | None:
    """Each DOCX as a PDF beside it, by LibreOffice; None when LibreOffice is not installed."""
    exe = soffice()
    if exe is None or not files:
        return None if exe is None else []
    with tempfile.TemporaryDirectory(prefix="gradlib-lo-") as tmp:
        profile = (Path(tmp) / "profile").as_uri()
        by_folder: dict[Path, list[Path]] = {}
        for f in files:
            by_folder.setdefault(f.parent, []).append(f)
        for folder, group in by_folder.items():
            try:
                subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                                "--outdir", str(folder), *map(str, group)], capture_output=True, timeout=timeout,
                               env=office_env(Path(tmp)), check=True)
            except (OSError, subprocess.SubprocessError) as e:
                raise DocumentError(f"LibreOffice 未能把 Word 文件转为 PDF（{type(e).__name__}）；Word 文件已写出") from None
    pdfs = [f.with_suffix(".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.is_file()]
    if missing:
        raise DocumentError("LibreOffice 未写出 PDF：" + "、".join(missing))
    return pdfs


def combine(pdfs: list[Path], target: Path) -> Path:
    """One PDF of every page of the given PDFs, in order (to print a batch at once)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for p in pdfs:
        writer.append(str(p))
    with open(target, "wb") as f:
        writer.write(f)
    return target
