"""`make bench`: gradlib beside its bare floors, measured side by side in the same run; rewrites BENCHMARKS.md.

Every figure is the median of several runs with min and max (one run for the largest size, said so), each
measured in its own process so that its peak memory is its own (the peak of the largest process of its tree).
Side by side, alternating, in the same run:

- the whole `gradlib run` (3,000 and 100,000 students) and papermill executing an empty notebook with the same
  kernel;
- files → decisions (load, validate, decide) and benchmarks/floor.py (pd.read_csv of the same CSV files and the
  least pandas that finds each student's best grade per course);
- every official list and a bare xlsxwriter constant_memory dump of the same cells, one process;
- the review panel's filters (benchmarks/review_filter.py) at 100,000.

Environment: BENCH_SIZES="3000,100000,1000000" (the default), BENCH_REPEATS (every case; default 5 up to
20,000 students, 3 up to 200,000, 1 beyond), BENCH_OUT (default BENCHMARKS.md), BENCH_PROFILE=0 to skip the profiles.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
BY_HAND = "## Measured by hand"
SMALL, MEDIUM = 20_000, 200_000   # whole runs and lists up to MEDIUM; photos up to SMALL
sys.path.insert(0, str(HERE))


# ---- measuring one process ------------------------------------------------------------------------------

def timed(cmd: list[str], cwd=None, env=None) -> dict:
    """Run cmd; its wall seconds, CPU seconds and peak RSS (MB, the largest process of its tree), its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, error = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if p.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(map(str, cmd))}\n{error[-3000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024, "stdout": text}


def me(*args) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *map(str, args)]


def last_json(r: dict) -> dict:
    return json.loads(r["stdout"].strip().splitlines()[-1])


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s: dict, digits: int = 1) -> str:
    """median (min–max), or the one value (once) when there was one run."""
    if s["n"] == 1:
        return f"{s['median']:.{digits}f} (once)"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


# ---- the steps, each run in its own process (`run.py --step …`) ---------------------------------------------

def step_generate(out: str, students: str):
    from gradlib.demo import write_demo
    t = time.perf_counter()
    params = write_demo(Path(out), students=int(students), seed=2027, photos=int(students) <= SMALL)
    print(json.dumps({"params": str(params), "seconds": time.perf_counter() - t}))


def step_decide(params_path: str):
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    t = time.perf_counter()
    cohort = load_cohort(load_params(params_path))
    t1 = time.perf_counter()
    d = decide(cohort)
    t2 = time.perf_counter()
    print(json.dumps({"load": t1 - t, "decide": t2 - t1, "total": t2 - t, "students": cohort.size,
                      "counts": {k: int(v) for k, v in d.counts().items()}}))


def step_profile(params_path: str):
    """The gradlib functions that take the time of files → decisions (cumulative, top 12)."""
    import cProfile
    import pstats

    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    params = load_params(params_path)
    prof = cProfile.Profile()
    prof.enable()
    decide(load_cohort(params))
    prof.disable()
    st = pstats.Stats(prof)
    rows = [(v[3], f"{Path(k[0]).parent.name}/{Path(k[0]).name}:{k[2]}") for k, v in st.stats.items()
            if "/gradlib/" in k[0].replace("\\", "/") and k[2] not in ("<module>", "<lambda>")]
    total = max(v[3] for v in st.stats.values())
    print(json.dumps({"total": total, "top": sorted(rows, reverse=True)[:12]}))


def step_lists(params_path: str, review: str):
    """Every list (as a run writes them), then a bare constant_memory dump of the same cells; the review filter."""
    from same_outputs import cells

    from gradlib.outputs import write_lists
    from gradlib.outputs.parallel import workers
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    d = decide(load_cohort(load_params(params_path)))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        paths = write_lists(d, Path(tmp) / "lists")
        lists = time.perf_counter() - t
        books = [cells(p) for p in paths]
        dump = bare_dump(books, Path(tmp) / "dump")
    out = {"lists": lists, "dump": dump, "files": len(paths), "workers": workers(),
           "cells": sum(len(r) for b in books for rows in b.values() for r in rows)}
    if review == "1":
        from review_filter import measure
        out["review"] = measure(d)
    print(json.dumps(out, ensure_ascii=False))


def step_dump(run_folder: str):
    """The bare dump of the cells of every list a finished run wrote (its workbooks, inputs/ left out)."""
    from same_outputs import cells
    paths = sorted(p for p in Path(run_folder).rglob("*.xlsx") if "inputs" not in p.relative_to(run_folder).parts)
    books = [cells(p) for p in paths]
    with tempfile.TemporaryDirectory() as tmp:
        dump = bare_dump(books, Path(tmp) / "dump")
    print(json.dumps({"dump": dump, "files": len(paths),
                      "cells": sum(len(r) for b in books for rows in b.values() for r in rows)}))


def step_review(params_path: str):
    from review_filter import measure

    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    print(json.dumps(measure(decide(load_cohort(load_params(params_path)))), ensure_ascii=False))


def bare_dump(books: list[dict], folder: Path) -> float:
    """Seconds to write the same cells with xlsxwriter in constant_memory mode: no formats, widths or print setup."""
    import xlsxwriter
    folder.mkdir()
    t = time.perf_counter()
    for k, book in enumerate(books):
        wb = xlsxwriter.Workbook(str(folder / f"{k}.xlsx"), {"constant_memory": True, "strings_to_numbers": False,
                                                            "strings_to_formulas": False, "strings_to_urls": False})
        for name, rows in book.items():
            ws = wb.add_worksheet(name)
            for i, row in enumerate(rows):
                ws.write_row(i, 0, row)
        wb.close()
    return time.perf_counter() - t


def step_list_parts(params_path: str):
    """Each list written alone in one process: where the lists' time goes."""
    from gradlib.outputs import LISTS
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    d = decide(load_cohort(load_params(params_path)))
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec in LISTS:
            t = time.perf_counter()
            n = len(spec.writer(d, Path(tmp), spec))
            out[spec.key] = {"seconds": time.perf_counter() - t, "files": n, "file": spec.shown}
    print(json.dumps(out, ensure_ascii=False))


def step_empty(folder: str):
    """A one-cell notebook and a kernelspec like the one a run writes (this Python, gradlib's kernel module)."""
    import nbformat

    from gradlib.run.execute import KERNEL_NAME
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "gradlib (Python)", "language": "python"}
    nbformat.write(nb, str(Path(folder) / "empty.ipynb"))
    spec = Path(folder) / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "gradlib.run.kernel", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"],
        "display_name": "gradlib (Python)", "language": "python"}), encoding="utf-8")
    print(json.dumps({"jupyter_path": str(folder), "kernel": KERNEL_NAME}))


def documents(params: str, folder: str, tmp: Path, k: int) -> dict:
    """After a run: publish it, print its diplomas (one PDF) and run the follow-up a year on, k times, each time
    into a new registry (a diploma printed once is not printed again); each command a fresh process."""
    import yaml
    pub, dip, fol, rss = [], [], [], {"publish": 0.0, "diplomas": 0.0, "followup": 0.0}
    pages = 0
    for i in range(k):
        registry = tmp / f"registry{i}.sqlite"
        mine = Path(params).with_name(f"params-bench{i}.yaml")  # beside the original: its relative paths hold
        raw = yaml.safe_load(Path(params).read_text(encoding="utf-8"))
        raw.update(registry=str(registry), output_dir=str(tmp / f"followup{i}"))
        mine.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        for name, cmd, into in (
                ("publish", ["publish", folder, "--registry", str(registry), "--by", "bench"], pub),
                ("diplomas", ["diplomas", folder, "--registry", str(registry), "--by", "bench",
                              "--out", str(tmp / f"diplomas{i}")], dip),
                ("followup", ["followup", str(mine), "--as-of", "2028-07-01"], fol)):
            r = timed([sys.executable, "-m", "gradlib.cli", *cmd])
            into.append(r["wall"])
            rss[name] = max(rss[name], r["rss_mb"])
        pdfs = list((tmp / f"diplomas{i}").rglob("*.pdf"))
        pages = sum(_pdf_pages(f) for f in pdfs)
    status = json.loads(next((tmp / f"followup{k - 1}").rglob("run-status.json")).read_text(encoding="utf-8"))
    return {"publish": stats(pub), "diplomas": stats(dip), "followup": stats(fol), "rss": rss, "pages": pages,
            "followed": status["students"], "followup_counts": status["counts"]}


def _pdf_pages(path: Path) -> int:
    """Pages of a PDF (its /Type /Page objects; fpdf2 writes them uncompressed)."""
    import re
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", path.read_bytes()))


STEPS = {"generate": step_generate, "decide": step_decide, "profile": step_profile, "lists": step_lists,
         "parts": step_list_parts, "empty": step_empty, "dump": step_dump, "review": step_review}


# ---- the cases ------------------------------------------------------------------------------------------

def repeats(n: int) -> int:
    env = os.environ.get("BENCH_REPEATS", "").strip()
    return int(env) if env.isdigit() else 5 if n <= SMALL else 3 if n <= MEDIUM else 1


def whole_run(params: str, tmp: Path, k: int) -> dict:
    """`gradlib run` and an empty papermill run, alternating k times; the last run's own timings."""
    env = dict(os.environ)
    empty = last_json(timed(me("--step", "empty", str(tmp))))
    env_pm = dict(env, JUPYTER_PATH=empty["jupyter_path"])
    runs, pms, last = [], [], None
    for i in range(k):
        r = timed([sys.executable, "-m", "gradlib.cli", "run", params, "--output-dir", str(tmp / f"out{i}")], env=env)
        runs.append(r)
        last = Path(r["stdout"].strip().splitlines()[-1])
        pms.append(timed([sys.executable, "-m", "papermill", str(tmp / "empty.ipynb"), str(tmp / f"e{i}.ipynb"),
                          "-k", empty["kernel"], "--no-progress-bar"], env=env_pm))
    return {"run": stats([r["wall"] for r in runs]), "run_cpu": stats([r["cpu"] for r in runs]),
            "run_rss": max(r["rss_mb"] for r in runs), "empty": stats([r["wall"] for r in pms]),
            "empty_cpu": stats([r["cpu"] for r in pms]), "breakdown": breakdown(last), "folder": str(last)}


def breakdown(folder: Path) -> dict:
    """Where one run's time went: its manifest's steps and the duration of each notebook cell."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    nb = json.loads((folder / "cohort.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    cells = [("".join(c["source"]).strip().splitlines()[-1][:60], c["metadata"].get("papermill", {}).get("duration"))
             for c in code]
    lists = next((c["metadata"].get("papermill", {}).get("duration") for c in code
                  if "write_outputs" in "".join(c["source"])), None)
    return {"duration": m["duration_seconds"], "timings": m["timings"], "cells": cells, "lists": lists}


def decisions_vs_floor(params: str, k: int) -> dict:
    data = Path(params).parent / "data"
    ours, floor = [], []
    for _ in range(k):
        ours.append(timed(me("--step", "decide", params)))
        floor.append(timed([sys.executable, str(HERE / "floor.py"), str(data)]))
    o = [last_json(r) for r in ours]
    return {"total": stats([x["total"] for x in o]), "load": stats([x["load"] for x in o]),
            "decide": stats([x["decide"] for x in o]), "rss": max(r["rss_mb"] for r in ours),
            "floor": stats([last_json(r)["seconds"] for r in floor]), "floor_rss": max(r["rss_mb"] for r in floor),
            "counts": o[-1]["counts"]}


def lists_vs_dump(params: str, k: int, review: bool) -> dict:
    rs = [timed(me("--step", "lists", params, "1" if review and i == 0 else "0")) for i in range(k)]
    o = [last_json(r) for r in rs]
    return {"lists": stats([x["lists"] for x in o]), "dump": stats([x["dump"] for x in o]), "files": o[0]["files"],
            "cells": o[0]["cells"], "workers": o[0]["workers"], "rss": max(r["rss_mb"] for r in rs),
            "review": o[0].get("review")}


def measure(n: int, tmp: Path) -> dict:
    """Every case for one size."""
    from gradlib.outputs.parallel import workers
    say(f"benchmark: {n:,} students")
    gen = last_json(timed(me("--step", "generate", tmp / "demo", n)))
    params, k = gen["params"], repeats(n)
    out = {"students": n, "repeats": k, "generate": gen["seconds"]}
    out["decisions"] = decisions_vs_floor(params, k)
    if os.environ.get("BENCH_PROFILE", "1") != "0" and SMALL < n <= MEDIUM:  # the 1M profile would add minutes
        out["profile"] = last_json(timed(me("--step", "profile", params)))
    if n <= SMALL:
        out["lists"] = lists_vs_dump(params, k, review=False)
        out["whole"] = whole_run(params, tmp, k)
        out["parts"] = last_json(timed(me("--step", "parts", params)))
        out["documents"] = documents(params, out["whole"]["folder"], tmp, k)
    elif n <= MEDIUM:  # one whole run: its lists cell beside the bare dump of its workbooks' cells
        out["whole"] = whole_run(params, tmp, 1)
        r = timed(me("--step", "dump", out["whole"]["folder"]))
        x = last_json(r)
        out["lists"] = {"lists": stats([out["whole"]["breakdown"]["lists"]]), "dump": stats([x["dump"]]),
                        "files": x["files"], "cells": x["cells"], "workers": workers(), "rss": out["whole"]["run_rss"],
                        "in_run": True, "review": last_json(timed(me("--step", "review", params)))}
    say(json.dumps({key: v for key, v in out.items() if key not in ("profile", "parts")}, ensure_ascii=False)[:600])
    return out


def say(text: str):
    print(text, file=sys.stderr, flush=True)


def _proc(path: str, key: str) -> str:
    """The value of the first line of a /proc file that starts with key ('' where there is none)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(key)), "")


def machine() -> dict:
    kb = _proc("/proc/meminfo", "MemTotal").split()
    return {"platform": platform.platform(), "python": platform.python_version(), "cores": os.cpu_count(),
            "cpu": _proc("/proc/cpuinfo", "model name"), "memory": f"{int(kb[0]) / 1024 / 1024:.1f} GB RAM" if kb else "",
            "load": os.getloadavg() if hasattr(os, "getloadavg") else None}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--step":
        STEPS[sys.argv[2]](*sys.argv[3:])
        return
    from report import write_report
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "3000,100000,1000000").split(",") if s.strip()]
    started, before = time.perf_counter(), machine()
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="gradlib-bench-") as tmp:
            rows.append(measure(n, Path(tmp)))
    after = machine()
    path = Path(os.environ.get("BENCH_OUT", ROOT / "BENCHMARKS.md"))
    text = write_report(rows, before, after, time.perf_counter() - started, path, BY_HAND)
    print(text)


if __name__ == "__main__":
    main()
