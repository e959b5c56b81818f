"""`make bench`: time and memory of the cohort pipeline on synthetic cohorts; writes BENCHMARKS.md.

Each size runs in its own process so its peak memory is its own. Sizes: BENCH_SIZES="3000,100000".
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BY_HAND = "## Measured by hand"


def measure(students: int, full_run: bool) -> dict:
    """Generate a cohort of `students`, then time load, decide and (optionally) the whole `gradlib run`."""
    from gradlib.demo import write_demo
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort

    out = {"students": students}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        params_path = write_demo(Path(tmp) / "demo", students=students, seed=2027, photos=students <= 20000)
        out["generate_s"] = time.perf_counter() - t
        params = load_params(params_path)
        t = time.perf_counter()
        cohort = load_cohort(params)
        out["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        d = decide(cohort)
        out["decide_s"] = time.perf_counter() - t
        out["counts"] = {k: int(v) for k, v in d.counts().items()}
        if students <= 20000:
            from gradlib.outputs import write_outputs
            lists_dir = Path(tmp) / "lists"
            lists_dir.mkdir()
            t = time.perf_counter()
            write_outputs(d, lists_dir)
            out["lists_s"] = time.perf_counter() - t
        if full_run:
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(params_path),
                                "--output-dir", str(Path(tmp) / "out")], capture_output=True, text=True)
            out["run_s"] = time.perf_counter() - t
            out["run_ok"] = r.returncode == 0
            if r.returncode == 0:
                folder = Path(r.stdout.strip().splitlines()[-1])
                m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                out["run_timings"] = m.get("timings", {})
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3] == "1")))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "3000,100000,1000000").split(",")]
    rows = []
    for n in sizes:
        full = n <= 20000
        print(f"benchmark: {n} students …", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, __file__, "--one", str(n), "1" if full else "0"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            continue
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr)
    lines = ["# Benchmarks", "",
             f"Measured by `make bench` on {platform.platform()}, Python {platform.python_version()}, "
             f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}.", "",
             "| students | generate (s) | load + validate (s) | decide (s) | write all lists (s) | whole `gradlib run` (s) | peak RSS (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        run = f"{r['run_s']:.1f}" if "run_s" in r else "—"
        lists = f"{r['lists_s']:.1f}" if "lists_s" in r else "—"
        lines.append(f"| {r['students']:,} | {r['generate_s']:.1f} | {r['load_s']:.2f} | {r['decide_s']:.2f} | {lists} | {run} | "
                     f"{r['peak_rss_mb']:.0f} |")
    lines += ["", "Outcome mix (demo cohort):", ""]
    for r in rows:
        lines.append(f"- {r['students']:,}: " + ", ".join(f"{k} {v:,}" for k, v in r["counts"].items()))
    lines += ["", "`load + validate` reads every file (xlsx up to 50,000 students, CSV beyond), `decide` applies "
              "every rule and the waivers. The whole run includes two reads (validation before the run "
              "folder exists, then the notebook's own), papermill kernel start-up, the lists and the HTML export.",
              ""]
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old[old.index(BY_HAND):] if BY_HAND in old else ""  # notes of longer runs measured by hand survive
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
