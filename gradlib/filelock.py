"""An exclusive lock on an open file, on POSIX (fcntl) and Windows (msvcrt, which has no fcntl)."""
from __future__ import annotations

import contextlib

try:
    import fcntl

    def _lock(f):
        fcntl.flock(f, fcntl.LOCK_EX)

    def _unlock(f):
        fcntl.flock(f, fcntl.LOCK_UN)
except ImportError:  # Windows: msvcrt locks a byte range; lock the first byte
    import msvcrt

    def _lock(f):
        pos = f.tell()
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
        f.seek(pos)

    def _unlock(f):
        pos = f.tell()
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        f.seek(pos)


@contextlib.contextmanager
def locked(f):
    """Hold an exclusive lock on the open file f for the duration of the block."""
    _lock(f)
    try:
        yield f
    finally:
        _unlock(f)
