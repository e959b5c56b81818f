"""Reading a CSV into text cells: every cell trimmed as the data contract says, however the file is written.

The reader skips the per-cell trim when the text holds no character that trimming could remove; these pin that
the skip never leaves a padded cell behind (a padded 学号 would not match the other departments' files).
"""
from __future__ import annotations

import pandas as pd
import pytest

from gradlib.sources.reading import _read_csv_frame


def _cells(text: str, encoding: str = "utf-8") -> list[list[str]]:
    return _read_csv_frame(text.encode(encoding)).values.tolist()


@pytest.mark.parametrize("pad", [" ", "\u3000", "\xa0", "\t", "\u2002", "\x0b"])
def test_a_cell_padded_with_any_kind_of_space_is_trimmed(pad):
    text = f"学号,姓名\r\n2024001,{pad}张三{pad}\r\n2024002,李四\r\n"
    assert _cells(text) == [["学号", "姓名"], ["2024001", "张三"], ["2024002", "李四"]]


def test_a_space_inside_a_cell_is_kept_and_its_padding_trimmed():
    text = "学号,提交日期\n2024001, 2027-05-01 10:00 \n2024002,2027-05-02 09:30\n"
    assert _cells(text) == [["学号", "提交日期"], ["2024001", "2027-05-01 10:00"], ["2024002", "2027-05-02 09:30"]]


def test_a_quoted_cell_ending_in_a_line_break_is_trimmed():
    text = '学号,备注\n2024001,"补考\n"\n'
    assert _cells(text) == [["学号", "备注"], ["2024001", "补考"]]


def test_a_file_without_spaces_reads_every_cell_as_written():
    rows = [["学号", "姓名", "班级"]] + [[f"2024{i:04d}", f"学生{i}", "24机电1班"] for i in range(200)]
    text = "\n".join(",".join(r) for r in rows) + "\n"
    assert _cells(text) == rows


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""),
                                          ("utf-16-le", b"\xff\xfe")])
def test_every_encoding_reads_the_same_cells_with_blank_lines_kept(encoding, bom):
    text = "学号,姓名\n\n2024001, 张三\n2024002,李四\n"
    frame = _read_csv_frame(bom + text.encode(encoding))
    assert frame.values.tolist() == [["学号", "姓名"], ["", ""], ["2024001", "张三"], ["2024002", "李四"]]
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())


def test_tab_separated_export_with_padded_cells():
    text = "学号\t姓名\n2024001\t 张三 \n"
    assert _cells(text) == [["学号", "姓名"], ["2024001", "张三"]]


def test_a_row_wider_than_the_first_fifty_is_read_whole():
    rows = [["学号", "姓名"]] + [[f"2024{i:04d}", "甲"] for i in range(60)] + [["2024999", "乙", "多出的一列"]]
    frame = _read_csv_frame(("\n".join(",".join(r) for r in rows) + "\n").encode())
    assert frame.shape == (62, 3)
    assert frame.iloc[-1].tolist() == ["2024999", "乙", "多出的一列"]
    assert frame.iloc[0].tolist() == ["学号", "姓名", ""]


def test_a_long_header_block_still_finds_the_widest_early_row():
    # first lines longer than the 64 KB the reader looks at to size the table
    wide = ",".join(f"课程{i}" for i in range(3000))
    text = "学号," + wide + "\n" + "2024001" + ",90" * 3000 + "\n"
    frame = _read_csv_frame(text.encode())
    assert frame.shape == (2, 3001)
    assert pd.Series(frame.iloc[1, 1:]).eq("90").all()
