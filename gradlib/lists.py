"""The run's written outputs (outputs.md): decisions.csv, then every official list, packet and report.

Public lists (可领取毕业证名单, 暂缓领取毕业证名单) carry only 专业, 班级, 学号, 姓名 and their own columns;
workbooks whose name ends in （内部） hold personal data and say 内部资料 请勿外传 in every page header.
毕业审核结果（内部） is in results.py, 顶岗实习情况统计 in internship.py; the rest is here.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import compare, listing
from . import problems as P
from .decide import Decisions, write_decisions
from .internship import write_internship
from .mailing import UNKNOWN, province_rank, split_addresses
from .reasons import ABANDONED, OUTCOME_BY_CODE, OUTCOMES
from .results import write_results
from .workbook import INTERNAL_SUFFIX, Book, cn_span, safe_file_name

COLLECT_FILE = "可领取毕业证名单.xlsx"
DEFERRED_FILE = "暂缓领取毕业证名单.xlsx"
ROSTER_FILE = "毕业证及报到证领取花名册（内部）.xlsx"
PACKET_DIR = "班主任通知"
MAILING_FILE = "毕业证邮寄清单（内部）.xlsx"
DATABASE_STEM = "毕业生信息库（内部）"
PROBLEMS_FILE = "数据问题清单（内部）.xlsx"
MAIL_CONTENTS = "毕业证书、报到证"
# 毕业生信息库: the national secondary-vocational student system's own headers for the roster's columns
DATABASE_HEADERS = {"学号": "校内学号", "姓名": "姓名", "性别": "性别", "身份证号": "身份证号", "出生日期": "出生日期",
                    "民族": "民族", "政治面貌": "政治面貌", "籍贯": "籍贯", "家庭地址": "现家庭住址",
                    "专业": "修读专业", "班级": "班级", "入学年份": "入学年份", "中考报名序号": "中考报名序号",
                    "证书编号": "毕业证书编号", "联系电话": "联系电话"}
IMPORT_ROWS, IMPORT_SHEETS = 2000, 3   # the national system imports ≤ 2,000 rows per sheet, ≤ 3 sheets per file
_INTERNAL_COLUMNS = {"excel_row", "source_file", "source_sheet", "id_numeric", "id_temporary", "birth_date",
                     "birth_bad", "status_valid", "status", "certified", "成绩认定", "班主任", "学籍状态"}


def trusted_ids(s: pd.DataFrame) -> pd.Series:
    """The roster's 身份证号, blank where it arrived as an Excel number (its digits may be lost: never guessed)."""
    return s["身份证号"].astype(str).where(~s["id_numeric"].astype(bool), "")


def _public(rows: pd.DataFrame, cols) -> pd.DataFrame:
    return listing.ordered(rows.assign(序号=0)[["序号", "专业", "班级", "学号", "姓名"] + list(cols)])


def collect_list(d: Decisions) -> pd.DataFrame:
    """可领取毕业证名单: COLLECT students, 序号 专业 班级 学号 姓名."""
    st = listing.students(d)
    return _public(st[st["outcome"] == "COLLECT"], [])


def deferred_list(d: Decisions) -> pd.DataFrame:
    """暂缓领取毕业证名单: DEFERRED and WITHHELD students with a short public wording and the deadline."""
    st = listing.students(d)
    rows = st[st["outcome"].isin(("DEFERRED", "WITHHELD"))]
    rows = rows.assign(需办理事项=listing.public_wording(rows["codes"]))
    return _public(rows, ["结论", "需办理事项", "截止日期"])


def write_public(d: Decisions, run_dir: Path) -> list[Path]:
    """Write the two public lists (posting period and issue window in the title rows)."""
    p = d.cohort.params
    out = []
    rows = collect_list(d)
    book = Book(run_dir / COLLECT_FILE, internal=False)
    window = listing.cn_span(*p.issue_window)  # outputs.md: the issue window in the title
    sh = book.sheet("可领取名单", f"{listing.title(p, '可领取毕业证名单')}（领取时间：{window}）", listing.posting_notes(p))
    sh.table(rows, numbers=("序号",), count=f"共 {len(rows)} 人")
    out.append(sh.finish().book.close())
    rows = deferred_list(d)
    book = Book(run_dir / DEFERRED_FILE, internal=False)
    notes = listing.posting_notes(p) + [
        f"名单中的学生请与班主任联系，按“需办理事项”办理完毕后方可领取；{OUTCOME_BY_CODE['WITHHELD'].label}的学生须在截止日期前申请认定，逾期{ABANDONED.label}。"]
    sh = book.sheet("暂缓领取名单", listing.title(p, "暂缓领取毕业证名单"), notes)
    sh.table(rows, numbers=("序号",), center=("截止日期",), wrap=("需办理事项",), count=f"共 {len(rows)} 人",
             max_width=30)
    out.append(sh.finish().book.close())
    return out


def _roster(d: Decisions) -> pd.DataFrame:
    s = d.cohort.students
    st = listing.students(d)
    st["性别"] = s["性别"].astype(str).to_numpy()
    st["身份证号"] = trusted_ids(s).to_numpy()
    st["证书编号"] = s["证书编号"].astype(str).to_numpy()
    return st


def write_roster(d: Decisions, run_dir: Path) -> Path:
    """毕业证及报到证领取花名册（内部）: COLLECT students, one sheet per class, blank columns to sign."""
    p = d.cohort.params
    st = _roster(d)
    rows = listing.ordered(st[st["outcome"] == "COLLECT"].assign(序号=0, 领取人签名="", 领取日期=""))
    cols = ["序号", "学号", "姓名", "性别", "身份证号", "专业", "证书编号", "领取人签名", "领取日期"]
    book = Book(run_dir / ROSTER_FILE, internal=True)
    groups = list(rows.groupby("班级", sort=False)) or [("", rows)]
    for cls, g in groups:
        g = g.assign(序号=np.arange(1, len(g) + 1))
        teacher = "、".join(t for t in pd.unique(g["班主任"]) if t)
        sh = book.sheet(cls or "未分班", listing.title(p, "毕业证及报到证领取花名册"),
                        [f"班级：{cls or '（空）'}　　班主任：{teacher or '（空）'}　　领取时间：{cn_span(*p.issue_window)}"])
        sh.table(g[cols], numbers=("序号",), center=("性别",), count=f"本班共 {len(g)} 人", row_height=26)
        for j in (cols.index("领取人签名"), cols.index("领取日期")):
            sh.widths[j] = max(sh.widths.get(j, 0), 14)  # room to sign
        sh.finish()
    return book.close()


def _addresses(d: Decisions) -> pd.DataFrame:
    a = d.cohort.addresses.set_index("idx")
    cols = ["收件人", "联系电话", "邮寄地址", "邮政编码"]
    return a.reindex(range(d.cohort.size))[cols].fillna("").astype(str)


def _numbered(lines: pd.Series) -> str:
    """One line per item, numbered 1. 2. … when there are several."""
    return lines.iloc[0] if len(lines) == 1 else "\n".join(f"{k}. {t}" for k, t in enumerate(lines, 1))


def write_packets(d: Decisions, run_dir: Path) -> list[Path]:
    """班主任通知/<班级>（内部）.xlsx: per class, each student's outcome, what to do by when, mailing address."""
    p = d.cohort.params
    st = listing.students(d)
    r = listing.reason_rows(d)
    live = r[~r["waived"]].set_index("idx")
    todo = live["需办理事项"].groupby(level=0).agg(_numbered) if len(live) else pd.Series(dtype=object)
    st["需办理事项"] = todo.reindex(st.index).fillna("无需办理")
    st = st.join(_addresses(d))
    cols = ["序号", "学号", "姓名", "结论", "需办理事项", "截止日期", "收件人", "联系电话", "邮寄地址", "邮政编码"]
    folder = run_dir / PACKET_DIR
    folder.mkdir(exist_ok=True)
    out, used = [], set()
    for cls, g in listing.ordered(st.assign(序号=0)).groupby("班级", sort=False):
        g = g.assign(序号=np.arange(1, len(g) + 1))
        name = safe_file_name(cls)
        stem, k = name, 1
        while stem.lower() in used:
            k += 1
            stem = f"{name}({k})"
        used.add(stem.lower())
        teacher = "、".join(t for t in pd.unique(g["班主任"]) if t) or "（空）"
        counts = g["结论"].value_counts()
        summary = "，".join(f"{o.label} {counts.get(o.label, 0)} 人" for o in reversed(OUTCOMES))
        book = Book(folder / f"{stem}{INTERNAL_SUFFIX}.xlsx", internal=True)
        sh = book.sheet(name[:31], listing.title(p, f"毕业审核班主任通知：{cls or '（空）'}"), [
            f"班主任：{teacher}。请逐一告知学生审核结论，督促其在期限内办理“需办理事项”；"
            f"邮寄地址缺失处（黄色）请补填后交回就业办。领取时间：{cn_span(*p.issue_window)}。"])
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
                       _p=province_rank(mail["省份"]), _c=(mail["城市"] == UNKNOWN).astype(int))
    mail = listing.ordered(mail, before=["_p", "省份", "_c", "城市"])
    mail = mail[["序号", "省份", "城市", "收件人", "电话", "地址", "邮编", "寄送内容", "学号", "姓名", "班级"]]
    per_city = mail.groupby(["省份", "城市"], sort=False).size().rename("件数").reset_index()
    none = st[~has].assign(序号=0, 说明=np.where(st.loc[~has].index.isin(d.cohort.addresses["idx"]),
                                              "邮寄地址为空", "邮寄地址表中无该生"))
    none = listing.ordered(none)[["序号", "专业", "班级", "学号", "姓名", "班主任", "说明"]]
    return mail, per_city, none


def write_mailing(d: Decisions, run_dir: Path) -> Path:
    """毕业证邮寄清单（内部）: the mailing list by province/city, counts per city, and who has no address."""
    p = d.cohort.params
    mail, per_city, none = mailing_tables(d)
    book = Book(run_dir / MAILING_FILE, internal=True)
    t = listing.title(p, "毕业证邮寄清单")
    sh = book.sheet("邮寄清单", t, [f"可领取毕业证的学生，按邮寄地址所在省份、城市分组；寄送内容：{MAIL_CONTENTS}"])
    sh.table(mail, numbers=("序号",), wrap=("地址",), count=f"共 {len(mail)} 件", max_width=50)
    sh.finish(landscape=True)
    sh = book.sheet("按地区统计", t + "：按地区统计")
    sh.table(per_city, numbers=("件数",), count=f"共 {len(mail)} 件")
    sh.finish()
    sh = book.sheet("无邮寄地址", t + "：无邮寄地址的学生", ["请班主任补交这些学生的邮寄地址"])
    sh.table(none, numbers=("序号",), count=f"共 {len(none)} 人")
    sh.finish()
    return book.close()


def database_rows(d: Decisions) -> pd.DataFrame:
    """毕业生信息库 rows: COLLECT and DEFERRED students with the roster's personal data, national headers."""
    s = d.cohort.students
    keep = d.table["outcome"].isin(("COLLECT", "DEFERRED")).to_numpy()
    out = pd.DataFrame({new: s[old].astype(str) for old, new in DATABASE_HEADERS.items()})
    out["身份证号"] = trusted_ids(s)
    birth = s["birth_date"].dt.strftime("%Y-%m-%d")
    out["出生日期"] = birth.where(birth.notna(), s["出生日期"].astype(str))
    for extra in s.columns:
        if extra not in DATABASE_HEADERS and extra not in _INTERNAL_COLUMNS and extra not in out.columns:
            out[extra] = s[extra].astype(str)
    return listing.ordered(out[keep], sid="校内学号")


def write_database(rows: pd.DataFrame, run_dir: Path) -> list[Path]:
    """Write 毕业生信息库（内部）: ≤ 2,000 rows per sheet, ≤ 3 sheets per file, numbered files past 6,000 rows; the
    header is row 1 and there is no title or count line, which the national system would import as students."""
    per_file = IMPORT_ROWS * IMPORT_SHEETS
    chunks = [rows.iloc[i:i + per_file] for i in range(0, len(rows), per_file)] or [rows]
    out = []
    for k, chunk in enumerate(chunks, 1):
        name = f"{DATABASE_STEM}.xlsx" if len(chunks) == 1 else f"{DATABASE_STEM}-{k}.xlsx"
        book = Book(run_dir / name, internal=True)
        sheets = [chunk.iloc[i:i + IMPORT_ROWS] for i in range(0, len(chunk), IMPORT_ROWS)] or [chunk]
        for j, part in enumerate(sheets, 1):
            sh = book.sheet(f"毕业生{j}")
            sh.table(part, count=None)
            sh.finish(landscape=True)
        out.append(book.close())
    return out


def write_problems(d: Decisions, run_dir: Path) -> Path:
    """数据问题清单（内部）: every data problem, with Chinese headers."""
    p = d.cohort.params
    probs = P.chinese(d.problems)
    book = Book(run_dir / PROBLEMS_FILE, internal=True)
    sh = book.sheet("数据问题", listing.title(p, "数据问题清单"),
                    ["不影响运行的数据问题：孤立记录、身份证号问题、欠费金额不符、未知专业、过期或无效的豁免等"])
    sh.table(probs, numbers=("行号",), wrap=("值", "问题", "应为"), count=f"共 {len(probs)} 条", max_width=36)
    sh.finish(landscape=True)
    return book.close()


def write_lists(d: Decisions, run_dir) -> list[Path]:
    """Write every workbook of outputs.md into run_dir (decisions.csv excluded) and return their paths."""
    run_dir = Path(run_dir)
    previous = compare.previous_run(run_dir)
    out = [write_results(d, run_dir, previous)]
    out += write_public(d, run_dir)
    out.append(write_roster(d, run_dir))
    out += write_packets(d, run_dir)
    out.append(write_mailing(d, run_dir))
    out.append(write_internship(d, run_dir))
    out += write_database(database_rows(d), run_dir)
    out.append(write_problems(d, run_dir))
    return out


def write_outputs(d: Decisions, run_dir) -> list[Path]:
    """Write decisions.csv and every list into run_dir and return their paths (nothing when run_dir is empty)."""
    if not run_dir:
        return []
    run_dir = Path(run_dir)
    return [write_decisions(d, run_dir)] + write_lists(d, run_dir)
