"""`gradlib diplomas RUN_FOLDER`: one PDF page per graduate of the published run, on the pre-printed inner page.

Who: the graduates of Art 15 — 可领取 and 暂缓领取 (they graduate; a 暂缓领取 diploma is kept until the matter
is settled) — of the cohort's current record; 缓发 and 不具备毕业资格 get none (a 缓发 student re-certified in a
follow-up run is printed then). A graduate whose diploma was printed is skipped: a blank spoiled in the
printer is recorded first (`--spoiled 证书编号 --reason …`), which voids that print, counts the blank as
spoiled in the stock and prints the diploma again, with the same 证书编号, on a new blank.

证书编号: the roster's column (e-registration) when it is filled, else the one the student got before, else
params prefix + serial (`documents.diploma_number`), taken inside the transaction. Every page printed is a
document row (serial, code), a stock row (内芯 used) and the PDF's SHA-256, written in one transaction.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..errors import DocumentError
from ..formats import cn_datetime
from ..params import Params, load_params
from ..reasons import DOCUMENT_BY_CODE, GRADUATE_OUTCOMES, outcome_label
from ..registry import Registry, current_graduates, default_user, now, published, stock
from . import codes, layout, store, templates
from .certificates import entry_month

LAYOUT = DOCUMENT_BY_CODE["diploma"].template


@dataclass
class Batch:
    """What one diploma print did."""
    pdf: Path | None
    printed: list[tuple[str, str, str]] = field(default_factory=list)  # (学号, 证书编号, serial)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (学号, why)
    spoiled: str | None = None  # the 证书编号 whose blank was recorded spoiled
    inner_left: int | None = None  # 内芯 on hand after the print, as the registry's stock says


def values(rec, params: Params) -> dict:
    """Everything a diploma can print for one graduate (layout.FIELDS)."""
    cohort = int(params.cohort)
    birth = str(rec["birth_date"] or "")
    parts = birth.split("-")
    by, bm, bd = parts if len(parts) == 3 and all(p.isdigit() for p in parts) else ("", "", "")
    entry = entry_month(rec["roster"], cohort)
    ey, em = entry[:-1].split("年")
    issued = params.issue_window[0]
    return {"name": rec["name"], "sex": rec["sex"] or "", "student_id": rec["student_id"],
            "birth_date": f"{int(by)}年{int(bm)}月{int(bd)}日" if by else birth,
            "birth_year": by, "birth_month": str(int(bm)) if bm else "", "birth_day": str(int(bd)) if bd else "",
            "major": rec["major"] or "", "length": params.documents.length, "entry": entry, "entry_year": ey,
            "entry_month": em, "graduation": f"{cohort}年7月", "graduation_year": str(cohort), "graduation_month": "7",
            "diploma_number": rec["diploma_number"] or "", "school": params.school,
            "issue_date": f"{issued.year}年{issued.month}月{issued.day}日", "issue_year": str(issued.year),
            "issue_month": str(issued.month), "issue_day": str(issued.day)}


def _params(run_dir: Path) -> Params:
    """The run's params (cohort, school, dates), with `documents:` read from the cohort's own params file as it
    is now (the manifest names it): a printer's offset or an edited layout applies without a new run."""
    path = Path(run_dir) / "inputs" / "params.yaml"
    if not path.is_file():
        raise DocumentError(f"{run_dir} 不是运行文件夹（没有 inputs/params.yaml）")
    params = load_params(path)
    try:
        live = Path(json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))["params_file"])
    except (OSError, ValueError, KeyError):
        live = None
    if live is not None and live.is_file():
        params = dataclasses.replace(params, documents=load_params(live).documents)
    else:
        params = dataclasses.replace(params, documents=dataclasses.replace(params.documents, templates=None))
    return params


def _graduates(reg: Registry, run_dir: Path, params: Params):
    pub = published(reg, params.cohort)
    if pub is None:
        raise DocumentError(f"{params.cohort} 届尚未发布审核结果：先用 gradlib publish 发布运行，再打印毕业证书")
    followup = published(reg, params.cohort, "followup")
    if Path(run_dir).name not in {pub.run_id, followup.run_id if followup else None}:
        raise DocumentError(f"运行 {Path(run_dir).name} 不是 {params.cohort} 届当前发布的结果（当前发布：运行 {pub.run_id}），"
                            "请用当前发布的运行文件夹")
    g = current_graduates(reg, params.cohort)
    return g.set_index("student_id", drop=False)


def _choose(g, students, printed: dict) -> tuple[list[str], list[tuple[str, str]]]:
    chosen, skipped = [], []
    wanted = [str(s).strip() for s in students] if students else list(g.index)
    for sid in wanted:
        if sid not in g.index:
            raise DocumentError(f"学号 {sid} 不在本届已发布的名单中")
        outcome = g.at[sid, "outcome"]
        if outcome not in GRADUATE_OUTCOMES:
            if students:
                raise DocumentError(f"学号 {sid}（{g.at[sid, 'name']}）的审核结论为“{outcome_label(outcome)}”，不打印毕业证书")
            continue
        if sid in printed:
            d = printed[sid]
            skipped.append((sid, f"已于{cn_datetime(d['recorded_at'])}打印（证书编号 {d['diploma_number']}）；内芯作废需重印时用 "
                                 f"--spoiled {d['diploma_number']} --reason 原因"))
            continue
        chosen.append(sid)
    return chosen, skipped


def _numbers(db, g, chosen: list[str], params: Params) -> dict[str, str]:
    """证书编号 of each chosen student: roster, else the number printed before, else prefix + next serial."""
    spec = params.documents
    before = dict(db.execute("SELECT student_id, diploma_number FROM documents WHERE kind = 'diploma' AND cohort = ? "
                             "ORDER BY id", (params.cohort,)).fetchall())
    out, need = {}, []
    for sid in chosen:
        number = str(g.at[sid, "diploma_number"] or "").strip() or before.get(sid)
        if number:
            out[sid] = number
        else:
            need.append(sid)
    if need and spec.diploma_prefix is None:
        raise DocumentError(f"{len(need)} 名学生没有证书编号（如学号 {need[0]}）：请在学籍库中填写“证书编号”列并重新运行、发布，"
                            "或在参数文件中设定 documents: {diploma_number: {prefix: '编号前缀', start: 1, digits: 5}}")
    if need:
        p = spec.diploma_prefix
        taken = [n[len(p):] for (n,) in db.execute("SELECT diploma_number FROM documents WHERE kind = 'diploma' AND "
                                                    "diploma_number LIKE ?", (p.replace("%", "") + "%",)).fetchall()]
        nxt = max([int(t) for t in taken if t.isdigit()] + [spec.diploma_start - 1]) + 1
        for i, sid in enumerate(need):
            out[sid] = f"{p}{nxt + i:0{spec.diploma_digits}d}"
    return out


def print_diplomas(run_dir, students=None, by=None, registry=None, out=None, spoiled=None, reason=None,
                   day: dt.date | None = None) -> Batch:
    """Print the graduates' diplomas of the published run (or of `students`) into one PDF and record each page;
    with `spoiled`, first record that 证书编号's blank as spoiled and void its print, then print it again."""
    run_dir = Path(run_dir).resolve()
    params = _params(run_dir)
    by, day = by or default_user(), day or clock.today()
    tpl = templates.find(LAYOUT, params.documents.templates)
    lay = layout.load_layout(tpl.path, params.documents.offset_mm)
    target_dir = Path(out).resolve() if out else (Path(registry or params.registry).parent / "证明文件" / "毕业证书")
    with Registry(registry or params.registry) as reg:
        g = _graduates(reg, run_dir, params)
        secret = reg.secret()
        with reg.write() as db:
            at = now()
            if spoiled is not None:
                students = [_spoil(reg, db, params, spoiled, reason, by, at, day)]
            printed = {r["student_id"]: dict(r) for r in db.execute(
                "SELECT d.* FROM documents d LEFT JOIN document_voids v ON v.document = d.id "
                "WHERE d.kind = 'diploma' AND d.cohort = ? AND v.id IS NULL ORDER BY d.id", (params.cohort,))}
            chosen, skipped = _choose(g, students, printed)
            if not chosen:
                return Batch(None, [], skipped, spoiled)
            numbers = _numbers(db, g, chosen, params)
            batch = _render(db, secret, g, chosen, numbers, params, lay, tpl, target_dir, by, at, day)
            batch.skipped, batch.spoiled = skipped, spoiled
            batch.inner_left = stock.on_hand(db, "inner")
    return batch


def _spoil(reg, db, params: Params, number: str, reason: str | None, by: str, at: str, day: dt.date) -> str:
    if not str(reason or "").strip():
        raise DocumentError("登记作废的内芯须写明原因（--reason，如 卡纸、错位、污损）")
    rows = [dict(r) for r in db.execute(
        "SELECT d.* FROM documents d LEFT JOIN document_voids v ON v.document = d.id WHERE d.kind = 'diploma' AND "
        "d.diploma_number = ? AND d.cohort = ? AND v.id IS NULL", (str(number).strip(), params.cohort)).fetchall()]
    if not rows:
        raise DocumentError(f"{params.cohort} 届没有已打印且未作废的证书编号 {number}")
    store.void(reg, rows[-1]["serial"], reason, by, db=db)
    db.execute("INSERT INTO stock (item, event, quantity, day, cohort, diploma_number, reason, recorded_by, recorded_at) "
               "VALUES ('inner', 'spoiled', 1, ?, ?, ?, ?, ?, ?)",
               (day.isoformat(), params.cohort, rows[-1]["diploma_number"], reason.strip(), by, at))
    return rows[-1]["student_id"]


def _render(db, secret, g, chosen, numbers, params, lay, tpl, target_dir: Path, by, at, day) -> Batch:
    pdf = layout.new_pdf(lay)
    rows, printed = [], []
    first, _ = store.next_serial(db, "diploma", params.documents.school_code, day.year)
    for seq, sid in enumerate(chosen, first):
        rec = {**g.loc[sid].to_dict(), "roster": _roster(g.at[sid, "record"]), "diploma_number": numbers[sid]}
        vals = values(rec, params)
        layout.draw_diploma(pdf, lay, vals)
        serial = store.serial_of("diploma", params.documents.school_code, day.year, seq)
        content = {"serial": serial, "kind": "diploma", "issued_on": day.isoformat(), "school": params.school,
                   "fields": {f.key: str(vals.get(f.key) or "") for f in lay.fields}}
        code = codes.sign(secret, content)
        person = {"name": rec["name"], "sex": rec["sex"], "id_number": rec["id_number"], "birth_date": rec["birth_date"]}
        rows.append(store.Record("diploma", serial, seq, day.year, code, content, person, day, params.cohort, sid,
                                 numbers[sid], tpl.path, tpl.sha256, approval=None,
                                 reissues=store.last_voided(db, "diploma", sid)))
        printed.append((sid, numbers[sid], serial))
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{params.cohort}届毕业证书_{at.replace(':', '').replace('-', '')}_{printed[0][2]}.pdf"
    partial = target.with_name(target.name + ".partial")
    pdf.output(str(partial))
    digest = store.sha256(partial)
    try:
        for r in rows:
            r.output, r.output_sha256 = target, digest
            store.insert(db, r, by, at)
        db.executemany("INSERT INTO stock (item, event, quantity, day, cohort, diploma_number, reason, recorded_by, "
                       "recorded_at) VALUES ('inner', 'used', 1, ?, ?, ?, NULL, ?, ?)",
                       [(day.isoformat(), params.cohort, n, by, at) for _, n, _ in printed])
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Batch(target, printed)


def _roster(text) -> dict:
    return json.loads(text or "{}")


def align_page(run_dir, out=None) -> Path:
    """The calibration page of the run's layout (with its first graduate's values as samples), not recorded."""
    run_dir = Path(run_dir).resolve()
    params = _params(run_dir)
    tpl = templates.find(LAYOUT, params.documents.templates)
    lay = layout.load_layout(tpl.path, params.documents.offset_mm)
    sample = dict(layout.FIELDS)
    sample.update({"school": params.school, "length": params.documents.length, "graduation": f"{params.cohort}年7月"})
    pdf = layout.new_pdf(lay)
    layout.calibration_page(pdf, lay, sample)
    folder = Path(out).resolve() if out else Path(params.registry).parent / "证明文件" / "毕业证书"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"校准页_{params.cohort}届.pdf"
    pdf.output(str(target))
    return target
