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


try:
    import fcntl as _fcntl

    def _try(f) -> bool:
        try:
            _fcntl.flock(f, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        except OSError:
            return False
        return True
except ImportError:
    import msvcrt as _msvcrt

    def _try(f) -> bool:
        pos = f.tell()
        f.seek(0)
        try:
            _msvcrt.locking(f.fileno(), _msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            f.seek(pos)
        return True


class Owner:
    """A lock file held for as long as a process works in a folder: others can tell whether it still runs.

    The lock goes with the process (also when it is killed), so a folder whose lock can be taken is a
    leftover of a process that is gone.
    """
    NAME = ".owner.lock"

    def __init__(self, folder):
        from pathlib import Path

        self.path = Path(folder) / self.NAME
        self.file = open(self.path, "a+b")  # noqa: SIM115 -- held open until release()
        if not _try(self.file):
            self.file.close()
            raise OSError(f"{self.path} is locked")

    def release(self, remove: bool = True):
        """Give up the lock (and remove the lock file)."""
        if self.file and not self.file.closed:
            self.file.close()
        if remove:
            self.path.unlink(missing_ok=True)


def abandoned(folder) -> bool:
    """Whether folder was left by a process that is gone (its lock file can be taken, or it has none)."""
    from pathlib import Path

    path = Path(folder) / Owner.NAME
    if not path.exists():
        return True
    try:
        with open(path, "a+b") as f:
            return _try(f)
    except OSError:
        return False
