"""How dates and amounts are written for people: the one home of every display format."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd


def _missing(d) -> bool:
    return d is None or d is pd.NaT or (isinstance(d, float) and math.isnan(d))


def cn_date(d) -> str:
    """2027年7月1日 (empty for None/NaT)."""
    if _missing(d):
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month_day(d) -> str:
    """7月1日 (empty for None/NaT)."""
    if _missing(d):
        return ""
    return f"{d.month}月{d.day}日"


def cn_span(a, b) -> str:
    """2027年7月1日至7月15日 (the year of the end is left out when it is the same)."""
    end = cn_month_day(b) if a.year == b.year else cn_date(b)
    return f"{cn_date(a)}至{end}"


def iso(d) -> str:
    """2027-07-01 (empty for None/NaT)."""
    if _missing(d):
        return ""
    return (d.date() if isinstance(d, dt.datetime) else d).isoformat()


def record_time(t: dt.datetime) -> str:
    """2027-06-12 10:15:00: when a row of a file staff keep (the waivers) was recorded, as they write it."""
    return t.strftime("%Y-%m-%d %H:%M:%S")


def iso_dates(s: pd.Series) -> pd.Series:
    """A datetime series as 2027-07-01 strings (NaT as NaN)."""
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d")


def cn_dates(s: pd.Series) -> pd.Series:
    """A datetime series as 2027年7月1日 strings (NaT as NaN)."""
    t = pd.to_datetime(s)
    return t.map(cn_date).where(t.notna())


def yuan(v) -> str:
    """An amount in yuan with two decimals: 1200.50."""
    return f"{v:.2f}"


def yuan_series(v) -> pd.Series:
    """Many amounts in yuan with two decimals."""
    return pd.Series(v).map(yuan)


def cn_datetime(stamp) -> str:
    """2026年12月2日 15:54 from a recorded time (ISO text or datetime; empty for None)."""
    if _missing(stamp) or stamp == "":
        return ""
    t = dt.datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return f"{cn_date(t)} {t.hour:02d}:{t.minute:02d}"
