"""Plain Chinese wording per reason (wording.py) and province/city parsing for the mailing list (mailing.py)."""
import datetime as dt
import re
from pathlib import Path

import pytest

from gradlib.outputs import wording
from gradlib.outputs.mailing import province_city
from gradlib.reasons import ABANDONED, OUTCOMES, REASON_BY_CODE, REASONS

ROOT = Path(__file__).resolve().parent.parent
FACTS = wording.Facts("应缴 2400.00 元，已缴 1900.00 元，欠缴 500.00 元", 500.0, None, dt.date(2027, 7, 15))
# the one homes: reason labels and articles in reasons.py, the lists' articles in outputs/catalog.py
HOMES = {"reasons.py", "catalog.py"}
MODULES = sorted(p for p in (ROOT / "gradlib").rglob("*.py") if p.name not in HOMES)


def test_every_reason_has_wording_and_nothing_else_does():
    assert set(wording.WORDING) == {r.code for r in REASONS}


@pytest.mark.parametrize("code", [r.code for r in REASONS])
def test_full_wording_starts_with_the_label_and_says_where_to_go(code):
    text = wording.full(code, wording.Facts("某项：证据", 0.0, dt.date(2028, 6, 20), dt.date(2027, 7, 15)))
    assert text.startswith(REASON_BY_CODE[code].label)
    assert re.search(r"到(学生管理科|教务科|财务科|就业办)|联系", text), text
    if REASON_BY_CODE[code].outcome == "WITHHELD":
        assert "请于2028年6月20日前" in text and ABANDONED.label in text
    elif REASON_BY_CODE[code].outcome == "DEFERRED":
        assert "请于7月15日前" in text or "请到" in text, text


def test_the_fee_sentence_a_class_teacher_reads_out():
    assert wording.full("FEES_OWED", FACTS) == "欠缴学杂费 500.00 元，请于7月15日前到财务科补交"


def test_a_student_who_cannot_graduate_this_year_is_given_no_date_of_this_years_issue():
    """罗菲 (NO_STATUS) was told 本年度不能申请毕业 and, in the next line, 请于7月15日前…补交."""
    import pandas as pd

    reasons = pd.DataFrame({"idx": [0, 0, 1, 1], "code": ["NO_STATUS", "FEES_OWED", "FEES_OWED", "COURSE_FAILED"],
                            "evidence": ["", "欠缴 500.00 元", "欠缴 500.00 元", "数学 40"]})
    texts = wording.reason_texts(reasons, pd.Series([500.0, 500.0]), dt.date(2028, 6, 20), dt.date(2027, 7, 15),
                                 undated=[True, False])
    assert "本年度不能申请毕业" in texts[0] and texts[1] == "欠缴学杂费 500.00 元，请到财务科补交"
    assert texts[2] == "欠缴学杂费 500.00 元，请于7月15日前到财务科补交"  # the same reason of a student who graduates
    assert "请于2028年6月20日前" in texts[3] and ABANDONED.label in texts[3]
    for code in wording.WORDING:  # no sentence of a student who cannot graduate names a date
        t = wording.full(code, wording.Facts("某项：证据", 0.0, None, None))
        assert not re.search(r"\d+月\d+日", t) and ABANDONED.label not in t, t


def test_grade_missing_names_the_courses_once():
    t = wording.full("GRADE_MISSING", wording.Facts("语文（C01）、数学（C02） 无有效成绩", 0, None, dt.date(2027, 7, 15)))
    assert t == "必修课程无有效成绩：语文（C01）、数学（C02），请于7月15日前到教务科核实并补录成绩"


@pytest.mark.parametrize("code", [r.code for r in REASONS])
def test_public_wording_never_shows_amounts_grades_or_labels(code):
    p = wording.public([code])
    assert p and not re.search(r"\d|元|分|成绩 |不及格|不合格", p), p
    assert REASON_BY_CODE[code].label not in p


def test_public_wording_is_unique_and_in_reason_order():
    assert wording.public(["FEES_OWED", "COURSE_FAILED", "INTERNSHIP_FORM_MISSING", "INTERNSHIP_REPORT_MISSING"]) == \
        "需补考认定、需补交实习材料、需到财务科办理手续"


def test_no_module_repeats_a_reason_label_an_article_or_an_outcome_label():
    """What people read is told from the one table: lists and the review never spell a label themselves (rules'
    evidence may describe a fact in words that happen to contain one, e.g. 缴费库中无缴费记录)."""
    assert len(MODULES) > 40
    for name in MODULES:
        text = name.read_text(encoding="utf-8")
        told = name.parent.name in ("outputs", "review")
        for r in REASONS:
            assert (r.label not in text) if told else (f'"{r.label}"' not in text), (name, r.label)
        assert not re.search(r"第[一二三四五六七八九十]+条", text), name
        for o in OUTCOMES + (ABANDONED,):
            assert f'"{o.label}"' not in text, (name, o.label)


@pytest.mark.parametrize("address,expected", [
    ("江西省南昌市青山湖区北京东路1号", ("江西省", "南昌市")),
    ("广东省深圳市南山区科技园", ("广东省", "深圳市")),
    ("北京市海淀区中关村大街1号", ("北京市", "北京市")),
    ("上海浦东新区世纪大道100号", ("上海市", "上海市")),
    ("广西壮族自治区南宁市青秀区民族大道1号", ("广西壮族自治区", "南宁市")),
    ("内蒙古自治区呼和浩特市新城区", ("内蒙古自治区", "呼和浩特市")),
    ("湖南省湘西土家族苗族自治州吉首市", ("湖南省", "湘西土家族苗族自治州")),
    ("江西南昌市西湖区", ("江西省", "南昌市")),
    (" 江西省 九江市 浔阳区", ("江西省", "九江市")),
    ("江西省南昌县向塘镇市场路1号", ("江西省", "未识别")),
    ("=江西省南昌市", ("未识别", "未识别")),
    ("", ("未识别", "未识别")),
])
def test_province_and_city_from_an_address(address, expected):
    assert province_city(address) == expected
