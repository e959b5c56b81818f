"""Which waivers are in force (rules.md): for each (学号, reason) the last valid row in file order wins,
and it is in force when it waives. Each row of the log gets a status code of the reasons table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..reasons import REVOKE, STATUS_BY_CODE, WAIVE
from ..sources import Cohort

IN_FORCE_COLUMNS = ["idx", "code", "理由", "批准人", "日期", "row", "学号"]
LOG_COLUMNS = ["行号", "学号", "原因代码", "理由", "批准人", "日期", "操作", "status", "detail"]


def in_force(cohort: Cohort) -> pd.DataFrame:
    """The waivers in force: for each (学号, code) the last valid row in file order, if it waives."""
    w = cohort.waivers
    if w is None or not len(w):
        return pd.DataFrame({c: pd.Series([], dtype=np.int64 if c in ("idx", "row") else object)
                             for c in IN_FORCE_COLUMNS})
    valid = w[w["valid"]]
    last = valid.sort_values("order", kind="mergesort").drop_duplicates(["学号", "code"], keep="last")
    active = last[last["op"] == WAIVE.code].copy()
    active["idx"] = pd.Index(cohort.students["学号"]).get_indexer(active["学号"])
    return active[IN_FORCE_COLUMNS]


def log(cohort: Cohort, stale: pd.DataFrame) -> pd.DataFrame:
    """Every row of the waivers file in file order with its status code (ACTIVE, STALE, REVOKED,
    SUPERSEDED, INVALID) and, for an invalid row, why (detail)."""
    w = cohort.waivers
    if w is None or not len(w):
        return pd.DataFrame(columns=LOG_COLUMNS)
    last_valid = w[w["valid"]].drop_duplicates(["学号", "code"], keep="last")["order"]
    is_last = w["order"].isin(last_valid)
    stale_rows = set(stale["row"]) if len(stale) else set()
    status = np.where(~w["valid"], "INVALID", "SUPERSEDED")
    status = np.where(is_last & (w["op"] == REVOKE.code), "REVOKED", status)
    status = np.where(is_last & (w["op"] == WAIVE.code),
                      np.where(w["row"].isin(stale_rows), "STALE", "ACTIVE"), status)
    return pd.DataFrame({"行号": w["row"], "学号": w["学号"], "原因代码": w["code"].fillna(w["code_text"]),
                         "理由": w["理由"], "批准人": w["批准人"], "日期": w["日期"], "操作": w["操作"],
                         "status": status, "detail": np.where(~w["valid"], w["invalid_reason"], "")})


def status_text(log_rows: pd.DataFrame) -> pd.Series:
    """The status of each log row in Chinese (an invalid row says why: 无效：…)."""
    label = log_rows["status"].map(lambda c: STATUS_BY_CODE[c].label)
    return label.where(log_rows["detail"] == "", label + "：" + log_rows["detail"].astype(str))
