"""The `gradlib` command: parse options, make one library call, turn errors into Chinese messages."""
from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from pathlib import Path

from . import clock
from .errors import GradlibError, RegistryError, sqlite_problem

# argparse's own error messages, in Chinese (office staff read them); matched, never monkeypatched
_ERRORS_ZH = (
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0}：无效的选项 {1}（可选：{2}）"),
    (r"argument (\S+): invalid (\w+) value: (.*)", "参数 {0}：无效的值 {2}"),
    (r"argument (\S+): expected one argument", "参数 {0}：需要一个值"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", "无效的命令 {0}（可选：{1}）"),
)


def chinese_error(message: str) -> str:
    """argparse's English error message in Chinese (unknown messages are kept as they are)."""
    for pattern, zh in _ERRORS_ZH:
        m = re.fullmatch(pattern, message)
        if m:
            return zh.format(*m.groups())
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Chinese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出")

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{chinese_error(message)}\n")


def _run(args) -> Path:
    from .run.execute import run

    return run(args.params, args.output_dir, timeout=args.timeout)


def _demo(args) -> Path:
    from .demo import MESSY_MAX_STUDENTS, write_demo
    from .log import progress
    from .run.execute import run

    if args.intake:
        return _demo_intake(args)
    out = Path(args.out or ("demo-messy" if args.messy else "demo"))
    if args.messy and args.students > MESSY_MAX_STUDENTS:
        raise GradlibError(f"--messy 最多生成 {MESSY_MAX_STUDENTS} 名学生（成绩为每班每门课一张登记表，工作表太多时读取很慢）")
    kind = "各部门系统原样导出的" if args.messy else ""
    progress(f"正在生成 {args.students} 名学生的{kind}示例数据（种子 {args.seed}）…")
    params = write_demo(out, students=args.students, seed=args.seed, photos=not args.no_photos,
                        messy_files=args.messy)
    progress(f"示例数据已写入：{out.resolve()}")
    return run(params, args.output_dir, timeout=args.timeout)


def _demo_intake(args) -> Path:
    from .demo.intake import write_intake_demo
    from .log import progress
    from .run.intake import run_intake

    out = Path(args.out or "demo-intake")
    params = write_intake_demo(out)
    progress(f"新生示例数据已写入：{out.resolve()}")
    return run_intake(params, args.output_dir, timeout=args.timeout)


def _verify(args) -> None:
    from .run.verify import verify

    verdict = verify(args.run_folder, rerun=not args.hashes_only)
    print(verdict.report())
    return 0 if verdict.ok else 1


def _publish(args) -> int:
    from .formats import cn_datetime
    from .reasons import OUTCOME_BY_CODE
    from .run.publish import publish

    pub = publish(args.run_folder, by=args.by, registry=args.registry)
    counts = "，".join(f"{OUTCOME_BY_CODE[k].label} {v} 人" for k, v in pub.counts.items() if k in OUTCOME_BY_CODE and v)
    what = "跟踪复核结果" if pub.kind == "followup" else "毕业审核结果"
    print(f"已发布 {pub.cohort} 届{what}：运行 {pub.run_id}，共 {pub.students} 人（{counts}）")
    print(f"发布人：{pub.recorded_by}，发布时间：{cn_datetime(pub.recorded_at)}" +
          ("（取代此前发布的结果，历史记录保留）" if pub.superseded else ""))
    return 0


def _followup(args) -> Path:
    from .run.followup import run_followup

    return run_followup(args.params, args.output_dir, as_of=args.as_of, timeout=args.timeout)


def _new(args) -> None:
    from .newcohort import main

    main(args.cohort, args.data)


def _review(args) -> None:
    from .review.serve import serve

    serve(args.params, port=args.port, open_browser=not args.no_browser)


# ---- the registry: collect, status, lookup, transfer, stock (issue #9) --------------------------------------

def _day(text: str):
    from .registry.collect import parse_day

    return parse_day(text) if text else None


def _by(args) -> str:
    from .registry import default_user

    return args.by or default_user()


def _collect(args) -> int:
    from .reasons import COLLECTION_BY_CODE
    from .registry.collect import collect_one
    from .registry.db import open_registry
    from .registry.sheets import collect_file

    with open_registry(args.registry) as reg:
        if args.from_file:
            if args.student:
                raise RegistryError("--from 与学号不能同时给出：从文件导入时不写学号")
            done = collect_file(reg, args.from_file, _by(args), args.cohort)
            parts = "，".join(f"{COLLECTION_BY_CODE[k].label} {v} 人" for k, v in done.by_method.items())
            print(f"已从 {Path(args.from_file).name} 登记 {done.written} 人" + (f"（{parts}）" if parts else "")
                  + (f"；{done.skipped} 人此前已同样登记，未重复登记" if done.skipped else ""))
            return 0
        if not args.student:
            raise RegistryError("请给出学号，或用 --from 文件 批量导入")
        print(collect_one(reg, args.student, _by(args), day=_day(args.date), receiver=args.receiver or "",
                          mail=args.mail, tracking=args.tracking or "", void=args.void, correct=args.correct,
                          cohort=args.cohort, note=args.note or ""))
    return 0


def _status(args) -> int:
    from .registry.db import open_registry
    from .registry.status import status

    with open_registry(args.registry) as reg:
        print(status(reg, args.cohort, _day(args.as_of)).report())
    return 0


def _lookup(args) -> int:
    from .registry.db import open_registry
    from .registry.lookup import find, record_text

    with open_registry(args.registry) as reg:
        found = find(reg, args.query, args.cohort)
        if not found:
            print(f"登记库中没有找到“{args.query}”（可按学号、身份证号、姓名或证书编号查询）")
            return 1
        if len(found) > 1:
            print(f"找到 {len(found)} 名学生，请用学号查询其中一人：")
            print("\n".join(f"  {m.line()}" for m in found))
            return 0
        print(record_text(reg, found[0], full=args.full))
    if args.letter:  # the verification letter of the one graduate found (documents, issue 11)
        from .documents.commands import lookup_letter

        return lookup_letter(reg.path, found[0].student_id)
    return 0


def _transfer(args) -> int:
    from .registry import transfers
    from .registry.db import open_registry

    with open_registry(args.registry) as reg:
        if args.action == "add":
            t = transfers.add(reg, args.student, args.school, args.reason, _by(args), day=_day(args.date),
                              tracking=args.tracking or "", cohort=args.cohort)
            print(f"已登记档案移交：{t['name']}（{t['student_id']}）→ {t['receiving_school']}（{t['reason']}），"
                  + (f"{t['handed_over']} 已移交" if t["handed_over"] else "待移交"))
        elif args.action == "done":
            t = transfers.done(reg, args.student, _by(args), day=_day(args.date) or clock.today(),
                               tracking=args.tracking or "")
            print(f"已登记移交：学号 {t['student_id']} 的档案于 {t['handed_over']} 移交{t['receiving_school']}")
        else:
            df = transfers.table(reg, pending_only=not args.all)
            print(f"{'全部' if args.all else '待移交的'}档案移交：{len(df)} 人")
            for r in df.itertuples(index=False):
                print(f"  {r.学号}  {r.姓名}  {r.班级}  → {r.接收学校}（{r.移交原因}）  {r.移交日期 or '待移交'}")
            if args.out:
                print(transfers.write_list(df, args.out, pending_only=not args.all))
    return 0


def _stock(args) -> int:
    from .registry import stock
    from .registry.db import open_registry

    if args.action is None and args.forecast:
        print(_frame_text(*stock.forecast_for(args.forecast, args.registry)))
        return 0
    with open_registry(args.registry, create=args.action == "receive") as reg:
        if args.action == "void":
            print(stock.void(reg, args.row, _by(args), args.reason or ""))
        elif args.action:
            print(stock.record(reg, stock.ACTIONS[args.action], {"inner": args.inner, "cover": args.cover}, _by(args),
                               day=_day(args.date) or clock.today(), cohort=args.cohort, reason=args.reason or ""))
        print(_frame_text(stock.balance(reg), "空白毕业证书结存"))
        if args.list:
            print(_frame_text(stock.rows(reg), "最近的库存记录"))
    return 0


def _frame_text(df, title: str) -> str:
    lines = [title + "：", "  " + "  ".join(map(str, df.columns))]
    lines += ["  " + "  ".join(map(str, r)) for r in df.itertuples(index=False)]
    return "\n".join(lines)


REGISTRY_HELP = "登记库文件（默认 outputs/registry.sqlite）"


def _common(p, cohort_help: str | None = "届别（同一学号出现在多届时指定）", by: bool = True):
    if cohort_help:
        p.add_argument("--cohort", type=int, metavar="届别", help=cohort_help)
    if by:
        p.add_argument("--by", metavar="姓名", help="登记人（默认为当前系统用户）")
    p.add_argument("--registry", metavar="文件", help=REGISTRY_HELP)


def _registry_parsers(sub):
    """collect, status, lookup, transfer and stock: the registry's commands (issue #9)."""
    c = sub.add_parser("collect", help="登记毕业证领取（本人或代领）或邮寄；可从填好的领取花名册、邮寄清单批量导入",
                       description="登记一名学生领取或邮寄毕业证书；只有已发布结果为“可领取”的学生才能登记。"
                                   "更正用 --correct（新记录取代原记录），登记有误用 --void 作废；原记录都保留。")
    c.add_argument("student", nargs="?", metavar="学号", help="学生的学号（用 --from 导入时不写）")
    c.add_argument("--date", metavar="日期", help="领取或邮寄日期（默认今天）")
    c.add_argument("--receiver", metavar="姓名", help="领取人（默认本人；代领时写代领人姓名）")
    c.add_argument("--mail", action="store_true", help="邮寄（须给出 --tracking）")
    c.add_argument("--tracking", metavar="快递单号", help="邮寄的快递单号")
    c.add_argument("--correct", action="store_true", help="更正该生已有的记录（新记录取代原记录）")
    c.add_argument("--void", action="store_true", help="作废该生已有的记录（登记有误）")
    c.add_argument("--note", metavar="说明", help="备注")
    c.add_argument("--from", dest="from_file", metavar="文件",
                   help="填好的毕业证及报到证领取花名册（领取人签名、领取日期）或毕业证邮寄清单（快递单号、邮寄日期）")
    _common(c)
    c.set_defaults(func=_collect)
    s = sub.add_parser("status", help="一届的领取情况：已发布的运行、各结论人数、已领取、已邮寄、未领取",
                       description="列出已发布的运行和各结论人数，本人领取、代领、邮寄和未领取的人数；"
                                   "发放时间过后，列出仍未领取的可领取学生。")
    s.add_argument("cohort", type=int, metavar="届别", help="毕业年份，如 2027")
    s.add_argument("--as-of", metavar="日期", help="按哪一天统计（默认今天）")
    _common(s, None, by=False)
    s.set_defaults(func=_status)
    q = sub.add_parser("lookup", help="按学号、身份证号、姓名或证书编号查询毕业生的记录",
                       description="输出学籍信息（身份证号部分隐藏，--full 显示全部）、每次发布的结论、领取与邮寄、"
                                   "档案移交和已出具的文书。找不到时退出码 1；找到多人时逐行列出。")
    q.add_argument("query", metavar="查询", help="学号、身份证号、姓名或证书编号")
    q.add_argument("--full", action="store_true", help="显示完整的身份证号")
    q.add_argument("--letter", action="store_true", help="同时为查到的这名毕业生出具学历核实证明（写在登记库旁的 证明文件/ 中）")
    _common(q, "只在这一届中查找", by=False)
    q.set_defaults(func=_lookup)
    _transfer_parser(sub)
    _stock_parser(sub)


def _transfer_parser(sub):
    t = sub.add_parser("transfer", help="档案移交（升读大专等）：登记、登记移交完成、列出待移交并写出档案移交清单",
                       description="登记学生档案移交。add 登记一条（可同时给出移交日期）；done 登记移交完成；"
                                   "list 列出待移交的记录，--out 写出带签字栏的档案移交清单（内部）.xlsx。")
    ts = t.add_subparsers(dest="action", required=True, metavar="操作", title="操作", parser_class=Parser,
                          help="add 登记，done 登记移交完成，list 列出")
    a = ts.add_parser("add", help="登记一条档案移交")
    a.add_argument("--student", required=True, metavar="学号", help="学生的学号")
    a.add_argument("--school", required=True, metavar="接收学校", help="接收档案的学校")
    a.add_argument("--reason", required=True, metavar="原因", help="移交原因，如 升读大专")
    a.add_argument("--date", metavar="移交日期", help="已移交时的移交日期（不写即待移交）")
    a.add_argument("--tracking", metavar="邮寄单号", help="邮寄档案的单号")
    _common(a)
    d = ts.add_parser("done", help="登记待移交的档案已移交")
    d.add_argument("--student", required=True, metavar="学号", help="学生的学号")
    d.add_argument("--date", metavar="移交日期", help="移交日期（默认今天）")
    d.add_argument("--tracking", metavar="邮寄单号", help="邮寄档案的单号")
    _common(d, None)
    x = ts.add_parser("list", help="列出待移交的档案（--all 全部）")
    x.add_argument("--all", action="store_true", help="列出全部（含已移交的）")
    x.add_argument("--out", metavar="文件夹", help="在该文件夹写出档案移交清单（内部）.xlsx")
    _common(x, None, by=False)
    t.set_defaults(func=_transfer)


def _stock_parser(sub):
    k = sub.add_parser("stock", help="空白毕业证书（内芯、封皮）的入库、领用、损坏和结存，以及征订预测",
                       description="不带操作时输出结存；--forecast 参数文件 按该届人数、diploma_spares 和上一年损坏数"
                                   "预测应征订的内芯和封皮。")
    k.add_argument("--forecast", metavar="参数文件", help="要征订证书的那一届的参数文件，如 params/2028.yaml")
    k.add_argument("--list", action="store_true", help="同时列出最近的库存记录（含记录编号）")
    k.add_argument("--registry", metavar="文件", help=REGISTRY_HELP)
    ks = k.add_subparsers(dest="action", required=False, metavar="操作", title="操作", parser_class=Parser,
                          help="receive 入库，use 领用，spoil 损坏，void 作废一条记录")
    for name, zh in (("receive", "入库"), ("use", "领用"), ("spoil", "损坏")):
        e = ks.add_parser(name, help=f"登记{zh}的内芯、封皮数量")
        e.add_argument("--inner", type=int, default=0, metavar="数量", help="内芯张数")
        e.add_argument("--cover", type=int, default=0, metavar="数量", help="封皮个数")
        e.add_argument("--date", metavar="日期", help="日期（默认今天）")
        e.add_argument("--reason", metavar="说明", help="说明（如损坏原因、来文号）")
        e.add_argument("--list", action="store_true", help="同时列出最近的库存记录")
        _common(e, "所属届别（可不写）")
    v = ks.add_parser("void", help="作废一条登记有误的库存记录")
    v.add_argument("row", type=int, metavar="编号", help="库存记录的编号（stock --list 可查）")
    v.add_argument("--reason", metavar="说明", help="作废原因")
    v.add_argument("--list", action="store_true", help="同时列出最近的库存记录")
    _common(v, None)
    k.set_defaults(func=_stock)
# ---- intake (issue 13): gradlib intake, enrol, class-review, correct, status-change, roster-export -------

def _intake(args) -> Path:
    from .run.intake import run_intake

    return run_intake(args.params, args.output_dir, timeout=args.timeout)


def _enrol(args) -> int:
    from .run.intake import enrol

    params, added, kept = enrol(args.run_folder, by=args.by)
    print(f"已登记 {params.intake_year} 级（{params.cohort} 届）新生 {added} 人" + (f"，{kept} 人此前已登记" if kept else "")
          + f"：{params.registry}")
    return 0


def _opened(args):
    from .intake.params import load_intake_params
    from .registry import Registry, default_user

    p = load_intake_params(args.params)
    return p, Registry(p.registry), args.by or default_user()


def _class_review(args) -> int:
    from .intake.store import review
    from .reasons import REVIEW_STAGES

    p, reg, by = _opened(args)
    with reg:
        review(reg, p.cohort, args.class_name, args.stage, args.reviewer, args.date or clock.today().isoformat(), by, args.note)
    print(f"已记录班级“{args.class_name}”的{REVIEW_STAGES[args.stage]}：{args.reviewer}（{args.date or clock.today().isoformat()}）")
    return 0


def _correct(args) -> int:
    from .formats import cn_datetime
    from .intake.store import correct

    _, reg, by = _opened(args)
    with reg:
        c = correct(reg, args.student_id, args.field, args.value, args.why, by)
    print(f"已更正学号 {c['学号']} 的{c['字段']}：“{c['原值']}” → “{c['新值']}”（原因：{c['原因']}；{c['更正人']}，{cn_datetime(c['更正时间'])}）")
    return 0


def _status_change(args) -> int:
    from .intake.status import history, record_change

    _, reg, by = _opened(args)
    with reg:
        record_change(reg, args.student_id, args.kind, args.date or clock.today(), args.reason, args.approval, by,
                      new_major=args.major or "", new_class=args.class_name or "")
        h = history(reg, args.student_id)
    print(f"已记录学号 {args.student_id} 的{args.kind}，当前学籍状态：{h['异动后学籍状态'].iat[-1]}；全部异动：")
    for r in h.itertuples(index=False):
        print(f"  {r.日期} {r.异动类别}（{r.原因}；批准：{r.批准}）→ {r.异动后学籍状态}")
    return 0


def _status_history(args) -> int:
    from .intake.status import current_status, history

    _, reg, _ = _opened(args)
    with reg:
        status, h = current_status(reg, args.student_id), history(reg, args.student_id)
    print(f"学号 {args.student_id} 当前学籍状态：{status}；学籍异动 {len(h)} 次" + ("：" if len(h) else ""))
    for r in h.itertuples(index=False):
        print(f"  {r.日期} {r.异动类别}（{r.原因}；批准：{r.批准}；记录：{r.记录人} {r.记录时间}）→ {r.异动后学籍状态}")
    return 0


def _roster_export(args) -> int:
    from .intake.exports import export_roster

    p, reg, by = _opened(args)
    approval = None
    if args.full and any((args.approver, args.approved_on, args.purpose, args.recipient)):
        approval = {"approver": args.approver, "day": args.approved_on, "purpose": args.purpose,
                    "recipient": args.recipient}
    with reg:
        out = export_roster(reg, args.cohort or p.cohort, args.out, by, full=args.full, approval=approval)
    what = "完整信息（已记录批准）" if out["full"] else "去除身份证号、出生日期、家庭地址、联系电话"
    print(f"已导出 {out['students']} 名学生的学籍库（{what}）：{Path(args.out).resolve()}")
    return 0


def _intake_parsers(sub):
    i = sub.add_parser("intake", help="核查新生信息，写出待签字的班级花名册和问题清单",
                       description="执行 notebooks/intake.ipynb：逐项核查新生名单，按班写出待签字的班级花名册和问题清单；"
                                   "运行文件夹在 <output_dir>/intake-<入学年份>/ 下，最后一行输出其路径。")
    i.add_argument("params", metavar="参数文件", help="新生核查参数文件（YAML），如 params/intake-2024.yaml")
    i.add_argument("--output-dir", metavar="文件夹", help="运行文件夹的上级目录（默认取参数文件中的 output_dir）")
    i.add_argument("--timeout", type=int, default=None, metavar="秒数", help="单个单元格的最长执行秒数")
    i.set_defaults(func=_intake)
    e = sub.add_parser("enrol", help="把一次新生核查的学生登记为在册学生（记入登记库）",
                       description="核对运行文件夹后，把其中的新生逐人记入登记库；已登记的学生不重复登记。")
    e.add_argument("run_folder", metavar="运行文件夹", help="gradlib intake 的运行文件夹")
    e.add_argument("--by", metavar="姓名", help="登记人（默认为当前系统用户）")
    e.set_defaults(func=_enrol)
    for name, help_, func in (("class-review", "记录班级花名册的班主任初审或学籍管理部门复审", _class_review),
                              ("correct", "按签字的花名册更正学生信息（保留原值、新值、更正人、时间、原因）", _correct),
                              ("status-change", "记录学籍异动：休学、复学、退学、转出、转入、转专业、转班", _status_change),
                              ("status-history", "查看一名学生的当前学籍状态和全部学籍异动", _status_history),
                              ("roster-export", "从登记库导出学籍库（默认去除个人敏感信息；完整导出须校领导批准）",
                               _roster_export)):
        c = sub.add_parser(name, help=help_, description=help_ + "。")
        c.add_argument("params", metavar="参数文件", help="新生核查参数文件（其中的 registry 即登记库）")
        c.add_argument("--by", metavar="姓名", help="记录人（默认为当前系统用户）")
        c.set_defaults(func=func)
        _INTAKE_OPTIONS[name](c)


def _review_options(c):
    c.add_argument("class_name", metavar="班级", help="班级名称，如 24机电1班")
    c.add_argument("stage", choices=("first", "second"), help="first：班主任初审；second：学籍管理部门复审")
    c.add_argument("--reviewer", required=True, metavar="姓名", help="审核人（班主任或学籍管理部门经办人）")
    c.add_argument("--date", metavar="日期", help="审核日期（默认今天），如 2024-09-20")
    c.add_argument("--note", default="", metavar="说明", help="备注")


def _correct_options(c):
    c.add_argument("student_id", metavar="学号", help="要更正的学生的学号")
    c.add_argument("field", metavar="字段", help="要更正的字段，如 身份证号、姓名、出生日期")
    c.add_argument("value", metavar="新值", help="更正后的值")
    c.add_argument("--why", required=True, metavar="原因", help="更正原因，如 学生在花名册上签字更正")


def _status_options(c):
    c.add_argument("student_id", metavar="学号", help="异动学生的学号")
    c.add_argument("kind", metavar="类别", help="休学、复学、退学、转出、转入、转专业、转班")
    c.add_argument("--date", metavar="日期", help="异动日期（默认今天），如 2025-03-01")
    c.add_argument("--reason", required=True, metavar="原因", help="异动原因")
    c.add_argument("--approval", required=True, metavar="批准", help="批准人及文号")
    c.add_argument("--major", metavar="专业", help="转专业：新专业")
    c.add_argument("--class", dest="class_name", metavar="班级", help="转专业或转班：新班级")


def _export_options(c):
    c.add_argument("--out", required=True, metavar="文件", help="导出的 .xlsx 文件")
    c.add_argument("--cohort", type=int, metavar="届别", help="届别（默认取参数文件中的届别）")
    c.add_argument("--full", action="store_true", help="导出完整信息（须同时写明下列批准信息，记入登记库并印在页眉）")
    c.add_argument("--approver", metavar="姓名", help="批准的校领导")
    c.add_argument("--approved-on", metavar="日期", help="批准日期")
    c.add_argument("--purpose", metavar="用途", help="用途，如 毕业审核")
    c.add_argument("--recipient", metavar="接收方", help="接收部门或人员，如 校企合作与就业办")


_INTAKE_OPTIONS = {"status-history": lambda c: c.add_argument("student_id", metavar="学号", help="学生的学号"),
                   "class-review": _review_options, "correct": _correct_options, "status-change": _status_options,
                   "roster-export": _export_options}


def _document_parsers(sub) -> None:
    from .documents.commands import add_parsers  # diplomas, certificate, letter, void/verify-document, templates

    add_parsers(sub)


def build_parser() -> argparse.ArgumentParser:
    """The gradlib command line (every command has Chinese help)."""
    p = Parser(prog="gradlib", description="江西省通用技术工程学校 毕业审核工具")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令", title="命令", parser_class=Parser)
    r = sub.add_parser("run", help="按参数文件执行一届的毕业审核，写出运行文件夹",
                       description="执行 notebooks/cohort.ipynb，写出运行文件夹；最后一行输出其路径。")
    r.add_argument("params", metavar="参数文件", help="本届参数文件（YAML），如 params/2027.yaml")
    r.add_argument("--output-dir", metavar="文件夹", help="运行文件夹的上级目录（默认取参数文件中的 output_dir）")
    r.add_argument("--timeout", type=int, default=None, metavar="秒数", help="单个单元格的最长执行秒数")
    r.set_defaults(func=_run)
    d = sub.add_parser("demo", help="生成一届示例数据并执行审核",
                       description="生成逼真的示例数据（学籍、成绩、缴费、实习、地址、照片、豁免）并运行。")
    d.add_argument("--students", type=int, default=3000, metavar="人数", help="学生人数（默认 3000）")
    d.add_argument("--seed", type=int, default=2027, metavar="种子", help="随机种子（相同种子生成相同数据）")
    d.add_argument("--out", default=None, metavar="文件夹", help="示例数据写入的文件夹（默认 demo；--messy 时默认 demo-messy）")
    d.add_argument("--output-dir", metavar="文件夹", help="运行文件夹的上级目录（默认 <out>/outputs）")
    d.add_argument("--no-photos", action="store_true", help="不生成照片（人数很多时使用）")
    d.add_argument("--messy", action="store_true",
                   help="同一批学生，按各部门系统原样导出的格式写出：全国中职学籍系统的学生信息（无学籍状态列）、"
                        "每班每门课一张两栏并排的成绩登记表、财务系统的收费统计（应缴/实缴）、带必填标记和字段行的实习导入模板")
    d.add_argument("--intake", action="store_true",
                   help="改为生成一个新生入学示例（三个班、照片、参数文件）并执行新生信息核查（gradlib intake）")
    d.add_argument("--timeout", type=int, default=None, metavar="秒数", help="单个单元格的最长执行秒数")
    d.set_defaults(func=_demo)
    v = sub.add_parser("review", help="在浏览器中打开本届的审核页面（仅本机可访问），记录豁免",
                       description="用 Voilà 在 127.0.0.1 上提供审核页面：筛选、查看证据、假设预览、记录和撤销豁免。"
                                   "豁免追加写入参数文件指定的豁免记录文件。最后一行输出页面地址；按 Ctrl+C 停止。")
    v.add_argument("params", metavar="参数文件", help="本届参数文件（YAML），如 params/2027.yaml")
    v.add_argument("--port", type=int, default=None, metavar="端口", help="监听端口（默认 8866，被占用时自动选择空闲端口）")
    v.add_argument("--no-browser", action="store_true", help="不自动打开浏览器，只输出地址")
    v.set_defaults(func=_review)
    f = sub.add_parser("verify", help="核验一个运行文件夹：校验值是否一致，重新运行是否得到相同结果",
                       description="先按 manifest.json 核对每个文件的 SHA-256，再用 inputs/ 中的副本在临时文件夹中重新运行，"
                                   "逐字节比较 decisions.csv、逐格比较每份名单。一致时退出码 0，否则退出码 1 并列出不一致之处。")
    f.add_argument("run_folder", metavar="运行文件夹", help="要核验的运行文件夹，如 outputs/2027/20270625-143012")
    f.add_argument("--hashes-only", action="store_true", help="只核对校验值，不重新运行")
    f.set_defaults(func=_verify)
    b = sub.add_parser("publish", help="把一次成功的运行发布为本届的正式结果，记入登记库",
                       description="核对运行文件夹（须成功完成、文件与 manifest.json 一致、不早于已发布的运行），"
                                   "把每名学生的结果和学籍信息记入登记库；再次发布较新的运行时取代此前的结果，历史保留。")
    b.add_argument("run_folder", metavar="运行文件夹", help="要发布的运行文件夹，如 outputs/2027/20270625-143012")
    b.add_argument("--by", metavar="姓名", help="发布人（默认为当前系统用户）")
    b.add_argument("--registry", metavar="文件", help="登记库文件（默认取运行参数中的 registry，即 output_dir/registry.sqlite）")
    b.set_defaults(func=_publish)
    u = sub.add_parser("followup", help="跟踪复核已发布结果中缓发、暂缓领取的学生，写出运行文件夹",
                       description="从登记库取本届已发布结果中缓发毕业证书和暂缓领取的学生（含此前跟踪复核的结果），"
                                   "用参数文件所指各部门更新后的数据重新审核：符合条件者可领取；缓发期满（补考、清考成绩公布后一年）"
                                   "仍未认定者视同放弃。执行 notebooks/followup.ipynb，写出补发毕业证名单和视同放弃名单；"
                                   "最后一行输出运行文件夹的路径。本届尚未发布时拒绝运行。")
    u.add_argument("params", metavar="参数文件", help="本届参数文件（YAML），各数据文件为更新后的版本")
    u.add_argument("--as-of", metavar="日期", help="跟踪复核的日期（默认今天），如 2028-06-21；晚于截止日期时缓发者视同放弃")
    u.add_argument("--output-dir", metavar="文件夹", help="运行文件夹的上级目录（默认取参数文件中的 output_dir）")
    u.add_argument("--timeout", type=int, default=None, metavar="秒数", help="单个单元格的最长执行秒数")
    u.set_defaults(func=_followup)
    n = sub.add_parser("new", help="为新的一届写出参数文件和空的豁免记录文件，并提示下一步",
                       description="写出 params/<届别>.yaml（已存在时不改动）、只有表头的豁免记录文件和数据文件夹；"
                                   "最后一行输出参数文件的路径。")
    n.add_argument("cohort", type=int, metavar="届别", help="毕业年份，如 2028")
    n.add_argument("--data", metavar="文件夹", help="各部门文件所在的文件夹（默认 data/<届别>）")
    n.set_defaults(func=_new)
    _registry_parsers(sub)
    _intake_parsers(sub)
    _document_parsers(sub)
    return p


def main(argv=None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a GBK console must not crash on a rare character
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        folder = args.func(args)
    except GradlibError as e:
        print(e.report(), file=sys.stderr)
        return e.exit_code
    except sqlite3.DatabaseError as e:  # never an English traceback: the registry file is not as expected
        print(f"登记库读写失败：{sqlite_problem(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        kept = getattr(e, "evidence_dir", None)
        print("已中断，未生成运行文件夹" + (f"；未完成的运行记录（不含任何名单）保留在 {kept}" if kept else "") + "。",
              file=sys.stderr)
        return 130
    if folder is None:  # review: the server ran until it was stopped
        return 0
    if isinstance(folder, int):  # verify: the verdict was printed
        return folder
    print("运行完成，结果在：", file=sys.stderr)
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
