"""Where a document's template comes from: the school's edited copy in its templates folder wins over the
default shipped in the package (gradlib/documents/templates/). `gradlib templates` copies the defaults into
the school's folder for staff to edit in Word."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..reasons import DOCUMENT_KINDS
from .store import sha256

PACKAGED = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Template:
    path: Path
    sha256: str
    school: bool  # the school's own copy (not the packaged default)


def find(name: str, folder: Path | None) -> Template:
    """The template file `name`: from the school's folder when it has one, else the packaged default."""
    if folder is not None and (Path(folder) / name).is_file():
        path, school = Path(folder) / name, True
    else:
        path, school = PACKAGED / name, False
    return Template(path.resolve(), sha256(path), school)


def copy_defaults(folder: Path) -> list[tuple[Path, bool]]:
    """Copy every default template into the school's folder; never overwrites (returns (file, copied))."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in DOCUMENT_KINDS:
        target = folder / kind.template
        if target.exists():
            out.append((target, False))
        else:
            shutil.copy2(PACKAGED / kind.template, target)
            out.append((target, True))
    return out
