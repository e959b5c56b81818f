"""Shared by the documents tests: a published six-student cohort (one DEFERRED, one 休学 NOT_ELIGIBLE, one with a
证书编号 on the roster), and a fresh copy of its registry for each test."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from registry_helpers import make_run

from gradlib.documents.issue import Office
from gradlib.params import DocumentsSpec
from gradlib.run.publish import publish


def _tweak(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 张伟 owes 400: DEFERRED (a graduate)
    s = cf.tables["students"]
    s.loc[5, "学籍状态"] = "休学"  # 2024000006 杨磊: NOT_ELIGIBLE
    s.loc[4, "证书编号"] = "360121202700005"  # 2024000005 陈静: the number from e-registration
    cf.params["documents"] = {"diploma_number": "{prefix: '36012127', start: 1, digits: 5}"}  # the others' numbers


def published_registry(root: Path) -> tuple[Path, Path]:
    """(run folder, registry file) of the cohort, published."""
    run = make_run(root, _tweak)
    reg = root / "published.sqlite"
    publish(run, by="就业办 王老师", registry=reg)
    return run, reg


def fresh(reg: Path, dest: Path) -> Path:
    target = dest / "registry.sqlite"
    shutil.copy2(reg, target)
    return target


def office(reg: Path, out: Path, templates: Path | None = None) -> Office:
    return Office(Path(reg), Path(out), "江西省通用技术工程学校", DocumentsSpec(templates=templates), "就业办 李老师")


def pdftext(pdf: Path) -> str:
    """The PDF's text without spaces (pdftotext spaces CJK text its own way); pypdf where poppler is absent."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    else:
        from pypdf import PdfReader

        # pypdf 6-7 reads fpdf2's two-byte Identity codes with a NUL before each character; poppler does not
        text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace("\x00", "")
    return "".join(text.split())
