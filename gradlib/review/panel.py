"""The review step: a static summary in batch runs, an interactive panel (ipywidgets) otherwise.

The panel filters the students, shows everything about one of them, previews what-if outcomes, and
records waivers and revocations by appending to the cohort's waivers file (sources/waivers.py), then
recomputes the decisions from that file. Batch runs never create a widget.
"""
from __future__ import annotations

import functools
import getpass
import html
import os
import traceback

from .. import clock
from ..errors import GradlibError, RecomputeFailed, WaiverRejected
from ..reasons import OUTCOME_BY_CODE, OUTCOMES, REASON_BY_CODE, REASONS, WAIVE, WAIVER_OPERATIONS, reason_labels
from ..rules import Decisions, decide
from ..sources import refresh_waivers, waivers
from . import index as R
from .evidence import badge, student_evidence_html, student_head_html
from .summary import static_summary

PAGE_SIZE = 50
_CSS = """<style>
.gl-panel .gl-table{border-collapse:collapse;margin:2px 0 6px 0;font-size:13px}
.gl-panel .gl-table th,.gl-panel .gl-table td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}
.gl-panel .gl-table td.gl-wide{white-space:normal;min-width:10em;line-break:strict}
.gl-panel .gl-table th{background:#f3f3f3}
.gl-panel .gl-section h4{margin:8px 0 2px 0;font-size:14px}
.gl-panel .gl-badge{color:#fff;border-radius:3px;padding:1px 6px;font-weight:bold;white-space:nowrap;display:inline-block;line-height:1.5}
.gl-panel .gl-cells{white-space:nowrap;font-size:13px;line-height:28px}
.gl-panel .gl-cells span{display:inline-block;overflow:hidden;text-overflow:ellipsis;vertical-align:middle;padding:0 4px}
.gl-panel .gl-error{border:1px solid #c62828;background:#fff3f3;padding:4px 8px;color:#b71c1c}
.gl-panel .gl-error pre{white-space:pre-wrap;font-size:12px;color:#333}
.gl-panel .gl-note{color:#555;font-size:13px}
.gl-panel .gl-ok{color:#2e7d32}
.gl-panel .gl-warn{color:#b71c1c}
</style>"""
_WIDTHS = (("姓名", "5em"), ("专业", "8em"), ("班级", "8em"), ("结论", "9em"), ("原因（未豁免）", "15em"),
           ("欠缴（元）", "5.5em"))


def review_panel(d: Decisions, batch: bool = True) -> None:
    """Show the review: static HTML tables in a batch run, the interactive panel otherwise (never both)."""
    from IPython.display import HTML, display

    if batch:
        display(HTML(static_summary(d)))
    else:
        display(ReviewPanel(d).widget)


def review_app(params_path) -> ReviewPanel | None:
    """Load a cohort from its params file and display the review panel (the page `gradlib review` serves)."""
    import ipywidgets as w
    from IPython.display import display

    out = w.HTML("<p>正在读取本届数据并逐一审核，请稍候…</p>")
    display(out)
    if not params_path:
        out.value = _error_html("无法打开审核", "未指定参数文件：请用“gradlib review 参数文件.yaml”启动审核页面。", None)
        return None
    try:
        panel = panel_for(params_path)
    except GradlibError as e:  # bad params or structural input problems: the report says what to fix
        out.value = _error_html("无法打开审核", e.report(), None)
        return None
    except Exception:
        out.value = _error_html("无法打开审核", INTERNAL_ERROR, traceback.format_exc())
        return None
    out.layout.display = "none"
    display(panel.widget)
    return panel


def panel_for(params_path) -> ReviewPanel:
    """Build (without displaying) the review panel of a params file; a named but absent waivers file is created
    by the first waiver recorded."""
    from ..params import load_params
    from ..sources import load_cohort

    params = load_params(params_path)
    return ReviewPanel(decide(load_cohort(params, absent_waivers_ok=True)), waivers.locate(params))


INTERNAL_ERROR = "程序内部出错。已记录的豁免不受影响；请把下方的技术细节发给维护人员。"


def _error_html(title: str, message: str, tb: str | None) -> str:
    detail = (f"<details><summary>技术细节（维护人员用：展开后截图发给他们）</summary><pre>{html.escape(tb)}</pre></details>"
              if tb else "")
    return (f'{_CSS}<div class="gl-panel"><div class="gl-error"><b>{html.escape(title)}：</b>'
            f"<span style='white-space:pre-wrap'>{html.escape(message)}</span>{detail}</div></div>")


def _guarded(fn):
    """Run a widget callback; a refusal shows its Chinese message, any other error its traceback, in the panel."""
    @functools.wraps(fn)
    def run(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except WaiverRejected as e:
            self.form_status.value = f'<span class="gl-warn">未记录：{html.escape(str(e))}</span>'
        except GradlibError as e:
            self.show_error("操作出错", e.report(), traceback.format_exc())
        except Exception:
            self.show_error("操作出错", INTERNAL_ERROR, traceback.format_exc())
    return run


def _recorder_default() -> str:
    name = os.environ.get("GRADLIB_USER", "")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return "" if name == "root" else name


class ReviewPanel:
    """The interactive review of one cohort's decisions: filters, student list, detail, what-if, waiver form."""

    def __init__(self, d: Decisions, waiver_file: waivers.WaiverFile | None = None, page_size: int = PAGE_SIZE):
        import ipywidgets as w

        self.d = d
        self.waiver_file = waiver_file or waivers.locate(d.cohort.params)
        self.page_size = page_size
        self.index = R.StudentIndex(d)
        self.positions = self.index.filter()
        self.page_no = 0
        self.selected: int | None = None
        self._hold = False
        self.errors = w.HTML(layout=w.Layout(width="auto", flex="1 1 auto"))
        close = w.Button(description="关闭提示", layout=w.Layout(width="90px"))
        close.on_click(lambda _: self.clear_error())
        self.error_box = w.HBox([self.errors, close], layout=w.Layout(display="none"))
        self.file_note = w.HTML(self._file_note(), layout=w.Layout(width="auto"))
        counts_row, filters = self._build_filters(w)
        left = self._build_list(w)
        right = self._build_detail(w)
        p = d.cohort.params
        title = w.HTML(f"{_CSS}<h3>{html.escape(p.school)} {p.cohort} 届毕业审核</h3>")
        self.widget = w.VBox([title, self.error_box, self.file_note, counts_row, filters,
                              w.HBox([left, right], layout=w.Layout(flex_flow="row wrap"))])
        self.widget.add_class("gl-panel")
        self._refresh_counts()
        self._refresh_list()

    def _build_filters(self, w):
        """Count buttons (clickable outcome filters) and the filter row."""
        lay = w.Layout
        self.count_buttons = {R.ANY: w.Button(layout=lay(width="auto"))}
        for o in OUTCOMES:
            self.count_buttons[o.code] = w.Button(layout=lay(width="auto"))
        for code, b in self.count_buttons.items():
            b.on_click(functools.partial(self._on_count, code))
            b.add_class("gl-count")
        style = {"description_width": "3em"}
        self.outcome = w.Dropdown(options=[("全部", R.ANY)] + [(o.label, o.code) for o in OUTCOMES],
                                  description="结论", style=style, layout=lay(width="15em"))
        self.reason = w.Dropdown(options=[("全部", R.ANY)] + [(r.label, r.code) for r in REASONS]
                                 + [("（有已豁免的原因）", R.WAIVED_ANY)],
                                 description="原因", style=style, layout=lay(width="22em"))
        self.major = w.Dropdown(options=[("全部", R.ANY)] + [(m, m) for m in self.index.options("专业")],
                                description="专业", style=style, layout=lay(width="16em"))
        self.klass = w.Dropdown(options=[("全部", R.ANY)] + [(c, c) for c in self.index.options("班级")],
                                description="班级", style=style, layout=lay(width="16em"))
        self.search = w.Text(placeholder="学号或姓名，回车搜索", description="搜索", continuous_update=False,
                             style=style, layout=lay(width="18em"))
        self.clear = w.Button(description="清除筛选", layout=lay(width="90px"))
        self.clear.on_click(self._on_clear)
        for f in (self.outcome, self.reason, self.major, self.klass, self.search):
            f.observe(self._on_filter, "value")

        counts_row = w.HBox(list(self.count_buttons.values()), layout=lay(flex_flow="row wrap"))
        row = w.HBox([self.outcome, self.reason, self.major, self.klass, self.search, self.clear],
                     layout=lay(flex_flow="row wrap"))
        return counts_row, row

    def _build_list(self, w):
        """The student list: a header and a pool of page_size rows (学号 button + cells), updated in place."""
        lay = w.Layout
        self.result_note = w.HTML(layout=lay(width="auto"))
        self.prev = w.Button(description="上一页", layout=lay(width="70px"))
        self.next = w.Button(description="下一页", layout=lay(width="70px"))
        self.prev.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(1))
        header = w.HTML(self._cells(dict(zip([c for c, _ in _WIDTHS], [c for c, _ in _WIDTHS])), bold=True),
                        layout=lay(width="auto", flex="1 0 auto"))
        self.row_buttons, self.row_cells, self.rows = [], [], []
        for i in range(self.page_size):
            b = w.Button(layout=lay(width="8.5em", min_width="8.5em", flex="0 0 auto"), tooltip="查看该生全部信息")
            b.add_class("gl-student-button")
            b.on_click(functools.partial(self._on_row, i))
            cells = w.HTML(layout=lay(width="auto", flex="1 0 auto"))
            self.row_buttons.append(b)
            self.row_cells.append(cells)
            self.rows.append(w.HBox([b, cells], layout=lay(display="none", flex="0 0 auto")))
        self._page_idx: list[int] = []
        sid_head = w.HTML('<div class="gl-cells"><span><b>学号</b></span></div>',
                          layout=lay(width="8.5em", min_width="8.5em", flex="0 0 auto"))
        list_box = w.VBox([w.HBox([sid_head, header], layout=lay(flex="0 0 auto"))] + self.rows,
                          layout=lay(max_height="640px", overflow="auto"))

        return w.VBox([w.HBox([self.result_note, self.prev, self.next]), list_box],
                      layout=lay(flex="3 1 640px", min_width="0"))

    def _build_detail(self, w):
        """The detail pane: outcome and reasons, what-if, the waiver form, then the evidence of each source."""
        lay = w.Layout
        self.detail = w.HTML('<p class="gl-note">点击左侧学号查看该生的全部信息。</p>', layout=lay(width="auto"))
        self.detail.add_class("gl-detail")
        self.evidence = w.HTML(layout=lay(width="auto"))
        self.evidence.add_class("gl-evidence")
        self.whatif_reasons = w.SelectMultiple(options=[], rows=4, description="假设解决",
                                               style={"description_width": "5em"}, layout=lay(width="30em"))
        self.whatif_button = w.Button(description="预览结论", tooltip="只预览，不记录任何内容")
        self.whatif_button.on_click(self._on_whatif)
        self.whatif_result = w.HTML(layout=lay(width="auto"))
        self.whatif_result.add_class("gl-whatif")
        wide = {"description_width": "5em"}
        self.operation = w.ToggleButtons(options=[(o.label, o.label) for o in WAIVER_OPERATIONS], description="操作",
                                         style=wide)
        self.operation.observe(self._on_operation, "value")
        self.form_reason = w.Dropdown(options=[], description="原因", style=wide, layout=lay(width="30em"))
        self.form_text = w.Textarea(placeholder="理由（必填），如：家庭困难，经校领导批准缓交", description="理由",
                                    style=wide, layout=lay(width="30em", height="4em"))
        self.form_approver = w.Text(placeholder="批准人（必填）", description="批准人", style=wide,
                                    layout=lay(width="30em"))
        self.form_date = w.DatePicker(value=clock.today(), description="批准日期", style=wide)
        self.form_recorder = w.Text(value=_recorder_default(), placeholder="记录人（必填，您的姓名）",
                                    description="记录人", style=wide, layout=lay(width="30em"))
        self.form_submit = w.Button(description="记录", button_style="primary", icon="check")
        self.form_submit.add_class("gl-submit")
        self.form_submit.on_click(self._on_submit)
        self.form_status = w.HTML(layout=lay(width="auto"))
        self.form_status.add_class("gl-form-status")
        self.form = w.VBox([w.HTML("<h4>豁免与撤销（写入豁免记录文件，不可删除）</h4>"), self.operation,
                            self.form_reason, self.form_text, self.form_approver, self.form_date,
                            self.form_recorder, self.form_submit, self.form_status])
        self.tools = w.VBox([w.HTML("<h4>假设预览（不记录）</h4>"), self.whatif_reasons,
                             w.HBox([self.whatif_button, self.whatif_result]), self.form],
                            layout=lay(display="none"))

        return w.VBox([self.detail, self.tools, self.evidence],
                      layout=lay(flex="2 1 560px", min_width="0", padding="0 0 0 12px"))

    # ---- state shown ---------------------------------------------------------------------------
    @property
    def decisions(self) -> Decisions:
        """The current decisions (after every waiver recorded in this panel)."""
        return self.d

    def _file_note(self) -> str:
        wf = self.waiver_file
        if wf.refusal:
            return f'<p class="gl-warn">{html.escape(wf.refusal)}</p>'
        lines = [f"豁免记录文件：{wf.path}"] + list(wf.notes)
        return "".join(f'<p class="gl-note">{html.escape(x)}</p>' for x in lines)

    def _cells(self, values: dict, bold: bool = False) -> str:
        out = []
        for col, width in _WIDTHS:
            v = values.get(col, "")
            text = v if col == "结论" and not bold else html.escape(str(v))
            out.append(f'<span style="width:{width}" title="{html.escape(str(values.get(col + "_title", v)))}">'
                       f'{"<b>" + text + "</b>" if bold else text}</span>')
        return '<div class="gl-cells">' + "".join(out) + "</div>"

    def _refresh_counts(self):
        c = R.counts(self.d)
        self.count_buttons[R.ANY].description = f"全部 {sum(c.values())}"
        for code, n in c.items():
            self.count_buttons[code].description = f"{OUTCOME_BY_CODE[code].label} {n}"
        for code, b in self.count_buttons.items():
            b.button_style = "info" if code == self.outcome.value else ""

    def _refresh_list(self):
        n = len(self.positions)
        pages = max(1, -(-n // self.page_size))
        self.page_no = min(self.page_no, pages - 1)
        rows = self.index.page(self.positions, self.page_no, self.page_size)
        self.prev.disabled = self.page_no == 0
        self.next.disabled = self.page_no >= pages - 1
        self._page_idx = rows["idx"].tolist()
        for i, row in enumerate(self.rows):
            if i < len(rows):
                x = rows.iloc[i]
                self.row_buttons[i].description = x["student_id"]
                self.row_buttons[i].button_style = "info" if x["idx"] == self.selected else ""
                reasons = reason_labels(x["reasons"])
                self.row_cells[i].value = self._cells({
                    "姓名": x["姓名"], "专业": x["专业"], "班级": x["班级"], "结论": badge(x["outcome"]),
                    "结论_title": OUTCOME_BY_CODE[x["outcome"]].label, "原因（未豁免）": reasons,
                    "欠缴（元）": f"{x['owed']:.2f}" if x["owed"] > 0 else ""})
                row.layout.display = "flex"
            else:
                row.layout.display = "none"
        # last, so that a client that sees the new count also has the new rows
        self.result_note.value = (f"<b>共 {n} 名</b>　第 {self.page_no + 1}/{pages} 页"
                                  + (f"（每页 {self.page_size} 名）" if n > self.page_size else ""))

    def _refresh_detail(self):
        idx = self.selected
        if idx is None:
            self.tools.layout.display = "none"
            return
        self.detail.value = student_head_html(self.d, idx)
        self.evidence.value = student_evidence_html(self.d, idx)
        self.tools.layout.display = "flex"
        r = R.student_reasons(self.d, idx)
        live = r[~r["waived"]]["code"].tolist()
        self.whatif_reasons.options = [(REASON_BY_CODE[c].label, c) for c in live]
        self.whatif_result.value = ""
        self._refresh_form()

    def _refresh_form(self):
        idx = self.selected
        wf = self.waiver_file
        if self.operation.value == WAIVE.label:
            codes = R.open_waivable(self.d, idx)
            empty = "（该生没有可豁免且未豁免的原因）"
        else:
            codes = R.revocable(self.d, idx) if wf.can_revoke else []
            empty = "（该生没有生效的豁免）" if wf.can_revoke else "（豁免记录文件没有“操作”列，不能撤销）"
        self.form_reason.options = [(REASON_BY_CODE[c].label, c) for c in codes] or [(empty, "")]
        self.form_reason.value = codes[0] if codes else ""
        self.form_submit.description = f"记录{self.operation.value}"
        self.form_submit.disabled = not codes or not wf.writable
        if not wf.writable:
            self.form_status.value = f'<span class="gl-warn">{html.escape(wf.refusal)}</span>'

    def show_error(self, title: str, message: str, tb: str | None):
        """Show an error in the panel (with its traceback when it is not a plain refusal) until closed."""
        self.errors.value = _error_html(title, message, tb)
        self.error_box.layout.display = "flex"

    def clear_error(self):
        """Hide the error box."""
        self.errors.value = ""
        self.error_box.layout.display = "none"

    # ---- actions (also called by the tests) ------------------------------------------------------
    def apply_filters(self):
        """Filter the students by the current filter values and show the first page."""
        self.positions = self.index.filter(self.outcome.value, self.reason.value, self.major.value,
                                           self.klass.value, self.search.value)
        self.page_no = 0
        self._refresh_counts()
        self._refresh_list()
        if self.search.value.strip() and len(self.positions) == 1:
            self.open(int(self.index.frame["idx"].iat[self.positions[0]]))

    def open(self, idx: int):
        """Show one student (roster position) in the detail pane."""
        self.selected = idx
        self.form_status.value = ""
        self._refresh_detail()
        self._refresh_list()

    def open_student(self, student_id: str):
        """Show the student with this 学号 in the detail pane."""
        hit = (self.d.table["student_id"] == student_id).to_numpy().nonzero()[0]
        if not len(hit):
            raise GradlibError(f"找不到学号 {student_id}")
        self.open(int(hit[0]))

    def page_students(self) -> list[str]:
        """学号 of the students on the current page, in the order shown."""
        return [self.row_buttons[i].description for i in range(len(self._page_idx))]

    def record(self):
        """Append the form's waiver or revocation to the waivers file, then recompute the decisions."""
        if self.selected is None:
            raise WaiverRejected("请先选择一名学生。")
        if not self.form_reason.value:
            raise WaiverRejected("请选择原因。")
        idx = self.selected
        sid = str(self.d.table["student_id"].iat[idx])
        op = self.operation.value
        allowed = R.open_waivable(self.d, idx) if op == WAIVE.label else R.revocable(self.d, idx)
        if self.form_reason.value not in allowed:
            raise WaiverRejected("所选原因不在该生可操作的原因之中，请重新选择。")
        row = waivers.make_row(sid, self.form_reason.value, self.form_text.value, self.form_approver.value,
                                  self.form_date.value, op, self.form_recorder.value)
        before = self.d.table["outcome"].iat[idx]
        waivers.append(self.waiver_file, row)
        written = f"已写入 {self.waiver_file.path.name}"
        self.form_status.value = f'<span class="gl-ok">{html.escape(written)}，正在重新审核…</span>'
        try:
            self.recompute()
        except Exception as e:
            self.form_status.value = (f'<span class="gl-warn">{html.escape(written)}，但重新审核失败'
                                      "（见面板上方的错误信息），请勿重复记录。</span>")
            raise RecomputeFailed(e.report() if isinstance(e, GradlibError) else INTERNAL_ERROR) from e
        after = self.d.table["outcome"].iat[idx]
        label = REASON_BY_CODE[row["原因代码"]].label
        self.form_text.value = ""
        self.form_status.value = (f'<span class="gl-ok">{html.escape(written)}：{op}“{html.escape(label)}”。'
                                  f"结论：{badge(before)} → {badge(after)}</span>")

    def recompute(self):
        """Re-read only the waivers file and decide again; the panel keeps its filters and selection."""
        self.waiver_file = waivers.locate(self.d.cohort.params)
        cohort = refresh_waivers(self.d.cohort, self.waiver_file)
        # only the waivers changed: reuse the rules' reasons and facts
        self.d = decide(cohort, reasons=self.d.reasons, facts=self.d.facts)
        self.index = R.StudentIndex(self.d)
        self.file_note.value = self._file_note()
        self.positions = self.index.filter(self.outcome.value, self.reason.value, self.major.value,
                                           self.klass.value, self.search.value)
        self._refresh_counts()
        self._refresh_list()
        self._refresh_detail()

    # ---- callbacks -----------------------------------------------------------------------------
    @_guarded
    def _on_filter(self, change):
        if not self._hold:
            self.apply_filters()

    @_guarded
    def _on_count(self, code, _button):
        self.outcome.value = code

    @_guarded
    def _on_clear(self, _button):
        self._hold = True
        try:
            self.outcome.value = R.ANY
            self.reason.value = R.ANY
            self.major.value = R.ANY
            self.klass.value = R.ANY
            self.search.value = ""
        finally:
            self._hold = False
        self.apply_filters()

    @_guarded
    def _turn(self, step):
        self.page_no = max(0, self.page_no + step)
        self._refresh_list()

    @_guarded
    def _on_row(self, i, _button):
        if i < len(self._page_idx):
            self.open(self._page_idx[i])

    @_guarded
    def _on_operation(self, change):
        if self.selected is not None:
            self.form_status.value = ""
            self._refresh_form()

    @_guarded
    def _on_whatif(self, _button):
        idx = self.selected
        codes = list(self.whatif_reasons.value)
        if idx is None or not codes:
            self.whatif_result.value = '<span class="gl-warn">请先选择一个或多个原因。</span>'
            return
        now, then = self.d.table["outcome"].iat[idx], R.what_if(self.d, idx, codes)
        names = reason_labels(codes)
        self.whatif_result.value = (f"若“{html.escape(names)}”得到解决：结论 {badge(now)} → {badge(then)}"
                                    "（仅预览，未记录）")

    @_guarded
    def _on_submit(self, _button):
        self.form_submit.disabled = True
        try:
            self.record()
        finally:
            if self.selected is not None:
                self._refresh_form()
