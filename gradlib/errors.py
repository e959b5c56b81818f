"""Errors and problem records. One base class; the CLI turns each into Chinese text and exit 2."""
from __future__ import annotations

from dataclasses import dataclass, asdict


@dataclass(frozen=True)
class Problem:
    """One finding about the input: where it is (file, sheet, Excel row, column), the value, and what is expected."""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    problem: str = ""
    expected: str = ""
    student_id: str = ""

    def text(self, column_noun: str = "列") -> str:
        """The problem as one Chinese line a registrar can act on."""
        where = [self.file or "（参数）"]
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"{column_noun}“{self.column}”")
        line = "，".join(where) + "：" + self.problem
        if self.value != "":
            line += f"（值：“{self.value}”）"
        if self.expected:
            line += f"；应为：{self.expected}"
        return line

    def as_dict(self) -> dict:
        return asdict(self)


PROBLEM_COLUMNS = {"file": "文件", "sheet": "工作表", "row": "行号", "column": "列",
                   "value": "值", "problem": "问题", "expected": "应为", "student_id": "学号"}


class GradlibError(Exception):
    """Base of every error gradlib raises on purpose."""
    exit_code = 1
    headline = "运行失败"

    def report(self) -> str:
        return f"{self.headline}：{self}"


class ProblemsError(GradlibError):
    """Several problems found together; the report lists every one."""
    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} 个问题")

    def report(self) -> str:
        lines = [f"{self.headline}，共 {len(self.problems)} 个问题，未写出任何文件："]
        lines += [f"  {i}. {p.text()}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class ParamsError(ProblemsError):
    """The cohort params file is invalid (params.md)."""
    headline = "参数文件有误"

    def report(self) -> str:
        lines = [f"{self.headline}，共 {len(self.problems)} 个问题，未写出任何文件："]
        lines += [f"  {i}. {p.text('参数')}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class InputError(ProblemsError):
    """A structural problem in the departments' files (data-contract.md): the run cannot start."""
    headline = "输入数据存在结构性问题"


class WaiverRejected(GradlibError):
    """A waiver or revocation the review panel refuses to record; the message says why, in Chinese."""
    headline = "豁免未记录"


class RecomputeFailed(GradlibError):
    """The row was appended to the waivers file, but deciding again failed."""
    headline = "豁免记录已写入文件，但重新审核失败"


class ServeFailed(GradlibError):
    """The review server could not start or stopped by itself."""
    headline = "审核页面未能启动"


class RunFailed(GradlibError):
    """The notebook failed; evidence kept in `evidence_dir`."""

    def __init__(self, message: str, evidence_dir=None):
        self.evidence_dir = evidence_dir
        super().__init__(message)

    def report(self) -> str:
        tail = f"\n保留的运行记录：{self.evidence_dir}" if self.evidence_dir else ""
        return f"{self.headline}：{self}{tail}"
