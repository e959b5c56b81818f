"""The documents in the registry: serials allocated inside a write transaction, the audit rows, voiding,
and verification (`gradlib verify-document`).

Every function that writes takes the open transaction (``db`` from ``with reg.write() as db:``): a serial is
taken, the document rendered and its row written in one transaction, so two processes never get the same
serial (``BEGIN IMMEDIATE`` makes the second wait) and a failed rendering leaves no row behind.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError
from ..formats import cn_date, cn_datetime
from ..reasons import DOCUMENT_BY_CODE
from ..registry import Registry
from . import codes


@dataclass(frozen=True)
class Issued:
    """A document recorded in the registry: what the command prints."""
    id: int
    serial: str
    code: str
    kind: str
    files: list[Path] = field(default_factory=list)
    note: str = ""  # e.g. no LibreOffice: no PDF

    @property
    def label(self) -> str:
        return DOCUMENT_BY_CODE[self.kind].label


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def next_serial(db, kind: str, school_code: str, year: int) -> tuple[int, str]:
    """The next sequence of a kind in a year and its serial (JXTG-2027-BY-0001); call inside a write."""
    seq = db.execute("SELECT COALESCE(MAX(sequence), 0) + 1 FROM documents WHERE kind = ? AND year = ?",
                     (kind, year)).fetchone()[0]
    return seq, serial_of(kind, school_code, year, seq)


def serial_of(kind: str, school_code: str, year: int, seq: int) -> str:
    return f"{school_code}-{year}-{DOCUMENT_BY_CODE[kind].letters}-{seq:04d}"


@dataclass
class Record:
    """One document row to write (the serial and code already taken)."""
    kind: str
    serial: str
    sequence: int
    year: int
    code: str
    content: dict
    person: dict
    issued_on: dt.date
    cohort: int | None = None
    student_id: str | None = None
    diploma_number: str | None = None
    template: Path | None = None
    template_sha256: str | None = None
    output: Path | None = None
    output_sha256: str | None = None
    approval: dict | None = None
    reissues: int | None = None


def insert(db, r: Record, by: str, at: str) -> int:
    """Write the document's row (and its output file's row); returns its id."""
    doc = db.execute(
        "INSERT INTO documents (serial, kind, year, sequence, cohort, student_id, diploma_number, person, content, "
        "code, issued_on, template, template_sha256, output, output_sha256, approval, reissues, recorded_by, "
        "recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (r.serial, r.kind, r.year, r.sequence, r.cohort, r.student_id, r.diploma_number,
         json.dumps(r.person, ensure_ascii=False), codes.canonical(r.content), r.code, r.issued_on.isoformat(),
         str(r.template) if r.template else None, r.template_sha256, str(r.output) if r.output else None,
         r.output_sha256, json.dumps(r.approval, ensure_ascii=False) if r.approval else None, r.reissues,
         by, at)).lastrowid
    if r.output is not None:
        add_file(db, doc, r.output, r.output_sha256, by, at)
    return doc


def add_file(db, document: int, path: Path, digest: str | None, by: str, at: str) -> None:
    db.execute("INSERT INTO document_files (document, file, sha256, recorded_by, recorded_at) VALUES (?,?,?,?,?)",
               (document, str(path), digest or sha256(path), by, at))


def in_force(reg_or_db, kind: str, student_id: str) -> list[dict]:
    """The student's documents of that kind that were not voided, oldest first."""
    db = reg_or_db.db if isinstance(reg_or_db, Registry) else reg_or_db
    rows = db.execute("""SELECT d.* FROM documents d LEFT JOIN document_voids v ON v.document = d.id
                         WHERE d.student_id = ? AND d.kind = ? AND v.id IS NULL ORDER BY d.id""",
                      (student_id, kind)).fetchall()
    return [dict(r) for r in rows]


def last_voided(db, kind: str, student_id: str) -> int | None:
    """The student's latest voided document of that kind (a new one reissues it)."""
    row = db.execute("""SELECT d.id FROM documents d JOIN document_voids v ON v.document = d.id
                        WHERE d.student_id = ? AND d.kind = ? ORDER BY d.id DESC LIMIT 1""",
                     (student_id, kind)).fetchone()
    return row[0] if row else None


def find(reg: Registry, serial: str) -> dict | None:
    """A document by its serial (any case), with its voiding (void_reason, voided_by, voided_at) if any."""
    row = reg.one("""SELECT d.*, v.reason AS void_reason, v.recorded_by AS voided_by, v.recorded_at AS voided_at
                     FROM documents d LEFT JOIN document_voids v ON v.document = d.id
                     WHERE d.serial = ?""", (str(serial).strip().upper(),))
    return dict(row) if row else None


def void(reg: Registry, serial: str, reason: str, by: str, db=None) -> dict:
    """Void a document (with a reason); refused when there is no such document or it is voided already."""
    from ..registry import now

    if not str(reason or "").strip():
        raise DocumentError("作废必须写明原因（--reason）")
    doc = find(reg, serial)
    if doc is None:
        raise DocumentError(f"登记库中没有编号为 {serial} 的证书或证明")
    if doc["void_reason"] is not None:
        raise DocumentError(f"{doc['serial']} 已于{cn_datetime(doc['voided_at'])}由 {doc['voided_by']} 作废（原因：{doc['void_reason']}）")

    def write(d):
        d.execute("INSERT INTO document_voids (document, reason, recorded_by, recorded_at) VALUES (?,?,?,?)",
                  (doc["id"], reason.strip(), by, now()))

    if db is not None:
        write(db)
    else:
        with reg.write() as d:
            write(d)
    return find(reg, doc["serial"])


@dataclass(frozen=True)
class Verdict:
    """What verify-document says: issued or not, to whom (masked), when, voided or not."""
    ok: bool
    lines: list[str]

    def report(self) -> str:
        return "\n".join(self.lines)


def verify(reg: Registry, serial: str, code: str) -> Verdict:
    """Whether a document with this serial and this code was issued (the code recomputed from the record)."""
    doc = find(reg, serial)
    if doc is None:
        return Verdict(False, [f"核验不通过：本校没有开具过编号为 {serial} 的证书或证明。"])
    genuine = codes.sign(reg.secret(), json.loads(doc["content"]))
    if not codes.same(genuine, doc["code"]):
        return Verdict(False, [f"核验不通过：编号 {doc['serial']} 的登记记录已被改动，请与学校联系。"])
    if not codes.same(code, genuine):
        return Verdict(False, [f"核验不通过：编号 {doc['serial']} 的核验码不符，该文件可能被改动或伪造。"])
    person = json.loads(doc["person"])
    label = DOCUMENT_BY_CODE[doc["kind"]].label
    lines = [f"核验通过：{label} {doc['serial']} 确由本校开具。",
             f"  持有人：{codes.mask_name(person.get('name', ''))}"
             + (f"（学号 {codes.mask_id(doc['student_id'])}）" if doc["student_id"] else ""),
             f"  开具日期：{cn_date(dt.date.fromisoformat(doc['issued_on'])) if doc['issued_on'] else ''}，登记时间：{cn_datetime(doc['recorded_at'])}"]
    if doc["void_reason"] is not None:
        lines[0] = f"核验不通过：{label} {doc['serial']} 曾由本校开具，但已于 {cn_datetime(doc['voided_at'])} 作废。"
        lines.append(f"  作废原因：{doc['void_reason']}")
        return Verdict(False, lines)
    return Verdict(True, lines)
