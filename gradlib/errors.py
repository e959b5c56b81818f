"""Errors gradlib raises on purpose: one base class; subclasses carry their facts as attributes.

The CLI turns each into Chinese text (``report()``) and its exit code; nothing here prints.
"""
from __future__ import annotations

from pathlib import Path


class GradlibError(Exception):
    """Base of every error gradlib raises on purpose."""
    exit_code = 1
    headline = "运行失败"

    def report(self) -> str:
        """The error as Chinese text for the registrar."""
        return f"{self.headline}：{self}"


class ProblemsError(GradlibError):
    """Several problems found together (findings.Problem); the report lists every one."""
    exit_code = 2
    column_noun = "列"

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} 个问题")

    def report(self) -> str:
        lines = [f"{self.headline}，共 {len(self.problems)} 个问题，未写出任何文件："]
        lines += [f"  {i}. {p.text(self.column_noun)}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class ParamsError(ProblemsError):
    """The cohort params file is invalid (params.md)."""
    headline = "参数文件有误"
    column_noun = "参数"


class InputError(ProblemsError):
    """A structural problem in the departments' files (data-contract.md): the run cannot start."""
    headline = "输入数据存在结构性问题"


class WaiverRejected(GradlibError):
    """A waiver or revocation that cannot be recorded; the message says why, in Chinese."""
    headline = "豁免未记录"


class RecomputeFailed(GradlibError):
    """The row was appended to the waivers file, but deciding again failed."""
    headline = "豁免记录已写入文件，但重新审核失败"


class ServeFailed(GradlibError):
    """The review server could not start or stopped by itself."""
    headline = "审核页面未能启动"


class RegistryError(GradlibError):
    """The registry refuses a change (a failed or tampered run, an older run, a student not eligible…)."""
    headline = "登记库"


class RecordsRejected(ProblemsError):
    """Rows that cannot be recorded in the registry (a bulk import, a correction): none of them was recorded."""
    headline = "未登记任何记录"

    def report(self) -> str:
        lines = [f"{self.headline}，共 {len(self.problems)} 个问题（登记库未作任何改动）："]
        lines += [f"  {i}. {p.text(self.column_noun)}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class RunFailed(GradlibError):
    """A run did not finish. Facts: the failing cell (1-based) and error name when the notebook raised, the
    folder where its evidence (partial notebook, log) was kept."""

    def __init__(self, message: str, *, cell: int | None = None, ename: str | None = None,
                 evidence_dir: Path | None = None):
        self.cell = cell
        self.ename = ename
        self.evidence_dir = evidence_dir
        super().__init__(message)

    def report(self) -> str:
        tail = f"\n保留的运行记录：{self.evidence_dir}" if self.evidence_dir else ""
        return f"{self.headline}：{self}{tail}"


class DocumentError(GradlibError):
    """A diploma or certificate cannot be made (a template, a layout file, a missing number…)."""
    headline = "证书与证明"


class DocumentRefused(DocumentError):
    """The rules do not allow this document for this person (Art 20-22); the message says why."""
    headline = "不予开具"


_SQLITE = {  # sqlite3's messages, in the registrar's words
    "file is not a database": "不是登记库文件（SQLite 数据库）",
    "database is locked": "正被其他程序写入，请稍后再试",
    "unable to open database file": "无法打开（路径不存在或没有权限）",
    "disk I/O error": "读写磁盘出错（U 盘或网络盘是否已断开？）",
    "database disk image is malformed": "文件已损坏，请用备份恢复",
    "readonly database": "文件只读，不能写入",
    "no such table": "不是 gradlib 的登记库（缺少数据表）",
    "no such column": "由不同版本的 gradlib 写入",
}


def sqlite_problem(e: Exception) -> str:
    """What a sqlite3 error means for the registry file, in Chinese."""
    text = str(e)
    return next((zh for en, zh in _SQLITE.items() if en in text), "文件可能已损坏、被其他程序占用或由不同版本的 gradlib 写入")
