"""Small vectorised helpers of the synthetic cohort (numpy StringDType arrays, dates, grade codes)."""
from __future__ import annotations

import numpy as np

from .reference import C_EXCELLENT, C_FAIL, C_GOOD, C_MID, C_PASS, S


def strs(a) -> np.ndarray:
    """To a StringDType array."""
    return np.asarray(a).astype(S)


def cat(*parts) -> np.ndarray:
    """Join strings and arrays element-wise into a StringDType array."""
    out = parts[0] if isinstance(parts[0], str) else strs(parts[0])
    for p in parts[1:]:
        out = np.strings.add(out, p if isinstance(p, str) else strs(p))
    return out


def pick(rng, values, n, p=None) -> np.ndarray:
    """n values drawn from values (with weights p if given)."""
    values = np.array(values, dtype=S)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
        return values[rng.choice(len(values), size=n, p=p)]
    return values[rng.integers(0, len(values), size=n)]


def split_ymd(d: np.ndarray):
    """Year, month and day of datetime64 values."""
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def scores(rng, n, mean=77.0, sd=9.0, lo=40, hi=100) -> np.ndarray:
    """n marks from a clipped normal distribution."""
    return np.clip(np.rint(rng.normal(mean, sd, n)), lo, hi).astype(np.int8)


def to_level(score: np.ndarray) -> np.ndarray:
    """Marks as five-level grade codes."""
    return np.select([score >= 90, score >= 80, score >= 70, score >= 60],
                     [C_EXCELLENT, C_GOOD, C_MID, C_PASS], C_FAIL).astype(np.int8)


def fails(code: np.ndarray) -> np.ndarray:
    """Whether grade codes fail (blank is not a failure)."""
    return (code >= 0) & ((code < 60) | (code >= C_FAIL))



def date_text(d: np.ndarray, style: np.ndarray) -> np.ndarray:
    """Dates as text in the given styles (ISO, 2027年5月20日, 2027/5/20); NaT as blank."""
    nat = np.isnat(d)
    dd = np.where(nat, np.datetime64("2000-01-01"), d)
    y, m, day = split_ymd(dd)
    iso = strs(np.datetime_as_string(dd, unit="D"))
    cn = cat(y, "年", m, "月", day, "日")
    slash = cat(y, "/", m, "/", day)
    out = np.where(style == 1, cn, np.where(style == 2, slash, iso))
    return np.where(nat, strs(""), out)

