"""The review panel without a browser: set widget values, click buttons, read the waivers file (issue #4)."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import CohortFiles
from conftest import outcome_of

from gradlib.params import load_params
from gradlib.review import panel as review_module
from gradlib.review.index import WAIVED_ANY, what_if
from gradlib.review.panel import ReviewPanel, panel_for, review_panel
from gradlib.review.summary import STATIC_TITLE
from gradlib.rules import decide
from gradlib.sources import load_cohort
from gradlib.sources import waivers as waiver_log

HEADER = "学号,原因代码,理由,批准人,日期,操作,记录人,记录时间\n"
S1, S2, S3, S4, S5, S6 = (f"20240{i:05d}" for i in range(1, 7))


def review_cohort(root: Path, waivers: str | None = HEADER, encoding="utf-8-sig") -> Path:
    """Six students: S2 owes fees (DEFERRED), S3 lacks the internship report (DEFERRED), S4 failed a course
    and owes fees (WITHHELD), S5 has an invalid ID (DEFERRED, not waivable), S1 and S6 may collect."""
    cf = CohortFiles(root)
    t = cf.tables
    t["fees"].loc[1, "已缴金额"] = "1000"   # S2 学费: owes 1400
    t["fees"].loc[3, "已缴金额"] = "2000"   # S4 学费: owes 400
    t["internship"].loc[2, "实习报告"] = "否"
    g = t["grades"]
    g.loc[(g["学号"] == S4) & (g["课程代码"] == "A01"), ["成绩", "补考成绩", "清考成绩"]] = ["40", "50", "缺考"]
    sid5 = t["students"].loc[4, "身份证号"]
    t["students"].loc[4, "身份证号"] = sid5[:-1] + ("1" if sid5[-1] != "1" else "2")
    params = cf.write()
    if waivers is not None:
        (root / "waivers.csv").write_bytes(waivers.encode(encoding))
        params.write_text(params.read_text(encoding="utf-8") + "waivers: waivers.csv\n", encoding="utf-8")
    return params


def fill_and_submit(panel: ReviewPanel, text="家庭困难，经校长批准缓交", approver="王校长", recorder="教务处 李老师"):
    panel.form_text.value = text
    panel.form_approver.value = approver
    panel.form_recorder.value = recorder
    panel.form_submit.click()


def rows_of(path: Path, encoding="utf-8-sig") -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)


@pytest.fixture
def params(tmp_path):
    return review_cohort(tmp_path / "cohort")


@pytest.fixture
def panel(params):
    return panel_for(params)


def test_list_is_in_review_order_and_counts_add_up(panel):
    assert panel.page_students() == [S4, S2, S3, S5, S1, S6]  # most severe first, then 班级, 学号
    labels = [b.description for b in panel.count_buttons.values()]
    assert labels == ["全部 6", "不具备毕业资格 0", "缓发毕业证书 1", "暂缓领取 3", "可领取 2"]


def test_filters_by_outcome_reason_major_and_class(panel):
    panel.outcome.value = "DEFERRED"
    assert panel.page_students() == [S2, S3, S5]
    panel.reason.value = "FEES_OWED"
    assert panel.page_students() == [S2]
    panel.outcome.value = ""
    assert panel.page_students() == [S4, S2]
    panel.reason.value = ""
    panel.major.value = "计算机应用"
    assert panel.page_students() == [S4, S5, S6]
    panel.major.value = ""
    panel.klass.value = "24机电1班"
    assert panel.page_students() == [S2, S3, S1]
    panel.clear.click()
    assert panel.page_students() == [S4, S2, S3, S5, S1, S6]


def test_count_buttons_are_outcome_filters(panel):
    panel.count_buttons["WITHHELD"].click()
    assert panel.outcome.value == "WITHHELD" and panel.page_students() == [S4]
    assert panel.count_buttons["WITHHELD"].button_style == "info"
    panel.count_buttons[""].click()
    assert len(panel.page_students()) == 6


def test_search_by_student_id_or_name(panel):
    panel.search.value = "王芳"
    assert panel.page_students() == [S3]
    assert panel.selected == 2  # a single hit opens its detail
    panel.search.value = "2024000006"
    assert panel.page_students() == [S6]
    panel.search.value = "20240000"
    assert len(panel.page_students()) == 6
    panel.search.value = "不存在的人"
    assert panel.page_students() == [] and "共 0 名" in panel.result_note.value


def test_paging(params):
    panel = ReviewPanel(decide(load_cohort(load_params(params))), page_size=4)
    assert panel.page_students() == [S4, S2, S3, S5] and panel.prev.disabled
    panel.next.click()
    assert panel.page_students() == [S1, S6] and panel.next.disabled
    assert panel.rows[1].layout.display == "flex" and panel.rows[2].layout.display == "none"


def test_detail_shows_every_piece_of_evidence(panel):
    panel.open_student(S4)
    text = panel.detail.value + panel.evidence.value
    assert "缓发毕业证书" in panel.detail.value and "缓发截止日期：2028-06-20" in panel.detail.value
    assert "成绩 40、补考 50、清考 缺考" in text             # the failed course with every attempt
    assert "2400.00" in text and "2000.00" in text and "400.00" in text  # due, paid, owed
    assert "2027-05-20" in text and "2027-05-31" in text      # internship date against the due date
    assert ".jpg" in text and "符合规格" in text                # photo check
    assert "校验通过" in text                                   # ID check
    panel.open_student(S5)
    assert "校验位错误" in panel.detail.value + panel.evidence.value


def test_waiver_form_offers_only_the_students_waivable_reasons(panel):
    panel.open_student(S4)  # COURSE_FAILED (not waivable) and FEES_OWED
    assert [v for _, v in panel.form_reason.options] == ["FEES_OWED"]
    assert {v for _, v in panel.whatif_reasons.options} == {"COURSE_FAILED", "FEES_OWED"}
    panel.open_student(S5)  # ID_INVALID only: nothing to waive
    assert [v for _, v in panel.form_reason.options] == [""] and panel.form_submit.disabled
    panel.open_student(S1)
    assert panel.form_submit.disabled


def test_waiver_is_appended_to_the_file_and_the_outcome_recomputed(panel, params):
    path = params.parent / "waivers.csv"
    panel.count_buttons["DEFERRED"].click()
    panel.row_buttons[0].click()  # S2, the first deferred
    assert panel.selected == 1 and panel.form_reason.value == "FEES_OWED"
    assert panel.form_date.value == dt.date.today()
    fill_and_submit(panel)
    assert panel.errors.value == ""
    w = rows_of(path)
    assert len(w) == 1
    row = w.iloc[0]
    assert (row["学号"], row["原因代码"], row["理由"], row["批准人"], row["操作"], row["记录人"]) == \
        (S2, "FEES_OWED", "家庭困难，经校长批准缓交", "王校长", "豁免", "教务处 李老师")
    assert row["日期"] == dt.date.today().isoformat() and row["记录时间"].startswith(dt.date.today().isoformat())
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["记录时间"])  # as the office writes it, no T
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    # recomputed in place: outcome, counts, list (still filtered to DEFERRED) and detail
    assert outcome_of(panel.decisions, S2) == ("COLLECT", set(), {"FEES_OWED"})
    assert "可领取" in panel.detail.value and "已豁免（王校长" in panel.detail.value
    assert panel.page_students() == [S3, S5]
    assert panel.count_buttons["COLLECT"].description == "可领取 3"
    assert "暂缓领取" in panel.form_status.value and "可领取" in panel.form_status.value
    # the same file read by a fresh load gives the same decision
    assert outcome_of(decide(load_cohort(load_params(params))), S2) == ("COLLECT", set(), {"FEES_OWED"})


def test_waiving_one_reason_of_a_withheld_student_keeps_the_other(panel):
    panel.open_student(S4)
    fill_and_submit(panel)
    assert outcome_of(panel.decisions, S4) == ("WITHHELD", {"COURSE_FAILED"}, {"FEES_OWED"})


def test_revocation_is_a_new_row_and_restores_the_reason(panel, params):
    path = params.parent / "waivers.csv"
    panel.open_student(S2)
    fill_and_submit(panel)
    before = path.read_bytes()
    panel.operation.value = "撤销"
    assert [v for _, v in panel.form_reason.options] == ["FEES_OWED"]
    fill_and_submit(panel, text="缴费记录有误，撤销豁免")
    after = path.read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # appended, nothing rewritten
    w = rows_of(path)
    assert list(w["操作"]) == ["豁免", "撤销"] and list(w["原因代码"]) == ["FEES_OWED", "FEES_OWED"]
    assert outcome_of(panel.decisions, S2) == ("DEFERRED", {"FEES_OWED"}, set())
    assert "已撤销" in panel.evidence.value
    assert outcome_of(decide(load_cohort(load_params(params))), S2) == ("DEFERRED", {"FEES_OWED"}, set())


@pytest.mark.parametrize("field", ["form_text", "form_approver", "form_recorder"])
def test_blank_required_field_records_nothing(panel, params, field):
    path = params.parent / "waivers.csv"
    panel.open_student(S2)
    panel.form_text.value, panel.form_approver.value, panel.form_recorder.value = "理由", "王校长", "李老师"
    getattr(panel, field).value = "   "
    panel.form_submit.click()
    assert path.read_text(encoding="utf-8-sig") == HEADER
    assert "未记录" in panel.form_status.value and "必填" in panel.form_status.value
    assert outcome_of(panel.decisions, S2)[0] == "DEFERRED"


def test_non_waivable_reason_is_refused_even_if_forced(panel, params):
    panel.open_student(S4)
    with pytest.raises(waiver_log.WaiverRejected):
        waiver_log.make_row(S4, "COURSE_FAILED", "x", "y", dt.date.today(), "豁免", "z")
    panel.form_reason.options = [("课程经补考、清考后仍不合格", "COURSE_FAILED")]
    fill_and_submit(panel)
    assert (params.parent / "waivers.csv").read_text(encoding="utf-8-sig") == HEADER
    assert "未记录" in panel.form_status.value


def test_what_if_previews_without_recording_and_agrees_with_decide(panel, params):
    path = params.parent / "waivers.csv"
    d = panel.decisions
    for idx, codes in ((1, {"FEES_OWED"}), (3, {"COURSE_FAILED"}), (3, {"COURSE_FAILED", "FEES_OWED"}),
                       (4, {"ID_INVALID"}), (0, set())):
        expected = decide(d.cohort, resolved={idx: codes}).table["outcome"].iat[idx]
        assert what_if(d, idx, codes) == expected
    panel.open_student(S4)
    panel.whatif_reasons.value = ("COURSE_FAILED",)
    panel.whatif_button.click()
    assert "暂缓领取" in panel.whatif_result.value and "仅预览" in panel.whatif_result.value
    assert path.read_text(encoding="utf-8-sig") == HEADER
    assert outcome_of(panel.decisions, S4)[0] == "WITHHELD"


def test_filter_by_waived_reason(panel):
    panel.open_student(S2)
    fill_and_submit(panel)
    panel.reason.value = WAIVED_ANY
    assert panel.page_students() == [S2]


def test_params_without_waivers_file_cannot_record(tmp_path):
    params = review_cohort(tmp_path / "c", waivers=None)
    panel = panel_for(params)
    expected = params.parent / "2027.waivers.csv"
    assert str(expected) in panel.file_note.value and "waivers: 2027.waivers.csv" in panel.file_note.value
    panel.open_student(S2)
    assert panel.form_submit.disabled
    fill_and_submit(panel)
    with pytest.raises(waiver_log.WaiverRejected):
        panel.record()
    assert not expected.exists()


def test_named_waivers_file_that_does_not_exist_is_created_by_the_first_waiver(tmp_path):
    params = review_cohort(tmp_path / "c", waivers=None)
    params.write_text(params.read_text(encoding="utf-8") + "waivers: 2027.waivers.csv\n", encoding="utf-8")
    panel = panel_for(params)
    assert "第一次记录豁免时" in panel.file_note.value
    panel.open_student(S2)
    fill_and_submit(panel)
    path = params.parent / "2027.waivers.csv"
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == HEADER.strip()
    assert outcome_of(panel.decisions, S2)[0] == "COLLECT"
    assert outcome_of(decide(load_cohort(load_params(params))), S2)[0] == "COLLECT"


def test_existing_gbk_file_without_optional_columns_keeps_its_encoding_and_columns(tmp_path):
    old = "学号,原因代码,理由,批准人,日期\r\n" + f"{S3},未交顶岗实习报告,已补交,就业办 周某,2027-06-25"  # no final newline
    params = review_cohort(tmp_path / "c", waivers=old, encoding="gbk")
    path = params.parent / "waivers.csv"
    panel = panel_for(params)
    assert "没有“操作”列" in panel.file_note.value and "记录人" in panel.file_note.value
    assert outcome_of(panel.decisions, S3) == ("COLLECT", set(), {"INTERNSHIP_REPORT_MISSING"})
    panel.open_student(S2)
    fill_and_submit(panel, text="助学金到账后补缴")
    raw = path.read_bytes()
    assert raw.startswith(old.encode("gbk"))
    text = raw.decode("gbk")
    last = text.rstrip("\r\n").split("\r\n")[-1].split(",")
    assert last[:2] == [S2, "FEES_OWED"] and last[3:] == ["王校长", dt.date.today().isoformat()]
    assert last[2].startswith("助学金到账后补缴（记录人：教务处 李老师，记录时间：")  # who and when are kept
    assert outcome_of(panel.decisions, S2)[0] == "COLLECT"
    panel.operation.value = "撤销"
    assert panel.form_submit.disabled and "不能撤销" in panel.form_reason.options[0][0]


def test_xlsx_waivers_file_is_refused(tmp_path):
    from builders import write_xlsx

    params = review_cohort(tmp_path / "c", waivers=None)
    write_xlsx(params.parent / "waivers.xlsx", pd.DataFrame(columns=["学号", "原因代码", "理由", "批准人", "日期"]))
    params.write_text(params.read_text(encoding="utf-8") + "waivers: waivers.xlsx\n", encoding="utf-8")
    panel = panel_for(params)
    assert "不是 CSV 文件" in panel.file_note.value
    panel.open_student(S2)
    assert panel.form_submit.disabled and "CSV" in panel.form_status.value


def test_error_in_a_callback_is_shown_with_its_traceback(panel, params, monkeypatch):
    def broken(cohort, resolved=None, reasons=None, facts=None):
        raise RuntimeError("模拟的故障")

    monkeypatch.setattr(review_module, "decide", broken)
    panel.open_student(S2)
    fill_and_submit(panel)  # the row is written, the recompute fails
    assert panel.error_box.layout.display == "flex"
    assert "操作出错" in panel.errors.value and "模拟的故障" in panel.errors.value
    assert "重新审核失败" in panel.errors.value and "请勿重复记录" in panel.form_status.value
    assert "Traceback" in panel.errors.value and "broken" in panel.errors.value  # for the maintainer, folded:
    assert "<details>" in panel.errors.value and "程序内部出错" in panel.errors.value
    assert len(rows_of(params.parent / "waivers.csv")) == 1
    panel.error_box.children[1].click()
    assert panel.error_box.layout.display == "none"


def test_batch_review_is_static_html_without_widgets(panel, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    review_panel(panel.decisions, batch=True)
    assert len(shown) == 1 and type(shown[0]).__name__ == "HTML"
    body = shown[0].data
    assert STATIC_TITLE in body and "<table" in body and "<script" not in body
    assert S4 in body and "缓发毕业证书" in body
    shown.clear()
    review_panel(panel.decisions, batch=False)
    assert type(shown[0]).__name__ == "VBox"


def test_papermill_run_after_a_panel_waiver_reaches_the_same_decision(panel, params):
    from gradlib.run.execute import run

    panel.open_student(S2)
    fill_and_submit(panel)
    folder = run(params)
    got = pd.read_csv(folder / "decisions.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    mine = panel.decisions.decisions_csv()
    assert got.to_dict("records") == mine.to_dict("records")
    assert got.set_index("student_id").loc[S2, "waived"] == "FEES_OWED"
    html = (folder / "cohort.html").read_text(encoding="utf-8")
    assert STATIC_TITLE in html and "本次生效的豁免" in html and "家庭困难，经校长批准缓交" in html
    assert "application/vnd.jupyter.widget-view+json" not in (folder / "cohort.ipynb").read_text(encoding="utf-8")


def test_cli_review_has_help_and_rejects_bad_params(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "review", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--port" in r.stdout and "--no-browser" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("cohort: 2027\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "gradlib.cli", "review", str(bad), "--no-browser"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "internship_materials_due" in r.stderr and r.stdout == ""


def test_voila_listens_on_loopback_only_without_token():
    from gradlib.review.serve import HOST, NOTEBOOK, voila_command

    cmd = voila_command(8123)
    assert HOST == "127.0.0.1" and "--Voila.ip=127.0.0.1" in cmd and "--port=8123" in cmd
    assert "--Voila.token=" in cmd and "--no-browser" in cmd and "--Voila.port_retries=0" in cmd
    assert "--VoilaConfiguration.show_tracebacks=False" in cmd and "--Voila.log_level=ERROR" in cmd  # no English
    assert NOTEBOOK.is_file() and str(NOTEBOOK) in cmd


def test_existing_file_with_title_row_and_other_column_order_gets_rows_in_its_columns(tmp_path):
    old = ("2027届豁免记录,,,,,,,,\n"
           "备注,日期,学号,操作,原因代码,理由,批准人,记录时间,记录人\n"
           f"补录,2027-06-25,{S3},豁免,INTERNSHIP_REPORT_MISSING,已补交,就业办 周某,2027-06-25T09:00:00,李老师\n")
    params = review_cohort(tmp_path / "c", waivers=old, encoding="utf-8")
    path = params.parent / "waivers.csv"
    panel = panel_for(params)
    assert panel.waiver_file.notes == ()
    panel.open_student(S2)
    fill_and_submit(panel, text="理由, 含逗号\n和换行")
    raw = path.read_bytes()
    assert raw.startswith(old.encode("utf-8")) and not raw.startswith(b"\xef\xbb\xbf")
    last = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=1).iloc[-1]
    assert last[["备注", "学号", "操作", "原因代码", "理由", "批准人", "记录人"]].tolist() == \
        ["", S2, "豁免", "FEES_OWED", "理由, 含逗号 和换行", "王校长", "教务处 李老师"]
    assert outcome_of(decide(load_cohort(load_params(params))), S2)[0] == "COLLECT"


def test_review_app_shows_load_problems_in_chinese_instead_of_a_panel(tmp_path, monkeypatch):
    from gradlib.review.panel import review_app

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    assert review_app("") is None and "未指定参数文件" in shown[0].value
    shown.clear()
    bad = tmp_path / "bad.yaml"
    bad.write_text("cohort: 2027\n", encoding="utf-8")
    assert review_app(bad) is None and "参数文件有误" in shown[0].value and "gl-error" in shown[0].value
    shown.clear()
    panel = review_app(review_cohort(tmp_path / "c"))
    assert panel is not None and shown[-1] is panel.widget and shown[0].layout.display == "none"


def test_serve_refuses_a_busy_port(params):
    import socket

    from gradlib.errors import ServeFailed
    from gradlib.review.serve import serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(ServeFailed, match="已被占用"):
            serve(params, port=s.getsockname()[1], open_browser=False)


def test_named_but_empty_waivers_file_gets_header_and_row(tmp_path):
    params = review_cohort(tmp_path / "c", waivers="")
    panel = panel_for(params)
    panel.open_student(S2)
    fill_and_submit(panel)
    path = params.parent / "waivers.csv"
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == HEADER.strip()
    assert outcome_of(decide(load_cohort(load_params(params))), S2)[0] == "COLLECT"
