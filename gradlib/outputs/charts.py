"""The charts of the notebook and its HTML (matplotlib), with Chinese labels and the outcome colours."""
from __future__ import annotations

import pandas as pd

from ..reasons import OUTCOMES
from ..rules import Decisions
from .fonts import check_glyphs, use_cjk_font_in_matplotlib
from .tables import by_major


def stacked_bars(x: pd.DataFrame, colors: list[str], title: str, font=None, top_down: bool = False):
    """A horizontal stacked bar chart of the columns of x (one bar per row), with Chinese labels (packaged font)."""
    import matplotlib.pyplot as plt

    use_cjk_font_in_matplotlib(font)
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(x) + 1.8))
    left = pd.Series(0, index=x.index)
    for col, color in zip(x.columns, colors):
        ax.barh(x.index, x[col], left=left, label=col, color=color)
        left = left + x[col]
    if top_down:
        ax.invert_yaxis()
    ax.set_xlabel("人数")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    check_glyphs(fig, font)
    return fig


def outcome_chart(d: Decisions, font=None):
    """A stacked bar chart of outcomes per major."""
    order = list(reversed(OUTCOMES))  # 可领取 first, from the left
    x = by_major(d).set_index("专业")[[o.label for o in order]]
    return stacked_bars(x, [o.color for o in order], "各专业毕业审核结论", font)
