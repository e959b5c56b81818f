"""Packaging: the version has one home, and a normal (not editable) install can run a cohort."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import gradlib

ROOT = Path(__file__).resolve().parent.parent


def test_version_comes_from_the_package_metadata():
    from importlib import metadata

    assert gradlib.__version__ == metadata.version("gradlib")
    assert gradlib.__version__ in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert not any(f'"{gradlib.__version__}"' in p.read_text(encoding="utf-8") for p in (ROOT / "gradlib").rglob("*.py"))


def test_importing_gradlib_loads_no_wing():
    code = "import sys, gradlib; print(sorted(m for m in sys.modules if m.startswith('gradlib.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_wheel_carries_the_notebooks_and_its_gradlib_runs_a_cohort(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("gradlib-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {"gradlib/notebooks/cohort.ipynb", "gradlib/notebooks/review.ipynb", "gradlib/templates/cohort.yaml",
            "gradlib/templates/jupyter/voila/templates/gradlib/index.html.j2"} <= set(names)
    from gradlib.reasons import DOCUMENT_KINDS  # the certificates' Word templates and the diploma layout

    assert {f"gradlib/documents/templates/{k.template}" for k in DOCUMENT_KINDS} <= set(names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site))
    where = subprocess.run([sys.executable, "-c", "import gradlib.resources as r; print(r.notebook('cohort.ipynb'))"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site)
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "demo", "--students", "200", "--no-photos",
                        "--out", str(tmp_path / "demo")], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    run_dir = Path(r.stdout.strip().splitlines()[-1])
    assert (run_dir / "decisions.csv").is_file() and (run_dir / "cohort.html").is_file()
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "new", "2028"], env=env, cwd=tmp_path, capture_output=True,
                       text=True)  # the params template comes from the wheel too
    assert r.returncode == 0, r.stderr[-2000:]
    assert "cohort: 2028" in (tmp_path / "params" / "2028.yaml").read_text(encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "templates", str(tmp_path / "模板")], env=env, cwd=tmp_path,
                       capture_output=True, text=True)  # the defaults staff edit come from the wheel
    assert r.returncode == 0, r.stderr[-2000:]
    assert (tmp_path / "模板" / "graduation.docx").stat().st_size > 5000 and (tmp_path / "模板" / "diploma-layout.yaml").is_file()
