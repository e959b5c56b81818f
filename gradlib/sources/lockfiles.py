"""Lock files beside an input: ``~$学籍库.xlsx`` (Excel, WPS) or ``.~lock.学籍库.xlsx#`` (LibreOffice) mean the
file is open in an office program right now, so what is read is its last saved version."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..log import warn


def lock_files(path: Path) -> list[Path]:
    """The lock files of an office program beside this file (none for a folder or a missing file)."""
    path = Path(path)
    if not path.is_file():
        return []
    names = (f"~${path.name}", f".~lock.{path.name}#")
    return [path.with_name(n) for n in names if path.with_name(n).exists()]


def warn_open_files(paths: Iterable[Path]) -> list[Path]:
    """One Chinese warning per input that is open in Excel/WPS (or LibreOffice); returns those inputs."""
    found = []
    for path in paths:
        locks = lock_files(path)
        if locks:
            found.append(Path(path))
            warn(f"注意：{Path(path).name} 正在被 Excel 或 WPS 打开（旁边有锁文件 {locks[0].name}），"
                 "读取的是它最后一次保存的内容，尚未保存的修改不会读入。请先在 Excel/WPS 中保存并关闭该文件，再重新运行；"
                 f"如果该文件其实没有打开（程序曾意外退出），可以删除锁文件 {locks[0].name}。")
    return found
