"""`make bench-review`: how fast the review panel filters a large cohort (issue #4: under 200 ms on 100,000).

Generates a synthetic cohort (gradlib.demo, no photos), decides it, builds the panel without a frontend
and times each filter change as the panel does it: filter, count and render the first page.
Usage: python benchmarks/review_filter.py [STUDENTS] (default 100000). Prints one line per case.
`make bench` calls measure() on the decisions it has already made.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path


def measure(d, repeat: int = 7) -> dict:
    """Milliseconds of each filter change (median, min, max over repeat), building the panel, opening a student."""
    from gradlib.review.panel import ReviewPanel

    t = time.perf_counter()
    panel = ReviewPanel(d)
    out = {"build_ms": (time.perf_counter() - t) * 1000, "cases": []}
    deferred = d.table[d.table["outcome"] == "DEFERRED"]
    some = deferred.iloc[len(deferred) // 2]
    cases = [
        ("结论 = 暂缓领取", {"outcome": "DEFERRED"}),
        ("原因 = 欠缴学杂费", {"reason": "FEES_OWED"}),
        ("专业", {"major": some["专业"]}),
        ("班级", {"klass": some["班级"]}),
        ("搜索学号前缀", {"search": str(some["student_id"])[:8]}),
        ("搜索姓名", {"search": str(some["姓名"])}),
        ("结论 + 专业 + 搜索", {"outcome": "DEFERRED", "major": some["专业"], "search": str(some["姓名"])[:1]}),
        ("全部（清除筛选）", {}),
    ]
    widgets = {"outcome": panel.outcome, "reason": panel.reason, "major": panel.major, "klass": panel.klass,
               "search": panel.search}
    for name, values in cases:
        times = []
        for _ in range(repeat):
            panel._hold = True
            for key, widget in widgets.items():
                widget.value = values.get(key, "")
            panel._hold = False
            t = time.perf_counter()
            panel.apply_filters()  # what one filter change costs: filter, counts, first page
            times.append((time.perf_counter() - t) * 1000)
        out["cases"].append({"case": name, "shown": len(panel.positions), "median_ms": statistics.median(times),
                             "min_ms": min(times), "max_ms": max(times)})
    t = time.perf_counter()
    panel.open(int(d.table.index[d.table["outcome"] == "DEFERRED"][0]))
    out["open_ms"] = (time.perf_counter() - t) * 1000
    out["worst_median_ms"] = max(c["median_ms"] for c in out["cases"])
    return out


def main(students: int = 100_000, repeat: int = 7) -> int:
    from gradlib.demo import write_demo
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort

    with tempfile.TemporaryDirectory() as tmp:
        params = write_demo(Path(tmp) / "demo", students=students, seed=2027, photos=False)
        t = time.perf_counter()
        d = decide(load_cohort(load_params(params)))
        print(f"读取并审核 {students} 名学生：{time.perf_counter() - t:.1f} 秒")
        m = measure(d, repeat)
        print(f"建立面板（含筛选索引）：{m['build_ms']:.0f} 毫秒")
        for c in m["cases"]:
            print(f"{c['case']}：{c['shown']} 名，中位数 {c['median_ms']:.1f} 毫秒（最慢 {c['max_ms']:.1f}）")
        print(f"打开一名学生的详情：{m['open_ms']:.0f} 毫秒")
        print(f"最慢的筛选（中位数）：{m['worst_median_ms']:.1f} 毫秒（要求 < 200 毫秒）")
    return 0 if m["worst_median_ms"] < 200 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
