"""`gradlib review`: serve the review panel with Voilà on 127.0.0.1 only, for staff who never open JupyterLab."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from pathlib import Path

from ..errors import ServeFailed
from ..log import progress
from ..params import load_params
from ..resources import jupyter_data, notebook

NOTEBOOK = notebook("review.ipynb")
HOST = "127.0.0.1"
DEFAULT_PORT = 8866
PARAMS_ENV = "GRADLIB_PARAMS"
START_TIMEOUT = 90.0
TEMPLATE = "gradlib"  # the lab template without CDN links, its texts in Chinese (gradlib/templates/jupyter/)


def port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _kernel_dir() -> Path:
    """A folder with a `python3` kernelspec for this very Python, put first on JUPYTER_PATH."""
    d = Path(tempfile.mkdtemp(prefix="gradlib-review-"))
    spec = d / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"],
        "display_name": "gradlib (Python)", "language": "python"}), encoding="utf-8")
    return d


def voila_command(port: int, notebook: Path = NOTEBOOK) -> list[str]:
    """The Voilà command line: loopback only, no token, no browser, no retry on another port, gradlib's template
    (nothing requested from outside the machine; Voilà's own texts in Chinese), no English tracebacks on the page
    (the panel shows its own errors in Chinese) and only Voilà's errors on the console.

    Each page load starts a kernel holding the whole cohort; a kernel whose page was closed is shut down
    after 10 idle minutes (a page that is still open keeps its kernel).
    """
    return [sys.executable, "-m", "voila", str(notebook), f"--Voila.ip={HOST}", f"--port={port}",
            "--Voila.port_retries=0", "--no-browser", "--Voila.token=", f"--Voila.root_dir={notebook.parent}",
            "--VoilaConfiguration.show_tracebacks=False", "--Voila.log_level=ERROR", f"--template={TEMPLATE}",
            "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_idle_timeout=600"]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = START_TIMEOUT):
    """Wait until the server accepts connections on 127.0.0.1:port; raise ServeFailed if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeFailed(f"Voilà 已退出（退出码 {proc.returncode}），见上方的错误信息。")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise ServeFailed(f"等待 {timeout:.0f} 秒后端口 {port} 仍未就绪。")


def serve(params_path, port: int | None = None, open_browser: bool = True) -> None:
    """Check the params, start Voilà on the review notebook, print the URL (last stdout line), run until stopped."""
    params = load_params(params_path)  # a bad params file stops here, with exit 2
    if not NOTEBOOK.is_file():
        raise ServeFailed(f"找不到审核笔记本 {NOTEBOOK}")
    if port is None:
        port = DEFAULT_PORT if port_free(DEFAULT_PORT) else free_port()
    elif not port_free(port):
        raise ServeFailed(f"端口 {port} 已被占用：请换一个端口（--port），或不指定端口由程序自动选择。")
    kdir = _kernel_dir()
    env = dict(os.environ)
    env[PARAMS_ENV] = str(params.path)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kdir), str(jupyter_data()), env.get("JUPYTER_PATH")]))
    progress(f"正在启动 {params.cohort} 届毕业审核页面（仅本机可访问）…")
    proc = subprocess.Popen(voila_command(port), env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr)
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum
        if proc.poll() is None:
            proc.terminate()

    stops = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]  # no SIGHUP on Windows
    old = {s: signal.signal(s, on_signal) for s in stops}
    try:
        wait_for_port(port, proc)
        url = f"http://{HOST}:{port}/"
        progress("审核页面已启动，用浏览器打开下面的地址；按 Ctrl+C 停止：")
        print(url, flush=True)
        if open_browser:
            webbrowser.open(url)
        code = proc.wait()
        if code != 0 and stop["signal"] is None:
            raise ServeFailed(f"Voilà 意外退出（退出码 {code}）。")
    except KeyboardInterrupt:
        progress("正在停止审核页面…")
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(kdir, ignore_errors=True)
