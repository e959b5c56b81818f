"""The verification letter (学历核实证明, Art 25-26): a graduate's record confirmed from the registry, on its own
template (templates/letter.docx), with a serial and a verification code like every certificate.
`write_letter` is what `gradlib letter` and `gradlib lookup … --letter` call."""
from __future__ import annotations

import datetime as dt

from .. import clock
from ..errors import DocumentRefused
from ..reasons import DOCUMENT_BY_CODE, GRADUATE_OUTCOMES, outcome_label
from . import store
from .certificates import diploma_number, student_fields
from .issue import Office, Request, issue, record_of


def write_letter(office: Office, student_id: str, purpose: str = "", day: dt.date | None = None,
                 pdf: bool = True) -> store.Issued:
    """Write the verification letter of a graduate in the registry (refused for anyone else)."""
    day = day or clock.today()
    kind = DOCUMENT_BY_CODE["letter"]

    def prepare(db):
        rec = record_of(db, student_id)
        if rec is None:
            raise DocumentRefused(f"学号 {student_id} 不在登记库中，不能出具{kind.label}")
        if rec["outcome"] not in GRADUATE_OUTCOMES:  # None: a student enrolled, not yet graduating
            raise DocumentRefused(f"学号 {student_id}（{rec['name']}）的审核结论为“{outcome_label(rec['outcome']) if rec['outcome'] else '在册'}”，"
                                  f"未毕业，不能出具{kind.label}")
        fields = student_fields(rec, office, purpose)
        fields["diploma_number"] = diploma_number(db, rec)
        fields["outcome"] = "准予毕业"
        person = {"name": rec["name"], "sex": rec["sex"], "id_number": rec["id_number"], "birth_date": rec["birth_date"]}
        return [Request("letter", fields, person, rec["student_id"], int(rec["cohort"]))]

    return issue(office, prepare, day, pdf)[0]
