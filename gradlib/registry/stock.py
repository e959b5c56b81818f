"""Diploma blanks (Art 11): inner pages (内芯) and covers (封皮) received, used and spoiled; the balance; the order.

The order forecast for a cohort, per item::

    spares   = ceil(roster × diploma_spares)
    needed   = roster + spares + spoiled in the year before the cohort graduates
    to order = max(0, needed − balance on hand)

A row is never changed: a mistaken row is cancelled by a ``void`` row that supersedes it.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .. import clock
from ..errors import RegistryError
from ..params import load_params
from ..reasons import ARTICLES, STOCK_EVENT_BY_CODE, STOCK_ITEM_BY_CODE, STOCK_ITEMS
from ..sources import load_roster
from .db import Registry, now

EVENTS = ("received", "used", "spoiled")
ACTIONS = {"receive": "received", "use": "used", "spoil": "spoiled"}  # the command's words
_LIVE = "NOT EXISTS (SELECT 1 FROM stock v WHERE v.supersedes = s.id) AND s.event != 'void'"


def _sums(db, where: str = "", args=()) -> dict[tuple[str, str], int]:
    rows = db.execute(f"SELECT item, event, SUM(quantity) FROM stock s WHERE {_LIVE} {where} GROUP BY item, event",
                      args).fetchall()
    return {(r[0], r[1]): int(r[2]) for r in rows}


def _on_hand(sums: dict, item: str) -> int:
    return sums.get((item, "received"), 0) - sums.get((item, "used"), 0) - sums.get((item, "spoiled"), 0)


def on_hand(db, item: str) -> int:
    """How many of an item the registry says are left (may be negative: blanks used that were never received)."""
    return _on_hand(_sums(db), item)


def record(reg: Registry, event: str, quantities: dict[str, int], by: str, *, day: dt.date,
           cohort: int | None = None, reason: str = "") -> str:
    """Record blanks received, used or spoiled (one row per item, in one transaction); returns a Chinese line.

    Using or spoiling more than is on hand is refused."""
    if event not in EVENTS:
        raise RegistryError(f"未知的库存操作：{event}")
    wanted = {k: v for k, v in quantities.items() if v}
    if not wanted:
        raise RegistryError("请给出数量：--inner 内芯张数 和/或 --cover 封皮个数")
    for item, n in wanted.items():
        if item not in STOCK_ITEM_BY_CODE or n < 0:
            raise RegistryError(f"{STOCK_ITEM_BY_CODE.get(item, item)}的数量“{n}”无效，应为正整数")
    at = now()
    with reg.write() as db:
        sums = _sums(db)
        ids = []
        for item, n in wanted.items():
            if event != "received" and n > _on_hand(sums, item):
                raise RegistryError(f"{STOCK_ITEM_BY_CODE[item].label}结存只有 {_on_hand(sums, item)}，"
                                    f"不能{STOCK_EVENT_BY_CODE[event].label} {n}")
            ids.append(db.execute("INSERT INTO stock (item, event, quantity, day, cohort, reason, recorded_by, "
                                  "recorded_at) VALUES (?,?,?,?,?,?,?,?)",
                                  (item, event, n, day.isoformat(), cohort, reason or None, by, at)).lastrowid)
    what = "，".join(f"{STOCK_ITEM_BY_CODE[k].label} {n}" for k, n in wanted.items())
    return f"已登记{STOCK_EVENT_BY_CODE[event].label}：{what}（{day.isoformat()}，记录编号 {'、'.join(map(str, ids))}）"


def void(reg: Registry, row: int, by: str, reason: str = "") -> str:
    """Cancel a mistaken stock row (a new row superseding it); the balance no longer counts it."""
    with reg.write() as db:
        old = db.execute("SELECT * FROM stock WHERE id = ?", (row,)).fetchone()
        if old is None or old["event"] == "void":
            raise RegistryError(f"没有编号为 {row} 的库存记录")
        if db.execute("SELECT 1 FROM stock WHERE supersedes = ?", (row,)).fetchone():
            raise RegistryError(f"库存记录 {row} 已作废")
        db.execute("INSERT INTO stock (item, event, quantity, day, cohort, reason, supersedes, recorded_by, "
                   "recorded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                   (old["item"], "void", 0, clock.today().isoformat(), old["cohort"], reason or None, row, by, now()))
    return (f"已作废库存记录 {row}：{old['day']} {STOCK_EVENT_BY_CODE[old['event']].label}"
            f"{STOCK_ITEM_BY_CODE[old['item']].label} {old['quantity']}")


def balance(reg: Registry) -> pd.DataFrame:
    """Per item: received, used, spoiled and on hand (void rows and the rows they cancel left out)."""
    sums = _sums(reg.db)
    rows = [(it.label, *(sums.get((it.code, e), 0) for e in EVENTS), _on_hand(sums, it.code)) for it in STOCK_ITEMS]
    return pd.DataFrame(rows, columns=["项目", *(STOCK_EVENT_BY_CODE[e].label for e in EVENTS), "结存"])


def rows(reg: Registry, limit: int = 20) -> pd.DataFrame:
    """The newest stock rows (编号 to void one by)."""
    r = reg.read("SELECT * FROM stock ORDER BY id DESC LIMIT ?", (limit,))
    return pd.DataFrame({"编号": [x["id"] for x in r], "日期": [x["day"] for x in r],
                         "项目": [STOCK_ITEM_BY_CODE[x["item"]].label for x in r],
                         "操作": [STOCK_EVENT_BY_CODE[x["event"]].label for x in r],
                         "数量": [x["quantity"] for x in r], "届别": [x["cohort"] or "" for x in r],
                         "说明": [x["reason"] or "" for x in r], "登记人": [x["recorded_by"] for x in r]})


def forecast(reg: Registry, cohort: int, roster: int, spares: float) -> pd.DataFrame:
    """The order of blanks for a cohort of `roster` students (formula in the module docstring)."""
    year = str(cohort - 1)
    spoiled = _sums(reg.db, "AND substr(s.day, 1, 4) = ?", (year,))
    on_hand = _sums(reg.db)
    extra = math.ceil(roster * Decimal(str(spares)))
    out = []
    for it in STOCK_ITEMS:
        lost = spoiled.get((it.code, "spoiled"), 0)
        need = roster + extra + lost
        have = _on_hand(on_hand, it.code)
        out.append((it.label, roster, extra, lost, need, have, max(0, need - have)))
    return pd.DataFrame(out, columns=["项目", f"{cohort} 届人数", f"备用（{spares * 100:g}%）", f"{year} 年损坏",
                                      "需要", "现有结存", "建议征订"])


def forecast_for(params_path, registry=None) -> tuple[pd.DataFrame, str]:
    """`gradlib stock --forecast PARAMS.yaml`: the order for that cohort from its roster (学籍库) and
    diploma_spares, the spoiled count and balance of the registry (default: the params' registry)."""
    params = load_params(params_path)
    roster = len(load_roster(params))
    path = Path(registry) if registry else params.registry
    if not path.exists():  # no blanks recorded yet: an empty registry in memory, nothing created on disk
        path = Path(":memory:")
    with Registry(path) as reg:
        table = forecast(reg, params.cohort, roster, params.diploma_spares)
    return table, f"{params.cohort} 届毕业证书内芯、封皮征订预测（{ARTICLES['stock']}）"
