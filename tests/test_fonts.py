"""The packaged CJK font: charts draw Chinese with it even on a machine with no CJK system font, and a text
that still lacks glyphs gives one Chinese line on the console — never a warning in the archived notebook."""
import hashlib
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pandas as pd
from builders import CohortFiles

from gradlib.outputs import fonts
from gradlib.outputs.charts import stacked_bars

# matplotlib told of its own fonts only (DejaVu): as on a machine without any CJK system font
NO_SYSTEM_FONTS = r"""
import json, os, sys
import matplotlib
matplotlib.use("Agg")
import numpy as np
import pandas as pd
from matplotlib import font_manager as fm
own = os.path.realpath(matplotlib.get_data_path())
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if os.path.realpath(f.fname).startswith(own)]
fm.fontManager.afmlist = []
assert not [f for f in fm.fontManager.ttflist if "CJK" in f.name or "Hei" in f.name]
import matplotlib.pyplot as plt
from gradlib.outputs import fonts
from gradlib.outputs.charts import stacked_bars

def ink(ch, props):
    fig = plt.figure(figsize=(1, 1), dpi=60)
    fig.text(0.5, 0.5, ch, fontproperties=props, size=40, ha="center", va="center")
    fig.canvas.draw()
    a = np.asarray(fig.canvas.buffer_rgba())[:, :, 0] < 128
    plt.close(fig)
    return a

fig = stacked_bars(pd.DataFrame({"可领取": [3], "暂缓领取": [1]}, index=["机电技术应用"]), ["#4CAF50", "#FFB300"],
                   "各专业毕业审核结论")
fig.canvas.draw()
props = fig.axes[0].title.get_fontproperties()
a, b = ink("审", props), ink("核", props)
tofu = fm.FontProperties(family="DejaVu Sans")
ta, tb = ink("审", tofu), ink("核", tofu)
print(json.dumps({"used": fm.findfont(props), "packaged": str(fonts.packaged_font()),
                  "ink": [int(a.sum()), int(b.sum())], "differ": bool((a != b).any()),
                  "tofu_differ": bool((ta != tb).any())}))
"""


def test_charts_use_the_packaged_font_when_the_machine_has_none():
    r = subprocess.run([sys.executable, "-c", NO_SYSTEM_FONTS], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["used"] == out["packaged"] and Path(out["packaged"]).name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" in Path(out["packaged"]).parts
    assert min(out["ink"]) > 50 and out["differ"]  # two different characters, each drawn: not empty boxes
    assert not out["tofu_differ"]  # the check can tell: without the font both are the same box
    assert "Glyph" not in r.stderr and "missing from" not in r.stderr


def test_font_record_names_the_file_and_its_hash():
    rec = fonts.font_record()
    path = fonts.packaged_font()
    assert path is not None and "simhei" not in str(path).lower()
    assert rec == {"name": "Noto Sans CJK SC", "file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                   "source": "packaged"}
    assert fonts.font_file() == path  # the file a PDF writer embeds


def test_params_font_overrides_the_packaged_one():
    from matplotlib import font_manager

    other = Path(font_manager.findfont("DejaVu Sans"))
    rec = fonts.font_record(other)
    assert rec["file"] == str(other) and rec["source"] == "params" and rec["name"] == "DejaVu Sans"
    assert fonts.font_file(other) == other


def test_a_text_lacking_glyphs_warns_once_in_chinese_and_matplotlib_stays_quiet(capsys):
    x = pd.DataFrame({"可领取": [1, 2]}, index=["机电技术应用", "计算机应用\ue123"])
    with warnings.catch_warnings(record=True) as caught:
        for _ in range(2):
            fig = stacked_bars(x, ["#4CAF50"], "各专业毕业审核结论")
            fig.savefig(io.BytesIO(), format="png")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    err = capsys.readouterr().err
    assert err.count("U+E123") == 1 and "没有字形" in err
    assert fonts.missing_glyphs(["各专业毕业审核结论 ABC 123 −"]) == ""


def test_archived_notebook_has_no_font_warning_and_the_console_says_it_once(tmp_path):
    cf = CohortFiles(tmp_path)
    s = cf.tables["students"]
    s.loc[s["专业"] == "计算机应用", "专业"] = "计算机应用\ue124"  # a character no font has
    cf.tables["curriculum"]["专业"] = cf.tables["curriculum"]["专业"].replace("计算机应用", "计算机应用\ue124")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}  # the kernel as in production
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "run", str(cf.write())], capture_output=True, text=True,
                       timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip().splitlines()[-1])
    assert r.stderr.count("U+E124") == 1  # one line on the console (two charts show the major)
    nb = nbformat.read(folder / "cohort.ipynb", as_version=4)
    streams = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for text in (streams, (folder / "cohort.html").read_text(encoding="utf-8")):
        assert "Glyph" not in text and "missing from" not in text and "没有字形" not in text
