"""Two real processes writing to one registry lose nothing; a publish killed mid-transaction leaves all or none."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from registry_helpers import make_run

from gradlib.registry import Registry, RunRecord, current_graduates, publications, publish
from gradlib.registry.db import HOLD_ENV
from gradlib.registry.stock import balance
from gradlib.run.publish import publish as publish_run

STUDENTS = 450  # 200 of each process's own, 50 both record

WRITER = """
import datetime as dt, pathlib, sys, time
from gradlib.registry import Registry
from gradlib.registry.collect import collect_one
from gradlib.registry.stock import record
path, go, k = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
with Registry(path) as reg:
    for i in range(200):
        collect_one(reg, f"S{k * 200 + i:05d}", f"进程{k}", day=dt.date(2026, 7, 3))
        collect_one(reg, f"S{400 + i % 50:05d}", f"进程{k}", day=dt.date(2026, 7, 3))  # shared: recorded once
        record(reg, "received", {"inner": 1}, f"进程{k}", day=dt.date(2026, 3, 1))
"""


BIG = """
import pathlib, sys
import pandas as pd
from gradlib.registry import Registry, RunRecord, publish
n = 50_000
g = pd.DataFrame({"student_id": [f"B{i:06d}" for i in range(n)], "outcome": "COLLECT", "reasons": "", "waived": "",
                  "deadline": "", "姓名": "学生", "班级": "24机电1班"})
run = RunRecord(2028, "cohort", "20280625-000000", "/nowhere", "0" * 64, "2028-06-25T00:00:00", None, None, None,
                n, {"COLLECT": n})
with Registry(sys.argv[1]) as reg:
    pathlib.Path(sys.argv[2]).write_text("")
    publish(reg, run, g, "测试")
"""


def _cohort(reg: Registry):
    g = pd.DataFrame({"student_id": [f"S{i:05d}" for i in range(STUDENTS)], "outcome": "COLLECT", "reasons": "",
                      "waived": "", "deadline": "", "姓名": [f"学生{i}" for i in range(STUDENTS)], "班级": "24机电1班"})
    run = RunRecord(2027, "cohort", "20270625-000000", "/nowhere", "0" * 64, "2027-06-25T00:00:00", None, None, None,
                    STUDENTS, {"COLLECT": STUDENTS})
    publish(reg, run, g, "测试")


def _owing(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 DEFERRED in the first run, COLLECT in the second


def _until(path: Path, proc: subprocess.Popen):
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    with Registry(path) as reg:
        _cohort(reg)
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(go), str(k)], stderr=subprocess.PIPE,
                              text=True) for k in (0, 1)]
    go.write_text("")
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read()
    with Registry(path) as reg:
        rows = reg.read("SELECT student_id, recorded_by FROM collections")
        assert len(rows) == STUDENTS and len({r[0] for r in rows}) == STUDENTS
        assert {r[1] for r in rows} == {"进程0", "进程1"}
        assert balance(reg).loc[0, "结存"] == 400
        assert reg.one("PRAGMA integrity_check")[0] == "ok"


def test_a_publish_killed_mid_transaction_leaves_the_registry_whole(tmp_path):
    first = make_run(tmp_path / "a", _owing)
    second = make_run(tmp_path / "a")
    path = tmp_path / "r.sqlite"
    publish_run(first, registry=path)
    marker = tmp_path / "holding"
    env = dict(os.environ, **{HOLD_ENV: str(marker)})
    proc = subprocess.Popen([sys.executable, "-m", "gradlib.cli", "publish", str(second), "--registry", str(path)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _until(marker, proc)  # every row of the publication written, COMMIT not yet
    proc.kill()  # SIGKILL on POSIX
    assert proc.wait(timeout=60) != 0
    with Registry(path) as reg:
        assert reg.one("PRAGMA integrity_check")[0] == "ok"
        assert [p.run_id for p in publications(reg)] == [first.name]
        assert reg.one("SELECT COUNT(*) FROM graduates")[0] == 6 and reg.one("SELECT COUNT(*) FROM runs")[0] == 1
        assert current_graduates(reg, 2027).set_index("student_id").loc["2024000001", "outcome"] == "DEFERRED"
    publish_run(second, registry=path)  # the registry still takes the whole publication afterwards
    with Registry(path) as reg:
        assert [p.run_id for p in publications(reg)] == [first.name, second.name]
        assert reg.one("SELECT COUNT(*) FROM graduates")[0] == 12


def test_a_big_publish_killed_as_soon_as_the_registry_is_open_is_all_or_nothing(tmp_path):
    """No hook: 50,000 students published, killed right after the connection opened (wherever it then is)."""
    path, opened = tmp_path / "r.sqlite", tmp_path / "opened"
    with Registry(path) as reg:
        _cohort(reg)
    proc = subprocess.Popen([sys.executable, "-c", BIG, str(path), str(opened)], stderr=subprocess.PIPE)
    _until(opened, proc)
    proc.kill()
    proc.wait(timeout=60)
    with Registry(path) as reg:
        assert reg.one("PRAGMA integrity_check")[0] == "ok"
        pubs = [p.cohort for p in publications(reg)]
        big = reg.one("SELECT COUNT(*) FROM graduates WHERE cohort = 2028")[0]
        assert (pubs, big) in (([2027], 0), ([2027, 2028], 50_000))
        assert reg.one("SELECT COUNT(*) FROM graduates WHERE cohort = 2027")[0] == STUDENTS
