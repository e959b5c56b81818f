"""Where the files that ship with gradlib are: the notebooks (run by papermill and Voilà) and the templates
(``gradlib/templates/``, package data of the wheel).

A wheel carries them inside the package (``gradlib/notebooks/``, copied there at build time from the
top-level ``notebooks/``, their one source); a checkout installed in editable mode finds them beside
the package.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def notebook(name: str) -> Path:
    """The path of a shipped notebook (e.g. cohort.ipynb); the packaged copy first, then the checkout's."""
    for folder in (PACKAGE / "notebooks", PACKAGE.parent / "notebooks"):
        path = folder / name
        if path.is_file():
            return path
    return PACKAGE.parent / "notebooks" / name  # absent: callers say so in Chinese


def template(name: str) -> Path:
    """The path of a shipped template (e.g. cohort.yaml, the params file `gradlib new` writes)."""
    return PACKAGE / "templates" / name


def jupyter_data() -> Path:
    """gradlib's own Jupyter data folder (put on JUPYTER_PATH): the Voilà template `gradlib` of the review page."""
    return PACKAGE / "templates" / "jupyter"
