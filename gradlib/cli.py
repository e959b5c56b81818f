"""The `gradlib` command: parse options, make one library call, turn errors into Chinese messages."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .errors import GradlibError

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

    out = Path(args.out or ("demo-messy" if args.messy else "demo"))
    if args.messy and args.students > MESSY_MAX_STUDENTS:
        raise GradlibError(f"--messy 最多生成 {MESSY_MAX_STUDENTS} 名学生（成绩为每班每门课一张登记表，工作表太多时读取很慢）")
    kind = "各部门系统原样导出的" if args.messy else ""
    progress(f"正在生成 {args.students} 名学生的{kind}示例数据（种子 {args.seed}）…")
    params = write_demo(out, students=args.students, seed=args.seed, photos=not args.no_photos,
                        messy_files=args.messy)
    progress(f"示例数据已写入：{out.resolve()}")
    return run(params, args.output_dir, timeout=args.timeout)


def _verify(args) -> None:
    from .run.verify import verify

    verdict = verify(args.run_folder, rerun=not args.hashes_only)
    print(verdict.report())
    return 0 if verdict.ok else 1


def _publish(args) -> int:
    from .reasons import OUTCOME_BY_CODE
    from .run.publish import publish

    pub = publish(args.run_folder, by=args.by, registry=args.registry)
    counts = "，".join(f"{OUTCOME_BY_CODE[k].label} {v} 人" for k, v in pub.counts.items() if k in OUTCOME_BY_CODE)
    what = "跟踪复核结果" if pub.kind == "followup" else "毕业审核结果"
    print(f"已发布 {pub.cohort} 届{what}：运行 {pub.run_id}，共 {pub.students} 人（{counts}）")
    print(f"发布人：{pub.recorded_by}，发布时间：{pub.recorded_at}" +
          ("（取代此前发布的结果，历史记录保留）" if pub.superseded else ""))
    return 0


def _new(args) -> None:
    from .newcohort import main

    main(args.cohort, args.data)


def _review(args) -> None:
    from .review.serve import serve

    serve(args.params, port=args.port, open_browser=not args.no_browser)


# documents (issue 11): diplomas, certificates, letters, verification
def _office(args):
    from .documents.issue import office_from

    return office_from(getattr(args, "params", None), args.registry, getattr(args, "templates", None),
                       getattr(args, "out", None), getattr(args, "by", None))


def _diplomas(args) -> int:
    from .documents.diplomas import align_page, print_diplomas

    if args.align:
        print(f"校准页已写出（不登记、不计内芯）：{align_page(args.run_folder, args.out)}")
        return 0
    if args.spoiled and not args.reason:
        raise GradlibError("登记作废的内芯须写明原因：--reason 原因（如 卡纸、错位、污损）")
    b = print_diplomas(args.run_folder, args.students, args.by, args.registry, args.out, args.spoiled, args.reason)
    if b.spoiled:
        print(f"已登记作废内芯 1 张：证书编号 {b.spoiled}（原打印记录作废，历史保留）")
    for sid, why in b.skipped:
        print(f"未打印 {sid}：{why}")
    if b.pdf is None:
        print("没有需要打印的毕业证书")
        return 0
    print(f"已打印 {len(b.printed)} 份毕业证书（每份计用内芯 1 张），证书编号 {b.printed[0][1]} 至 {b.printed[-1][1]}")
    print(b.pdf)
    return 0


def _certificate(args) -> int:
    from .documents.batch import certificates_from_table
    from .documents.certificates import Ask, certificate
    from .documents.issue import report

    office = _office(args)
    if args.table:
        issued = certificates_from_table(office, args.kind, args.table, args.purpose or "")
    else:
        person = {k: getattr(args, k) for k in ("name", "sex", "id_number", "birth_date", "course", "study_from",
                                                "study_to")}
        approval = {k: getattr(args, k) for k in ("grades_checked_by", "approved_by", "approved_on")}
        issued = [certificate(office, Ask(args.kind, args.student, person, approval, args.purpose or ""))]
    print("\n".join(report(issued)))
    return 0


def _letter(args) -> int:
    from .documents.issue import report
    from .documents.letter import write_letter

    print("\n".join(report([write_letter(_office(args), args.student, args.purpose or "")])))
    return 0


def _void_document(args) -> int:
    from .documents.store import void
    from .registry import Registry

    office = _office(args)
    with Registry(office.registry, create=False) as reg:
        d = void(reg, args.serial, args.reason, office.by)
    print(f"已作废 {d['serial']}：原因 {d['void_reason']}，作废人 {d['voided_by']}，时间 {d['voided_at']}（记录保留）")
    return 0


def _verify_document(args) -> int:
    from .documents.store import verify
    from .registry import Registry

    with Registry(_office(args).registry, create=False) as reg:
        verdict = verify(reg, args.serial, args.code)
    print(verdict.report())
    return 0 if verdict.ok else 1


def _templates(args) -> int:
    from .documents.templates import copy_defaults

    folder = Path(args.folder or ("templates" if not (args.params or args.registry) else _office(args).spec.templates))
    for path, copied in copy_defaults(folder):
        print(("已复制：" if copied else "已存在，未改动：") + str(path))
    return 0


def _office_options(p, params=True, out=True):
    if params:
        p.add_argument("--params", metavar="参数文件", help="一届的参数文件：取其中的登记库、学校名称和 documents: 设置")
    p.add_argument("--registry", metavar="文件", help="登记库文件（默认取参数文件中的 registry）")
    if out:
        p.add_argument("--templates", metavar="文件夹", help="学校修改过的模板所在的文件夹（默认为参数文件旁的 templates/）")
        p.add_argument("--out", metavar="文件夹", help="写出文件的文件夹（默认为登记库旁的 证明文件/）")
    p.add_argument("--by", metavar="姓名", help="经办人（默认为当前系统用户）")


def _document_parsers(sub) -> None:
    d = sub.add_parser("diplomas", help="把本届已发布运行的毕业生毕业证书套打到内芯上（PDF，每人一页），登记每个证书编号",
                       description="为已发布运行中的毕业生（可领取、暂缓领取）生成套打 PDF，字段位置取自 "
                                   "templates/diploma-layout.yaml；已打印的跳过。内芯打坏时用 --spoiled 登记并重印。")
    d.add_argument("run_folder", metavar="运行文件夹", help="本届当前发布的运行文件夹")
    d.add_argument("--students", nargs="+", metavar="学号", help="只打印这些学生")
    d.add_argument("--align", action="store_true", help="只打印校准页（毫米刻度和各字段的框），不登记")
    d.add_argument("--spoiled", metavar="证书编号", help="登记一张打坏的内芯（作废原打印记录），并为该生重印")
    d.add_argument("--reason", metavar="原因", help="内芯作废的原因（与 --spoiled 一起用）")
    _office_options(d, params=False, out=False)
    d.add_argument("--out", metavar="文件夹", help="PDF 写入的文件夹（默认为登记库旁的 证明文件/毕业证书/）")
    d.set_defaults(func=_diplomas)
    c = sub.add_parser("certificate", help="开具毕业证明书、学籍证明、在读证明或学习证明书（Word 模板，附编号和核验码）",
                       description="KIND：graduation 毕业证明书，status 学籍证明，enrolment 在读证明，study 学习证明书。")
    c.add_argument("kind", choices=("graduation", "status", "enrolment", "study"), metavar="种类",
                   help="graduation、status、enrolment 或 study")
    c.add_argument("--student", metavar="学号", help="学生的学号（学习证明书不用）")
    c.add_argument("--table", metavar="名单文件", help="批量开具：每行一人的名单（.xlsx/.csv，列：学号，或学习证明书的人员各列）")
    c.add_argument("--purpose", metavar="用途", help="证明的用途（印在证明上，如 实习单位办理入职）")
    for opt, dest, text in (("--name", "name", "姓名"), ("--sex", "sex", "性别"), ("--id-number", "id_number", "身份证号"),
                            ("--birth-date", "birth_date", "出生日期"), ("--course", "course", "学习内容"),
                            ("--from", "study_from", "学习开始日期"), ("--to", "study_to", "学习结束日期"),
                            ("--grades-checked-by", "grades_checked_by", "教务科核查成绩的人"),
                            ("--approved-by", "approved_by", "批准的校领导"), ("--approved-on", "approved_on", "批准日期")):
        c.add_argument(opt, dest=dest, metavar=text, help=f"学习证明书：{text}")
    _office_options(c)
    c.set_defaults(func=_certificate)
    le = sub.add_parser("letter", help="为毕业生出具学历核实证明（供用人单位、上级部门核实学历）",
                        description="按登记库的记录出具学历核实证明。")
    le.add_argument("student", metavar="学号", help="毕业生的学号")
    le.add_argument("--purpose", metavar="来函单位", help="应谁的要求出具（如 某公司人事部）")
    _office_options(le)
    le.set_defaults(func=_letter)
    vd = sub.add_parser("void-document", help="作废一份已开具的证书或证明（须写明原因，记录保留）", description="作废后可重新开具。")
    vd.add_argument("serial", metavar="编号", help="证书或证明的编号，如 JXTG-2027-BY-0001")
    vd.add_argument("--reason", required=True, metavar="原因", help="作废的原因（必填）")
    _office_options(vd, out=False)
    vd.set_defaults(func=_void_document)
    ve = sub.add_parser("verify-document", help="核验一份证书或证明：编号和核验码是否由本校开具、是否已作废",
                        description="退出码 0：核验通过；1：不通过（查无此编号、核验码不符或已作废）。")
    ve.add_argument("serial", metavar="编号", help="证书或证明上的编号，如 JXTG-2027-BY-0001")
    ve.add_argument("code", metavar="核验码", help="证书或证明上的核验码（大小写、短横线均可）")
    _office_options(ve, out=False)
    ve.set_defaults(func=_verify_document)
    t = sub.add_parser("templates", help="把默认的证明模板和毕业证书版式复制到学校的模板文件夹，供修改",
                       description="已存在的文件不改动；修改后的副本优先于默认模板。")
    t.add_argument("folder", nargs="?", metavar="文件夹", help="模板文件夹（默认为参数文件旁的 templates/）")
    _office_options(t, out=False)
    t.set_defaults(func=_templates)


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
    n = sub.add_parser("new", help="为新的一届写出参数文件和空的豁免记录文件，并提示下一步",
                       description="写出 params/<届别>.yaml（已存在时不改动）、只有表头的豁免记录文件和数据文件夹；"
                                   "最后一行输出参数文件的路径。")
    n.add_argument("cohort", type=int, metavar="届别", help="毕业年份，如 2028")
    n.add_argument("--data", metavar="文件夹", help="各部门文件所在的文件夹（默认 data/<届别>）")
    n.set_defaults(func=_new)
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
