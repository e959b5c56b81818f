"""The one CJK font of every chart (and, later, every PDF): Noto Sans CJK SC, installed with gradlib.

The font comes from the PyPI package ``mplfonts`` (a dependency; the font is OFL-licensed), so output looks
the same on every machine whether or not it has a Chinese system font. ``font:`` in the params overrides it.
Only when neither is there (a broken install) is a system CJK font looked for, with one warning.

``font_file()`` is the path to embed in a PDF; ``font_record()`` is what manifest.json records (name, file,
SHA-256). ``use_cjk_font_in_matplotlib()`` makes the font matplotlib's default; ``check_glyphs(fig)`` warns
once, in Chinese, on the console when a chart's text has characters the font lacks (matplotlib's own
``Glyph … missing`` warnings are silenced: they would land in the archived notebook).
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

from ..log import warn

PACKAGE, FILE = "mplfonts", "fonts/NotoSansCJKsc-Regular.otf"  # Noto Sans CJK SC (OFL); never SimHei
SYSTEM_FONTS = (  # only when the packaged font is missing: free CJK fonts in their usual places
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
GLYPH_WARNING = r"(?s).*Glyph .* missing from"  # matplotlib's warning text
_warned: set[str] = set()


@cache
def packaged_font() -> Path | None:
    """The font file shipped by the mplfonts package, found without importing it (None if not installed)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / FILE
    return path if path.is_file() else None


@cache
def _system_font() -> Path | None:
    for c in SYSTEM_FONTS:
        if Path(c).is_file():
            return Path(c)
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            p = line.split(":")[0].strip()
            if p.lower().endswith((".ttf", ".ttc", ".otf")) and "simhei" not in p.lower() and Path(p).is_file():
                return Path(p)
    return None


def font_file(preferred=None) -> Path | None:
    """The CJK font to use: the params' ``font:`` when given, else the packaged one, else a system font."""
    if preferred and Path(preferred).is_file():
        return Path(preferred)
    path = packaged_font()
    if path is not None:
        return path
    path = _system_font()
    _warn_once("no-packaged-font", "未找到随 gradlib 安装的中文字体（mplfonts 软件包），图表改用本机字体"
               f"{'：' + str(path) if path else '；本机也没有中文字体，图表中的中文将显示为方框'}。"
               "请重新安装 gradlib（make install 或 pip install .）。")
    return path




@cache
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def font_name(path) -> str:
    """The family name of a font file (Noto Sans CJK SC)."""
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=str(path)).get_name()


def font_record(preferred=None) -> dict:
    """The font of the charts, for manifest.json: name, file, SHA-256 and where it came from."""
    path = font_file(preferred)
    if path is None:
        return {"name": None, "file": None, "sha256": None, "source": "none"}
    source = "params" if preferred and Path(preferred).is_file() else (
        "packaged" if path == packaged_font() else "system")
    return {"name": font_name(path), "file": str(path), "sha256": _sha256(path), "source": source}


@cache
def _register(path: Path) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_name(path)


def use_cjk_font_in_matplotlib(preferred=None) -> str | None:
    """Make the CJK font matplotlib's default sans-serif (before DejaVu Sans); returns its family name."""
    import logging

    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "weight normal … using 500" noise
    warnings.filterwarnings("ignore", message=GLYPH_WARNING, category=UserWarning)  # check_glyphs says it once
    matplotlib.rcParams["axes.unicode_minus"] = False
    path = font_file(str(preferred) if preferred else None)
    if path is None:
        return None
    name = _register(path)
    rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["font.sans-serif"] = [name] + rest
    matplotlib.rcParams["font.family"] = "sans-serif"
    return name


@cache
def _charmaps(paths: tuple[str, ...]) -> list[frozenset[int]]:
    from matplotlib.ft2font import FT2Font

    return [frozenset(FT2Font(p).get_charmap()) for p in paths]


def missing_glyphs(texts, preferred=None) -> str:
    """The characters of texts that neither the CJK font nor matplotlib's fallback DejaVu Sans can draw."""
    from matplotlib import font_manager

    path = font_file(str(preferred) if preferred else None)
    paths = ([str(path)] if path else []) + [font_manager.findfont("DejaVu Sans", fallback_to_default=True)]
    maps = _charmaps(tuple(paths))
    chars = {ch for t in texts for ch in str(t) if not ch.isspace()}
    return "".join(sorted(ch for ch in chars if not any(ord(ch) in m for m in maps)))


def check_glyphs(fig, preferred=None) -> str:
    """Warn on the console when a text of the figure has characters no font can draw (each character is named
    once per process); returns the characters lacking."""
    from matplotlib.text import Text

    texts = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
    lacking = missing_glyphs(texts, preferred)
    new = "".join(ch for ch in lacking if f"glyph:{ch}" not in _warned)
    if new:
        _warned.update(f"glyph:{ch}" for ch in new)
        shown = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in new)
        console_warning(f"提示：图表中的字符 {shown} 在字体中没有字形，将显示为方框"
                        "（可在参数文件中用 font: 指定含这些字符的字体文件）。")
    return lacking


def console_warning(message: str) -> None:
    """A warning line on the console of the person running gradlib, never in the archived notebook.

    Inside a notebook kernel, ipykernel sends standard error to the notebook; the kernel's original standard
    error is the console of `gradlib run` (or of the Jupyter server). Outside a kernel, the gradlib logger.
    """
    fd = os.environ.get("GRADLIB_CONSOLE_FD")  # a gradlib run's kernel: its stderr is kernel.log (run/kernel.py)
    fd = int(fd) if fd and fd.isdigit() else getattr(sys.stderr, "_original_stdstream_copy", None)
    try:
        if isinstance(fd, int):  # ipykernel watches file descriptor 2: write to its copy of the console
            os.write(fd, (message + "\n").encode("utf-8", "replace"))
            return
        if sys.__stderr__ is not None and sys.stderr is not sys.__stderr__ and "ipykernel" in sys.modules:
            sys.__stderr__.write(message + "\n")  # a kernel that does not watch it: fd 2 is still the console
            sys.__stderr__.flush()
            return
    except (OSError, ValueError):
        pass
    warn(message)


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        console_warning(message)
