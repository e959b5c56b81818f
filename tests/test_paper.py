"""Paper: widths within the page, titles on one line, subtitles broken between their parts, row heights fitted
to the wrapped text, charts never cut by a page break, the foot of a posted list."""
import openpyxl
import pandas as pd
import pytest
from xlsxwriter.exceptions import InvalidWorksheetName

from gradlib.outputs import paper
from gradlib.outputs.workbook import SEAL_ROOM, Book


def test_a_subtitle_breaks_between_its_parts_not_inside_a_date():
    text = "公示期：2027年6月24日至6月30日（公示期满后撤下）　　领取时间：2027年7月1日至7月15日"
    shown, lines = paper.break_lines(text, 60)
    assert shown.split("\n") == ["公示期：2027年6月24日至6月30日（公示期满后撤下）", "领取时间：2027年7月1日至7月15日"]
    assert lines == 2
    assert paper.break_lines(text, 120) == (text, 1)


def test_a_title_shrinks_to_fit_one_line_but_not_below_12_pt():
    title = "江西省通用技术工程学校 2027 届可领取毕业证名单"  # 48 wide at 11 pt
    assert paper.title_size(title, 80) == 16
    assert paper.title_size(title, 60) == 13
    assert paper.title_size(title, 20) == 12


def test_wrapped_columns_take_the_room_the_page_has():
    widths = paper.grow({0: 10, 1: 30, 2: 30}, {1: 50, 2: 90}, 20)
    assert widths[0] == 10 and widths[1] + widths[2] == 80 and widths[1] < 50
    assert paper.grow({0: 10, 1: 30}, {1: 50}, 100) == {0: 10, 1: 50}


def _chart(book, sh, block):
    chart = book.wb.add_chart({"type": "bar"})
    chart.add_series({"categories": [sh.name, block.first_row, 0, block.last_row, 0],
                      "values": [sh.name, block.first_row, 1, block.last_row, 1]})
    return chart


def test_a_chart_prints_below_a_short_table_and_on_its_own_page_after_a_long_one(tmp_path):
    book = Book(tmp_path / "charts.xlsx", internal=True)
    for name, n in (("短表", 8), ("长表", 60)):
        sh = book.sheet(name, f"{name}的标题", ["说明"])
        block = sh.table(pd.DataFrame({"专业": [f"专业{i}" for i in range(n)], "人数": range(n)}), numbers=("人数",))
        sh.chart(_chart(book, sh, block), f"{name}（图）", 1.5, 1.2)
        sh.finish(landscape=True)
    book.close()
    wb = openpyxl.load_workbook(tmp_path / "charts.xlsx")
    assert wb["短表"]._charts and not wb["长表"]._charts
    assert [c.title for c in wb.chartsheets] == ["长表（图）"]
    cs = wb["长表（图）"]
    assert cs.pageSetup.orientation == "landscape" and "内部资料" in cs.HeaderFooter.oddHeader.center.text


def test_row_heights_follow_the_wrapped_text(tmp_path):
    book = Book(tmp_path / "rows.xlsx", internal=False)
    sh = book.sheet("名单", "标题", [])
    short, two = "需到财务科办理手续", "需到财务科办理手续、需补考认定"
    long = "、".join(["需到财务科办理手续"] * 12)  # wider than any page
    sh.table(pd.DataFrame({"学号": ["1", "2", "3"], "需办理事项": [short, two, long]}), wrap=("需办理事项",),
             max_width=20, count="共 3 人")
    sh.sign("校企合作与就业办", "2027年6月24日")
    sh.finish(landscape=False)
    book.close()
    ws = openpyxl.load_workbook(tmp_path / "rows.xlsx").active
    assert ws.row_dimensions[3].height is None and ws.row_dimensions[4].height is None  # one line each: page room
    assert ws.row_dimensions[5].height >= 2 * paper.LINE_HEIGHT  # wraps even on the whole page width
    assert ws.column_dimensions["B"].width > 20  # widened past max_width because the page has room
    foot = [ws.cell(r, 2 if c else 1).value for r, c in ((6, 0), (7, 0), (8, 0), (9, 0))]
    assert foot == ["共 3 人", None, "校企合作与就业办", "2027年6月24日"]
    assert ws.row_dimensions[7].height == SEAL_ROOM and ws["A8"].alignment.horizontal == "right"


def test_sheet_names_stay_unique_case_ignored_and_excel_valid_in_a_book_of_many_sheets(tmp_path):
    book = Book(tmp_path / "names.xlsx", internal=True)
    names = [book.sheet(n).ws.name for n in ["机电1班", "Class A", "class a", "机电1班", "a/b", "x" * 40, "x" * 40]]
    assert names == ["机电1班", "Class A", "class a(2)", "机电1班(2)", "a_b", "x" * 31, "x" * 28 + "(2)"]
    with pytest.raises(InvalidWorksheetName):   # xlsxwriter's own checks of a name still hold
        book.wb.add_worksheet("😀" * 16)        # 32 UTF-16 units
    book.close()
    assert openpyxl.load_workbook(tmp_path / "names.xlsx").sheetnames == names
