"""What makes a run folder an archive: copies of the inputs, the offline HTML, the status and the manifest."""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import platform
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import yaml

from .. import __version__, clock
from ..params import Params

ROOT = Path(__file__).resolve().parents[2]
STATUS_FILE = "run-status.json"
MANIFEST = "manifest.json"
KEY_PACKAGES = ("pandas", "numpy", "python-calamine", "xlsxwriter", "papermill", "nbconvert", "nbformat",
                "ipykernel", "ipywidgets", "voila", "matplotlib", "Pillow", "PyYAML")


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def copy_inputs(params: Params, files: dict[str, Path], dest: Path) -> Path:
    """Copy every input (and the waivers file) into dest; write a params.yaml there that points at the copies."""
    dest.mkdir(parents=True)
    raw = dict(params.raw)
    sources = dict(raw.get("sources") or {})
    for key, path in files.items():
        if key == "waivers":
            continue
        try:
            rel = path.relative_to(params.data_dir)
        except ValueError:
            rel = Path(path.name)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copy2(path, target)
        src = params.sources[key]
        name = rel.as_posix() + ("/" if path.is_dir() else "")
        sources[key] = {"file": name, "sheet": src.sheet} if src.sheet else name
    raw["sources"] = sources
    raw["data_dir"] = "."
    if "waivers" in files:
        shutil.copy2(files["waivers"], dest / files["waivers"].name)
        raw["waivers"] = files["waivers"].name
    raw["output_dir"] = str(params.output_dir)
    if params.registry is not None:
        raw["registry"] = str(params.registry)
    if params.font:
        raw["font"] = str(params.font)
    copy = dest / "params.yaml"
    copy.write_text("# 本次运行所用参数（路径已指向 inputs/ 中的副本）\n" +
                    yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copy2(params.path, dest / ("原参数-" + params.path.name))
    return copy


def write_extras(dest: Path, extras: dict[str, str]):
    """Write the inputs gradlib made itself (e.g. a follow-up's records from the registry) into dest, UTF-8 with BOM."""
    for name, text in extras.items():
        (dest / name).write_text(text, encoding="utf-8-sig")


def export_html(notebook: Path, target: Path):
    """Render the executed notebook as HTML without code cells and without any CDN script."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_filename(str(notebook))
    body = re.sub(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", "", body)
    body = re.sub(r"<script\b[^>]*>(?:(?!</script>).)*?(?:https?://cdn|mathjax)(?:(?!</script>).)*</script>", "",
                  body, flags=re.S | re.I)
    body = re.sub(r"<link[^>]*\bhref=[\"']https?://[^>]*>", "", body)
    body = re.sub(r"<!--(?:(?!-->).)*?mathjax(?:(?!-->).)*-->", "", body, flags=re.S | re.I)
    target.write_text(body, encoding="utf-8")


def git_commit() -> str | None:
    """The checkout's commit (with -dirty when files were changed), or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if out.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def package_versions() -> dict[str, str]:
    """Versions of the key packages (None when one is missing)."""
    out = {}
    for p in KEY_PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def _files(folder: Path, skip=()) -> list[dict]:
    rows = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in skip and not p.name.startswith(".owner"):
            rows.append({"path": rel, "sha256": sha256(p), "bytes": p.stat().st_size})
    return rows


def os_user() -> str:
    """The login name of the person who ran it ('' when the system cannot tell)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def write_manifest(run_dir: Path, job, run_id: str, started: dt.datetime, finished: dt.datetime,
                   status: dict, steps: dict | None = None) -> Path:
    """manifest.json: who ran what, with which versions and params; inputs and outputs with SHA-256; the
    status as gradlib recorded it (papermill marks a timed-out cell completed); durations per step."""
    from ..outputs.fonts import font_record

    params = job.params
    inputs = _files(run_dir / "inputs") if (run_dir / "inputs").is_dir() else []
    outputs = [f for f in _files(run_dir, skip={MANIFEST}) if not f["path"].startswith("inputs/")]
    manifest = {
        "tool": "gradlib", "version": __version__, "git_commit": git_commit(), "kind": job.kind,
        "cohort": params.cohort, "run_id": run_id, "status": status.get("status", "failed"),
        "error": status.get("error"), "user": os_user(),
        "started": started.isoformat(timespec="seconds"), "finished": finished.isoformat(timespec="seconds"),
        "duration_seconds": round((finished - started).total_seconds(), 2),
        "python": platform.python_version(), "platform": platform.platform(), "packages": package_versions(),
        "font": font_record(params.font),
        "params_file": str(params.path), "params": params.as_record(),
        "sources": {k: str(v) for k, v in job.files.items()},
        "inputs": inputs, "outputs": outputs,
        "students": status.get("students"), "counts": status.get("counts"),
        "waivers_applied": status.get("waivers_applied", []),
        "timings": {**(steps or {}), **status.get("timings", {})},
        **getattr(job, "record", {}),
    }
    if clock.today() != dt.date.today():  # a rehearsal's day (GRADLIB_TODAY): the audit trail says so
        manifest["today"] = clock.today().isoformat()
    path = run_dir / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_manifest(run_dir: Path) -> dict | None:
    """The manifest of a run folder (None when it has none or it is unreadable)."""
    try:
        return json.loads((Path(run_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_status(run_dir: Path) -> dict | None:
    """What the notebook's last cell recorded (None when it never got there)."""
    try:
        status = json.loads((Path(run_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if status.get("status") == "succeeded" else None


def make_writable(folder: Path):
    """Undo make_read_only (a temporary copy that must be removed again)."""
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o644 if p.is_file() else 0o755)


def make_read_only(folder: Path):
    """A finished run folder is never modified: every file and folder in it is made read-only."""
    for p in sorted(folder.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        p.chmod(0o444 if p.is_file() else 0o555)
    folder.chmod(0o555)


def write_status(run_dir, decisions, timings: dict | None = None) -> dict:
    """Called by the notebook's last cell: gradlib's own record that every step finished. Returns it."""
    timings = {"load_seconds": round(decisions.cohort.seconds, 3), "decide_seconds": round(decisions.seconds, 3),
               **(timings or {})}
    counts = {k: int(v) for k, v in decisions.counts().items()}
    r = decisions.reasons[decisions.reasons["waived"]]
    sid = decisions.table["student_id"].to_numpy()
    applied = [{"student_id": str(sid[i]), "reason": c, "approver": str(a), "date": str(d)}
               for i, c, a, d in zip(r["idx"], r["code"], r["批准人"], r["日期"])]
    status = {"status": "succeeded", "students": int(decisions.cohort.size), "counts": counts, "timings": timings,
              "waivers_applied": applied}
    (Path(run_dir) / STATUS_FILE).write_text(json.dumps(status, ensure_ascii=False, indent=2), encoding="utf-8")
    return status
