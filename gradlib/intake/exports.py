"""Exporting the roster from the registry (Art 4): redacted by default, in full only with a recorded approval.

The export is in the data contract's 学籍库 format: a full export of a cohort is the graduation roster that
`gradlib run` reads as is (学籍状态, 专业 and 班级 after every status change, corrections applied).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import RegistryError
from ..registry import Registry, now
from .rosters import write_export
from .status import roster

APPROVAL_FIELDS = {"approver": "批准人（校领导）", "day": "批准日期", "purpose": "用途", "recipient": "接收部门或人员"}


def _check_approval(approval: dict | None) -> dict | None:
    if approval is None:
        return None
    missing = [label for key, label in APPROVAL_FIELDS.items() if not str(approval.get(key) or "").strip()]
    if missing:
        raise RegistryError("导出完整个人信息须经校领导批准（第四条），缺少：" + "、".join(missing) +
                            "（--approver、--approved-on、--purpose、--recipient）")
    return {k: str(approval[k]).strip() for k in APPROVAL_FIELDS}


def export_roster(reg: Registry, cohort: int, path, by: str, full: bool = False, approval: dict | None = None) -> dict:
    """Write the cohort's roster to path and record the export (and its approval) in the registry.

    Redacted unless `full`; a full export without a complete approval (approver, day, purpose, recipient)
    is refused before any file is written."""
    path = Path(path)
    if full and approval is None:
        raise RegistryError("导出完整个人信息（身份证号、出生日期、家庭地址、联系电话）须经校领导批准（第四条）："
                            "请写明 --approver、--approved-on、--purpose、--recipient；不带 --full 时导出去除这些信息的名单")
    approval = _check_approval(approval) if full else None
    if path.suffix.lower() != ".xlsx":
        raise RegistryError(f"导出文件应为 .xlsx：{path}")
    r = roster(reg, cohort)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_export(r, path, f"{cohort}届学籍库", approval)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with reg.write() as db:
        at = now()
        aid = None
        if approval is not None:
            aid = db.execute("INSERT INTO export_approvals (cohort, approver, day, purpose, recipient, recorded_by, "
                             "recorded_at) VALUES (?,?,?,?,?,?,?)",
                             (cohort, approval["approver"], approval["day"], approval["purpose"],
                              approval["recipient"], by, at)).lastrowid
        db.execute("INSERT INTO exports (cohort, level, approval, file, sha256, students, recorded_by, recorded_at) "
                   "VALUES (?,?,?,?,?,?,?,?)", (cohort, "full" if full else "redacted", aid, str(path.resolve()),
                                                digest, len(r), by, at))
    return {"path": path, "students": len(r), "full": full, "approval": approval, "sha256": digest}
