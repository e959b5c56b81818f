"""`gradlib lookup`, file transfers and the diploma stock (issue #9, Art 11, 20, 24)."""
import datetime as dt
import json

import openpyxl
import pytest
from registry_helpers import cli, make_run

from gradlib.errors import ParamsError, RegistryError
from gradlib.params import load_params
from gradlib.registry import Registry, now, transfers
from gradlib.registry import stock as stock_
from gradlib.registry.collect import collect_one
from gradlib.registry.lookup import find, mask_id
from gradlib.run.publish import publish, registry_of

DIPLOMAS = [f"13601202706{i:06d}" for i in range(1, 7)]


def _numbered(cf):
    s = cf.tables["students"]
    s["证书编号"] = DIPLOMAS
    s.loc[5, "姓名"] = "张伟"  # two students named 张伟 (2024000001 and 2024000006)


def _owing(cf):
    _numbered(cf)
    cf.tables["fees"].loc[0, "已缴金额"] = "2000"  # 2024000001 owes 400: DEFERRED


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The cohort published (DEFERRED 张伟), then a later run published after he paid (the default registry)."""
    root = tmp_path_factory.mktemp("lookup") / "a"
    first = make_run(root, _owing)
    publish(first, by="甲")
    second = make_run(root, _numbered)  # its notebook reads the registry the first run was published to
    publish(second, by="乙")
    return first, second, registry_of(second)


def test_the_later_runs_notebook_shows_the_published_status(world):
    first, second, _ = world
    html = (second / "cohort.html").read_text(encoding="utf-8")
    assert "登记库" in html and "领取情况" in html and first.name in html and "空白毕业证书结存" in html
    assert "尚无 2027 届已发布的结果" in (first / "cohort.html").read_text(encoding="utf-8")


def test_lookup_by_each_key_prints_the_record_masked(world):
    first, second, path = world
    with Registry(path) as reg:
        id_number = reg.one("SELECT id_number FROM graduates WHERE student_id = '2024000001'")[0]
    for query in ("2024000001", id_number, DIPLOMAS[0]):
        r = cli("lookup", query, "--registry", path)
        assert r.returncode == 0, r.stderr
        assert "学号：2024000001" in r.stdout and mask_id(id_number) in r.stdout and id_number not in r.stdout
        hist = r.stdout.split("审核历史：")[1].split("领取与邮寄")[0].strip().splitlines()
        assert len(hist) == 2 and "暂缓领取（欠缴学杂费）" in hist[0] and first.name in hist[0]
        assert hist[1].endswith("可领取") and second.name in hist[1] and "乙" in hist[1]
    r = cli("lookup", "李娜", "--registry", path, "--full")
    assert r.returncode == 0 and "学号：2024000002" in r.stdout and "**" not in r.stdout
    assert mask_id("360102200802150040") == "3601**********0040"


def test_lookup_none_found_and_several_found(world):
    _, _, path = world
    r = cli("lookup", "赵无名", "--registry", path)
    assert r.returncode == 1 and "没有找到“赵无名”" in r.stdout
    r = cli("lookup", "张伟", "--registry", path)
    assert r.returncode == 0 and "找到 2 名学生" in r.stdout and "请用学号" in r.stdout
    lines = [x for x in r.stdout.splitlines() if x.startswith("  ")]
    assert [x.split()[0] for x in lines] == ["2024000001", "2024000006"]
    r = cli("lookup", "张伟", "--cohort", "2031", "--registry", path)
    assert r.returncode == 1


def test_lookup_lists_collections_transfers_and_documents(world, tmp_path):
    _, second, _ = world
    path = tmp_path / "r.sqlite"
    publish(second, registry=path)
    with Registry(path) as reg:
        collect_one(reg, "2024000003", "甲", day=dt.date(2026, 7, 3), receiver="王父")
        transfers.add(reg, "2024000003", "江西应用技术职业学院", "升读大专", "甲")
        with reg.write() as db:
            db.execute("INSERT INTO documents (serial, kind, year, sequence, cohort, student_id, person, content, code, "
                       "issued_on, recorded_by, recorded_at) VALUES ('JXTY-2027-ZM-0001', 'graduation', 2027, 1, 2027, "
                       "'2024000003', ?, '{}', 'c', '2027-07-03', '甲', ?)",
                       (json.dumps({"name": "王芳"}, ensure_ascii=False), now()))
        assert [m.student_id for m in find(reg, "王芳")] == ["2024000003"]
    r = cli("lookup", "2024000003", "--registry", path)
    out = r.stdout
    assert "代领（王父）" in out and "江西应用技术职业学院：待移交" in out and "JXTY-2027-ZM-0001  毕业证明书" in out


def test_transfers_pending_done_and_the_signature_list(world, tmp_path):
    _, second, _ = world
    path = tmp_path / "r.sqlite"
    publish(second, registry=path)
    r = cli("transfer", "add", "--student", "2024000004", "--school", "江西应用技术职业学院", "--reason", "升读大专",
            "--registry", path)
    assert r.returncode == 0 and "待移交" in r.stdout, r.stderr
    with Registry(path) as reg:
        transfers.add(reg, "2024000002", "南昌职业大学", "升读大专", "甲", day=dt.date(2026, 9, 1), tracking="EMS1")
        with pytest.raises(RegistryError, match="已有一条待移交"):
            transfers.add(reg, "2024000004", "另一所学校", "升读大专", "甲")
        with pytest.raises(RegistryError, match="没有学号 2099"):
            transfers.add(reg, "2099000001", "南昌职业大学", "升读大专", "甲")
    r = cli("transfer", "list", "--registry", path, "--out", tmp_path / "out")
    assert r.returncode == 0 and "待移交的档案移交：1 人" in r.stdout and "2024000004  刘洋" in r.stdout
    ws = openpyxl.load_workbook(tmp_path / "out" / transfers.FILE).active
    assert [c.value for c in ws[3]] == list(transfers.COLUMNS) and ws["B4"].value == "2024000004"
    assert [ws[f"{c}4"].value for c in "KLM"] == [None, None, None]  # blank to sign
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert "内部资料 请勿外传" in ws.oddHeader.center.text and ws.print_title_rows == "$1:$3"
    r = cli("transfer", "done", "--student", "2024000004", "--date", "2026-09-10", "--registry", path)
    assert r.returncode == 0, r.stderr
    with Registry(path) as reg:
        assert transfers.table(reg).empty
        every = transfers.table(reg, pending_only=False).set_index("学号")
        assert every.loc["2024000004", "移交日期"] == "2026-09-10" and every.loc["2024000002", "邮寄单号"] == "EMS1"
        rows = transfers.transfer_rows(reg, "2024000004")
        assert len(rows) == 2 and rows[1]["supersedes"] == rows[0]["id"]
    r = cli("transfer", "done", "--student", "2024000004", "--registry", path)
    assert r.returncode == 1 and "没有待移交" in r.stderr


def test_stock_balance_void_and_refusals(tmp_path):
    with Registry(tmp_path / "r.sqlite") as reg:
        stock_.record(reg, "received", {"inner": 500, "cover": 480}, "甲", day=dt.date(2026, 3, 1))
        stock_.record(reg, "used", {"inner": 300, "cover": 300}, "甲", day=dt.date(2026, 7, 1), cohort=2026)
        stock_.record(reg, "spoiled", {"inner": 4}, "甲", day=dt.date(2026, 7, 2), reason="打印错位")
        mistake = stock_.rows(reg)["编号"].iloc[0]
        stock_.record(reg, "spoiled", {"cover": 2}, "甲", day=dt.date(2025, 7, 2))  # the year before: not counted
        stock_.void(reg, int(mistake), "乙", "重复登记")
        b = stock_.balance(reg).set_index("项目")
        assert b.loc["内芯"].tolist() == [500, 300, 0, 200] and b.loc["封皮"].tolist() == [480, 300, 2, 178]
        with pytest.raises(RegistryError, match="结存只有 178"):
            stock_.record(reg, "used", {"cover": 179}, "甲", day=dt.date(2026, 7, 3))
        with pytest.raises(RegistryError, match="已作废"):
            stock_.void(reg, int(mistake), "乙")
        stock_.record(reg, "spoiled", {"inner": 3, "cover": 1}, "甲", day=dt.date(2026, 7, 9))
        f = stock_.forecast(reg, 2027, roster=1000, spares=0.05).set_index("项目")
        # needed = 1000 + ceil(1000 × 5 %) + spoiled in 2026; to order = needed − on hand
        assert f.loc["内芯"].tolist() == [1000, 50, 3, 1053, 197, 856]
        assert f.loc["封皮"].tolist() == [1000, 50, 1, 1051, 177, 874]
        assert stock_.forecast(reg, 2027, roster=101, spares=0.05).loc[0, "备用（5%）"] == 6  # ceil(5.05)


def test_stock_commands_and_the_forecast_from_params(world, tmp_path):
    _, second, _ = world
    path = tmp_path / "r.sqlite"
    r = cli("stock", "receive", "--inner", "10", "--cover", "10", "--date", "2026-03-01", "--registry", path)
    assert r.returncode == 0 and "内芯  10  0  0  10" in r.stdout, r.stderr
    r = cli("stock", "spoil", "--inner", "2", "--date", "2026-07-02", "--registry", path)
    assert "内芯  10  0  2  8" in r.stdout
    r = cli("stock", "--forecast", second / "inputs" / "params.yaml", "--registry", path)
    assert r.returncode == 0, r.stderr
    assert "内芯  6  1  2  9  8  1" in r.stdout and "封皮  6  1  0  7  10  0" in r.stdout
    r = cli("stock", "use", "--cover", "0", "--registry", path)
    assert r.returncode == 1 and "请给出数量" in r.stderr


def test_diploma_spares_is_a_checked_param(tmp_path):
    text = "cohort: 2027\ninternship_materials_due: 2027-05-31\nmakeup_results_published: 2027-06-20\n"
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert load_params(tmp_path / "p.yaml").diploma_spares == 0.05
    (tmp_path / "p.yaml").write_text(text + "diploma_spares: 1.5\n", encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_params(tmp_path / "p.yaml")
    assert [p.column for p in e.value.problems] == ["diploma_spares"]
