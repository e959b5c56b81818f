"""Project-level contracts: clean notebooks, the params template, one reason table feeding the docs."""
import json
import subprocess
from pathlib import Path

from gradlib.params import load_params
from gradlib.reasons import REASONS, reason_table

ROOT = Path(__file__).resolve().parent.parent


def test_notebooks_are_output_free_and_parameterised():
    for p in ROOT.glob("notebooks/*.ipynb"):
        nb = json.loads(p.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in code), p
        assert "parameters" in code[0]["metadata"].get("tags", []), p
        for c in code:  # a page of calls, no logic
            assert len("".join(c["source"]).splitlines()) <= 6, (p, c["source"])


def test_params_template_is_valid():
    p = load_params(ROOT / "params" / "2027.yaml")
    assert p.cohort == 2027 and p.waivers.name == "2027.waivers.csv"


def test_reason_table_is_complete_and_unique():
    t = reason_table()
    assert t["代码"].is_unique and t["原因"].is_unique and len(t) == len(REASONS) == 20
    assert t["依据"].str.startswith("第").all()


def test_labels_and_articles_are_written_only_in_the_reason_table():
    """One table of reasons: no other module repeats a reason's Chinese label or its code's article."""
    for path in (ROOT / "gradlib").rglob("*.py"):
        if path.name == "reasons.py":
            continue
        text = path.read_text(encoding="utf-8")
        for r in REASONS:
            assert f"\"{r.label}\"" not in text, (path.name, r.label)


def test_outputs_are_git_ignored():
    out = subprocess.run(["git", "check-ignore", "outputs/x", "demo/x", ".venv/x"], cwd=ROOT, capture_output=True, text=True)
    assert len(out.stdout.split()) == 3


def test_readme_reason_table_matches_the_reason_table():
    from gradlib.reasons import OUTCOME_BY_CODE
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for r in REASONS:
        line = f"| {r.code} | {r.label} | {OUTCOME_BY_CODE[r.outcome].label} | {r.article} | {'yes' if r.waivable else 'no'} |"
        assert line in text, line


def _readme_tree() -> set[str]:
    """The module paths of README's layout tree (two spaces of indent per folder level)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    paths, stack = set(), []
    for line in block.strip("\n").splitlines():
        name = line.strip().split()[0]
        depth = (len(line) - len(line.lstrip(" "))) // 2
        stack = stack[:depth] + [name]
        if not name.endswith("/"):
            paths.add("".join(stack))
    return paths


def test_readme_layout_tree_matches_the_package():
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gradlib").rglob("*.py")
               if "notebooks" not in p.parts}
    assert _readme_tree() == modules


def test_readme_list_table_matches_the_list_catalog():
    from gradlib.outputs.catalog import LEVELS, LISTS
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for x in LISTS:
        line = f"| {x.shown} | {LEVELS[x.level]} | {x.articles} | {x.content} |"
        assert line in text, line


def test_a_lists_privacy_is_one_fact():
    """An internal list, and only an internal list, has a file name ending in （内部） and an internal book."""
    from gradlib.outputs.catalog import LISTS
    for x in LISTS:
        assert x.internal == x.file_stem.endswith("（内部）"), x.key
        assert x.level in ("public", "report", "internal")


def test_modules_and_functions_stay_small():
    """No module over 600 lines; no function of 80 lines or more (issue #7)."""
    import ast
    for p in (ROOT / "gradlib").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, p
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 < 80, (p, node.name)



def test_generated_docs_are_current():
    """docs/reasons.md, docs/lists.md and README's tables are made from the tables (`make docs`)."""
    from gradlib import docgen
    assert docgen.stale() == []
