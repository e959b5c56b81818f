"""Build hook: a wheel carries the notebooks inside the package (gradlib/notebooks/).

Their one source is the top-level notebooks/ folder (kept output-free in git); building copies them in,
so `pip install .` (not editable) gives a `gradlib run` that finds its notebook. Everything else about
the package is in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithNotebooks(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "gradlib" / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        for nb in sorted((HERE / "notebooks").glob("*.ipynb")):
            shutil.copy2(nb, target / nb.name)


setup(cmdclass={"build_py": BuildWithNotebooks})
