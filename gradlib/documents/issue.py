"""One issuance: a serial taken, the content signed, the Word template filled and the audit row written, in
one registry transaction; then the PDF (where LibreOffice is installed) and its file row.

`Office` says where: the registry, the school and its serial code, the school's templates folder, the
output folder and who issues. It comes from a cohort's params file or from the command line.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock, formats
from ..errors import DocumentError
from ..params import DEFAULT_SCHOOL, DocumentsSpec, load_params
from ..reasons import DOCUMENT_BY_CODE, STATUS_CHANGES
from ..registry import Registry, default_user, now
from . import codes, store, templates, word


@dataclass(frozen=True)
class Office:
    """Where documents are made and recorded."""
    registry: Path
    out_dir: Path
    school: str = DEFAULT_SCHOOL
    spec: DocumentsSpec = field(default_factory=DocumentsSpec)
    by: str = ""


def office_from(params=None, registry=None, templates_dir=None, out=None, by=None) -> Office:
    """The Office of a params file (its registry, school, `documents:`), with the command line's overrides."""
    if params is not None:
        p = load_params(params)
        spec = p.documents
        reg, school = Path(registry).resolve() if registry else p.registry, p.school
    elif registry is not None:
        spec, reg, school = DocumentsSpec(templates=Path("templates").resolve()), Path(registry).resolve(), DEFAULT_SCHOOL
    else:
        raise DocumentError("请用 --params 指定一届的参数文件，或用 --registry 指定登记库文件")
    if templates_dir is not None:
        spec = DocumentsSpec(**{**spec.__dict__, "templates": Path(templates_dir).resolve()})
    out_dir = Path(out).resolve() if out else reg.parent / "证明文件"
    return Office(reg, out_dir, school, spec, by or default_user())


@dataclass
class Request:
    """What one document says: the fields its template is filled with, and whom it is about."""
    kind: str
    fields: dict  # every placeholder's text (name, major, …)
    person: dict
    student_id: str | None = None
    cohort: int | None = None
    approval: dict | None = None
    reissues: int | None = None


def content_of(req: Request, serial: str, day: dt.date, school: str) -> dict:
    """What the verification code signs: the serial, kind, date, school and every field printed."""
    return {"serial": serial, "kind": req.kind, "issued_on": day.isoformat(), "school": school,
            "fields": {k: str(v) for k, v in req.fields.items()}}


def write_one(db, secret: bytes, office: Office, req: Request, day: dt.date, at: str) -> store.Issued:
    """Inside an open write: take the serial, sign, fill the template, record the row (and the DOCX)."""
    kind = DOCUMENT_BY_CODE[req.kind]
    tpl = templates.find(kind.template, office.spec.templates)
    seq, serial = store.next_serial(db, req.kind, office.spec.school_code, day.year)
    content = content_of(req, serial, day, office.school)
    code = codes.sign(secret, content)
    ctx = {**req.fields, "serial": serial, "code": codes.shown(code), "issued_on": formats.cn_date(day),
           "school": office.school}
    target = office.out_dir / kind.label / f"{kind.label}_{serial}.docx"
    try:
        word.render(tpl.path, ctx, target, qr=codes.qr_text(serial, code))
        digest = store.sha256(target)
        doc = store.insert(db, store.Record(
            req.kind, serial, seq, day.year, code, content, req.person, day, req.cohort, req.student_id,
            req.fields.get("diploma_number") or None, tpl.path, tpl.sha256, target, digest, req.approval,
            req.reissues), office.by, at)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return store.Issued(doc, serial, code, req.kind, [target])


def issue(office: Office, prepare: Callable[[object], list[Request]], day: dt.date | None = None,
          pdf: bool = True, combined: str | None = None) -> list[store.Issued]:
    """Issue the documents `prepare(db)` asks for (it checks the rules inside the transaction and raises
    DocumentRefused), all in one transaction; then PDFs, and one combined PDF named `combined`."""
    day = day or clock.today()
    with Registry(office.registry, create=False) as reg:
        secret = reg.secret()
        at = now()
        written: list[store.Issued] = []
        try:
            with reg.write() as db:
                for req in prepare(db):
                    written.append(write_one(db, secret, office, req, day, at))
        except BaseException:
            for w in written:
                for f in w.files:
                    f.unlink(missing_ok=True)
            raise
        if pdf:
            written = _pdfs(reg, office, written, combined)
    return written


def _pdfs(reg: Registry, office: Office, written: list[store.Issued], combined: str | None) -> list[store.Issued]:
    try:
        pdfs = word.to_pdf([w.files[0] for w in written])
    except DocumentError as e:  # issued all the same: the serials and codes must still be printed
        return [store.Issued(w.id, w.serial, w.code, w.kind, w.files, e.report()) for w in written]
    if pdfs is None:
        return [store.Issued(w.id, w.serial, w.code, w.kind, w.files, word.NO_OFFICE) for w in written]
    at = now()
    whole = None
    if combined and len(pdfs) > 1:
        whole = word.combine(pdfs, office.out_dir / combined)
    with reg.write() as db:
        for w, p in zip(written, pdfs):
            store.add_file(db, w.id, p, None, office.by, at)
            if whole is not None:
                store.add_file(db, w.id, whole, None, office.by, at)
    return [store.Issued(w.id, w.serial, w.code, w.kind, [*w.files, p, *([whole] if whole else [])])
            for w, p in zip(written, pdfs)]


def record_of(db, student_id: str) -> dict | None:
    """The student's current record in the registry: the newest published row (graduates), else the newest
    enrolled row (a student of a later year, from intake); the 学籍状态, 专业 and 班级 after every status change
    recorded (学籍异动)."""
    sid = str(student_id).strip()
    row = db.execute("SELECT * FROM graduates WHERE student_id = ? ORDER BY id DESC LIMIT 1", (sid,)).fetchone()
    if row is not None:
        rec = dict(row)
        rec["roster"] = json.loads(rec.get("record") or "{}")
    else:
        row = db.execute("SELECT * FROM enrolled WHERE student_id = ? ORDER BY id DESC LIMIT 1", (sid,)).fetchone()
        if row is None:
            return None
        roster = json.loads(row["record"] or "{}")
        rec = {"cohort": row["cohort"], "student_id": sid, "name": roster.get("姓名", ""), "sex": roster.get("性别", ""),
               "birth_date": roster.get("出生日期", ""), "id_number": row["id_number"] or roster.get("身份证号", ""),
               "major": roster.get("专业", ""), "class": row["class"], "diploma_number": "", "outcome": None,
               "roster": roster}
    return _after_changes(db, rec)


def _after_changes(db, rec: dict) -> dict:
    changes = db.execute("SELECT kind, new_major, new_class FROM status_changes WHERE student_id = ? ORDER BY day, id",
                         (rec["student_id"],)).fetchall()
    if changes:
        status = rec["roster"].get("学籍状态") or "在籍"
        for kind, major, cls in changes:
            status = STATUS_CHANGES[kind][1] or status
            rec["major"], rec["class"] = major or rec["major"], cls or rec["class"]
        rec["roster"] = {**rec["roster"], "学籍状态": status}
    return rec


def report(issued: list[store.Issued]) -> list[str]:
    """What the command prints: each document's serial, code and files, and a note (no PDF) once."""
    lines = []
    for i in issued:
        lines.append(f"已开具{i.label}：编号 {i.serial}，核验码 {codes.shown(i.code)}")
        lines += [f"  {f}" for f in i.files if f not in {g for j in issued[:issued.index(i)] for g in j.files}]
    notes = {i.note for i in issued if i.note}
    return lines + sorted(notes)
