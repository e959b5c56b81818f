"""`make mutate`: mutation testing of the rules, the value parsers and decide, with a small mutator of our own.

mutmut 3 skips functions wrapped by a decorator, which is where the parsers are (``@on_uniques``), so this
walks each target module's AST and makes one classic change per mutant: flip a comparison, swap ``&``/``|``
or ``and``/``or``, drop a ``~`` or ``not``, move a number by one, swap ``True``/``False``, ``any``/``all``,
``min``/``max``. Each mutant runs the fast tests that cover its line (coverage's per-test contexts, gathered
once), stopping at the first failure. A mutant no test kills survives; ``equivalent.txt`` lists the ones
judged to change nothing, each with one line of why. The report goes to outputs/mutation/report.md.

    python tests/mutation/mutate.py [--jobs 2] [--only MODULE] [--limit N]
"""
from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["gradlib/rules/eligibility.py", "gradlib/rules/facts.py", "gradlib/rules/waivers.py",
           "gradlib/rules/decide.py", "gradlib/sources/values.py"]
FAST_TESTS = ["tests/test_rules.py", "tests/test_decide.py", "tests/test_sources.py", "tests/test_structural.py",
              "tests/test_invariants.py", "tests/test_params.py", "tests/test_edges.py", "tests/test_review.py",
              "tests/test_lists.py", "tests/test_wording.py", "tests/test_corpus.py", "tests/test_properties.py"]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
REPORT = ROOT / "outputs" / "mutation" / "report.md"
TIMEOUT = 300

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
    op: str         # what changes, e.g. "< → <="

    @property
    def key(self) -> str:
        return f"{self.module}:{self.line}:{self.col}:{self.op}"


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
    return [Mutant(module, i, n.lineno, n.col_offset, op) for i, (n, op, _) in enumerate(points(tree))]


def mutated_source(m: Mutant) -> str:
    tree = ast.parse((ROOT / m.module).read_text(encoding="utf-8"))
    pts = points(tree)
    node, _, how = pts[m.index]
    target = node
    # points() walked the same tree: the node object is the one to change
    tree = _Apply(target, how).visit(tree)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


def coverage_map(tests: list[str]) -> dict[str, dict[int, set[str]]]:
    """Which test functions execute each line of each target module (one run of the fast tests)."""
    data_file = Path(tempfile.mkdtemp(prefix="gradlib-mut-cov-")) / ".coverage"
    rc = Path(data_file.parent / ".coveragerc")
    rc.write_text("[run]\ndynamic_context = test_function\nsource = gradlib\n", encoding="utf-8")
    env = dict(os.environ, COVERAGE_FILE=str(data_file))
    subprocess.run([sys.executable, "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q", "-x",
                    "-p", "no:cacheprovider", *tests], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    out = {}
    for module in TARGETS:
        path = str(ROOT / module)
        by_line = data.contexts_by_lineno(path)
        out[module] = {ln: {c for c in ctx if c} for ln, ctx in by_line.items()}
    shutil.rmtree(data_file.parent, ignore_errors=True)
    return out


def _node_ids(contexts: set[str]) -> list[str]:
    """pytest node ids from coverage contexts such as 'test_rules.test_x' or 'test_rules.TestY.test_x'."""
    ids = []
    for c in sorted(contexts):
        parts = c.split(".")
        mod = next((i for i, p in enumerate(parts) if p.startswith("test_")), None)
        if mod is None or mod + 1 >= len(parts) or not (ROOT / "tests" / f"{parts[mod]}.py").is_file():
            continue  # not a test function of tests/ (coverage also labels other frames)
        ids.append(f"tests/{parts[mod]}.py::" + "::".join(parts[mod + 1:]))
    return sorted(set(ids))


def run_mutant(m: Mutant, tests: list[str], workdir: Path) -> str:
    """'killed', 'survived', 'timeout' or 'error' (the tests could not run) for one mutant, run from its own
    copy of the package and the tests (so that the mutated module, not the checkout's, is imported)."""
    if not tests:
        return "survived"
    tree = workdir / f"m{m.index}-{abs(hash(m.module)) % 10000}"
    ignore = shutil.ignore_patterns("__pycache__", "notebooks", "mutation")
    shutil.copytree(ROOT / "gradlib", tree / "gradlib", ignore=ignore)
    shutil.copytree(ROOT / "tests", tree / "tests", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    (tree / m.module).write_text(mutated_source(m), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                            f"--basetemp={tree / 'tmp'}", *tests],  # concurrent pytest runs share no tmp
                           cwd=tree, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        verdict = {0: "survived", 1: "killed"}.get(r.returncode, "error")
        if verdict == "error":
            (ROOT / "outputs" / "mutation").mkdir(parents=True, exist_ok=True)
            with open(ROOT / "outputs" / "mutation" / "errors.log", "a", encoding="utf-8") as log:
                log.write(f"== {m.key} (exit {r.returncode})\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}\n")
    except subprocess.TimeoutExpired:
        verdict = "timeout"
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    return verdict


def equivalents() -> dict[str, str]:
    """Mutants judged equivalent: key → why (lines 'module:line:col:op  # why')."""
    out = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, why = line.partition("#")
                out[key.strip()] = why.strip()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", help="one target module, e.g. gradlib/sources/values.py")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args(argv)
    targets = [args.only] if args.only else TARGETS
    tests = [t for t in FAST_TESTS if (ROOT / t).exists()]
    t0 = time.perf_counter()
    print(f"coverage of {len(tests)} test files …", file=sys.stderr, flush=True)
    cov = coverage_map(tests)
    all_mutants = [m for t in targets for m in mutants(t)]
    if args.limit:
        all_mutants = all_mutants[:args.limit]
    eq = equivalents()
    print(f"{len(all_mutants)} mutants, {args.jobs} at a time …", file=sys.stderr, flush=True)
    results: dict[Mutant, str] = {}
    with tempfile.TemporaryDirectory(prefix="gradlib-mut-") as tmp, cf.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_mutant, m, _node_ids(cov.get(m.module, {}).get(m.line, set())), Path(tmp)): m
                   for m in all_mutants}
        for i, f in enumerate(cf.as_completed(futures), 1):
            m = futures[f]
            results[m] = f.result()
            if i % 25 == 0:
                print(f"  {i}/{len(all_mutants)}", file=sys.stderr, flush=True)
    write_report(results, eq, time.perf_counter() - t0)
    return 0


def write_report(results: dict, eq: dict[str, str], seconds: float):
    rows = sorted(results.items(), key=lambda kv: (kv[0].module, kv[0].line, kv[0].col, kv[0].op))
    lines = ["# Mutation testing (make mutate)", ""]
    total = {"all": 0, "killed": 0, "equivalent": 0}
    per_module = {}
    survivors = []
    for m, verdict in rows:
        pm = per_module.setdefault(m.module, {"all": 0, "killed": 0, "equivalent": 0})
        for d in (total, pm):
            d["all"] += 1
        if verdict in ("killed", "timeout"):  # a mutant that hangs the tests is caught too
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
    lines += ["", "## Surviving mutants", ""] + [f"- `{m.key}`" for m in survivors if m not in errors] + [""]
    if errors:
        lines += ["## Mutants whose tests could not run (counted as surviving)", ""]
        lines += [f"- `{m.key}`" for m in errors] + [""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    (REPORT.parent / "results.json").write_text(json.dumps({m.key: v for m, v in rows}, indent=1), encoding="utf-8")
    print("\n".join(lines[:6 + len(per_module)]))
    print(f"report: {REPORT}")


if __name__ == "__main__":
    sys.exit(main())
