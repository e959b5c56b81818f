"""The evidence of one student as HTML for the review panel: reasons, courses, fees, internship, identity, waivers."""
from __future__ import annotations

import html

import numpy as np

from ..outputs.listing import waiver_log
from ..reasons import OUTCOME_BY_CODE, REASON_BY_CODE
from ..rules import Decisions
from .index import student_reasons


def _e(v) -> str:
    return html.escape("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))


def _table(rows: list[list], headers: list[str], wide=()) -> str:
    """An HTML table; short columns stay on one line, the wide ones (by position) wrap at word breaks."""
    def td(j, c):
        return f'<td class="gl-wide">{_e(c)}</td>' if j in wide else f"<td>{_e(c)}</td>"

    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(td(j, c) for j, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="gl-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _section(title: str, body: str) -> str:
    return f'<div class="gl-section"><h4>{_e(title)}</h4>{body}</div>'


def _p(text: str) -> str:
    return f"<p>{_e(text)}</p>"


def badge(outcome: str) -> str:
    """An outcome as a coloured label."""
    o = OUTCOME_BY_CODE[outcome]
    return (f'<span class="gl-badge" data-outcome="{o.code}" '
            f'style="background:{o.color}">{_e(o.label)}</span>')


def reasons_html(d: Decisions, idx: int) -> str:
    """The student's reasons: label, article, evidence, and waiver (approver and date) if waived."""
    r = student_reasons(d, idx)
    if not len(r):
        return _p("无任何原因：可领取。")
    rows = []
    for x in r.itertuples(index=False):
        reason = REASON_BY_CODE[x.code]
        state = f"已豁免（{x.批准人}，{x.日期}：{x.理由}）" if x.waived else "未豁免"
        rows.append([reason.label, OUTCOME_BY_CODE[reason.outcome].label, reason.article, x.evidence,
                     "是" if reason.waivable else "否", state])
    return _table(rows, ["原因", "对应结论", "依据", "证据", "可豁免", "状态"], wide=(0, 3, 5))


def courses_html(d: Decisions, idx: int) -> str:
    """Required courses of the student's major not passed, with every attempt."""
    c = d.cohort
    major = str(c.students["专业"].iat[idx])
    cur = c.curriculum
    plan = cur[(cur["专业"] == major) & cur["required"]]
    if not len(plan):
        return _p(f"教学计划中没有专业“{major}”的必修或实习课程。")
    a = d.facts.attempts[d.facts.attempts["idx"].to_numpy() == idx]
    rows, ok = [], 0
    for course in plan.itertuples(index=False):
        att = a[a["课程代码"] == course.课程代码]
        if att["passed"].any():
            ok += 1
            continue
        status = "不合格" if att["valid"].any() else "无有效成绩"
        tries = "、".join(f"{x.attempt} {x.value}" for x in att.itertuples(index=False)) or "（无）"
        rows.append([course.课程代码, course.课程名称, course.课程性质, tries, status])
    head = _p(f"必修、实习课程共 {len(plan)} 门，已合格 {ok} 门。")
    return head + (_table(rows, ["课程代码", "课程名称", "性质", "各次成绩", "结果"], wide=(1, 3)) if rows else "")


def fees_html(d: Decisions, idx: int) -> str:
    """Fee rows of the student: due, paid, owed, and the total."""
    c = d.cohort
    f = c.fees[c.fees["idx"].to_numpy() == idx]
    if not len(f):
        mode = (f"台账模式：{REASON_BY_CODE['PAYMENT_RECORD_MISSING'].label}" if c.params.fees_mode == "ledger"
                else "欠费名单模式：不在欠费名单中，视为不欠费")
        return _p(f"缴费库中无该生记录（{mode}）。")
    money = "{:.2f}".format
    rows = [[x.item, money(x.due), money(x.paid), money(x.due - x.paid)] for x in f.itertuples(index=False)]
    due, paid = f["due"].sum(), f["paid"].sum()
    rows.append(["合计", money(due), money(paid), money(due - paid)])
    tol = c.params.fee_tolerance
    return _table(rows, ["收费项目", "应缴（元）", "已缴（元）", "欠缴（元）"]) + (
        _p(f"允许误差：{tol:g} 元。") if tol else "")


def _handed_in(v) -> str:
    return "已交" if v else "未交"


def internship_html(d: Decisions, idx: int) -> str:
    """The internship row that counts: company, materials handed in, date against the due date, assessment."""
    c = d.cohort
    i = d.facts.internship[d.facts.internship["idx"].to_numpy() == idx]
    if not len(i):
        return _p("顶岗实习表中无该生记录。")
    x = i.iloc[0]
    due = c.params.internship_materials_due.isoformat()
    date = x["date_text"] or "（空）"
    late = "逾期" if x["late"] else "按时"
    grade = x["grade"] or "（空）"
    result = "合格" if x["passed"] else ("不合格" if x["assessed"] else "未考核")
    return _table([[x["company"], _handed_in(x["form"]), _handed_in(x["report"]), date, due, late, grade, result]],
                  ["实习单位", "审批表", "实习报告", "提交日期", "规定日期", "是否按时", "实习考核", "考核结果"], wide=(0,))


def identity_html(d: Decisions, idx: int) -> str:
    """Roster facts, the ID check and the photo check."""
    c = d.cohort
    s = c.students.iloc[idx]
    r = student_reasons(d, idx)
    id_ev = "；".join(r.loc[r["code"].isin(("ID_INVALID", "ID_DUPLICATE")), "evidence"].astype(str))
    id_check = id_ev or ("临时身份证号，未校验" if s["id_temporary"] else "校验通过")
    if c.photos is None:
        photo, photo_check = "", "未检查（参数未指定照片文件夹）"
    else:
        p = c.photos.iloc[idx]
        photo = p["photo_file"]
        photo_check = "未找到照片" if not photo else (p["photo_problem"] or "符合规格")
    rec = "；".join(r.loc[r["code"] == "RECORD_INCOMPLETE", "evidence"].astype(str)) or "完整"
    rows = [["学籍状态", s["学籍状态"]], ["性别", s["性别"]], ["出生日期", s["出生日期"]],
            ["身份证号", s["身份证号"]], ["身份证号校验", id_check], ["照片文件", photo], ["照片检查", photo_check],
            ["学籍信息", rec], ["班主任", s.get("班主任", "")]]
    return _table(rows, ["项目", "内容"], wide=(1,))


def waivers_html(d: Decisions, idx: int) -> str:
    """The student's rows of the waivers log, in file order, with their status."""
    sid = d.table["student_id"].iat[idx]
    w = waiver_log(d)
    mine = w[w["学号"] == sid]
    if not len(mine):
        return _p("无豁免记录。")
    rows = [[x.行号, x.原因, x.理由, x.批准人, x.日期, x.操作, x.状态] for x in mine.itertuples(index=False)]
    return _table(rows, ["行号", "原因", "理由", "批准人", "日期", "操作", "状态"], wide=(1, 2, 6))


def student_head_html(d: Decisions, idx: int) -> str:
    """The student's name, outcome (and deadline) and reasons with evidence."""
    t = d.table.iloc[idx]
    head = (f'<div class="gl-student"><b>{_e(t["student_id"])} {_e(t["姓名"])}</b>　{_e(t["专业"])}　{_e(t["班级"])}'
            f'<div class="gl-outcome">结论：{badge(t["outcome"])}'
            + (f"　缓发截止日期：{_e(t['deadline'])}" if t["deadline"] else "") + "</div></div>")
    return head + _section("原因与证据", reasons_html(d, idx))


def student_evidence_html(d: Decisions, idx: int) -> str:
    """Each source's facts about the student: courses, fees, internship, roster/ID/photo, waivers log."""
    return "".join(_section(title, body) for title, body in (
        ("课程成绩（未合格的必修、实习课程）", courses_html(d, idx)),
        ("缴费", fees_html(d, idx)),
        ("顶岗实习材料", internship_html(d, idx)),
        ("学籍、身份证号与照片", identity_html(d, idx)),
        ("豁免记录", waivers_html(d, idx)),
    ))


def student_html(d: Decisions, idx: int) -> str:
    """Everything about one student at once: outcome, reasons with evidence, and each source's facts."""
    return student_head_html(d, idx) + student_evidence_html(d, idx)
