"""The documents' commands of `gradlib` (diplomas, certificate, letter, void-document, verify-document,
templates): their parsers and thin handlers, each one library call; cli.py adds them (kept here so that cli.py
stays within its size)."""
from __future__ import annotations

from pathlib import Path

from ..errors import GradlibError
from ..log import progress


def _office(args):
    from .issue import office_from

    return office_from(getattr(args, "params", None), args.registry, getattr(args, "templates", None),
                       getattr(args, "out", None), getattr(args, "by", None))


def _diplomas(args) -> int:
    from .diplomas import align_page, print_diplomas

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
    if b.inner_left is not None and b.inner_left < 0:
        progress(f"注意：登记库中的内芯结存为 {b.inner_left} 张，登记入库的内芯少于已用的：收到的内芯请用 "
                 "gradlib stock receive --inner 数量 登记入库，结存和征订预测才准确")
    print(b.pdf)
    return 0


def _certificate(args) -> int:
    from .batch import certificates_from_table
    from .certificates import Ask, certificate
    from .issue import report

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
    from .issue import report
    from .letter import write_letter

    print("\n".join(report([write_letter(_office(args), args.student, args.purpose or "")])))
    return 0


def lookup_letter(registry: Path, student_id: str, purpose: str = "") -> int:
    """`gradlib lookup … --letter`: the verification letter of the graduate found."""
    from .issue import office_from, report
    from .letter import write_letter

    print("\n".join(report([write_letter(office_from(registry=registry), student_id, purpose)])))
    return 0


def _void_document(args) -> int:
    from ..registry import Registry
    from .store import void

    office = _office(args)
    with Registry(office.registry, create=False) as reg:
        d = void(reg, args.serial, args.reason, office.by)
    print(f"已作废 {d['serial']}：原因 {d['void_reason']}，作废人 {d['voided_by']}，时间 {d['voided_at']}（记录保留）")
    return 0


def _verify_document(args) -> int:
    from ..registry import Registry
    from .store import verify

    with Registry(_office(args).registry, create=False) as reg:
        verdict = verify(reg, args.serial, args.code)
    print(verdict.report())
    return 0 if verdict.ok else 1


def _templates(args) -> int:
    from .templates import copy_defaults

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


def add_parsers(sub) -> None:
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
                       description="种类：graduation 毕业证明书，status 学籍证明，enrolment 在读证明，study 学习证明书。")
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
