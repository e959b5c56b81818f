"""The answer key of the synthetic cohort: the decision a correct run must reach for each student."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..reasons import REASON_BY_CODE, REASONS, SEVERITY, join_codes
from .cohort import SyntheticCohort
from .reference import CSV_THRESHOLD, MAKEUP_PUBLISHED, PHOTO_REASONS
from .scenarios import SC_LABEL, SCENARIOS


def expected_decisions(students: int = 3000, seed: int = 2027, photos: bool = True, messy_files: bool = False):
    """The decision a correct run must reach on ``write_demo(out, students, seed, photos, messy_files)``.

    With ``messy_files`` the roster has no 学籍状态 column: the students planted with a status are decided
    as enrolled ones (``Scenario.without_status``); every other student is decided as on the clean files.

    Returns a DataFrame sorted by student_id with the columns of decisions.csv
    (student_id, outcome, reasons, waived, deadline) plus ``scenario`` (the
    planted scenario's key, see ``SCENARIOS``; empty for a clean student).
    """
    co = SyntheticCohort(int(students), seed)
    photos = bool(photos) and students <= CSV_THRESHOLD
    bit = {r.code: 1 << i for i, r in enumerate(REASONS)}
    mask = np.zeros(co.n, np.int64)
    for s in SCENARIOS:
        m = 0
        for code in s.reasons_for(with_status=not messy_files):
            if photos or code not in PHOTO_REASONS:
                m |= bit[code]
        mask[co.members[s.key]] |= m
    waived = np.zeros(co.n, np.int64)
    for i, code in co.waived:
        if mask[i] & bit[code]:
            waived[i] |= bit[code]
    mask &= ~waived

    def codes(m):
        return [r.code for r in REASONS if m & bit[r.code]]

    u_mask, inv = np.unique(mask, return_inverse=True)
    reasons_s = np.array([join_codes(codes(int(m))) for m in u_mask], dtype=object)[inv]
    outcome_of = []
    for m in u_mask:
        outs = [REASON_BY_CODE[c].outcome for c in codes(int(m))]
        outcome_of.append(max(outs, key=SEVERITY.__getitem__) if outs else "COLLECT")
    outcome = np.array(outcome_of, dtype=object)[inv]
    u_w, inv_w = np.unique(waived, return_inverse=True)
    waived_s = np.array([join_codes(codes(int(m))) for m in u_w], dtype=object)[inv_w]
    deadline = dt.date(MAKEUP_PUBLISHED.year + 1, MAKEUP_PUBLISHED.month, MAKEUP_PUBLISHED.day).isoformat()
    df = pd.DataFrame({
        "student_id": co.xh.astype(object),
        "outcome": outcome,
        "reasons": reasons_s,
        "waived": waived_s,
        "deadline": np.where(outcome == "WITHHELD", deadline, ""),
        "scenario": SC_LABEL[co.scenario],
    })
    return df.sort_values("student_id", kind="stable").reset_index(drop=True)
