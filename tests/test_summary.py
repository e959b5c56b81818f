"""The notebook's summary: counts that add up, and a chart whose Chinese labels have glyphs."""
import io
import warnings

from conftest import run_decide

from gradlib.outputs import charts, tables
from gradlib.outputs.fonts import packaged_font


def test_counts_add_up_and_cover_every_outcome(cohort_files):
    cohort_files.tables["students"].loc[0, "学籍状态"] = "退学"
    cohort_files.tables["students"].loc[1, "专业"] = ""
    d = run_decide(cohort_files)
    c = tables.with_total(tables.by_outcome(d))
    assert list(c["结论"]) == ["不具备毕业资格", "缓发毕业证书", "暂缓领取", "可领取", "合计"]
    assert c["人数"].iloc[-1] == 6 == c["人数"].iloc[:-1].sum()
    m = tables.by_major(d)
    assert m["合计"].sum() == 6 and "（空）" in set(m["专业"])
    r = tables.by_reason(d)
    assert r.set_index("依据").shape[0] == 20 and r["人数"].sum() == 2


def test_chart_has_glyphs_for_every_chinese_label(cohort_files):
    assert packaged_font() is not None  # installed with gradlib: no system font needed
    d = run_decide(cohort_files)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = charts.outcome_chart(d)
        fig.savefig(io.BytesIO(), format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert fig.axes[0].get_title() == "各专业毕业审核结论"
