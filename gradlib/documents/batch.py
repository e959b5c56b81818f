"""Certificates from a table (e.g. a whole class's 在读证明 for an internship employer): one DOCX/PDF each and
one combined PDF to print. All or nothing: when a row is refused, every refused row is listed and none is
issued (a batch is printed and sealed together)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import clock
from ..errors import DocumentError, DocumentRefused
from ..reasons import DOCUMENT_BY_CODE
from ..registry import now
from ..sources.reading import Unreadable, read_sheet, to_table
from ..sources.schema import C, Table
from . import store
from .certificates import Ask, prepare
from .issue import Office, issue

TABLE = Table("certificates", "证明名单", (
    C("学号", "学籍号", kind="id"),
    C("姓名"), C("性别"), C("身份证号", "身份证号码", kind="id"), C("出生日期"),
    C("学习内容", "培训内容", "课程"), C("开始日期", "起始日期"), C("结束日期", "截止日期"),
    C("用途"), C("成绩核查人", "教务科核查人"), C("批准人", "批准领导"), C("批准日期"),
))
PERSON = {"name": "姓名", "sex": "性别", "id_number": "身份证号", "birth_date": "出生日期", "course": "学习内容",
          "study_from": "开始日期", "study_to": "结束日期"}
APPROVAL = {"grades_checked_by": "成绩核查人", "approved_by": "批准人", "approved_on": "批准日期"}


def read_asks(path: Path, kind: str, purpose: str = "") -> list[Ask]:
    """One Ask per row of the table (学号; for study certificates 姓名, 身份证号, … and the approval columns)."""
    path = Path(path)
    required = ("姓名", "身份证号") if kind == "study" else ("学号",)
    try:
        raw = to_table(read_sheet(path, path.name), TABLE, required)
    except (Unreadable, FileNotFoundError) as e:
        raise DocumentError(f"无法读取名单 {path}：{e}") from None
    if isinstance(raw, list):
        raise DocumentError(f"名单 {path} 有误：" + "；".join(p.text("列") for p in raw))
    data = raw.data
    col = lambda name, i: str(data[name].iat[i]).strip() if name in data else ""  # noqa: E731
    asks = []
    for i, row in enumerate(raw.rows):
        asks.append(Ask(kind, col("学号", i) or None, {k: col(v, i) for k, v in PERSON.items()},
                        {k: col(v, i) for k, v in APPROVAL.items()}, col("用途", i) or purpose,
                        f"{path.name} 第 {int(row)} 行"))
    if not asks:
        raise DocumentError(f"名单 {path} 中没有数据行")
    return asks


def certificates_from_table(office: Office, kind: str, path: Path, purpose: str = "", day: dt.date | None = None,
                            pdf: bool = True) -> list[store.Issued]:
    """Issue one certificate per row of the table, in one transaction, and one combined PDF of them all."""
    day = day or clock.today()
    asks = read_asks(path, kind, purpose)

    def prepare_all(db):
        requests, refused, seen = [], [], {}
        for ask in asks:
            key = ask.student_id or ask.person.get("id_number")
            if key in seen:
                refused.append(f"{ask.where}：与{seen[key]}重复")
                continue
            seen[key] = ask.where
            try:
                requests.append(prepare(db, ask, office, day))
            except DocumentRefused as e:
                refused.append(str(e))
        if refused:
            raise DocumentRefused(f"名单中 {len(refused)} 行不能开具，未开具任何证明：\n  " + "\n  ".join(refused))
        return requests

    stamp = now().replace(":", "").replace("-", "")
    return issue(office, prepare_all, day, pdf, combined=f"{DOCUMENT_BY_CODE[kind].label}_批量_{stamp}.pdf")
