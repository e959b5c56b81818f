"""Corpus faults that need a workbook built by hand (issue 10): formulas without cached values, merged cells,
hidden sheets and rows, blank rows. Declared with the rest in test_corpus.OTHER_FAULTS (docs/faults.md)."""
from __future__ import annotations

import pytest
import xlsxwriter
from builders import CohortFiles

from gradlib.findings import Kind
from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort

S1 = "2024000001"


def outcome(d, sid):
    r = d.table.set_index("student_id").loc[sid, "reasons"]
    return set(r.split(";")) if r else set()


def test_fee_formula_without_a_cached_value_never_counts_as_paid(tmp_path):
    """A 应缴金额 formula saved by a program that computes no values (openpyxl) reads blank: never "owes 0"."""
    openpyxl = pytest.importorskip("openpyxl")
    cf = CohortFiles(tmp_path)
    params = cf.write()
    wb = openpyxl.Workbook()
    ws = wb.active
    fees = cf.tables["fees"]
    ws.append(list(fees.columns))
    for i, row in enumerate(fees.itertuples(index=False)):
        cells = list(row)
        if i == 0:
            cells[2] = "=1200*2"  # no cached value in the file
        ws.append(cells)
    wb.save(tmp_path / "data" / "缴费库.xlsx")
    d = decide(load_cohort(load_params(params)))
    assert "PAYMENT_RECORD_MISSING" in outcome(d, S1)
    p = d.problems[d.problems["kind"] == Kind.MONEY_BLANK]
    assert list(p["column"]) == ["应缴金额"] and list(p["row"]) == [2]


def _sheet_rows(ws, df, start=0, skip=()):
    """df's header and rows as text cells from row `start`, leaving the rows in `skip` blank; returns the Excel rows."""
    ws.write_row(start, 0, list(df.columns))
    r, rows = start + 1, []
    for row in df.itertuples(index=False):
        while r in skip:
            r += 1
        ws.write_row(r, 0, [str(v) for v in row])
        rows.append(r + 1)
        r += 1
    return rows


def test_merged_cells_stand_for_every_row_they_cover(tmp_path):
    """班级 and 专业 merged down over a class's rows (as printed rosters are): every student keeps them."""
    cf = CohortFiles(tmp_path)
    params = cf.write()
    st = cf.tables["students"]
    wb = xlsxwriter.Workbook(str(tmp_path / "data" / "学籍库.xlsx"), {"strings_to_numbers": False})
    ws = wb.add_worksheet()
    shown = st.copy()
    shown.loc[[1, 2, 4, 5], ["专业", "班级"]] = ""  # a merged range holds its value in its first cell only
    _sheet_rows(ws, shown)
    for col in ("专业", "班级"):
        j = list(st.columns).index(col)
        ws.merge_range(1, j, 3, j, st.loc[0, col])
        ws.merge_range(4, j, 6, j, st.loc[3, col])
    wb.close()
    d = decide(load_cohort(load_params(params)))
    assert list(d.cohort.students["班级"]) == list(st["班级"])
    assert set(d.table["outcome"]) == {"COLLECT"}


def test_hidden_sheet_skipped_hidden_rows_kept(tmp_path):
    """A hidden first sheet is not the table (the registrar never sees it); a hidden row is still a student."""
    cf = CohortFiles(tmp_path)
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"
    params = cf.write()
    wb = xlsxwriter.Workbook(str(tmp_path / "data" / "缴费库.xlsx"), {"strings_to_numbers": False})
    old = wb.add_worksheet("旧数据")
    old.write_row(0, 0, ["说明"])
    old.hide()
    ws = wb.add_worksheet("缴费明细")
    ws.activate()
    _sheet_rows(ws, cf.tables["fees"])
    ws.set_row(1, None, None, {"hidden": True})  # S1's 学费 row, hidden in Excel
    wb.close()
    d = decide(load_cohort(load_params(params)))
    assert outcome(d, S1) == {"FEES_OWED"}


def test_blank_rows_are_skipped_and_row_numbers_hold(tmp_path):
    cf = CohortFiles(tmp_path)
    cf.tables["grades"].loc[2, "成绩"] = "abc"
    params = cf.write()
    wb = xlsxwriter.Workbook(str(tmp_path / "data" / "成绩库.xlsx"), {"strings_to_numbers": False})
    rows = _sheet_rows(wb.add_worksheet(), cf.tables["grades"], skip={2, 3, 10})
    wb.close()
    d = decide(load_cohort(load_params(params)))
    p = d.problems[d.problems["kind"] == Kind.NOT_A_GRADE]
    assert list(p["row"]) == [rows[2]] == [6]
    assert not (d.problems["kind"] == Kind.NOTE_ROW).any()  # blank rows are no notes
