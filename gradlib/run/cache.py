"""One read per run: the cohort that `gradlib run` validated before the run folder existed, handed to the notebook.

`gradlib run` reads and validates every file before it creates the run folder (structural problems stop there).
Once the files are copied into inputs/, it pickles the validated tables into the working folder, keyed by
the SHA-256 of every file in inputs/ (params.yaml included) and gradlib's version. The notebook's load step
takes them when the key matches the files it would read, else reads the files itself, as it does when the
archived notebook is executed again by hand. The cache is deleted before the manifest is written: a finished
run folder never holds it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from dataclasses import replace
from pathlib import Path

from .. import __version__
from ..params import Params
from ..sources import Cohort
from ..sources.cohort import source_files

CACHE_FILE = ".gradlib-cohort.pickle"


def inputs_key(inputs: Path) -> str:
    """The SHA-256 of every file under inputs/ (names and bytes, in order) and of gradlib's version."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(Path(inputs).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(inputs).as_posix().encode("utf-8") + b"\0")
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            h.update(b"\0")
    return h.hexdigest()


def stamps(files: dict[str, Path]) -> dict[str, tuple[int, int]]:
    """Size and modification time of each file (and each file of a folder): to tell one changed since."""
    out = {}
    for path in files.values():
        for p in ([path] if Path(path).is_file() else sorted(Path(path).rglob("*")) if Path(path).is_dir() else []):
            with contextlib.suppress(OSError):
                st = p.stat()
                out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


def write(run_dir: Path, cohort: Cohort, before: dict[str, tuple[int, int]]) -> Path | None:
    """Pickle the validated cohort into run_dir, keyed by its inputs/; nothing when a source file changed
    since it was read (the notebook then reads the copies itself). Returns the cache file."""
    if stamps(cohort.files) != before:
        return None
    path = Path(run_dir) / CACHE_FILE
    record = {"key": inputs_key(Path(run_dir) / "inputs"), "sources": list(cohort.files),
              "cohort": replace(cohort, params=None, files={})}
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(record, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return path


def read(run_dir, params: Params) -> Cohort | None:
    """The cohort cached in run_dir when it was made from exactly the files params points at (inputs/), else None."""
    if not run_dir:
        return None
    path = Path(run_dir) / CACHE_FILE
    inputs = Path(run_dir) / "inputs"
    if not path.is_file() or params.path.parent.resolve() != inputs.resolve():
        return None
    try:
        with open(path, "rb") as f:
            record = pickle.load(f)
        if record.get("key") != inputs_key(inputs) or not isinstance(record.get("cohort"), Cohort):
            return None
    except Exception:  # an unreadable cache is no cache: the files are read instead
        return None
    return replace(record["cohort"], params=params, files=source_files(params, record["sources"]))


def remove(run_dir: Path):
    """Delete the cache (before the manifest lists the run folder's files)."""
    for name in (CACHE_FILE, Path(CACHE_FILE).with_suffix(".tmp").name):
        with contextlib.suppress(OSError):
            (Path(run_dir) / name).unlink()
