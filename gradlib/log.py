"""The one named logger for progress: Chinese lines on standard error, never a student's data."""
from __future__ import annotations

import logging
import sys

logger = logging.getLogger("gradlib")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and notebooks replace it)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


if not logger.handlers:
    logger.addHandler(_Stderr())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def progress(message: str) -> None:
    """One progress line for the registrar (e.g. 正在读取学籍库：学籍库.xlsx)."""
    logger.info(message)


def warn(message: str) -> None:
    """One warning line for the registrar."""
    logger.warning(message)
