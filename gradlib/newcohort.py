"""`gradlib new COHORT [--data DIR]`: the params file of a new cohort from the shipped template, an empty
waivers file with its header row, the data folder, and the next steps in Chinese.

An existing params file is never overwritten (its missing waivers file is still created), and an existing
waivers file is never touched: it is an append-only log.
"""
from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GradlibError
from .log import progress, warn
from .params import DEFAULT_SOURCES, load_params
from .resources import template
from .sources import waivers

TEMPLATE = "cohort.yaml"


@dataclass
class NewCohort:
    """What `gradlib new` wrote (or found already there)."""
    params: Path
    waivers: Path | None
    data_dir: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def _rel(target: Path, start: Path) -> str:
    """target relative to start, with / (absolute when there is no relative path, e.g. another drive)."""
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:
        return target.as_posix()


def params_text(cohort: int, params_path: Path, data_dir: Path, output_dir: Path, shown: str | None = None) -> str:
    """The params file of a cohort, from the template shipped inside the package (shown: how its first comment
    names the file; default: relative to the current folder)."""
    folder = params_path.parent
    text = template(TEMPLATE).read_text(encoding="utf-8")
    return string.Template(text).substitute(
        cohort=cohort, data_dir=_rel(data_dir, folder), output_dir=_rel(output_dir, folder),
        waivers=f"{cohort}.waivers.csv", params_shown=shown or _rel(params_path, Path.cwd()))


def new_cohort(cohort: int, data_dir=None, params_dir="params", output_dir="outputs") -> NewCohort:
    """Write params/<cohort>.yaml (unless it exists), its empty waivers file and the data folder."""
    if not 2000 <= int(cohort) <= 2100:
        raise GradlibError(f"届别应为毕业年份（如 2028），而不是 {cohort}。")
    cohort = int(cohort)
    params_path = (Path(params_dir) / f"{cohort}.yaml").resolve()
    data = Path(data_dir if data_dir else Path("data") / str(cohort)).resolve()
    out = NewCohort(params_path, None, data)
    if params_path.exists():
        out.kept.append(params_path)
    else:
        params_path.parent.mkdir(parents=True, exist_ok=True)
        params_path.write_text(params_text(cohort, params_path, data, Path(output_dir).resolve()), encoding="utf-8")
        out.written.append(params_path)
    p = load_params(params_path)  # the file as it now is: a hand-edited one may name other folders
    if p.data_dir != data and data_dir is not None:
        warn(f"注意：已有的参数文件 {params_path.name} 中的数据文件夹是 {p.data_dir}，不是 {data}；"
             "参数文件未改动，如需改用新的文件夹请编辑其中的 data_dir。")
    out.data_dir = p.data_dir
    if not p.data_dir.exists():
        p.data_dir.mkdir(parents=True)
        out.written.append(p.data_dir)
    if p.waivers is not None:
        out.waivers = p.waivers
        p.waivers.parent.mkdir(parents=True, exist_ok=True)
        (out.written if waivers.create(p.waivers) else out.kept).append(p.waivers)
    return out


def next_steps(n: NewCohort) -> list[str]:
    """What to do next, in Chinese, for the registrar."""
    shown = {p: _rel(p, Path.cwd()) for p in [n.params, n.data_dir] + ([n.waivers] if n.waivers else [])}
    lines = [f"已写出：{shown[p]}" + ("/" if p.is_dir() else "") for p in n.written]
    lines += [f"已存在，未改动：{shown[p]}" for p in n.kept]
    files = "、".join(DEFAULT_SOURCES.values())
    lines += ["下一步：",
              f"  1. 把各部门的文件放进 {shown[n.data_dir]}/：{files}（也可以是同名的 .xls 或 .csv）；",
              f"  2. 打开 {shown[n.params]}，核对其中标有“请核对”的日期；文件名不同时按文件中的说明修改；",
              f"  3. 运行：gradlib run {shown[n.params]}"]
    return lines


def main(cohort: int, data_dir=None) -> Path:
    """The command: write, print the next steps on standard error and the params file on standard output."""
    n = new_cohort(cohort, data_dir)
    for line in next_steps(n):
        progress(line)
    print(n.params, flush=True)
    return n.params
