"""Find a CJK TrueType font on Windows, macOS or Linux (or take the params' path) for charts and PDFs."""
from __future__ import annotations

import glob
import shutil
import subprocess
from functools import cache
from pathlib import Path

CANDIDATES = (
    # Linux (Debian: fonts-wqy-zenhei, fonts-noto-cjk, fonts-wqy-microhei)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    # Windows
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf", "C:/Windows/Fonts/simsun.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf", "/System/Library/Fonts/Supplemental/Songti.ttc",
)


@cache
def find_cjk_font(preferred: str | None = None) -> Path | None:
    """The first usable CJK font: the given path, a known location, or what fontconfig lists for zh."""
    if preferred and Path(preferred).is_file():
        return Path(preferred)
    for c in CANDIDATES:
        if Path(c).is_file():
            return Path(c)
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            p = line.split(":")[0].strip()
            if p.lower().endswith((".ttf", ".ttc", ".otf")) and Path(p).is_file():
                return Path(p)
    for p in sorted(glob.glob("/usr/share/fonts/**/*CJK*", recursive=True)):
        return Path(p)
    return None


def use_cjk_font_in_matplotlib(preferred: str | None = None) -> str | None:
    """Register a CJK font with matplotlib and make it the default sans-serif; returns its family name."""
    import logging

    import matplotlib
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "weight normal … using 500" noise
    path = find_cjk_font(str(preferred) if preferred else None)
    matplotlib.rcParams["axes.unicode_minus"] = False
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.sans-serif"] = [name] + list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.family"] = "sans-serif"
    return name


def font_record(preferred=None) -> dict:
    """Which font the charts use: name, file and SHA-256 (for the manifest); empty values when there is none."""
    import hashlib

    path = find_cjk_font(str(preferred) if preferred else None)
    if path is None:
        return {"name": "", "file": "", "sha256": ""}
    from matplotlib import font_manager

    return {"name": font_manager.FontProperties(fname=str(path)).get_name(), "file": str(path),
            "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}
