"""The official lists (outputs.md), read back with openpyxl: names, print setup, privacy, membership, wording."""
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import CohortFiles
from conftest import run_decide

from gradlib import outputs as lists
from gradlib.formats import cn_date
from gradlib.outputs import database
from gradlib.outputs.compare import previous_run

S = [f"20240{i:05d}" for i in range(1, 7)]
DEADLINE = "2028年6月20日"
OUTCOME_SHEETS = {"NOT_ELIGIBLE": "不具备毕业资格", "WITHHELD": "缓发毕业证书", "DEFERRED": "暂缓领取", "COLLECT": "可领取"}
FIXED = ["毕业审核结果（内部）.xlsx", "可领取毕业证名单.xlsx", "暂缓领取毕业证名单.xlsx", "毕业证及报到证领取花名册（内部）.xlsx",
         "毕业证邮寄清单（内部）.xlsx", "顶岗实习情况统计.xlsx", "毕业生信息库（内部）.xlsx", "数据问题清单（内部）.xlsx"]
PUBLIC = ["可领取毕业证名单.xlsx", "暂缓领取毕业证名单.xlsx", "顶岗实习情况统计.xlsx"]
ID_COLUMNS = {"学号", "校内学号", "身份证号", "证书编号", "毕业证书编号", "电话", "联系电话", "邮编", "邮政编码", "中考报名序号"}


def bent_cohort(root: Path) -> CohortFiles:
    """Six students, one of each situation, with names and addresses that look like formulas."""
    cf = CohortFiles(root)
    t = cf.tables
    fees = t["fees"]
    fees.loc[(fees["学号"] == S[0]) & (fees["收费项目"] == "学费"), "已缴金额"] = "1900"      # 0: owes 500 → DEFERRED
    g = t["grades"]
    g.loc[(g["学号"] == S[1]) & (g["课程代码"] == "C01"), ["成绩", "补考成绩"]] = ["45", "52"]  # 1: WITHHELD
    t["students"].loc[1, "姓名"] = '=HYPERLINK("http://x","点我")'
    t["internship"].loc[2, "实习报告"] = "否"                                                  # 2: waived → COLLECT
    cf.waivers = pd.DataFrame([{"学号": S[2], "原因代码": "INTERNSHIP_REPORT_MISSING", "理由": "已随单位材料归档",
                                "批准人": "就业办 李某", "日期": "2027-06-25"}])
    t["students"].loc[3, "学籍状态"] = "退学"                                                  # 3: NOT_ELIGIBLE
    t["students"].loc[4, "姓名"] = "@李四"                                                     # 4: COLLECT, no address
    t["students"].loc[5, "姓名"] = "-杨磊"                                                     # 5: COLLECT, Beijing
    a = t["addresses"]
    a.loc[0, "邮寄地址"] = "=江西省南昌市青山湖区北京东路1号"
    a.loc[2, "邮寄地址"] = "广西壮族自治区南宁市青秀区民族大道1号"
    a.loc[5, ["收件人", "联系电话", "邮寄地址"]] = ["+杨磊", "-13912345678", "北京市海淀区中关村大街1号"]
    t["addresses"] = a[a["学号"] != S[4]].reset_index(drop=True)
    return cf


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("lists")
    cf = bent_cohort(root / "cohort")
    d = run_decide(cf)
    run_dir = root / "outputs" / "2027" / ".20270625-100000.partial"
    run_dir.mkdir(parents=True)
    paths = lists.write_outputs(d, run_dir)
    decisions = pd.read_csv(run_dir / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return cf, d, run_dir, paths, decisions.set_index("student_id")


def workbooks(folder: Path):
    return sorted(folder.rglob("*.xlsx"))


def table(ws):
    """(header, rows as cells) of a one-table sheet: the header is the last repeated row, rows end at the count line."""
    last = int(ws.print_title_rows.split(":")[1].strip("$"))
    merged = {r.min_row for r in ws.merged_cells.ranges}
    rows = list(ws.iter_rows(min_row=last))
    header = [c.value for c in rows[0]]
    data = []
    for row in rows[1:]:
        if row[0].row in merged:
            break
        data.append(row)
    return header, data


def records(ws) -> pd.DataFrame:
    header, data = table(ws)
    return pd.DataFrame([[c.value for c in row] for row in data], columns=header).fillna("")


def ids(ws, column="学号") -> list[str]:
    return list(records(ws)[column])


def test_every_workbook_by_its_exact_name_and_returned(run):
    _, d, run_dir, paths, _ = run
    names = {p.relative_to(run_dir).as_posix() for p in paths}
    classes = sorted(set(d.table["班级"]))
    assert names == {"decisions.csv", *FIXED, *(f"班主任通知/{c}（内部）.xlsx" for c in classes)}
    assert all(p.exists() for p in paths)
    assert {p.relative_to(run_dir).as_posix() for p in workbooks(run_dir)} == names - {"decisions.csv"}


def test_print_setup_on_every_sheet(run):
    _, _, run_dir, _, _ = run
    for path in workbooks(run_dir):
        for ws in openpyxl.load_workbook(path):
            where = (path.name, ws.title)
            assert str(ws.page_setup.paperSize) == "9", where
            assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", where
            assert ws.print_title_rows, where                   # header (and title) rows repeat on every page
            assert ws.freeze_panes, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None), where
            width = sum(ws.column_dimensions[c].width or 0 for c in ws.column_dimensions)
            assert width > 0 and (width <= 100 or ws.page_setup.orientation == "landscape"), where  # wide → landscape


def test_title_rows_name_school_cohort_list_and_public_dates(run):
    cf, d, run_dir, _, _ = run
    p = d.cohort.params
    for name in ("可领取毕业证名单", "暂缓领取毕业证名单"):
        ws = openpyxl.load_workbook(run_dir / f"{name}.xlsx").active
        assert ws["A1"].value.startswith(f"江西省通用技术工程学校 2027 届{name}")
        assert "公示期：2027年6月24日至6月30日" in ws["A2"].value and "领取时间：2027年7月1日至7月15日" in ws["A2"].value
        header, data = table(ws)
        assert ws.print_title_rows == f"$1:${data[0][0].row - 1}" and header[0] == "序号"  # title + header repeat
        assert ws.freeze_panes == f"A{data[0][0].row}"
    assert p.posting_period[0].isoformat() == "2027-06-24"
    collect = openpyxl.load_workbook(run_dir / "可领取毕业证名单.xlsx").active
    # the issue window once, in the subtitle, which breaks between its parts rather than inside a date
    assert collect["A1"].value == "江西省通用技术工程学校 2027 届可领取毕业证名单"
    assert "领取时间" not in collect["A1"].value and collect["A2"].value.count("领取时间") == 1
    lines = collect["A2"].value.split("\n")
    assert len(lines) == 2 and lines[1] == "领取时间：2027年7月1日至7月15日" and collect["A2"].alignment.wrap_text
    # the narrow table is as wide as its title at 16 pt (one line on the page)
    width = sum(collect.column_dimensions[c].width for c in "ABCDE")
    assert width >= 1.45 * 48 and collect["A1"].font.sz == 16


def test_wide_lists_are_landscape_and_narrow_public_list_portrait(run):
    _, _, run_dir, _, _ = run

    def orient(f, s=None):
        wb = openpyxl.load_workbook(run_dir / f)
        return (wb[s] if s else wb.active).page_setup.orientation

    assert orient("可领取毕业证名单.xlsx") == "portrait"
    assert orient("毕业审核结果（内部）.xlsx", "暂缓领取") == "landscape"
    assert orient("毕业证邮寄清单（内部）.xlsx", "邮寄清单") == "landscape"
    assert orient("班主任通知/24机电1班（内部）.xlsx") == "landscape"


def test_internal_workbooks_say_so_on_every_page_and_public_ones_do_not(run):
    _, _, run_dir, _, _ = run
    for path in workbooks(run_dir):
        internal = re.search(r"（内部）(-\d+)?$", path.stem) is not None
        assert internal != (path.name in PUBLIC), path.name
        for ws in openpyxl.load_workbook(path):
            head = ws.oddHeader.center.text or ""
            assert ("内部资料 请勿外传" in head) == internal, (path.name, ws.title)


def test_no_formula_anywhere_even_for_hostile_names_and_addresses(run):
    _, _, run_dir, _, _ = run
    for path in workbooks(run_dir):
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.startswith("xl/worksheets/sheet"):
                    assert not re.search(rb"<f[ >]", z.read(n)), (path.name, n)
        for ws in openpyxl.load_workbook(path):
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), (path.name, ws.title)
    deferred = records(openpyxl.load_workbook(run_dir / "暂缓领取毕业证名单.xlsx").active)
    assert '=HYPERLINK("http://x","点我")' in set(deferred["姓名"])
    collect = records(openpyxl.load_workbook(run_dir / "可领取毕业证名单.xlsx").active)
    assert {"@李四", "-杨磊"} <= set(collect["姓名"])
    mail = records(openpyxl.load_workbook(run_dir / "毕业证邮寄清单（内部）.xlsx")["邮寄清单"])
    assert {"+杨磊"} <= set(mail["收件人"]) and "-13912345678" in set(mail["电话"])
    packet = records(openpyxl.load_workbook(run_dir / "班主任通知/24机电1班（内部）.xlsx").active)
    assert "=江西省南昌市青山湖区北京东路1号" in set(packet["邮寄地址"])


def test_identifiers_are_stored_as_text(run):
    _, _, run_dir, _, _ = run
    seen = 0
    for path in workbooks(run_dir):
        for ws in openpyxl.load_workbook(path):
            if ws.title in ("汇总", "按专业", "按专业和班级", "按地区统计"):
                continue
            header, data = table(ws)
            for j, h in enumerate(header):
                if h in ID_COLUMNS:
                    for row in data:
                        if row[j].value not in (None, ""):
                            assert row[j].data_type == "s", (path.name, ws.title, h)
                            seen += 1
    assert seen > 40


def _outcome_ids(decisions, *outcomes):
    return set(decisions.index[decisions["outcome"].isin(outcomes)])


def test_membership_of_each_list_equals_the_outcomes_in_decisions_csv(run):
    _, d, run_dir, _, dec = run
    assert set(dec["outcome"]) == {"COLLECT", "DEFERRED", "WITHHELD", "NOT_ELIGIBLE"}

    def load(f):
        return openpyxl.load_workbook(run_dir / f)

    assert set(ids(load("可领取毕业证名单.xlsx").active)) == _outcome_ids(dec, "COLLECT")
    assert set(ids(load("暂缓领取毕业证名单.xlsx").active)) == _outcome_ids(dec, "DEFERRED", "WITHHELD")
    roster = load("毕业证及报到证领取花名册（内部）.xlsx")
    got = [i for ws in roster for i in ids(ws)]
    assert sorted(got) == sorted(_outcome_ids(dec, "COLLECT"))
    cls = d.table.set_index("student_id")["班级"]
    for ws in roster:
        assert {cls[i] for i in ids(ws)} == {ws.title}
    db = load("毕业生信息库（内部）.xlsx")
    assert sorted(i for ws in db for i in ids(ws, "校内学号")) == sorted(_outcome_ids(dec, "COLLECT", "DEFERRED"))
    mail = load("毕业证邮寄清单（内部）.xlsx")
    mailed, none = set(ids(mail["邮寄清单"])), set(ids(mail["无邮寄地址"]))
    assert mailed | none == _outcome_ids(dec, "COLLECT") and not mailed & none and none == {S[4]}
    results = load("毕业审核结果（内部）.xlsx")
    for code, sheet in OUTCOME_SHEETS.items():
        assert set(ids(results[sheet])) == _outcome_ids(dec, code), sheet
    packets = [i for p in (run_dir / "班主任通知").glob("*.xlsx") for i in ids(openpyxl.load_workbook(p).active)]
    assert sorted(packets) == sorted(dec.index)


def test_lists_are_sorted_by_class_then_student_id(run):
    _, d, run_dir, _, _ = run
    r = records(openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")["可领取"])
    assert list(zip(r["班级"], r["学号"])) == sorted(zip(r["班级"], r["学号"]))
    assert list(r["序号"]) == list(range(1, len(r) + 1))
    ws = openpyxl.load_workbook(run_dir / "可领取毕业证名单.xlsx").active
    foot = [ws.cell(r, 1).value for r in range(ws.max_row - 3, ws.max_row + 1)]
    assert foot == [f"共 {len(records(ws))} 人", None, "校企合作与就业办", "2027年6月24日"]


def test_public_workbooks_hold_no_id_address_phone_amount_or_grade(run):
    cf, d, run_dir, _, _ = run
    s = cf.tables["students"]
    addresses = set(s["家庭地址"]) | set(cf.tables["addresses"]["邮寄地址"])
    phones = set(s["联系电话"]) | set(cf.tables["addresses"]["联系电话"])
    allowed = {"序号", "专业", "班级", "学号", "姓名", "结论", "需办理事项", "截止日期"}
    for name in PUBLIC:
        wb = openpyxl.load_workbook(run_dir / name)
        text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
        assert not re.search(r"\d{17}[\dXx]|\d{6}\*+\d{3,4}[\dXx]?|\*{4,}", text), name
        for v in s["身份证号"]:
            assert v not in text and v[-4:] + "\n" not in text, name
        for v in addresses | phones:
            assert v not in text, (name, v)
        for bad in ("元", "500", "1900", "成绩", "补考 ", "45", "52", "不及格", "出生", "地址", "电话"):
            assert bad not in text, (name, bad)
        if name != "顶岗实习情况统计.xlsx":
            assert set(table(wb.active)[0]) <= allowed, name
    stats = openpyxl.load_workbook(run_dir / "顶岗实习情况统计.xlsx").active
    names = set(s["姓名"]) | {S[0]}
    cells = {str(c.value) for row in stats.iter_rows() for c in row if c.value is not None}
    assert not cells & names  # counts only: no student


def test_public_wording_and_the_withheld_deadline(run):
    _, _, run_dir, _, _ = run
    r = records(openpyxl.load_workbook(run_dir / "暂缓领取毕业证名单.xlsx").active).set_index("学号")
    assert r.loc[S[0], "需办理事项"] == "需到财务科办理手续" and r.loc[S[0], "截止日期"] == ""
    assert r.loc[S[1], "需办理事项"] == "需补考认定" and r.loc[S[1], "截止日期"] == DEADLINE
    assert r.loc[S[1], "结论"] == "缓发毕业证书"


def test_deadline_shown_wherever_the_withheld_student_is_listed(run):
    _, _, run_dir, _, _ = run
    res = records(openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")["缓发毕业证书"]).set_index("学号")
    assert res.loc[S[1], "截止日期"] == DEADLINE
    packet = records(openpyxl.load_workbook(run_dir / "班主任通知/24机电1班（内部）.xlsx").active).set_index("学号")
    assert packet.loc[S[1], "截止日期"] == DEADLINE
    assert f"请于{DEADLINE}前到教务科" in packet.loc[S[1], "需办理事项"]
    assert (packet.drop(index=S[1])["截止日期"] == "").all()


def test_packet_tells_each_student_what_to_do_and_marks_missing_addresses(run):
    _, _, run_dir, _, _ = run
    wb = openpyxl.load_workbook(run_dir / "班主任通知/24机电1班（内部）.xlsx")
    ws = wb.active
    r = records(ws).set_index("学号")
    assert r.loc[S[0], "需办理事项"] == "欠缴学杂费 500.00 元，请于7月15日前到财务科补交"
    assert r.loc[S[0], "结论"] == "暂缓领取"
    assert "语文（C01）：成绩 45、补考 52" in r.loc[S[1], "需办理事项"]
    assert r.loc[S[2], "需办理事项"] == "无需办理"  # the waived reason needs nothing
    other = records(openpyxl.load_workbook(run_dir / "班主任通知/24计算机1班（内部）.xlsx").active).set_index("学号")
    assert other.loc[S[4], "邮寄地址"] == "" and other.loc[S[4], "收件人"] == ""
    ws2 = openpyxl.load_workbook(run_dir / "班主任通知/24计算机1班（内部）.xlsx").active
    header, data = table(ws2)
    row = next(row for row in data if row[header.index("学号")].value == S[4])
    assert row[header.index("邮寄地址")].fill.fgColor.rgb.endswith("FFF2CC")  # shaded: fill in by hand
    assert "赵老师" in ws["A2"].value
    assert "本班共 3 人" in ws.cell(ws.max_row, 1).value


def test_results_show_evidence_waivers_and_amounts(run):
    _, _, run_dir, _, _ = run
    wb = openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")
    assert wb.sheetnames[:8] == ["汇总", "汇总（图一）", "汇总（图二）", "不具备毕业资格", "缓发毕业证书", "暂缓领取", "可领取",
                                 "与上次对比"]  # the summary's charts, each on a page of its own
    w = records(wb["缓发毕业证书"]).set_index("学号")
    assert w.loc[S[1], "原因"] == "课程经补考、清考后仍不合格（第十五条）"
    assert w.loc[S[1], "情况说明"] == "语文（C01）：成绩 45、补考 52"
    dfr = records(wb["暂缓领取"]).set_index("学号")
    assert dfr.loc[S[0], "欠费金额（元）"] == 500 and "欠缴 500.00 元" in dfr.loc[S[0], "情况说明"]
    c = records(wb["可领取"]).set_index("学号")
    assert c.loc[S[2], "原因"] == "" and "批准人：就业办 李某" in c.loc[S[2], "已豁免"]
    assert "2027-06-25" in c.loc[S[2], "已豁免"]
    ne = records(wb["不具备毕业资格"]).set_index("学号")
    assert "学籍状态：退学" in ne.loc[S[3], "情况说明"]
    assert [c.title for c in wb.chartsheets] == ["汇总（图一）", "汇总（图二）"], "summary charts"


def test_summary_counts_add_up(run):
    _, d, run_dir, _, dec = run
    ws = openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")["汇总"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 12)}
    for code, label in OUTCOME_SHEETS.items():
        assert values[label] == (dec["outcome"] == code).sum()


def test_mailing_list_grouped_by_province_and_city(run):
    _, _, run_dir, _, _ = run
    wb = openpyxl.load_workbook(run_dir / "毕业证邮寄清单（内部）.xlsx")
    m = records(wb["邮寄清单"]).set_index("学号")
    assert (m.loc[S[5], "省份"], m.loc[S[5], "城市"]) == ("北京市", "北京市")
    assert (m.loc[S[2], "省份"], m.loc[S[2], "城市"]) == ("广西壮族自治区", "南宁市")
    assert list(m.index) == [S[5], S[2]]  # 北京 before 广西 (GB/T 2260 order)
    assert set(m["寄送内容"]) == {"毕业证书、报到证"}
    assert records(wb["无邮寄地址"]).set_index("学号").loc[S[4], "说明"] == "邮寄地址表中无该生"


def test_internship_statistics_are_counts_per_major_and_class(run):
    _, d, run_dir, _, _ = run
    from gradlib.outputs.internship import by_class, by_major
    m = by_major(d).set_index("专业")
    assert m.loc["合计", "学生人数"] == 6 and m.loc["合计", "已交实习报告"] == 5
    assert (m.loc["合计", ["考核合格", "考核不合格", "未考核", "无实习记录"]].sum()) == 6
    c = by_class(d)
    assert list(c["班级"]) == ["24机电1班", "24计算机1班"]
    wb = openpyxl.load_workbook(run_dir / "顶岗实习情况统计.xlsx")
    assert wb["按专业"]._charts
    for ws in wb:  # each sheet one table: its header row (with 学生人数) repeats on every printed page
        last = int(ws.print_title_rows.split(":")[-1].lstrip("$"))
        assert "学生人数" in [c.value for c in ws[last]], ws.title


def test_problems_workbook_has_every_problem_with_chinese_headers(run):
    _, d, run_dir, _, _ = run
    ws = openpyxl.load_workbook(run_dir / "数据问题清单（内部）.xlsx").active
    header, data = table(ws)
    assert header == ["文件", "工作表", "行号", "列", "值", "问题", "应为", "学号"]
    assert len(data) == len(d.problems)


def test_graduate_database_has_national_headers_and_full_data(run):
    cf, _, run_dir, _, _ = run
    ws = openpyxl.load_workbook(run_dir / "毕业生信息库（内部）.xlsx").active
    header, data = table(ws)
    assert ws.print_title_rows == "$1:$1" and header[:4] == ["校内学号", "姓名", "性别", "身份证号"]
    assert {"现家庭住址", "修读专业", "毕业证书编号", "出生日期", "政治面貌"} <= set(header)
    assert [h for h in header if h.isascii()] == []  # none of gradlib's own columns (id_other_type was)
    r = records(ws).set_index("校内学号")
    s = cf.tables["students"].set_index("学号")
    assert r.loc[S[0], "身份证号"] == s.loc[S[0], "身份证号"] and r.loc[S[0], "出生日期"] == "2008-01-15"


def test_graduate_database_splits_into_sheets_and_numbered_files(tmp_path):
    n = 6500
    rows = pd.DataFrame({"校内学号": [f"{i:08d}" for i in range(n)], "姓名": "某某", "身份证号": "x"})
    paths = database.write_rows(rows, tmp_path, lists.LIST_BY_KEY["database"])
    assert [p.name for p in paths] == ["毕业生信息库（内部）-1.xlsx", "毕业生信息库（内部）-2.xlsx"]
    got = []
    for p, sizes in zip(paths, ([2000, 2000, 2000], [500])):
        wb = openpyxl.load_workbook(p, read_only=True)
        assert len(wb.sheetnames) == len(sizes)
        for ws, size in zip(wb, sizes):
            values = list(ws.iter_rows(values_only=True))
            assert values[0] == ("校内学号", "姓名", "身份证号") and len(values) - 1 == size
            got += [v[0] for v in values[1:]]
    assert got == list(rows["校内学号"])
    (tmp_path / "six").mkdir()
    one = database.write_rows(rows.head(6000), tmp_path / "six", lists.LIST_BY_KEY["database"])
    assert [p.name for p in one] == ["毕业生信息库（内部）.xlsx"]
    assert openpyxl.load_workbook(one[0], read_only=True).sheetnames == ["毕业生1", "毕业生2", "毕业生3"]


def test_first_run_comparison_is_empty_with_a_note(run):
    _, _, run_dir, _, _ = run
    ws = openpyxl.load_workbook(run_dir / "毕业审核结果（内部）.xlsx")["与上次对比"]
    assert "首次运行" in ws["A2"].value and records(ws).empty


def test_comparison_finds_exactly_the_student_whose_input_changed(run, tmp_path):
    cf, _, run_dir, _, _ = run
    out = tmp_path / "outputs" / "2027"
    first = out / "20270625-100000"
    shutil.copytree(run_dir, first)                       # the first run, finished
    (out / ".20270626-090000.partial").mkdir()            # a run in progress is never "previous"
    (out / ".failed-20270626-080000").mkdir()
    cf2 = CohortFiles(tmp_path / "cohort2", tables=cf.tables)
    cf2.waivers = cf.waivers
    cf2.tables["internship"].loc[cf2.tables["internship"]["学号"] == S[4], "实习考核"] = "不及格"
    d2 = run_decide(cf2)
    second = out / ".20270626-100000.partial"
    second.mkdir()
    assert previous_run(second) == first
    lists.write_outputs(d2, second)
    ws = openpyxl.load_workbook(second / "毕业审核结果（内部）.xlsx")["与上次对比"]
    r = records(ws)
    assert list(r["学号"]) == [S[4]]
    row = r.iloc[0]
    assert (row["上次结论"], row["本次结论"], row["本次截止日期"]) == ("可领取", "缓发毕业证书", DEADLINE)
    assert row["本次原因"] == "顶岗实习考核不合格" and row["姓名"] == "@李四"
    assert first.name in ws["A2"].value


def test_nothing_is_written_without_a_run_folder(run):
    _, d, _, _, _ = run
    assert lists.write_outputs(d, "") == []


def test_cn_date():
    import datetime as dt
    assert cn_date(dt.date(2028, 6, 20)) == DEADLINE


def test_internship_chart_has_every_chinese_glyph(run):
    import io
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gradlib.outputs.internship import internship_chart
    _, d, _, _, _ = run
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = internship_chart(d)
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert not [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert set(labels) == {"机电技术应用", "计算机应用"} and fig.axes[0].get_title() == "各专业顶岗实习考核情况"


def test_all_lists_for_a_realistic_demo_cohort(tmp_path):
    """Every class gets a packet and the public list holds exactly the COLLECT students (speed: `make bench`)."""
    from gradlib import demo
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    d = decide(load_cohort(load_params(demo.write_demo(tmp_path / "demo", students=800, seed=7, photos=False))))
    run_dir = tmp_path / "out" / "2027" / ".run.partial"
    run_dir.mkdir(parents=True)
    paths = lists.write_outputs(d, run_dir)
    packets = [p for p in paths if p.parent.name == "班主任通知"]
    assert len(packets) == d.table["班级"].nunique()
    n = sum(1 for _ in openpyxl.load_workbook(run_dir / "可领取毕业证名单.xlsx", read_only=True).active.iter_rows())
    assert n - 7 == (d.table["outcome"] == "COLLECT").sum()  # title, dates, header, count line, seal, office, date


def test_an_id_that_arrived_as_a_number_is_never_copied_into_the_database(tmp_path):
    from builders import CohortFiles, write_xlsx

    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort
    cf = CohortFiles(tmp_path)
    params = cf.write()
    st = cf.tables["students"].copy()
    st.loc[0, "身份证号"] = "360102200801150030"
    write_xlsx(tmp_path / "data" / "学籍库.xlsx", st, numeric={"身份证号": [0]})
    d = decide(load_cohort(load_params(params)))
    rows = database.database_rows(d).set_index("校内学号")
    assert rows.loc["2024000001", "身份证号"] == ""  # DEFERRED (ID_INVALID), listed, but its ID is not guessed
    assert rows.loc["2024000002", "身份证号"] == st.loc[1, "身份证号"]
