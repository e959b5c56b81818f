"""Certificates (issue 11): each kind from the default templates, the refusals, void and reissue, serials under
two processes, a school-edited template, verification, the audit rows, a batch with one combined PDF."""
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from documents_helpers import fresh, office, pdftext, published_registry
from docx import Document
from registry_helpers import cli

from gradlib.documents import codes, store
from gradlib.documents.batch import certificates_from_table
from gradlib.documents.certificates import Ask, certificate
from gradlib.documents.letter import write_letter
from gradlib.documents.templates import PACKAGED
from gradlib.errors import DocumentRefused
from gradlib.registry import Registry

DAY = dt.date(2027, 3, 1)  # before the cohort graduates: status certificates are allowed
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (soffice) for DOCX → PDF")
STUDY = {"name": "赵六", "sex": "男", "id_number": "36010219900101123X", "birth_date": "1990-01-01", "course": "数控车床操作培训",
             "study_from": "2026-09-01", "study_to": "2026-12-31"}
APPROVED = {"grades_checked_by": "教务科 孙老师", "approved_by": "副校长 周明", "approved_on": "2027-01-10"}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    return published_registry(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def reg(cohort, tmp_path):
    return fresh(cohort[1], tmp_path)


def docx_text(path: Path) -> str:
    return "".join(p.text for p in Document(str(path)).paragraphs) + "".join(
        c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)


def row(reg: Path, serial: str) -> dict:
    with Registry(reg) as r:
        return store.find(r, serial)


@pytest.mark.parametrize("kind, ask, expected", [
    ("graduation", Ask("graduation", "2024000001", purpose="单位入职"), ["毕业证明书", "张伟", "准予毕业", "2024年9月至2027年7月",
                                                                   "本证明书用于单位入职"]),
    ("status", Ask("status", "2024000002", purpose="办理医保"), ["学籍证明", "李娜", "学籍状态为在籍", "本证明用于办理医保"]),
    ("enrolment", Ask("enrolment", "2024000003"), ["在读证明", "王芳", "在读学生", "预计于2027年7月毕业"]),
    ("study", Ask("study", person=STUDY, approval=APPROVED), ["学习证明书", "赵六", "数控车床操作培训", "2026年9月1日至2026年12月31日"]),
])
def test_each_kind_is_issued_from_the_default_template(reg, tmp_path, kind, ask, expected):
    issued = certificate(office(reg, tmp_path / "out"), ask, DAY, pdf=False)
    letters = {"graduation": "BY", "status": "XJ", "enrolment": "ZD", "study": "XX"}[kind]
    assert issued.serial == f"JXTG-2027-{letters}-0001" and len(issued.code) == 16
    text = docx_text(issued.files[0])
    for words in expected + [issued.serial, codes.shown(issued.code), "江西省通用技术工程学校", "2027年3月1日"]:
        assert words in text
    assert "{{" not in text and "{%" not in text
    d = row(reg, issued.serial)  # the audit row: who, when, which template (and its SHA-256), the output's SHA-256
    assert d["recorded_by"] == "就业办 李老师" and d["recorded_at"] and d["issued_on"] == "2027-03-01"
    assert Path(d["template"]) == PACKAGED / f"{kind}.docx" and d["template_sha256"] == store.sha256(d["template"])
    assert d["output_sha256"] == store.sha256(issued.files[0])
    assert json.loads(d["content"])["fields"]["name"] == expected[1]


def test_a_study_certificate_records_the_approval(reg, tmp_path):
    issued = certificate(office(reg, tmp_path), Ask("study", person=STUDY, approval=APPROVED), DAY, pdf=False)
    d = row(reg, issued.serial)
    assert d["student_id"] is None and json.loads(d["approval"]) == {
        "grades_checked_by": "教务科 孙老师", "approved_by": "副校长 周明", "approved_on": "2027-01-10"}


@pytest.mark.parametrize("ask, words", [
    (Ask("graduation", "2024000006"), "不具备毕业资格"),  # 休学 without the grades certified: not a graduate
    (Ask("graduation", "2099000001"), "不在登记库中"),
    (Ask("status", "2024000006"), "学籍状态为“休学”"),
    (Ask("enrolment", "2024000006"), "学籍状态为“休学”"),
    (Ask("study", person=STUDY, approval={**APPROVED, "approved_by": ""}), "未登记：批准的校领导"),
    (Ask("study", person=STUDY, approval={}), "教务科成绩核查人、批准的校领导、批准日期"),
    (Ask("study", person={**STUDY, "id_number": ""}, approval=APPROVED), "缺少：身份证号"),
])
def test_refused_cases_write_nothing(reg, tmp_path, ask, words):
    with pytest.raises(DocumentRefused, match=words):
        certificate(office(reg, tmp_path / "out"), ask, DAY, pdf=False)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.docx"))
    with Registry(reg) as r:
        assert r.one("SELECT COUNT(*) FROM documents")[0] == 0


def test_a_person_on_a_roster_gets_no_study_certificate(reg, tmp_path):
    with Registry(reg) as r:
        idn = r.one("SELECT id_number FROM graduates WHERE student_id = '2024000002'")[0]
    with pytest.raises(DocumentRefused, match="在登记库中有学籍"):
        certificate(office(reg, tmp_path), Ask("study", person={**STUDY, "id_number": idn}, approval=APPROVED), DAY,
                    pdf=False)


def test_a_status_certificate_is_refused_after_graduation(reg, tmp_path):
    with pytest.raises(DocumentRefused, match="已于 2027 年毕业"):
        certificate(office(reg, tmp_path), Ask("enrolment", "2024000002"), dt.date(2027, 9, 1), pdf=False)
    certificate(office(reg, tmp_path), Ask("graduation", "2024000002"), dt.date(2027, 9, 1), pdf=False)


def test_a_second_graduation_proof_is_refused_until_the_first_is_voided(reg, tmp_path):
    o = office(reg, tmp_path)
    first = certificate(o, Ask("graduation", "2024000001"), DAY, pdf=False)
    with pytest.raises(DocumentRefused, match=rf"已于\d{{4}}年\d+月\d+日 \d\d:\d\d由 .*每人只开具一次.*void-document {first.serial}"):
        certificate(o, Ask("graduation", "2024000001"), DAY, pdf=False)
    r = cli("void-document", first.serial, "--reason", "姓名打印有误", "--registry", reg, "--by", "就业办 王老师")
    assert r.returncode == 0 and "已作废" in r.stdout, r.stderr
    r = cli("void-document", first.serial, "--reason", "再次作废", "--registry", reg)
    assert r.returncode == 1 and re.search(r"已于\d{4}年\d+月\d+日 \d\d:\d\d由", r.stderr)  # voided once only
    again = certificate(o, Ask("graduation", "2024000001"), DAY, pdf=False)
    assert again.serial.endswith("-0002")
    assert row(reg, again.serial)["reissues"] == row(reg, first.serial)["id"]
    old = row(reg, first.serial)
    assert (old["void_reason"], old["voided_by"]) == ("姓名打印有误", "就业办 王老师")  # both stay in the registry


def test_verify_document_accepts_the_real_code_and_rejects_a_changed_one(reg, tmp_path):
    issued = certificate(office(reg, tmp_path), Ask("status", "2024000004"), DAY, pdf=False)
    r = cli("verify-document", issued.serial, codes.shown(issued.code), "--registry", reg)
    assert r.returncode == 0 and "核验通过" in r.stdout and "刘*" in r.stdout and "刘洋" not in r.stdout
    assert cli("verify-document", issued.serial.lower(), issued.code.lower(), "--registry", reg).returncode == 0
    changed = issued.code[:-1] + ("A" if issued.code[-1] != "A" else "B")
    r = cli("verify-document", issued.serial, changed, "--registry", reg)
    assert r.returncode == 1 and "核验码不符" in r.stdout
    r = cli("verify-document", "JXTG-2027-XJ-0099", issued.code, "--registry", reg)
    assert r.returncode == 1 and "没有开具过" in r.stdout
    cli("void-document", issued.serial, "--reason", "学生退回", "--registry", reg)
    r = cli("verify-document", issued.serial, issued.code, "--registry", reg)
    assert r.returncode == 1 and "核验不通过" in r.stdout and "作废原因：学生退回" in r.stdout


def test_a_code_cannot_be_made_without_the_secret_and_changes_with_the_content(reg):
    with Registry(reg) as r:
        secret = r.secret()
    content = {"serial": "JXTG-2027-BY-0001", "fields": {"name": "张伟"}}
    assert codes.sign(secret, content) == codes.sign(secret, dict(content))
    assert codes.sign(secret, {**content, "fields": {"name": "张玮"}}) != codes.sign(secret, content)
    assert codes.sign(b"another secret", content) != codes.sign(secret, content)


def test_a_school_edited_template_is_used(reg, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    doc = Document(str(PACKAGED / "enrolment.docx"))
    doc.add_paragraph("本证明自开具之日起三个月内有效。")
    doc.save(str(folder / "enrolment.docx"))
    issued = certificate(office(reg, tmp_path / "out", templates=folder), Ask("enrolment", "2024000005"), DAY, pdf=False)
    assert "本证明自开具之日起三个月内有效。" in docx_text(issued.files[0])
    d = row(reg, issued.serial)
    assert Path(d["template"]) == (folder / "enrolment.docx").resolve()
    assert d["template_sha256"] == store.sha256(folder / "enrolment.docx") != store.sha256(PACKAGED / "enrolment.docx")
    other = certificate(office(reg, tmp_path / "out", templates=folder), Ask("status", "2024000005"), DAY, pdf=False)
    assert Path(row(reg, other.serial)["template"]) == PACKAGED / "status.docx"  # no school copy: the default


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(reg, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    doc = Document(str(PACKAGED / "status.docx"))
    doc.add_paragraph("班主任：{{ teacher }}")
    doc.save(str(folder / "status.docx"))
    r = cli("certificate", "status", "--student", "2024000002", "--registry", reg, "--templates", folder,
            "--out", tmp_path / "out")
    assert r.returncode == 1 and "teacher" in r.stderr and "Traceback" not in r.stderr
    with Registry(reg) as x:
        assert x.one("SELECT COUNT(*) FROM documents")[0] == 0


WORKER = """
import datetime as dt, sys, time
sys.path.insert(0, {tests!r})
from documents_helpers import office
from gradlib.documents.certificates import Ask, certificate
while time.time() < {start}:
    time.sleep(0.01)
for i in range(8):
    print(certificate(office({reg!r}, {out!r}), Ask("status", "2024000002"), dt.date(2027, 3, 1), pdf=False).serial)
"""


def test_serials_are_unique_under_two_concurrent_processes(reg, tmp_path):
    start = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", WORKER.format(tests=str(Path(__file__).parent), start=start,
                                                                    reg=str(reg), out=str(tmp_path / f"o{i}"))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    serials = [s for o in outs for s in o[0].split()]
    assert len(serials) == 16 and len(set(serials)) == 16
    assert sorted(serials) == [f"JXTG-2027-XJ-{i:04d}" for i in range(1, 17)]


def test_the_certificate_command_prints_files_serial_and_code(reg, tmp_path):
    r = cli("certificate", "enrolment", "--student", "2024000003", "--registry", reg, "--out", tmp_path / "out",
            "--purpose", "实习单位办理入职")
    assert r.returncode == 0, r.stderr
    assert "已开具在读证明：编号 JXTG-" in r.stdout and "核验码" in r.stdout and ".docx" in r.stdout
    assert ("未安装 LibreOffice" in r.stdout) == (SOFFICE is None)
    r = cli("certificate", "graduation", "--student", "2024000006", "--registry", reg)
    assert r.returncode == 1 and "不予开具" in r.stderr and "Traceback" not in r.stderr


def test_a_batch_from_a_table_is_all_or_nothing(reg, tmp_path):
    table = tmp_path / "名单.csv"
    table.write_text("学号,姓名\n2024000001,张伟\n2024000006,杨磊\n2099000009,无此人\n", encoding="utf-8-sig")
    with pytest.raises(DocumentRefused, match="2 行不能开具") as e:
        certificates_from_table(office(reg, tmp_path / "out"), "enrolment", table, day=DAY, pdf=False)
    assert "名单.csv 第 3 行" in str(e.value) and "名单.csv 第 4 行" in str(e.value)
    assert not list((tmp_path / "out").rglob("*.docx"))


@needs_office
def test_a_batch_gives_one_pdf_each_and_one_combined_pdf(reg, tmp_path):
    from pypdf import PdfReader

    table = tmp_path / "名单.csv"
    table.write_text("学号,用途\n2024000001,实习\n2024000002,实习\n2024000003,实习\n", encoding="utf-8-sig")
    issued = certificates_from_table(office(reg, tmp_path / "out"), "enrolment", table, day=DAY)
    assert [i.serial for i in issued] == [f"JXTG-2027-ZD-{n:04d}" for n in (1, 2, 3)]
    combined = issued[0].files[-1]
    assert combined.name.startswith("在读证明_批量_") and len(PdfReader(str(combined)).pages) == 3
    text = pdftext(combined)
    assert all(name in text for name in ("张伟", "李娜", "王芳")) and issued[2].serial in text
    with Registry(reg) as r:
        files = [x[0] for x in r.read("SELECT file FROM document_files WHERE document = ?", (issued[0].id,))]
    assert {Path(f).suffix for f in files} == {".docx", ".pdf"} and str(combined) in files


@needs_office
@pytest.mark.parametrize("kind, ask", [("graduation", Ask("graduation", "2024000001")),
                                        ("study", Ask("study", person=STUDY, approval=APPROVED))])
def test_the_pdf_holds_the_chinese_name_and_the_serial_with_the_font_embedded(reg, tmp_path, kind, ask):
    issued = certificate(office(reg, tmp_path / "out"), ask, DAY)
    pdf = next(f for f in issued.files if f.suffix == ".pdf")
    text = pdftext(pdf)
    assert ask_name(ask) in text and issued.serial in text
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        cjk = [line for line in fonts.splitlines() if "CJK" in line]
        assert cjk and all(" yes " in line for line in cjk)  # embedded
    if os.environ.get("GRADLIB_RENDER_DIR") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                        str(Path(os.environ["GRADLIB_RENDER_DIR"]) / kind)], check=True)


def ask_name(ask: Ask) -> str:
    return ask.person.get("name") or {"2024000001": "张伟"}[ask.student_id]


def test_the_letter_confirms_a_graduate_and_refuses_others(reg, tmp_path):
    issued = write_letter(office(reg, tmp_path), "2024000003", "某公司人事部", day=DAY, pdf=False)
    text = docx_text(issued.files[0])
    assert issued.serial == "JXTG-2027-HS-0001" and "学历核实证明" in text and "王芳" in text and "某公司人事部" in text
    with pytest.raises(DocumentRefused, match="未毕业"):
        write_letter(office(reg, tmp_path), "2024000006", day=DAY, pdf=False)
    r = cli("letter", "2024000002", "--registry", reg, "--out", tmp_path / "o")
    assert r.returncode == 0 and "已开具学历核实证明" in r.stdout, r.stderr


def test_the_certificate_carries_a_qr_code_and_the_shipped_templates_are_the_built_ones(reg, tmp_path):
    import zipfile

    from gradlib.documents import defaults

    issued = certificate(office(reg, tmp_path / "out"), Ask("status", "2024000002"), DAY, pdf=False)
    media = [n for n in zipfile.ZipFile(issued.files[0]).namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0].endswith(".png")
    assert codes.qr_text(issued.serial, issued.code) == f"{issued.serial} {codes.shown(issued.code)}"
    for path in defaults.main(tmp_path / "built"):
        assert docx_text(path) == docx_text(PACKAGED / path.name), path.name  # `python -m gradlib.documents.defaults`


def test_the_documents_params_are_checked(tmp_path):
    from gradlib.errors import ParamsError
    from gradlib.params import load_params

    base = "cohort: 2027\ninternship_materials_due: 2027-05-31\nmakeup_results_published: 2027-06-20\n"
    p = tmp_path / "p.yaml"
    p.write_text(base + "documents: {school_code: 江西, offset_mm: [1], diploma_number: {prefix: 36, digits: x}, "
                        "colour: red}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_params(p)
    keys = {q.column for q in e.value.problems}
    assert {"documents.school_code", "documents.offset_mm", "documents.diploma_number.digits",
            "documents.colour"} <= keys
    p.write_text(base + "documents: {offset_mm: [1.5, -0.5], diploma_number: {prefix: '0036'}}\n", encoding="utf-8")
    spec = load_params(p).documents
    assert spec.offset_mm == (1.5, -0.5) and spec.diploma_prefix == "0036" and spec.templates == tmp_path / "templates"


def test_lookup_writes_the_verification_letter(reg, tmp_path):
    r = cli("lookup", "2024000003", "--letter", "--registry", reg, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "王芳" in r.stdout and "已开具学历核实证明：编号 JXTG-" in r.stdout
    assert list((reg.parent / "证明文件" / "学历核实证明").glob("学历核实证明_*.docx"))


def test_a_student_of_a_later_year_from_intake_and_status_changes_count(reg, tmp_path):
    roster = {"姓名": "周杰", "性别": "男", "出生日期": "2010-01-01", "专业": "数控技术应用", "学籍状态": "在籍",
              "入学年份": "2026"}
    with Registry(reg) as r, r.write() as db:
        db.execute("INSERT INTO enrolled (cohort, intake_year, student_id, class, id_number, exam_number, record, run_id, "
                   "recorded_by, recorded_at) VALUES (2029, 2026, '2026000001', '26数控1班', '360102201001011238', '', ?, "
                   "'intake', '学生管理科', '2026-09-01T09:00:00')", (json.dumps(roster, ensure_ascii=False),))
    issued = certificate(office(reg, tmp_path), Ask("enrolment", "2026000001"), DAY, pdf=False)
    text = docx_text(issued.files[0])
    assert "周杰" in text and "数控技术应用专业26数控1班在读学生" in text and "预计于2029年7月毕业" in text
    with pytest.raises(DocumentRefused, match="尚未毕业"):
        certificate(office(reg, tmp_path), Ask("graduation", "2026000001"), DAY, pdf=False)
    with Registry(reg) as r, r.write() as db:
        db.execute("INSERT INTO status_changes (cohort, student_id, kind, day, reason, approval, recorded_by, recorded_at) "
                   "VALUES (2029, '2026000001', '休学', '2027-01-05', '病休', '副校长 周明', '学生管理科', '2027-01-05T10:00:00')")
    with pytest.raises(DocumentRefused, match="学籍状态为“休学”"):
        certificate(office(reg, tmp_path), Ask("status", "2026000001"), DAY, pdf=False)
