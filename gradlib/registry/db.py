"""The registry: one SQLite file kept by the school (WAL, a busy timeout, every write one transaction).

stdlib ``sqlite3`` on purpose: one file on the office PC, nothing to install or serve, safe for two
processes at once (WAL + ``BEGIN IMMEDIATE``), readable by any SQLite tool for years.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import secrets
import sqlite3
import time
from pathlib import Path

from ..errors import RegistryError, sqlite_problem
from .schema import APPEND_ONLY, MIGRATIONS, VERSION, guard_sql

BUSY_MS = 30_000
HOLD_ENV = "GRADLIB_REGISTRY_HOLD"
DEFAULT_PATH = Path("outputs") / "registry.sqlite"  # the commands' default: params' default output_dir from the checkout


def open_registry(path=None, *, create: bool = False) -> Registry:
    """The registry at path (default outputs/registry.sqlite); RegistryError when it does not exist and
    create is False."""
    if not path and not create and not DEFAULT_PATH.exists():
        others = registries_nearby()
        if others:
            found = "、".join(str(p) for p in others)
            raise RegistryError(f"登记库不存在：{DEFAULT_PATH}（未用 --registry 指定时使用此文件）。"
                                f"在 {DEFAULT_PATH.parent} 下找到的登记库：{found}；"
                                f"请用 --registry {others[0]} 指定要使用的登记库")
    return Registry(Path(path) if path else DEFAULT_PATH, create=create)


def registries_nearby(but: Path | None = None) -> list[Path]:
    """Registries in outputs/ and one folder below it (e.g. the demo's outputs/demo/), but the one given."""
    found = [DEFAULT_PATH] if DEFAULT_PATH.is_file() else []
    found += sorted(DEFAULT_PATH.parent.glob(f"*/{DEFAULT_PATH.name}"))
    return [p for p in found if but is None or p.resolve() != Path(but).resolve()]


def now() -> str:
    """The time a row is recorded, to the second (local time, ISO 8601)."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


def default_user() -> str:
    """Who records a row when no --by is given: the OS user."""
    try:
        return getpass.getuser()
    except Exception:  # no user name on some Windows set-ups
        return os.environ.get("USERNAME", "") or "未知用户"


class Registry:
    """An open registry file. Use ``with reg.write() as db:`` for every change (one transaction)."""

    def __init__(self, path, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise RegistryError(f"登记库不存在：{self.path}（请先用 gradlib publish 发布一届的运行结果）")
        if self.path.exists() and self.path.is_dir():
            raise RegistryError(f"登记库路径是一个文件夹，不是文件：{self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.migrate()
        except sqlite3.DatabaseError as e:
            raise RegistryError(f"无法打开登记库 {self.path}：{sqlite_problem(e)}") from None

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, upto: int = VERSION) -> int:
        """Apply every migration above the file's version (each in its own transaction); return the version."""
        have = self.version
        if have > VERSION:
            raise RegistryError(f"登记库 {self.path} 由更新版本的 gradlib 写入（结构版本 {have}，本版本只认识到 "
                                f"{VERSION}）：请升级 gradlib")
        for version, _what, sql in MIGRATIONS:
            if have < version <= upto:
                with self._transaction():
                    for statement in _statements(sql):
                        self.db.execute(statement)
                    for table in APPEND_ONLY:
                        if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                            for statement in _statements(guard_sql(table)):
                                self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {version}")
                have = version
        return have

    @contextlib.contextmanager
    def _transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    @contextlib.contextmanager
    def write(self):
        """One transaction: every row written inside it lands together or not at all."""
        with self._transaction() as db:
            yield db
            _hold_before_commit()

    def read(self, sql: str, args=()) -> list[sqlite3.Row]:
        return self.db.execute(sql, args).fetchall()

    def one(self, sql: str, args=()) -> sqlite3.Row | None:
        return self.db.execute(sql, args).fetchone()

    def secret(self) -> bytes:
        """The registry's own secret (for verification codes): made once, kept in the file."""
        row = self.one("SELECT value FROM meta WHERE key = 'secret'")
        if row is None:
            with self.write() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
            row = self.one("SELECT value FROM meta WHERE key = 'secret'")
        return bytes.fromhex(row["value"])

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _hold_before_commit():
    """A test hook: with GRADLIB_REGISTRY_HOLD=FILE set, a write transaction creates FILE just before COMMIT and
    waits there (the kill test stops the process mid-transaction). Unset, it does nothing."""
    marker = os.environ.get(HOLD_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(120)


def _statements(sql: str) -> list[str]:
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s]
