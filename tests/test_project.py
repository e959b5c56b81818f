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
    for path in (ROOT / "gradlib").glob("*.py"):
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
