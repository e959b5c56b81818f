"""Province and city from a Chinese postal address, for grouping the diploma mailing list (Art 18).

``江西省南昌市青山湖区…`` → (江西省, 南昌市); ``北京市海淀区…`` → (北京市, 北京市) (a municipality is its own
province and city); ``广西壮族自治区南宁市…`` → (广西壮族自治区, 南宁市); short forms such as ``江西南昌市…`` are
recognised too. What cannot be recognised is (未识别, 未识别) and sorts last; the school's own province
(from its name in the params) comes first.
"""
from __future__ import annotations

import re

import pandas as pd

UNKNOWN = "未识别"
# GB/T 2260 order; the short form is what people write when they leave the suffix out
PROVINCES = (
    ("北京市", "北京"), ("天津市", "天津"), ("河北省", "河北"), ("山西省", "山西"), ("内蒙古自治区", "内蒙古"),
    ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"), ("上海市", "上海"), ("江苏省", "江苏"),
    ("浙江省", "浙江"), ("安徽省", "安徽"), ("福建省", "福建"), ("江西省", "江西"), ("山东省", "山东"),
    ("河南省", "河南"), ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"), ("广西壮族自治区", "广西"),
    ("海南省", "海南"), ("重庆市", "重庆"), ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"),
    ("西藏自治区", "西藏"), ("陕西省", "陕西"), ("甘肃省", "甘肃"), ("青海省", "青海"), ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"), ("台湾省", "台湾"), ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
)
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
PROVINCE_ORDER = {full: i for i, (full, _) in enumerate(PROVINCES)}
_SHORT = {short: full for full, short in PROVINCES}
# full names first, then short forms that may be followed by 省/市/自治区 or by nothing
_PROV = "|".join(sorted([re.escape(f) for f, _ in PROVINCES] + [re.escape(s) for _, s in PROVINCES],
                        key=len, reverse=True))
_PROVINCE_RE = re.compile(rf"^(?:中国)?({_PROV})(?:省|市|(?:[^市县区]{{0,4}}自治区))?")
_CITY_RE = re.compile(r"^([^省市县区镇乡街路号\d]{1,12}?(?:市|自治州|地区|盟))")


def province_city(address: str) -> tuple[str, str]:
    """(province, city) of one address; (未识别, 未识别) when the address does not start with a province."""
    a = re.sub(r"\s+", "", str(address or ""))
    m = _PROVINCE_RE.match(a)
    if not m:
        return UNKNOWN, UNKNOWN
    prov = _SHORT.get(m[1], m[1])
    if prov in MUNICIPALITIES:
        return prov, prov
    c = _CITY_RE.match(a[m.end():])
    return prov, c[1] if c else UNKNOWN


def split_addresses(addresses: pd.Series) -> pd.DataFrame:
    """Province and city of many addresses (columns 省份, 城市), parsed once per distinct address."""
    uniq = pd.unique(addresses.astype(str))
    parsed = {a: province_city(a) for a in uniq}
    pairs = addresses.astype(str).map(parsed)
    return pd.DataFrame({"省份": [p for p, _ in pairs], "城市": [c for _, c in pairs]}, index=addresses.index)


def province_rank(province: pd.Series, home: str | None = None) -> pd.Series:
    """Sort key of provinces: the school's own province (home) first, then GB/T 2260 order, unrecognised last."""
    rank = province.map(PROVINCE_ORDER).fillna(len(PROVINCES)).astype(int)
    return rank.where(province != home, -1) if home else rank


def home_province(school: str) -> str | None:
    """The province a school is in, from its name (江西省通用技术工程学校 → 江西省); None when it does not say."""
    prov, _ = province_city(school)
    return None if prov == UNKNOWN else prov
