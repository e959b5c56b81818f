"""The internal lists (Art 16-18, 1-8): 领取花名册, 班主任通知, 邮寄清单 and 数据问题清单.

Each holds personal data for the employment office; their file names end in （内部） and every page header
says 内部资料 请勿外传 (the catalog makes their books internal).
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import findings as F
from ..reasons import OUTCOMES
from ..rules import Decisions
from . import listing
from .mailing import UNKNOWN, home_province, province_rank, split_addresses
from .workbook import safe_file_name

MAIL_CONTENTS = "毕业证书、报到证"


def trusted_ids(s: pd.DataFrame) -> pd.Series:
    """The roster's 身份证号, blank where it arrived as an Excel number (its digits may be lost: never guessed)."""
    return s["身份证号"].astype(str).where(~s["id_numeric"].astype(bool), "")


def _roster(d: Decisions) -> pd.DataFrame:
    s = d.cohort.students
    st = listing.students(d)
    st["性别"] = s["性别"].astype(str).to_numpy()
    st["身份证号"] = trusted_ids(s).to_numpy()
    st["证书编号"] = s["证书编号"].astype(str).to_numpy()
    return st


def write_roster(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """毕业证及报到证领取花名册（内部）: COLLECT students, one sheet per class, blank columns to sign."""
    p = d.cohort.params
    st = _roster(d)
    rows = listing.ordered(st[st["outcome"] == "COLLECT"].assign(序号=0, 领取人签名="", 领取日期=""))
    cols = ["序号", "学号", "姓名", "性别", "身份证号", "专业", "证书编号", "领取人签名", "领取日期"]
    book = spec.book(run_dir)
    groups = list(rows.groupby("班级", sort=False)) or [("", rows)]
    for cls, g in groups:
        g = g.assign(序号=np.arange(1, len(g) + 1))
        teacher = "、".join(t for t in pd.unique(g["班主任"]) if t)
        sh = book.sheet(cls or "未分班", listing.title(p, spec.name),
                        [f"班级：{cls or '（空）'}　　班主任：{teacher or '（空）'}　　领取时间：{listing.issue_window(p)}"])
        sh.table(g[cols], numbers=("序号",), center=("性别",), count=f"本班共 {len(g)} 人", row_height=26)
        for j in (cols.index("领取人签名"), cols.index("领取日期")):
            sh.widths[j] = max(sh.widths.get(j, 0), 14)  # room to sign
        sh.finish()
    return [book.close()]


def _addresses(d: Decisions) -> pd.DataFrame:
    a = d.cohort.addresses.set_index("idx")
    cols = ["收件人", "联系电话", "邮寄地址", "邮政编码"]
    return a.reindex(range(d.cohort.size))[cols].fillna("").astype(str)


def _numbered(lines: pd.Series) -> str:
    """One line per item, numbered 1. 2. … when there are several."""
    return lines.iloc[0] if len(lines) == 1 else "\n".join(f"{k}. {t}" for k, t in enumerate(lines, 1))


def packet_groups(d: Decisions) -> list[tuple[str, str, pd.DataFrame]]:
    """Every class's packet: (class, file stem, its students with what to do and their address), in class order."""
    st = listing.students(d)
    r = listing.reason_rows(d)
    live = r[~r["waived"]].set_index("idx")
    todo = live["需办理事项"].groupby(level=0).agg(_numbered) if len(live) else pd.Series(dtype=object)
    st["需办理事项"] = todo.reindex(st.index).fillna("无需办理")
    st = st.join(_addresses(d))
    out, used = [], set()
    for cls, g in listing.ordered(st.assign(序号=0)).groupby("班级", sort=False):
        name = safe_file_name(cls)
        stem, k = name, 1
        while stem.lower() in used:
            k += 1
            stem = f"{name}({k})"
        used.add(stem.lower())
        out.append((cls, stem, g.assign(序号=np.arange(1, len(g) + 1))))
    return out


_GROUPED: dict = {}  # while the lists are written: the decisions and their packet_groups, grouped once


@contextlib.contextmanager
def grouped(d: Decisions):
    """Within this block every shard of the packets (in this process, or a worker forked from it) takes the
    classes grouped once."""
    _GROUPED.update({"of": d, "groups": packet_groups(d)})
    try:
        yield
    finally:
        _GROUPED.clear()


def keep_groups():
    """In a worker process of the lists: group the classes once for all the shards it writes."""
    _GROUPED["keep"] = True


def _groups(d: Decisions) -> list[tuple[str, str, pd.DataFrame]]:
    if _GROUPED.get("of") is not d:
        if not _GROUPED.get("keep"):  # a worker process of the lists keeps them for its next shard
            return packet_groups(d)
        _GROUPED.update({"of": d, "groups": packet_groups(d)})
    return _GROUPED["groups"]


def write_packets(d: Decisions, run_dir: Path, spec, shard: tuple[int, int] = (0, 1)) -> list[Path]:
    """班主任通知/<班级>（内部）.xlsx: per class, each student's outcome, what to do by when, mailing address.
    `shard` (i, k): only every k-th class from the i-th (the packets are written by several processes)."""
    p = d.cohort.params
    cols = ["序号", "学号", "姓名", "结论", "需办理事项", "截止日期", "收件人", "联系电话", "邮寄地址", "邮政编码"]
    window = listing.issue_window(p)
    out = []
    for cls, stem, g in _groups(d)[shard[0]::shard[1]]:
        teacher = "、".join(t for t in pd.unique(g["班主任"]) if t) or "（空）"
        counts = g["结论"].value_counts()
        summary = "，".join(f"{o.label} {counts.get(o.label, 0)} 人" for o in reversed(OUTCOMES))
        book = spec.book(run_dir, stem, in_memory=True)
        sh = book.sheet(safe_file_name(cls)[:31], listing.title(p, f"毕业审核班主任通知：{cls or '（空）'}"), [
            f"班主任：{teacher}。请逐一告知学生审核结论，督促其在期限内办理“需办理事项”；"
            f"邮寄地址缺失处（黄色）请补填后交回就业办。领取时间：{window}。"])
        sh.table(g[cols], numbers=("序号",), wrap=("需办理事项", "邮寄地址"), center=("结论", "截止日期"),
                 fill_blank=("收件人", "联系电话", "邮寄地址", "邮政编码"), count=f"本班共 {len(g)} 人：{summary}",
                 max_width=40)
        j = cols.index("邮寄地址")
        sh.widths[j] = max(sh.widths.get(j, 0), 24)  # room to write an address by hand
        out.append(sh.finish(landscape=True).book.close())
    return out


def mailing_tables(d: Decisions) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """COLLECT graduates to mail (grouped by province and city), the counts per city, and those without address."""
    st = listing.students(d).join(_addresses(d))
    st = st[st["outcome"] == "COLLECT"]
    has = st["邮寄地址"].str.strip() != ""
    mail = st[has].join(split_addresses(st.loc[has, "邮寄地址"]))
    mail = mail.assign(序号=0, 寄送内容=MAIL_CONTENTS, 电话=mail["联系电话"], 地址=mail["邮寄地址"], 邮编=mail["邮政编码"],
                       _p=province_rank(mail["省份"], home_province(d.cohort.params.school)),
                       _c=(mail["城市"] == UNKNOWN).astype(int))
    mail = listing.ordered(mail, before=["_p", "省份", "_c", "城市"])
    mail = mail[["序号", "省份", "城市", "收件人", "电话", "地址", "邮编", "寄送内容", "学号", "姓名", "班级"]]
    per_city = mail.groupby(["省份", "城市"], sort=False).size().rename("件数").reset_index()
    none = st[~has].assign(序号=0, 说明=np.where(st.loc[~has].index.isin(d.cohort.addresses["idx"]),
                                              "邮寄地址为空", "邮寄地址表中无该生"))
    none = listing.ordered(none)[["序号", "专业", "班级", "学号", "姓名", "班主任", "说明"]]
    return mail, per_city, none


def write_mailing(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """毕业证邮寄清单（内部）: the mailing list by province/city, counts per city, and who has no address."""
    p = d.cohort.params
    mail, per_city, none = mailing_tables(d)
    book = spec.book(run_dir)
    t = listing.title(p, spec.name)
    for sh, part in book.sheets("邮寄清单", t, [f"可领取毕业证的学生，按邮寄地址所在省份（本省在前）、城市分组；"
                                              f"寄送内容：{MAIL_CONTENTS}"], mail):
        sh.table(part, numbers=("序号",), wrap=("地址",), count=f"共 {len(mail)} 件", max_width=50)
        sh.finish(landscape=True)
    sh = book.sheet("按地区统计", t + "：按地区统计")
    sh.table(per_city, numbers=("件数",), count=f"共 {len(mail)} 件")
    sh.finish()
    sh = book.sheet("无邮寄地址", t + "：无邮寄地址的学生", ["请班主任补交这些学生的邮寄地址"])
    sh.table(none, numbers=("序号",), count=f"共 {len(none)} 人")
    sh.finish()
    return [book.close()]


def write_problems(d: Decisions, run_dir: Path, spec) -> list[Path]:
    """数据问题清单（内部）: every data problem, with Chinese headers."""
    p = d.cohort.params
    probs = F.chinese(d.problems)
    book = spec.book(run_dir)
    for sh, part in book.sheets("数据问题", listing.title(p, spec.name),
                                ["不影响运行的数据问题：孤立记录、身份证号问题、欠费金额不符、未知专业、过期或无效的豁免等"], probs):
        sh.table(part, numbers=("行号",), wrap=("值", "问题", "应为"), count=f"共 {len(probs)} 条", max_width=36)
        sh.finish(landscape=True)
    return [book.close()]
