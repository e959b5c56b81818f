"""Tests of the synthetic cohort generator (gradlib.demo).

Besides format checks, ``_derive`` re-reads the written files and re-derives
every student's reasons the simple way (rules.md, for the cell formats the
generator uses) so that ``expected_decisions`` — the answer key the pipeline
is compared against — can be trusted.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image
from python_calamine import CalamineWorkbook

from gradlib import demo
from gradlib.demo.reference import LEVELS
from gradlib.reasons import REASON_BY_CODE, REASONS, SEVERITY, WAIVABLE, join_codes, reason_code
from gradlib.sources.values import id_check_char

N = 400
TABLES = ["学籍库", "教学计划", "成绩库", "缴费库", "顶岗实习"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    a = demo.write_demo(base / "a", students=N, seed=11)
    b = demo.write_demo(base / "b", students=N, seed=11)
    c = demo.write_demo(base / "c", students=N, seed=12)
    return a, b, c


@pytest.fixture(scope="module")
def expected():
    return demo.expected_decisions(N, seed=11)


def _read(params: Path, name: str) -> pd.DataFrame:
    """A department table as strings, header row found as the reader would (title rows skipped)."""
    data = params.parent / "data"
    x, c = data / f"{name}.xlsx", data / f"{name}.csv"
    if x.exists():
        raw = pd.read_excel(x, engine="calamine", header=None, dtype=str).fillna("")
    else:
        raw = pd.read_csv(c, header=None, dtype=str, keep_default_na=False, encoding="utf-8")
    hdr = next(i for i in range(10) if "学号" in "".join(raw.iloc[i]) or "课程代码" in set(raw.iloc[i]))
    df = raw.iloc[hdr + 1:].reset_index(drop=True)
    df.columns = list(raw.iloc[hdr])
    return df


def _mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character, from its definition (weights 2^(17-i) mod 11)."""
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# Files, headers, formats
# --------------------------------------------------------------------------
def test_files_and_params(runs):
    p = runs[0]
    d = p.parent
    for name in TABLES:
        assert (d / "data" / f"{name}.xlsx").is_file()
    assert (d / "data" / "邮寄地址.csv").is_file()
    assert (d / "data" / "照片").is_dir()
    assert (d / "2027.waivers.csv").is_file()
    text = p.read_text(encoding="utf-8")
    assert "internship_materials_due: 2027-05-31\n" in text
    assert "makeup_results_published: 2027-06-20\n" in text
    y = yaml.safe_load(text)
    assert y["cohort"] == 2027 and y["data_dir"] == "data" and y["fees_mode"] == "ledger"
    assert y["waivers"] == "2027.waivers.csv" and y["output_dir"] == "outputs"
    assert y["issue_window"] == [dt.date(2027, 7, 1), dt.date(2027, 7, 15)]
    assert y["photo"] == {"width": 480, "height": 640, "max_kb": 100}
    assert y["sources"] == {"students": "学籍库.xlsx", "curriculum": "教学计划.xlsx", "grades": "成绩库.xlsx",
                            "fees": "缴费库.xlsx", "internship": "顶岗实习.xlsx", "addresses": "邮寄地址.csv",
                            "photos": "照片/"}
    for v in y["sources"].values():
        assert (d / "data" / v).exists()


def test_photos_false_writes_null(tmp_path):
    p = demo.write_demo(tmp_path, students=250, seed=3, photos=False)
    assert yaml.safe_load(p.read_text(encoding="utf-8"))["sources"]["photos"] is None
    assert not (tmp_path / "data" / "照片").exists()
    exp = demo.expected_decisions(250, seed=3, photos=False)
    assert not exp.reasons.str.contains("PHOTO").any()


def test_same_seed_identical(runs):
    a, b, _ = runs
    for name in TABLES:
        pd.testing.assert_frame_equal(_read(a, name), _read(b, name))
    for rel in ["params.yaml", "2027.waivers.csv", "data/邮寄地址.csv"]:
        assert (a.parent / rel).read_bytes() == (b.parent / rel).read_bytes()
    pa, pb = a.parent / "data" / "照片", b.parent / "data" / "照片"
    assert sorted(f.name for f in pa.iterdir()) == sorted(f.name for f in pb.iterdir())
    assert all(_sha(f) == _sha(pb / f.name) for f in pa.iterdir())


def test_different_seed_differs(runs):
    a, _, c = runs
    for name in ["学籍库", "成绩库", "缴费库", "顶岗实习"]:
        assert not _read(a, name).equals(_read(c, name))
    assert (a.parent / "data/邮寄地址.csv").read_bytes() != (c.parent / "data/邮寄地址.csv").read_bytes()


def test_roster_title_row_and_text_cells(runs):
    rows = CalamineWorkbook.from_path(str(runs[0].parent / "data/学籍库.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "江西省通用技术工程学校2027届毕业生学籍信息"
    assert all(v == "" for v in rows[0][1:])
    header = rows[1]
    for col in ["校内学号", "姓名", "性别", "身份证号", "出生日期", "民族", "政治面貌", "籍贯", "现家庭住址", "准考证号",
                "修读专业", "班级名称", "班主任", "入学年月", "学生状态", "成绩认定", "毕业证书编号", "联系电话",
                "年级", "学制", "邮政编码"]:
        assert col in header
    for col in ["校内学号", "身份证号", "准考证号", "毕业证书编号", "联系电话", "邮政编码", "入学年月"]:
        j = header.index(col)
        assert all(isinstance(r[j], str) for r in rows[2:]), col      # identifiers are text cells
    j = header.index("毕业证书编号")
    assert any(r[j].startswith("0") for r in rows[2:])                 # leading zeros kept
    assert len(rows) - 2 == N


def test_id_check_digits(runs, expected):
    ro = _read(runs[0], "学籍库")
    sc = dict(zip(expected.student_id, expected.scenario))
    bad_expected = {"id_bad_checksum", "id_blank", "temp_id"}
    lower = 0
    for xh, idn, birth, sex in zip(ro["校内学号"], ro["身份证号"], ro["出生日期"], ro["性别"]):
        s = sc[xh]
        if s in bad_expected:
            if s == "temp_id":
                assert re.fullmatch(r"999\d{10}\d{5}", idn)
            elif s == "id_blank":
                assert idn == ""
            else:
                assert _mod11_2(idn[:17]) != idn[17].upper()
            continue
        assert re.fullmatch(r"\d{17}[\dXx]", idn), idn
        lower += idn.endswith("x")
        assert _mod11_2(idn[:17]) == idn[17].upper(), (xh, idn)
        assert idn[:2] in {"36", "43", "35", "44", "33", "42", "34"}
        if s != "id_birth_mismatch":
            assert birth.replace("-", "") == idn[6:14]
            assert idn[6:10] in ("2008", "2009")
        if s not in ("id_sex_mismatch", "record_bad_sex"):
            assert (int(idn[16]) % 2 == 1) == (sex == "男")
    assert lower >= 1


def test_check_char_function():
    assert _mod11_2("11010519491231002") == "X"                          # the standard's own example
    rng = np.random.default_rng(0)
    for _ in range(200):
        s = "".join(map(str, rng.integers(0, 10, 17)))
        assert id_check_char(s) == _mod11_2(s)


def test_wide_grades_and_plan(runs):
    plan = _read(runs[0], "教学计划")
    gr = _read(runs[0], "成绩库")
    assert list(gr.columns[:3]) == ["学号", "姓名", "班级"]
    assert plan["专业"].nunique() >= 4 and set(plan["课程性质"]) == {"必修", "选修", "实习"}
    per_major = plan.groupby("专业")
    assert all(10 <= len(g) <= 14 for _, g in per_major)
    assert all((g["课程性质"] == "实习").sum() == 1 and 1 <= (g["课程性质"] == "选修").sum() <= 2
               for _, g in per_major)
    yuwen = plan[plan["课程名称"] == "语文"]["课程代码"]
    assert yuwen.nunique() >= 2 and {"C01", "A01"} <= set(yuwen)
    heads = list(gr.columns[3:])
    assert any(h.endswith("(补考)") for h in heads) and any(h.endswith("（补考）") for h in heads)
    assert any(h.endswith("(清考)") for h in heads) or any(h.endswith("（清考）") for h in heads)
    base = {re.sub(r"[（(](补考|清考)[)）]$", "", h) for h in heads}
    assert base <= set(plan["课程名称"])
    values = set(gr[heads].to_numpy().ravel())
    assert {"优秀", "良好", "中等", "及格", "不及格", "缺考"} & values >= {"优秀", "良好", "不及格"}
    cells = [v for v in values if v and v not in LEVELS]
    assert all(0 <= float(v) <= 100 for v in cells)


def test_fees_footer_and_arrears_column(runs):
    fe = _read(runs[0], "缴费库")
    assert (fe["学号"] == "合计").sum() == 1
    assert fe["学号"].str.startswith("制表人").sum() == 1
    body = fe[fe["学号"].str.fullmatch(r"\d{10,}")]
    due, paid, owed = (body[c].astype(float) for c in ["应缴金额", "已缴金额", "欠费金额"])
    assert np.allclose(due - paid, owed)
    assert set(body["收费项目"]) == {"学费", "住宿费", "教材费"}


def test_internship_values(runs):
    it = _read(runs[0], "顶岗实习")
    assert set(it["审批表"]) <= {"是", "已交", "否", "未交", ""}
    assert set(it["实习报告"]) <= {"已交", "未交", ""}
    assert it["提交日期"].str.contains("年").any()                 # some as text 2027年5月20日
    assert it["提交日期"].str.contains("00:00:00").any()          # most as real Excel dates
    dates = it["提交日期"].map(_date).dropna()
    assert (dates > dt.date(2027, 5, 31)).any() and (dates <= dt.date(2027, 5, 31)).mean() > 0.9
    assert it["实习单位"].str.contains("南昌|九江|赣州|深圳|东莞").mean() > 0.5


def test_addresses_are_gbk(runs):
    raw = (runs[0].parent / "data/邮寄地址.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert rows[0] == ["学号", "收件人", "联系电话", "邮寄地址", "邮政编码"]
    assert 0.9 * N < len(rows) - 1 < N                                # most, not all
    assert all(re.fullmatch(r"1\d{10}", r[2]) for r in rows[1:])
    assert any(r[3].startswith("江西省南昌市") for r in rows[1:])


def test_photos(runs, expected):
    d = runs[0].parent
    folder = d / "data" / "照片"
    ro = _read(runs[0], "学籍库")
    sc = dict(zip(expected.student_id, expected.scenario))
    found = {}
    for f in folder.iterdir():
        with Image.open(f) as im:
            found[f.name] = (im.format, im.size, f.stat().st_size)
    kinds = {"ok": 0, "size": 0, "png": 0, "big": 0, "missing": 0}
    for xh, idn in zip(ro["校内学号"], ro["身份证号"]):
        s = sc[xh]
        key = idn.strip().upper()
        names = [key + e for e in (".jpg", ".JPG", ".jpeg")] + [xh + ".jpg"]
        hit = [found[n] for n in names if n in found]
        if s in ("photo_missing", "fees_owed_photo_missing"):
            assert not hit
            kinds["missing"] += 1
            continue
        assert hit, (xh, s)
        fmt, size, nbytes = hit[0]
        if s == "photo_wrong_size":
            assert fmt == "JPEG" and size != (480, 640)
            kinds["size"] += 1
        elif s == "photo_png":
            assert fmt == "PNG"
            kinds["png"] += 1
        elif s == "photo_oversize":
            assert fmt == "JPEG" and size == (480, 640) and nbytes > 100 * 1024
            kinds["big"] += 1
        else:
            assert fmt == "JPEG" and size == (480, 640) and nbytes <= 100 * 1024
            kinds["ok"] += 1
    assert kinds["png"] == 1 and kinds["big"] == 1 and kinds["size"] >= 2 and kinds["missing"] >= 3
    assert any(n.endswith(".JPG") for n in found) and any(n.endswith(".jpeg") for n in found)


def test_waivers_file(runs, expected):
    raw = (runs[0].parent / "2027.waivers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["学号", "原因代码", "理由", "批准人", "日期", "操作", "记录人", "记录时间"]
    assert all(all(r[k] for k in ("学号", "原因代码", "理由", "批准人", "日期")) for r in rows)
    exp = expected.set_index("student_id")

    def has(xh, code):
        return code in exp.loc[xh, "reasons"].split(";") + exp.loc[xh, "waived"].split(";")

    codes = [reason_code(r["原因代码"]) for r in rows]
    assert all(codes)
    assert any(r["原因代码"] == "未交顶岗实习报告" for r in rows)                     # given by its label
    assert any(c == "FEES_OWED" and r["批准人"] == "校长 王某" for r, c in zip(rows, codes))
    stale = [r for r, c in zip(rows, codes) if c in WAIVABLE and not has(r["学号"], c)]
    assert len(stale) == 1
    nonw = [r for r, c in zip(rows, codes) if c not in WAIVABLE]
    assert len(nonw) == 1 and reason_code(nonw[0]["原因代码"]) == "COURSE_FAILED"
    assert has(nonw[0]["学号"], "COURSE_FAILED")
    rev = [i for i, r in enumerate(rows) if r["操作"] == "撤销"]
    assert len(rev) == 1
    i = rev[0]
    earlier = [j for j in range(i) if rows[j]["学号"] == rows[i]["学号"] and codes[j] == codes[i]]
    assert earlier and rows[earlier[0]]["操作"] == "豁免"
    assert has(rows[i]["学号"], codes[i]) and codes[i] in exp.loc[rows[i]["学号"], "reasons"]


# --------------------------------------------------------------------------
# The answer key
# --------------------------------------------------------------------------
def test_every_reason_planted_and_mix(expected):
    present = set(";".join(expected.reasons + ";" + expected.waived).split(";")) - {""}
    assert present == {r.code for r in REASONS}
    big = demo.expected_decisions(3000, seed=2027)
    share = (big.outcome == "COLLECT").mean()
    assert 0.80 <= share <= 0.92
    assert set(big.outcome) == {"COLLECT", "DEFERRED", "WITHHELD", "NOT_ELIGIBLE"}
    assert (big.deadline != "").equals(big.outcome == "WITHHELD")
    assert set(big.deadline) - {""} == {"2028-06-20"}
    assert big.student_id.is_unique


def test_too_few_students():
    with pytest.raises(ValueError):
        demo.write_demo(Path("/nonexistent"), students=50)


def test_answer_key_matches_files(runs, expected):
    derived = _derive(runs[0])
    got = expected.set_index("student_id")[["outcome", "reasons", "waived"]]
    diff = derived.join(got.add_suffix("_exp"))
    bad = diff[(diff.reasons != diff.reasons_exp) | (diff.waived != diff.waived_exp)
               | (diff.outcome != diff.outcome_exp)]
    assert bad.empty, bad.head(20).to_string()


def test_large_cohort_writes_csv(tmp_path):
    n = 60_000
    p = demo.write_demo(tmp_path, students=n, seed=5)
    y = yaml.safe_load(p.read_text(encoding="utf-8"))
    assert y["sources"]["photos"] is None
    for name in TABLES:
        assert y["sources"][{"学籍库": "students", "教学计划": "curriculum", "成绩库": "grades", "缴费库": "fees",
                             "顶岗实习": "internship"}[name]] == f"{name}.csv"
        assert (tmp_path / "data" / f"{name}.csv").is_file()
        assert not (tmp_path / "data" / f"{name}.xlsx").exists()
    with open(tmp_path / "data" / "学籍库.csv", encoding="utf-8") as f:
        assert "校内学号" in f.readline()                                # no title row in CSV
    with open(tmp_path / "data" / "成绩库.csv", encoding="utf-8") as f:
        head = f.readline()
        assert head.startswith("学号,姓名,班级,") and "(补考)" in head     # wide layout
    derived = _derive(p)
    exp = demo.expected_decisions(n, seed=5).set_index("student_id").reindex(derived.index)
    assert len(derived) == n and exp.outcome.notna().all()
    assert (derived.reasons == exp.reasons).all() and (derived.waived == exp.waived).all()
    assert (derived.outcome == exp.outcome).all()


# --------------------------------------------------------------------------
# An independent, deliberately plain reading of rules.md for the demo's files
# --------------------------------------------------------------------------
PASS_LEVELS = {"优秀", "良好", "中等", "及格"}
GRADE_WORDS = PASS_LEVELS | {"不及格", "缺考", "作弊", "缓考"}
YES = {"是", "已交", "有", "Y", "y", "true", "1"}


def _date(s: str):
    s = s.strip()
    for pat in (r"(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00:00)?", r"(\d{4})/(\d{1,2})/(\d{1,2})",
                r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pat, s)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


def _num(v: str):
    try:
        x = float(v)
    except ValueError:
        return None
    return x if 0 <= x <= 100 else None


def _valid(v: str) -> bool:
    return v in GRADE_WORDS or _num(v) is not None


def _passes(v: str) -> bool:
    x = _num(v)
    return v in PASS_LEVELS or (x is not None and x >= 60)


def _id_ok(idn: str, sex: str, birth: str) -> bool:
    if re.fullmatch(r"999\d{15}", idn):
        return True
    if not re.fullmatch(r"\d{17}[\dX]", idn) or _mod11_2(idn[:17]) != idn[17]:
        return False
    b = _date(idn[6:14])
    if b is None or b != _date(birth):
        return False
    return sex not in ("男", "女") or (int(idn[16]) % 2 == 1) == (sex == "男")


def _derive(params: Path) -> pd.DataFrame:
    ro = _read(params, "学籍库").rename(columns={"校内学号": "学号", "修读专业": "专业", "学生状态": "状态",
                                             "现家庭住址": "住址", "班级名称": "班级"})
    plan = _read(params, "教学计划")
    gr = _read(params, "成绩库")
    fe = _read(params, "缴费库")
    it = _read(params, "顶岗实习")
    ys = yaml.safe_load(params.read_text(encoding="utf-8"))
    photo_dir = params.parent / "data" / "照片" if ys["sources"]["photos"] else None
    students = list(ro["学号"])
    R: dict[str, set] = {x: set() for x in students}
    rows = dict(zip(students, ro.to_dict("records")))
    majors = set(plan["专业"])

    # roster
    five = {"在籍", "休学", "离校未办手续", "退学", "转出"}
    for x, r in rows.items():
        st = r["状态"]
        if st == "离校未办手续":
            R[x].add("LEFT_WITHOUT_PROCEDURE")
        if st in ("退学", "转出"):
            R[x].add("NO_STATUS")
        if st == "休学" and r["成绩认定"] not in YES:
            R[x].add("SUSPENDED_GRADES_UNCERTIFIED")
        if (any(r[c].strip() == "" for c in ("姓名", "性别", "出生日期", "民族", "政治面貌", "住址", "班级", "状态"))
                or r["性别"] not in ("男", "女") or _date(r["出生日期"]) is None or st not in five):
            R[x].add("RECORD_INCOMPLETE")
        if r["专业"] not in majors:
            R[x].add("MAJOR_NOT_IN_PLAN")
        idn = r["身份证号"].strip().upper()
        if not idn or not _id_ok(idn, r["性别"], r["出生日期"]):
            R[x].add("ID_INVALID")
    ids = ro["身份证号"].str.strip().str.upper()
    for x in ro.loc[(ids != "") & ids.duplicated(keep=False), "学号"]:
        R[x].add("ID_DUPLICATE")

    # grades: wide -> long, header mapped through the student's major
    long = gr.melt(id_vars=["学号"], value_vars=list(gr.columns[3:]), var_name="h", value_name="v")
    long = long[long.v != ""]
    long["课程名称"] = long.h.str.replace(r"[（(](补考|清考)[)）]$", "", regex=True)
    long["专业"] = long["学号"].map(dict(zip(students, ro["专业"])))
    long = long.merge(plan[["专业", "课程名称"]], on=["专业", "课程名称"], how="inner")
    uv = long.v.unique()
    long["valid"] = long.v.map(dict(zip(uv, map(_valid, uv))))
    long["pass"] = long.v.map(dict(zip(uv, map(_passes, uv))))
    agg = long.groupby(["学号", "课程名称"])[["valid", "pass"]].any()
    req = plan[plan["课程性质"].isin(["必修", "实习"])][["专业", "课程名称"]]
    need = ro[["学号", "专业"]].merge(req, on="专业")
    need = need.join(agg, on=["学号", "课程名称"]).fillna({"valid": False, "pass": False})
    for x in need.loc[~need.valid.astype(bool), "学号"]:
        R[x].add("GRADE_MISSING")
    for x in need.loc[need.valid.astype(bool) & ~need["pass"].astype(bool), "学号"]:
        R[x].add("COURSE_FAILED")

    # internship: the latest row by date counts
    it = it[it["学号"].isin(R)].copy()
    it["d"] = it["提交日期"].map(_date)
    it["ok"] = it["实习考核"].map(_passes)
    it["d_ord"] = it["d"].map(lambda d: d.toordinal() if d else -1)   # no valid date: earliest
    it = it.sort_values(["学号", "d_ord", "ok"], kind="stable")
    last = {r["学号"]: r for r in it.to_dict("records")}              # later rows overwrite earlier
    due = dt.date(2027, 5, 31)
    for x in students:
        if x not in last:
            R[x].add("INTERNSHIP_RECORD_MISSING")
            continue
        r = last[x]
        g = r["实习考核"].strip()
        if not _valid(g):
            R[x].add("INTERNSHIP_UNASSESSED")
        elif not _passes(g):
            R[x].add("INTERNSHIP_FAILED")
        if r["审批表"] not in YES:
            R[x].add("INTERNSHIP_FORM_MISSING")
        if r["实习报告"] not in YES:
            R[x].add("INTERNSHIP_REPORT_MISSING")
        if r["d"] and r["d"] > due:
            R[x].add("INTERNSHIP_MATERIALS_LATE")

    # fees (ledger)
    fe = fe[fe["学号"].isin(R)]
    sums = fe.assign(o=fe["应缴金额"].astype(float) - fe["已缴金额"].astype(float)).groupby("学号").o.sum().to_dict()
    for x in students:
        if x in sums and sums[x] <= 0.005:
            continue
        if rows[x]["状态"] == "休学":
            R[x].add("SUSPENDED_FEES_OWED")
        else:
            R[x].add("PAYMENT_RECORD_MISSING" if x not in sums else "FEES_OWED")

    # photos
    if photo_dir is not None:
        files = {f.name: f for f in photo_dir.iterdir()}
        for x in students:
            idn = rows[x]["身份证号"].strip().upper()
            f = next((files[n] for stem in ([idn] if idn else []) + [x]
                      for n in (stem + ".jpg", stem + ".JPG", stem + ".jpeg", stem + ".JPEG") if n in files), None)
            if f is None:
                R[x].add("PHOTO_MISSING")
                continue
            with Image.open(f) as im:
                if im.format != "JPEG" or im.size != (480, 640) or f.stat().st_size > 100 * 1024:
                    R[x].add("PHOTO_INVALID")

    # waivers: last valid row per (学号, code) wins
    wv = pd.read_csv(params.parent / ys["waivers"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    last_w: dict = {}
    for _, w in wv.iterrows():
        code = reason_code(w["原因代码"])
        if w["学号"] not in R or code not in WAIVABLE or _date(w["日期"]) is None:
            continue
        last_w[(w["学号"], code)] = w["操作"] or "豁免"
    waived = {x: set() for x in students}
    for (x, code), op in last_w.items():
        if op == "豁免" and code in R[x]:
            R[x].discard(code)
            waived[x].add(code)

    def outcome(rs):
        outs = [REASON_BY_CODE[c].outcome for c in rs]
        return max(outs, key=SEVERITY.__getitem__) if outs else "COLLECT"

    return pd.DataFrame({"outcome": [outcome(R[x]) for x in students],
                         "reasons": [join_codes(R[x]) for x in students],
                         "waived": [join_codes(waived[x]) for x in students]},
                        index=pd.Index(students, name="student_id"))


def test_pipeline_matches_the_demo_answer_key(tmp_path):
    """The whole reader and rule chain on the realistic demo cohort agrees with its planted answer key."""
    from gradlib.demo import expected_decisions, write_demo
    from gradlib.params import load_params
    from gradlib.rules import decide
    from gradlib.sources import load_cohort

    params = write_demo(tmp_path / "demo", students=600, seed=11)
    d = decide(load_cohort(load_params(params)))
    got = d.decisions_csv()
    # every data problem is one plain row: file, row, column, value, problem (scalars, not lists)
    assert d.problems.groupby(["file", "problem"], dropna=False).size().sum() == len(d.problems)
    assert d.problems["column"].map(type).eq(str).all()
    want = expected_decisions(600, 11)[["student_id", "outcome", "reasons", "waived", "deadline"]]
    want = want.sort_values("student_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
