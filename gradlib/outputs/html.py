"""Plain HTML tables that survive in the archived notebook HTML (no scripts), for the notebook and the review."""
from __future__ import annotations

import html

import pandas as pd

TABLE_STYLE = ("<style>table.gl-table td, table.gl-table th {text-align: left; vertical-align: top;}"
               "</style>")


def html_table(df: pd.DataFrame, title: str = "", index: bool = False) -> str:
    """A table as escaped HTML with an optional <h4> title."""
    head = f"<h4>{html.escape(title)}</h4>" if title else ""
    return TABLE_STYLE + head + df.to_html(index=index, escape=True, border=0, na_rep="", classes="gl-table")
