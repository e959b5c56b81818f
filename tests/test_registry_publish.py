"""The registry (issue #9): publish a run, refuse failed/tampered/older runs, supersede, migrate, append-only."""
import json
import sqlite3

import pytest
from registry_helpers import cli, make_run, writable_copy

from gradlib.errors import RegistryError
from gradlib.registry import Registry, current_graduates, history, publications, published
from gradlib.registry.schema import MIGRATIONS, VERSION
from gradlib.run.publish import publish


def _owing(cf):
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 owes 400: DEFERRED


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("reg")
    first = make_run(root / "a", _owing)
    second = make_run(root / "a")  # the same cohort folder, a later run: everyone COLLECT
    return first, second


def test_publish_records_every_student_with_roster_data(runs, tmp_path):
    reg_path = tmp_path / "r.sqlite"
    pub = publish(runs[0], by="就业办 王老师", registry=reg_path)
    assert (pub.cohort, pub.kind, pub.recorded_by, pub.students) == (2027, "cohort", "就业办 王老师", 6)
    with Registry(reg_path) as reg:
        g = current_graduates(reg, 2027)
    assert list(g["student_id"]) == [f"20240{i:05d}" for i in range(1, 7)]
    row = g.set_index("student_id").loc["2024000001"]
    assert (row["name"], row["sex"], row["birth_date"], row["major"], row["outcome"]) == (
        "张伟", "男", "2008-01-15", "机电技术应用", "DEFERRED")
    assert "FEES_OWED" in row["reasons"]
    assert len(row["id_number"]) == 18 and json.loads(row["record"])["班级"] == "24机电1班"


def test_a_later_run_supersedes_and_both_stay_in_history(runs, tmp_path):
    reg_path = tmp_path / "r.sqlite"
    publish(runs[0], by="甲", registry=reg_path)
    pub = publish(runs[1], by="乙", registry=reg_path)
    with Registry(reg_path) as reg:
        assert pub.superseded is not None and published(reg, 2027).run_id == runs[1].name
        assert [p.run_id for p in publications(reg, 2027)] == [runs[0].name, runs[1].name]
        assert current_graduates(reg, 2027).set_index("student_id").loc["2024000001", "outcome"] == "COLLECT"
        h = history(reg, "2024000001")
        assert [r["outcome"] for r in h] == ["DEFERRED", "COLLECT"] and h[1]["supersedes"] == h[0]["id"]


def test_an_older_run_than_the_published_one_is_refused(runs, tmp_path):
    reg_path = tmp_path / "r.sqlite"
    publish(runs[1], registry=reg_path)
    with pytest.raises(RegistryError, match="早于已发布的运行"):
        publish(runs[0], registry=reg_path)
    with pytest.raises(RegistryError, match="已于"):
        publish(runs[1], registry=reg_path)
    with Registry(reg_path) as reg:
        assert len(publications(reg)) == 1


def test_a_tampered_run_is_refused_naming_the_file(runs, tmp_path):
    run = writable_copy(runs[0], tmp_path)
    (run / "decisions.csv").write_text((run / "decisions.csv").read_text(encoding="utf-8-sig").replace(
        "DEFERRED", "COLLECT"), encoding="utf-8-sig")
    with pytest.raises(RegistryError, match="decisions.csv"):
        publish(run, registry=tmp_path / "r.sqlite")
    assert not (tmp_path / "r.sqlite").exists() or not publications(Registry(tmp_path / "r.sqlite"))


def test_a_failed_run_is_refused(runs, tmp_path):
    run = writable_copy(runs[0], tmp_path)
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    m["status"] = "failed"
    (run / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(RegistryError, match="未成功完成"):
        publish(run, registry=tmp_path / "r.sqlite")


def test_the_publish_command_prints_who_when_and_counts(runs, tmp_path):
    r = cli("publish", runs[0], "--by", "就业办 王老师", "--registry", tmp_path / "r.sqlite")
    assert r.returncode == 0, r.stderr
    assert "可领取 5 人" in r.stdout and "暂缓领取 1 人" in r.stdout and "就业办 王老师" in r.stdout
    r = cli("publish", tmp_path / "nothing-here", "--registry", tmp_path / "r.sqlite")
    assert r.returncode == 1 and "运行文件夹不存在" in r.stderr and "Traceback" not in r.stderr


def test_the_default_registry_is_in_the_output_dir(runs):
    from gradlib.run.publish import registry_of

    assert registry_of(runs[0]) == runs[0].parents[1] / "registry.sqlite"


def test_rows_are_never_changed_or_deleted(runs, tmp_path):
    reg_path = tmp_path / "r.sqlite"
    publish(runs[0], registry=reg_path)
    db = sqlite3.connect(reg_path)
    for sql in ("DELETE FROM graduates", "UPDATE graduates SET outcome = 'COLLECT'", "DELETE FROM publications"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)


def test_a_registry_of_an_older_version_is_migrated(runs, tmp_path):
    reg_path = tmp_path / "old.sqlite"
    reg = Registry.__new__(Registry)  # open without migrating, then bring it only to version 1
    reg.path, reg.db = reg_path, sqlite3.connect(reg_path, isolation_level=None)
    reg.db.row_factory = sqlite3.Row
    assert reg.migrate(upto=1) == 1 and VERSION > 1
    reg.db.execute("INSERT INTO meta VALUES ('note', 'written by version 1')")
    reg.close()
    with Registry(reg_path) as reg:  # opening migrates
        assert reg.version == VERSION == MIGRATIONS[-1][0]
        assert reg.one("SELECT value FROM meta WHERE key = 'note'")[0] == "written by version 1"
        assert reg.one("SELECT COUNT(*) FROM documents")[0] == 0
    publish(runs[0], registry=reg_path)


def test_a_registry_from_a_newer_gradlib_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / "new.sqlite")
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    with pytest.raises(RegistryError, match="请升级 gradlib"):
        Registry(tmp_path / "new.sqlite")


def test_a_registry_not_as_expected_is_one_chinese_line_never_a_traceback(tmp_path):
    from gradlib.registry.schema import VERSION

    db = sqlite3.connect(tmp_path / "odd.sqlite")  # says it is up to date but holds none of the tables
    db.execute(f"PRAGMA user_version = {VERSION}")
    db.close()
    r = cli("status", "2027", "--registry", tmp_path / "odd.sqlite")
    assert r.returncode == 1 and "登记库读写失败：不是 gradlib 的登记库" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "notes.sqlite").write_text("这不是数据库" * 100, encoding="utf-8")  # a wrong file given as --registry
    r = cli("status", "2027", "--registry", tmp_path / "notes.sqlite")
    assert r.returncode == 1 and "不是登记库文件" in r.stderr and "file is not a database" not in r.stderr


def test_a_command_without_registry_names_the_registries_it_finds_under_outputs(tmp_path, monkeypatch):
    """After `make demo` and `gradlib publish`, the demo's registry is outputs/demo/registry.sqlite: a command run
    without --registry says where it is instead of only that outputs/registry.sqlite does not exist."""
    from gradlib.registry.db import open_registry

    monkeypatch.chdir(tmp_path)
    with pytest.raises(RegistryError, match="请先用 gradlib publish"):
        open_registry()                                           # nothing anywhere: publish first
    Registry(tmp_path / "outputs" / "demo" / "registry.sqlite").close()
    with pytest.raises(RegistryError) as e:
        open_registry()
    found = str(tmp_path.joinpath("outputs", "demo", "registry.sqlite").relative_to(tmp_path))
    assert f"--registry {found}" in str(e.value) and not (tmp_path / "outputs" / "registry.sqlite").exists()
    Registry(tmp_path / "outputs" / "registry.sqlite").close()
    assert open_registry().path == tmp_path.joinpath("outputs", "registry.sqlite").relative_to(tmp_path)
