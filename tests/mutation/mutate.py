"""`make mutate`: mutation testing of the rules, the value parsers and decide, with a small mutator of our own.

mutmut 3 skips functions wrapped by a decorator, which is where the parsers are (``@on_uniques``), so this
walks each target module's AST and makes one classic change per mutant: flip a comparison, swap ``&``/``|``
or ``and``/``or``, drop a ``~`` or ``not``, move a number by one, swap ``True``/``False``, ``any``/``all``,
``min``/``max``. Each mutant runs the fast tests that cover its line (coverage's per-test contexts, gathered
once), stopping at the first failure; the test that killed a mutant last time (outputs/mutation/kills.json)
runs first, then the tests that killed most mutants of its module per second. A mutant no test kills survives; ``equivalent.txt`` lists the ones
judged to change nothing, each with one line of why. The report goes to outputs/mutation/report.md.

    python tests/mutation/mutate.py [--jobs 2] [--only MODULE]… [--limit N]
"""
from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["gradlib/rules/eligibility.py", "gradlib/rules/facts.py", "gradlib/rules/waivers.py",
           "gradlib/rules/decide.py", "gradlib/sources/values.py"]
FAST_TESTS = ["tests/test_rules.py", "tests/test_decide.py", "tests/test_sources.py", "tests/test_structural.py",
              "tests/test_invariants.py", "tests/test_params.py", "tests/test_edges.py", "tests/test_review.py",
              "tests/test_lists.py", "tests/test_wording.py", "tests/test_corpus.py", "tests/test_properties.py",
              "tests/test_rules_edges.py", "tests/test_mutation_edges.py"]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
REPORT = ROOT / "outputs" / "mutation" / "report.md"
KILLS = REPORT.parent / "kills.json"  # mutant key → the test that killed it in the last run that ran it
TIMEOUT = 120  # seconds at least; a mutant gets 3 × its tests' time in the coverage run on top

COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
           ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BINOP = {ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.Add: ast.Sub, ast.Sub: ast.Add,
         ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult, ast.Mod: ast.FloorDiv}
CALLS = {"any": "all", "all": "any", "min": "max", "max": "min"}


@dataclass(frozen=True)
class Mutant:
    module: str     # path relative to ROOT
    index: int      # the index-th mutation point of the module, in AST walk order
    line: int
    col: int
    end_line: int
    op: str         # what changes, e.g. "< → <="
    nth: int = 1    # the nth mutation point with this line, column and op (the inner links of a chain)

    @property
    def key(self) -> str:
        """module:line:col:op, and #n for the nth point at one place: stable while the line stays as it is."""
        return f"{self.module}:{self.line}:{self.col}:{self.op}" + (f"#{self.nth}" if self.nth > 1 else "")


def _docstring_nodes(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _annotation_nodes(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        anns = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            anns = [a.annotation for a in node.args.args + node.args.kwonlyargs] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            anns = [node.annotation]
        for a in anns:
            if a is not None:
                out.update(id(n) for n in ast.walk(a))
    return out


def points(tree) -> list[tuple[ast.AST, str, object]]:
    """Every mutation point of a module: (node, description, how to mutate it)."""
    skip = _docstring_nodes(tree) | _annotation_nodes(tree)
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in COMPARE:
                    out.append((node, f"{type(op).__name__} → {COMPARE[type(op)].__name__}", ("compare", i)))
        elif isinstance(node, ast.BinOp) and type(node.op) in BINOP:
            out.append((node, f"{type(node.op).__name__} → {BINOP[type(node.op)].__name__}", ("binop",)))
        elif isinstance(node, ast.BoolOp):
            out.append((node, f"{type(node.op).__name__} → {'Or' if isinstance(node.op, ast.And) else 'And'}",
                        ("boolop",)))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not, ast.USub)):
            out.append((node, f"drop {type(node.op).__name__}", ("unary",)))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            out.append((node, f"{node.value} → {not node.value}", ("bool",)))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            out.append((node, f"{node.value!r} → {node.value + 1!r}", ("number",)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLS:
            out.append((node, f"{node.func.id} → {CALLS[node.func.id]}", ("call",)))
    return out


class _Apply(ast.NodeTransformer):
    def __init__(self, target, how):
        self.target, self.how = target, how

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if node is not self.target:
            return node
        kind = self.how[0]
        if kind == "compare":
            i = self.how[1]
            node.ops[i] = COMPARE[type(node.ops[i])]()
        elif kind == "binop":
            node.op = BINOP[type(node.op)]()
        elif kind == "boolop":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif kind == "unary":
            return node.operand
        elif kind == "bool":
            node.value = not node.value
        elif kind == "number":
            node.value = node.value + 1
        elif kind == "call":
            node.func.id = CALLS[node.func.id]
        return node


def mutants(module: str) -> list[Mutant]:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    out, seen = [], {}
    for i, (n, op, _) in enumerate(points(tree)):
        at = (n.lineno, n.col_offset, op)  # a chain a + b + c nests BinOps that start at one place
        seen[at] = seen.get(at, 0) + 1
        out.append(Mutant(module, i, n.lineno, n.col_offset, n.end_lineno or n.lineno, op, seen[at]))
    return out


def mutated_source(m: Mutant) -> str:
    tree = ast.parse((ROOT / m.module).read_text(encoding="utf-8"))
    pts = points(tree)
    node, _, how = pts[m.index]
    target = node
    # points() walked the same tree: the node object is the one to change
    tree = _Apply(target, how).visit(tree)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


def _fingerprint(tests: list[str]) -> str:
    """A hash of the package and the tests: the coverage map is reused while neither changes."""
    h = hashlib.sha256()
    for f in sorted([*ROOT.glob("gradlib/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("tests/mutation/*.py"), *map(ROOT.joinpath, tests)]):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def coverage_map(tests: list[str]) -> tuple[dict[str, dict[int, set[str]]], dict[str, float]]:
    """Which test functions execute each line of each target module, and how long each test takes (one run of
    the fast tests; cached in outputs/mutation/coverage.json until the package or the tests change)."""
    cache = REPORT.parent / "coverage.json"
    key = _fingerprint(tests)
    if cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("key") == key:
            return ({m: {int(ln): set(c) for ln, c in by.items()} for m, by in data["lines"].items()},
                    data["durations"])
    tmp = Path(tempfile.mkdtemp(prefix="gradlib-mut-cov-"))
    data_file, rc, junit = tmp / ".coverage", tmp / ".coveragerc", tmp / "junit.xml"
    # only the target modules are traced: the other frames run at full speed
    rc.write_text("[run]\ninclude =\n" + "".join(f"    {ROOT / t}\n" for t in TARGETS), encoding="utf-8")
    env = dict(os.environ, COVERAGE_FILE=str(data_file),
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q",
                    "-p", "no:cacheprovider", "-p", "_contexts", f"--basetemp={tmp / 'pytest'}", f"--junitxml={junit}", *tests],
                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    lines = {}
    for module in TARGETS:
        by_line = data.contexts_by_lineno(str(ROOT / module))
        lines[module] = {ln: {c for c in ctx if c} for ln, ctx in by_line.items()}
    durations: dict[str, float] = {}
    failing = set()
    for case in ET.parse(junit).getroot().iter("testcase"):  # classname tests.test_x[.Class], name test_y[param]
        parts = case.get("classname", "").split(".")
        if len(parts) < 2:
            continue
        nid = f"{'/'.join(parts[:2])}.py::" + "::".join([*parts[2:], case.get("name", "")])
        durations[nid] = durations.get(nid, 0.0) + float(case.get("time", 0) or 0)
        if case.find("failure") is not None or case.find("error") is not None:
            failing.add(nid)
    for nid in sorted(failing):  # a test failing on the checkout would "kill" every mutant: left out
        print(f"  failing without any mutant, left out: {nid}", file=sys.stderr)
        durations[nid] = -1.0
    shutil.rmtree(tmp, ignore_errors=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"key": key, "durations": durations,
                                 "lines": {m: {ln: sorted(c) for ln, c in by.items()} for m, by in lines.items()}}),
                     encoding="utf-8")
    return lines, durations


def _node_ids(contexts: set[str]) -> list[str]:
    """The pytest node ids among coverage contexts (tests/test_x.py::test_y[param], set by _contexts.py)."""
    return sorted({c for c in contexts if "::" in c and (ROOT / c.split("::")[0]).is_file()})


def tests_for(m: Mutant, cov: dict[str, dict[int, set[str]]], durations: dict[str, float],
              kills: dict[str, str] | None = None) -> list[str]:
    """The tests that execute the mutated lines. A line no test function executes runs at import time (module
    constants such as _WEIGHTS, class bodies, default values): it gets every test that executes any line of its
    module. The order only decides how soon a mutant is killed, never whether: the test that killed this mutant
    last time first, then those that killed a mutant of the same line, then by seconds per mutant of the module
    killed (the fastest first among tests that killed none)."""
    by_line = cov.get(m.module, {})
    ctx = set().union(*(by_line.get(ln, set()) for ln in range(m.line, m.end_line + 1)))
    if not ctx:
        ctx = set().union(*by_line.values()) if by_line else set()
    kills = kills or {}
    prior = kills.get(m.key)
    line = {t for k, t in kills.items() if k.startswith(f"{m.module}:{m.line}:")}
    per_test: dict[str, int] = {}
    for k, t in kills.items():
        if k.startswith(m.module + ":"):
            per_test[t] = per_test.get(t, 0) + 1

    def order(t):
        return (t != prior, t not in line, durations.get(t, 1.0) / (1 + per_test.get(t, 0)), t)

    return sorted((t for t in _node_ids(ctx) if durations.get(t, 1.0) >= 0), key=order)


class _FirstFailure:
    """A pytest plugin for a mutant's run: writes the node id of the first failing test to a file."""

    def __init__(self, path: str):
        self.path, self.done = path, False

    def pytest_runtest_logreport(self, report):
        if report.failed and not self.done:
            self.done = True
            Path(self.path).write_text(report.nodeid, encoding="utf-8")


def _child(tree: str, tests: list[str], basetemp: str, log: str):
    """In a process forked from the warm server (pandas, numpy and pytest already imported, gradlib not): import
    gradlib from the mutant's copy (and so do the CLI subprocesses some tests start), run the tests, exit with
    pytest's code."""
    os.chdir(ROOT)
    sys.path.insert(0, tree)
    sys.dont_write_bytecode = True
    os.environ["PYTHONPATH"] = tree + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        import pytest

        code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", f"--basetemp={basetemp}", *tests],
                           plugins=[_FirstFailure(str(Path(log).with_name("killer.txt")))])
    except BaseException:  # the harness itself failed (not a test): an error, never a kill
        import traceback

        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def run_mutant(m: Mutant, tests: list[str], workdir: Path, ctx, expected: float = 0.0) -> tuple[str, str]:
    """('killed', 'survived', 'timeout' or 'error' (the tests could not run), the test that killed it or '') for one
    mutant, run in a fresh process from its own copy of the package (so that the mutated module, not the
    checkout's, is imported)."""
    if not tests:
        return "survived", ""
    tree = workdir / f"m{m.index}-{abs(hash(m.module)) % 10000}"
    # __pycache__ comes along (copy2 keeps the sources' times, so only the mutated module is compiled again)
    shutil.copytree(ROOT / "gradlib", tree / "gradlib", ignore=shutil.ignore_patterns("notebooks"))
    (tree / m.module).write_text(mutated_source(m), encoding="utf-8")
    for item in ROOT.iterdir():  # the package finds notebooks/, templates … beside itself: link the checkout's
        if item.name not in ("gradlib", ".git", ".venv", "outputs") and not item.name.startswith(".pytest"):
            (tree / item.name).symlink_to(item, target_is_directory=item.is_dir())
    log = tree / "pytest.log"
    p = ctx.Process(target=_child, args=(str(tree), tests, str(tree / "tmp"), str(log)))
    p.start()
    p.join(TIMEOUT + 3 * expected)
    if p.is_alive():
        p.kill()
        p.join()
        verdict = "timeout"
    else:
        # 2: pytest interrupted by a collection error, i.e. the mutated module fails to import: caught
        verdict = {0: "survived", 1: "killed", 2: "killed"}.get(p.exitcode, "error")
    if verdict == "error" or p.exitcode == 2:
        (ROOT / "outputs" / "mutation").mkdir(parents=True, exist_ok=True)
        with open(ROOT / "outputs" / "mutation" / "errors.log", "a", encoding="utf-8") as out:
            out.write(f"== {m.key} (exit {p.exitcode})\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}\n")
    killer = tree / "killer.txt"
    killer = killer.read_text(encoding="utf-8") if verdict == "killed" and killer.exists() else ""
    shutil.rmtree(tree, ignore_errors=True)
    return verdict, killer


def _context():
    """Processes forked from one server that has imported the heavy libraries once (where the platform allows)."""
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "pandas", "pytest", "openpyxl", "python_calamine", "xlsxwriter",
                                "hypothesis", "yaml", "PIL"])
    return ctx


def equivalents() -> dict[str, str]:
    """Mutants judged equivalent: key → why. One line each, 'module:line:col:op[#n]  # why' (a key never holds
    ' # '); lines starting with # are comments."""
    out = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, why = line.partition(" # ")
                out[key.strip()] = why.strip()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", action="append", help="a target module, e.g. gradlib/sources/values.py (repeatable)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--check-equivalents", action="store_true",
                    help="run the mutants of equivalent.txt too (by default they are not run again)")
    args = ap.parse_args(argv)
    targets = args.only or TARGETS
    tests = [t for t in FAST_TESTS if (ROOT / t).exists()]
    t0 = time.perf_counter()
    print(f"coverage of {len(tests)} test files …", file=sys.stderr, flush=True)
    cov, durations = coverage_map(tests)
    all_mutants = [m for t in targets for m in mutants(t)]
    if args.limit:
        all_mutants = all_mutants[:args.limit]
    eq = equivalents()
    every_key = {m.key for t in TARGETS for m in mutants(t)}
    stale = sorted(k for k in eq if k not in every_key)  # the code moved: the entry names no mutant any more
    results: dict[Mutant, str] = {m: "equivalent" for m in all_mutants if m.key in eq and not args.check_equivalents}
    to_run = [m for m in all_mutants if m not in results]
    print(f"{len(all_mutants)} mutants ({len(results)} judged equivalent, not run), {args.jobs} at a time …",
          file=sys.stderr, flush=True)
    kills = json.loads(KILLS.read_text(encoding="utf-8")) if KILLS.exists() else {}
    ctx = _context()
    with tempfile.TemporaryDirectory(prefix="gradlib-mut-") as tmp, cf.ThreadPoolExecutor(args.jobs) as pool:
        futures = {}
        for m in to_run:
            tests_m = tests_for(m, cov, durations, kills)
            expected = sum(durations.get(t, 1.0) for t in tests_m)
            futures[pool.submit(run_mutant, m, tests_m, Path(tmp), ctx, expected)] = m
        for i, f in enumerate(cf.as_completed(futures), 1):
            m = futures[f]
            results[m], killer = f.result()
            if killer:
                kills[m.key] = killer
            else:
                kills.pop(m.key, None)
            if i % 25 == 0:
                print(f"  {i}/{len(to_run)} ({(time.perf_counter() - t0) / 60:.1f} min)", file=sys.stderr, flush=True)
    KILLS.parent.mkdir(parents=True, exist_ok=True)
    KILLS.write_text(json.dumps(dict(sorted(kills.items())), indent=1, ensure_ascii=False), encoding="utf-8")
    write_report(results, eq, time.perf_counter() - t0, stale)
    return 0


def _source_line(m: Mutant) -> str:
    return (ROOT / m.module).read_text(encoding="utf-8").splitlines()[m.line - 1].strip().replace("`", "'")


def write_report(results: dict, eq: dict[str, str], seconds: float, stale: list[str] = ()):
    rows = sorted(results.items(), key=lambda kv: (kv[0].module, kv[0].line, kv[0].col, kv[0].op))
    lines = ["# Mutation testing (make mutate)", ""]
    total = {"all": 0, "killed": 0, "equivalent": 0}
    per_module = {}
    survivors, wrongly = [], []
    for m, verdict in rows:
        pm = per_module.setdefault(m.module, {"all": 0, "killed": 0, "equivalent": 0})
        for d in (total, pm):
            d["all"] += 1
        if verdict in ("killed", "timeout"):  # a mutant that hangs the tests is caught too
            if m.key in eq:
                wrongly.append(m)
            for d in (total, pm):
                d["killed"] += 1
        elif m.key in eq:
            for d in (total, pm):
                d["equivalent"] += 1
        else:
            survivors.append(m)

    def score(d):
        live = d["all"] - d["equivalent"]
        return 100.0 * d["killed"] / live if live else 100.0

    lines += [f"{total['all']} mutants in {seconds / 60:.1f} min: {total['killed']} killed, "
              f"{total['equivalent']} judged equivalent (tests/mutation/equivalent.txt), {len(survivors)} survived. "
              f"**Score {score(total):.1f}% of non-equivalent mutants killed.**", "",
              "| module | mutants | killed | equivalent | score |", "|---|---:|---:|---:|---:|"]
    for mod, d in per_module.items():
        lines.append(f"| {mod} | {d['all']} | {d['killed']} | {d['equivalent']} | {score(d):.1f}% |")
    errors = [m for m, v in rows if v == "error"]
    lines += ["", "## Surviving mutants", ""] + [f"- `{m.key}` `{_source_line(m)}`" for m in survivors
                                                 if m not in errors] + [""]
    if errors:
        lines += ["## Mutants whose tests could not run (counted as surviving)", ""]
        lines += [f"- `{m.key}`" for m in errors] + [""]
    if wrongly:
        lines += ["## Listed as equivalent but killed (take them off equivalent.txt)", ""]
        lines += [f"- `{m.key}`" for m in wrongly] + [""]
    if stale:
        lines += ["## Entries of equivalent.txt that name no mutant (the code moved: judge them again)", ""]
        lines += [f"- `{k}`" for k in stale] + [""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    (REPORT.parent / "results.json").write_text(json.dumps({m.key: v for m, v in rows}, indent=1), encoding="utf-8")
    print("\n".join(lines[:6 + len(per_module)]))
    print(f"report: {REPORT}")


if __name__ == "__main__":
    sys.exit(main())
