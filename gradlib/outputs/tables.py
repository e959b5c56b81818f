"""The one table of counts: by outcome, by major, by major and class, by reason.

The notebook, the results workbook (毕业审核结果) and the review panel all count from here.
"""
from __future__ import annotations

import pandas as pd

from ..reasons import OUTCOME_BY_CODE, OUTCOMES, REASONS
from ..rules import Decisions
from .listing import class_key

OUTCOME_LABELS = [o.label for o in OUTCOMES]
BLANK = "（空）"


def by_outcome(d: Decisions) -> pd.DataFrame:
    """Students per outcome (结论, 人数), most severe first; adds up to the roster size."""
    c = d.counts()
    return pd.DataFrame({"结论": [OUTCOME_BY_CODE[k].label for k in c.index], "人数": c.to_numpy()})


def with_total(df: pd.DataFrame) -> pd.DataFrame:
    """by_outcome with a 合计 row."""
    return pd.concat([df, pd.DataFrame({"结论": ["合计"], "人数": [int(df["人数"].sum())]})], ignore_index=True)


def _outcomes_by(d: Decisions, keys: list[str]) -> pd.DataFrame:
    t = d.table.assign(**{k: d.table[k].astype(str).replace("", BLANK) for k in keys})
    cat = pd.Categorical(t["outcome_label"], OUTCOME_LABELS)
    x = pd.crosstab([t[k] for k in keys], cat, dropna=False).reindex(columns=OUTCOME_LABELS, fill_value=0)
    x.columns = OUTCOME_LABELS
    return x


def by_major(d: Decisions) -> pd.DataFrame:
    """Students by major (rows, column 专业) and outcome (columns), with 合计."""
    x = _outcomes_by(d, ["专业"])
    x["合计"] = x.sum(axis=1)
    return x.reset_index().rename(columns={"index": "专业"})


def by_class(d: Decisions) -> pd.DataFrame:
    """Students by major and class (classes in natural order) and outcome, with 合计."""
    x = _outcomes_by(d, ["专业", "班级"])
    x = x[x.sum(axis=1) > 0]
    x["合计"] = x.sum(axis=1)
    x = x.reset_index()
    return x.assign(_k=class_key(x["班级"])).sort_values(["专业", "_k"]).drop(columns="_k")


def by_reason(d: Decisions) -> pd.DataFrame:
    """Students per reason (not waived / waived), in the order of the reason table."""
    r = d.reasons
    live = r[~r["waived"]]["code"].value_counts()
    waived = r[r["waived"]]["code"].value_counts()
    rows = [(x.label, OUTCOME_BY_CODE[x.outcome].label, x.article, int(live.get(x.code, 0)), int(waived.get(x.code, 0)))
            for x in REASONS]
    return pd.DataFrame(rows, columns=["原因", "结论", "依据", "人数", "已豁免"])
