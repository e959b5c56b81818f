"""`gradlib lookup`: find a graduate by 学号, 身份证号, 姓名 or 证书编号; the record, its history and events.

The ID number is masked (3601**********1234) unless the full record is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..formats import cn_datetime
from ..reasons import DOCUMENT_BY_CODE, REASON_BY_CODE, outcome_label, reason_labels
from .cohorts import history
from .collect import describe, events
from .db import Registry
from .transfers import transfer_rows


def mask_id(number: str) -> str:
    """3601**********1234: the first and last four characters of an ID number, the rest hidden (a short number
    of another document keeps only its first and last character)."""
    n = str(number or "")
    keep = 4 if len(n) > 8 else 1 if len(n) > 2 else 0
    return n[:keep] + "*" * (len(n) - 2 * keep) + (n[-keep:] if keep else "")


@dataclass(frozen=True)
class Match:
    cohort: int
    student_id: str
    name: str
    cls: str
    outcome: str

    def line(self) -> str:
        return f"{self.student_id}  {self.name}  {self.cohort} 届  {self.cls}  {outcome_label(self.outcome)}"


def find(reg: Registry, query: str, cohort: int | None = None) -> list[Match]:
    """Every student (one per cohort and 学号) whose 学号, 身份证号, 姓名 or 证书编号 is the query."""
    q = str(query).strip()
    rows = reg.read("""SELECT g.cohort, g.student_id, g.name, g.class, g.outcome FROM graduates g
                       WHERE g.id IN (SELECT MAX(id) FROM graduates GROUP BY cohort, student_id)
                       AND (? IS NULL OR g.cohort = ?)
                       AND g.student_id IN (SELECT student_id FROM graduates WHERE student_id = ? OR id_number = ?
                                            OR name = ? OR (diploma_number = ? AND diploma_number != ''))
                       ORDER BY g.cohort, g.student_id""", (cohort, cohort, q, q.upper(), q, q))
    return [Match(r[0], r[1], r[2], r[3] or "", r[4]) for r in rows]


def record_text(reg: Registry, m: Match, full: bool = False) -> str:
    """The student's record, history, collection and mailing, transfers and documents, as Chinese lines."""
    h = history(reg, m.student_id, m.cohort)
    g = h[-1]
    id_number = g["id_number"] if full else mask_id(g["id_number"])
    lines = [f"学号：{g['student_id']}　姓名：{g['name']}　性别：{g['sex']}　出生日期：{g['birth_date']}",
             f"身份证号：{id_number}　届别：{g['cohort']} 届　专业：{g['major']}　班级：{g['class']}",
             f"证书编号：{g['diploma_number'] or '（无）'}　当前结论：{_outcome(g)}"]
    lines.append("审核历史：")
    for r in h:
        what = "跟踪复核" if r["run_kind"] == "followup" else "毕业审核"
        lines.append(f"  {cn_datetime(r['recorded_at'])}  {what}（运行 {r['run_id']}，{r['recorded_by']} 发布）：{_outcome(r)}")
    ev = events(reg, m.student_id, m.cohort)
    lines.append("领取与邮寄：" + ("" if ev else "（无记录）"))
    lines += [f"  {describe(e)}　（{e['recorded_by']} 于 {cn_datetime(e['recorded_at'])} 登记{'，更正此前记录' if e['supersedes'] else ''}）"
              for e in ev]
    tr = transfer_rows(reg, m.student_id)
    lines.append("档案移交：" + ("" if tr else "（无记录）"))
    lines += [f"  {t['reason']} → {t['receiving_school']}：" + (f"{t['handed_over']} 已移交" if t["handed_over"] else "待移交")
              + (f"（邮寄单号 {t['tracking_number']}）" if t["tracking_number"] else "")
              + f"　（{t['recorded_by']} 于 {cn_datetime(t['recorded_at'])} 登记）" for t in tr]
    docs = reg.read("""SELECT d.serial, d.kind, d.recorded_by, d.recorded_at, v.reason AS voided FROM documents d
                       LEFT JOIN document_voids v ON v.document = d.id WHERE d.student_id = ? ORDER BY d.id""",
                    (m.student_id,))
    lines.append("已出具的文书：" + ("" if docs else "（无记录）"))
    lines += [f"  {d['serial']}  {DOCUMENT_BY_CODE[d['kind']].label if d['kind'] in DOCUMENT_BY_CODE else d['kind']}  {d['recorded_by']} 于 {cn_datetime(d['recorded_at'])} 出具"
              + (f"（已作废：{d['voided']}）" if d["voided"] else "") for d in docs]
    return "\n".join(lines)


def _outcome(r) -> str:
    text = outcome_label(r["outcome"])
    codes = [c for c in (r["reasons"] or "").split(";") if c]
    known = [c for c in codes if c in REASON_BY_CODE]
    if known:
        text += "（" + reason_labels(known) + "）"
    if r["deadline"]:
        text += f"，截止日期 {r['deadline']}"
    return text

