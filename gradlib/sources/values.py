"""Vectorised parsers for the value kinds of the data contract: dates, yes/no, money, grades, IDs."""
from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pandas as pd

# the vocabularies of data-contract.md (compared after NFKC, trimmed, lower-cased for Latin letters)
YES = ("是", "已交", "已提交", "已上交", "有", "y", "yes", "true", "1", "已", "√", "✓", "✔")
NO = ("否", "未交", "未提交", "未上交", "无", "n", "no", "false", "0", "未", "×", "✗", "✘", "")
PASSING_LEVELS = ("优秀", "良好", "中等", "及格", "优", "良", "中", "合格", "补考合格")
EXEMPT = ("免修", "免考")  # the course is passed
FAILING_LEVELS = ("不及格", "差", "不合格")
MARKS = ("缺考", "旷考", "作弊", "缓考", "取消资格")  # an attempt that does not pass
_DATE_SEP = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_DATE_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_EXCEL_SERIAL = r"^(\d{5})(?:\.0+)?$"
_SCI = r"^\d+(?:\.\d+)?[eE]\+?\d+$"


def on_uniques(parse):
    """Run a parser once per distinct value and spread the results back (grades and dates repeat a lot)."""
    @functools.wraps(parse)
    def wrapper(s: pd.Series, *args):
        codes, uniques = pd.factorize(as_text(s), sort=False)
        results = parse(pd.Series(uniques, dtype=object), *args)
        single = not isinstance(results, tuple)
        out = tuple(pd.Series(r.to_numpy()[codes] if len(r) else np.array([], dtype=r.dtype), index=s.index)
                    for r in ((results,) if single else results))
        return out[0] if single else out
    return wrapper


def as_text(s: pd.Series) -> pd.Series:
    """The series as plain Python strings (object dtype), blanks as ''."""
    return _strings(s.astype(object))


def nfkc(s: pd.Series) -> pd.Series:
    """Trimmed NFKC forms (full-width digits, letters and signs as their ASCII twins); call on distinct values."""
    return pd.Series([unicodedata.normalize("NFKC", v).strip() for v in as_text(s)], index=s.index, dtype=object)


@on_uniques
def parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse 2027-06-20, 2027/6/20, 2027年6月20日, 20270620 and Excel serials.

    Returns (dates as datetime64 with NaT for blank or bad, mask of non-blank values that are not dates).
    """
    t = nfkc(s)
    parts = t.str.extract(_DATE_SEP)
    compact = t.str.extract(_DATE_COMPACT)
    parts = parts.fillna(compact)
    ymd = parts.astype(float)
    dates = pd.to_datetime(
        pd.DataFrame({"year": ymd[0], "month": ymd[1], "day": ymd[2]}), errors="coerce"
    ) if len(t) else pd.Series([], dtype="datetime64[ns]")
    serial = pd.to_numeric(t.str.extract(_EXCEL_SERIAL)[0], errors="coerce")
    serial = serial.where((serial > 10000) & (serial < 80000))
    from_serial = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial, unit="D")
    dates = dates.fillna(from_serial) if len(t) else dates
    dates.index = s.index
    bad = (t != "") & dates.isna()
    return dates, bad


@on_uniques
def parse_yesno(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse 是/否, 已交/未交, 有/无, Y/N, true/false, 1/0; blank is no. Returns (bool, bad mask)."""
    t = nfkc(s).str.lower()
    yes = t.isin(YES)
    bad = ~yes & ~t.isin(NO)
    return yes, bad


MONEY_OK, MONEY_BAD, MONEY_NEGATIVE, MONEY_DECIMALS = 0, 1, 2, 3


@on_uniques
def parse_money(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse yuan amounts such as 1,200.50, ￥1200.5 or 1200.50元 (≥ 0, at most 2 decimals).

    Returns (amount — NaN for blank or bad —, bad mask, why: MONEY_OK / MONEY_BAD / MONEY_NEGATIVE / MONEY_DECIMALS);
    blank is NaN and not bad. A negative amount (-100, （200）) or one with 3 decimals is bad, never rounded.
    """
    t = nfkc(s).str.replace(r"[￥¥,\s元]|^RMB|^CNY", "", regex=True)
    negative = t.str.fullmatch(r"-\d+(?:\.\d*)?|\(\d+(?:\.\d*)?\)")
    ok = t.str.fullmatch(r"\d+(?:\.\d{0,2})?")
    decimals = t.str.fullmatch(r"\d+\.\d{3,}")
    v = pd.to_numeric(t.where(ok), errors="coerce")
    bad = (t != "") & ~ok
    why = np.select([~bad, negative, decimals], [MONEY_OK, MONEY_NEGATIVE, MONEY_DECIMALS], MONEY_BAD)
    return v, bad, pd.Series(why, index=s.index)


@on_uniques
def parse_grades(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Parse grade cells (a number 0-100 or a word of the contract's vocabularies, after NFKC: ８５ is 85);
    the pass mark is the rules' business. Returns (valid, score — NaN for a word —, the word passes, bad);
    blank is neither valid nor bad."""
    t = nfkc(s)
    num = pd.to_numeric(t.where(t.str.fullmatch(r"\d+(?:\.\d+)?")), errors="coerce")
    num_ok = num.between(0, 100)
    level_pass = t.isin(PASSING_LEVELS + EXEMPT)
    level_fail = t.isin(FAILING_LEVELS + MARKS)
    valid = num_ok | level_pass | level_fail
    score = num.where(num_ok)
    bad = (t != "") & ~valid
    return valid, score, level_pass, bad


@on_uniques
def parse_terms(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse 学期 cells (an integer 1-6, full-width digits too). Returns (the term as text, '' when blank or bad; bad)."""
    t = nfkc(s).str.replace(r"\.0+$", "", regex=True)
    ok = t.str.fullmatch(r"[1-6]")
    return t.where(ok, ""), (t != "") & ~ok


def normalise_id(s: pd.Series) -> pd.Series:
    """Trim an identifier and upper-case a trailing x."""
    return as_text(s).str.strip().str.upper()


def looks_numeric_id(s: pd.Series) -> pd.Series:
    """Mask of text cells that show an ID mangled into a number by Excel (3.60102199001011E+17)."""
    t = as_text(s)
    maybe = t.str.contains("e", case=False, regex=False)
    out = pd.Series(False, index=s.index)
    if maybe.any():
        out[maybe] = t[maybe].str.strip().str.fullmatch(_SCI).astype(bool)
    return out


_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = "10X98765432"
_CHECK = np.array(list(CHECK_CHARS))


def id_check_index(prefix17: np.ndarray) -> np.ndarray:
    """The position in CHECK_CHARS of the GB 11643-1999 (ISO 7064 MOD 11-2) check character of each
    17-digit ID prefix, given as integers (vectorised: the synthetic cohort makes a million at once)."""
    prefix17 = np.asarray(prefix17, dtype=np.int64)
    s = np.zeros(prefix17.shape, dtype=np.int64)
    for i in range(17):
        s += (prefix17 // 10 ** (16 - i)) % 10 * _WEIGHTS[i]
    return s % 11


def id_check_char(first17: str) -> str:
    """The check character of the first 17 digits of an ID (GB 11643-1999)."""
    return CHECK_CHARS[int(id_check_index(np.array([int(first17)]))[0])]


def id_check_digit_ok(ids: pd.Series) -> pd.Series:
    """Mask of IDs whose 18th character is the GB 11643-1999 (ISO 7064 MOD 11-2) check digit.

    Only meaningful where the ID matches 17 digits + digit/X; other rows come back False.
    """
    fmt = ids.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(ids), dtype=bool)
    if fmt.any():
        sel = ids.to_numpy(dtype=object)[fmt].astype("U18")
        codes = sel.view(np.uint32).reshape(-1, 18)
        digits = codes[:, :17].astype(np.int64) - ord("0")
        expected = _CHECK[(digits @ _WEIGHTS) % 11]
        last = np.array([x[-1] for x in sel]) if len(sel) else np.array([], dtype="U1")
        out[fmt] = expected == last
    return pd.Series(out, index=ids.index)


def temporary_id(ids: pd.Series) -> pd.Series:
    """Mask of the national system's temporary numbers: 999 + 10-digit school code + 5-digit serial."""
    return ids.str.fullmatch(r"999\d{15}").fillna(False).astype(bool)


def _strings(o: pd.Series) -> pd.Series:
    """o (object dtype) with blanks as '' and every value a Python str, kept as object dtype: pandas 3's
    astype(str) would make its slower 'str' dtype (a copy, and missing-value handling in every later call)."""
    if pd.api.types.infer_dtype(o, skipna=False) == "string":  # all str already: nothing is blank or other
        return o
    return o.where(o.notna(), "").astype(str).astype(object)
