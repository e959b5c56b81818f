"""`gradlib review` in a real browser: Voilà on a loopback port, driven by Playwright with Debian's chromium."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import outcome_of
from test_review import HEADER, S1, S2, S3, review_cohort

from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright 未安装")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="未安装 chromium（.ci/run 会用 apt-get 安装）")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 90


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listeners(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on this port."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.rsplit(":", 1)
            if int(p, 16) == port and state == "0A":
                found.add(addr)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`gradlib review PARAMS --port N --no-browser` in its own process group; stopped by its PID at the end."""
    root = tmp_path_factory.mktemp("review-browser")
    params = review_cohort(root / "cohort")
    port = free_loopback_port()
    proc = subprocess.Popen([sys.executable, "-m", "gradlib.cli", "review", str(params), "--port", str(port),
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    lines, err = [], []
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not any(x.startswith("http://") for x in lines):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gradlib review 未能启动：\n" + "".join(err[-40:]))
            time.sleep(0.2)
        yield params, port, [x.strip() for x in lines], proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_server_prints_its_url_and_listens_on_loopback_only(server):
    params, port, lines, proc = server
    assert lines[-1] == f"http://127.0.0.1:{port}/"
    assert listeners(port) == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::


def block_outside(page, port: int) -> list[str]:
    """Abort every request that would leave the machine; returns the list of those attempted."""
    outside: list[str] = []
    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:")

    def route(r):
        if r.request.url.startswith(local):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


def test_the_page_asks_nothing_of_the_internet_and_speaks_chinese(server):
    params, port, lines, proc = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            outside = block_outside(page, port)
            page.goto(lines[-1], wait_until="commit")
            loading = page.locator("#loading_text")
            loading.wait_for(state="attached")
            assert "请稍候" in loading.inner_text()  # Voilà's own spinner, in Chinese
            page.get_by_role("button", name="暂缓领取 3").wait_for()
            assert page.title() == "毕业审核"
            page.get_by_role("button", name="暂缓领取 3").click()
            page.get_by_text("共 3 名").wait_for()  # the filtered list is shown before a student is opened
            page.get_by_role("button", name=S2, exact=True).click()
            page.get_by_text("欠缴 1400.00 元").first.wait_for()
            icon = page.locator(".gl-submit i.fa-check")  # Font Awesome, served by Voilà itself
            assert icon.count() == 1 and icon.evaluate("e => getComputedStyle(e, '::before').content") != "none"
            badge = page.locator(".gl-cells .gl-badge").first  # the list's outcome badge is never clipped
            assert badge.evaluate("e => e.scrollWidth <= e.parentElement.clientWidth")
            assert outside == []
        finally:
            browser.close()


def test_record_a_waiver_in_the_browser(server):
    params, port, lines, proc = server
    path = params.parent / "waivers.csv"
    assert path.read_text(encoding="utf-8-sig") == HEADER
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(lines[-1])
            deferred = page.get_by_role("button", name="暂缓领取 3")
            deferred.wait_for()  # no token prompt: the panel itself
            deferred.click()
            page.get_by_text("共 3 名").wait_for()
            expect = sync_api.expect
            expect(page.locator(".gl-student-button:visible")).to_have_count(3)
            expect(page.get_by_role("button", name=S2, exact=True)).to_have_count(1)
            expect(page.get_by_role("button", name=S3, exact=True)).to_have_count(1)
            expect(page.get_by_role("button", name=S1, exact=True)).to_have_count(0)  # COLLECT filtered out
            page.get_by_role("button", name=S2, exact=True).click()
            page.get_by_text("欠缴 1400.00 元").first.wait_for()
            assert page.locator(".gl-detail .gl-badge").inner_text() == "暂缓领取"
            page.get_by_placeholder("理由（必填）", exact=False).fill("家庭困难，经校长批准缓交")
            page.get_by_placeholder("批准人（必填）").fill("王校长")
            page.get_by_placeholder("记录人（必填", exact=False).fill("教务处 李老师")
            page.locator(".gl-submit").click()
            page.locator(".gl-detail .gl-badge[data-outcome=COLLECT]").wait_for()
            assert page.locator(".gl-detail .gl-badge").inner_text() == "可领取"
            assert page.locator(".gl-error").count() == 0
        finally:
            browser.close()
    w = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(w) == 1
    assert w.iloc[0][["学号", "原因代码", "理由", "批准人", "操作", "记录人"]].tolist() == \
        [S2, "FEES_OWED", "家庭困难，经校长批准缓交", "王校长", "豁免", "教务处 李老师"]
    assert outcome_of(decide(load_cohort(load_params(params))), S2) == ("COLLECT", set(), {"FEES_OWED"})
