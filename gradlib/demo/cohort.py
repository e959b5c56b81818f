"""The synthetic cohort in memory: every department's data as arrays, drawn from one seeded generator."""
from __future__ import annotations

import numpy as np

from ..reasons import REASON_BY_CODE
from ..sources.values import CHECK_CHARS, id_check_index
from . import plant
from .arrays import cat, fails, pick, scores, split_ymd, strs, to_level
from .reference import (
    ADULT_FEMALE,
    ADULT_MALE,
    C_ABSENT,
    C_EXCELLENT,
    C_GOOD,
    C_MID,
    C_PASS,
    COHORT,
    COMPANY_CITIES,
    COMPANY_STEMS,
    ETHNIC,
    FEMALE_CHARS,
    FIVE_LEVEL,
    GENERIC_STREETS,
    MAJORS,
    MALE_CHARS,
    MIN_STUDENTS,
    PHONE_PREFIX,
    POLITICS,
    REGIONS,
    SCHOOL_CODE,
    STREETS,
    SURNAMES,
    TOWNS,
    VILLAGES,
    S,
)
from .scenarios import SC_INDEX, SCENARIOS

_CHECK_ARR = np.array(list(CHECK_CHARS), dtype=S)


class SyntheticCohort:
    """All tables of one synthetic cohort, plus what was planted where."""

    def __init__(self, students: int, seed: int):
        if students < MIN_STUDENTS:
            raise ValueError(f"students must be at least {MIN_STUDENTS} (got {students})")
        self.n = students
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self._courses()
        self._roster()
        self._grades()
        self._internship()
        self._fees()
        self._photos()
        self._addresses()
        self._plant()
        self._waivers()

    # ---- curriculum ------------------------------------------------------
    def _courses(self):
        names: list[str] = []
        for m in MAJORS:
            for c in m.courses:
                if c[0] not in names:
                    names.append(c[0])
        self.course_names = names
        self.col_of = {n: i for i, n in enumerate(names)}
        self.plan = []           # rows: code, name, major, semester, type
        self.major_cols = []     # per major: (cols, types)
        for m in MAJORS:
            cols, types = [], []
            for k, (name, sem, typ) in enumerate(m.courses, start=1):
                self.plan.append((f"{m.prefix}{k:02d}", name, m.name, sem, typ))
                cols.append(self.col_of[name])
                types.append(typ)
            self.major_cols.append((np.array(cols), np.array(types)))
        self.five = np.array([n in FIVE_LEVEL for n in names])

    # ---- roster ----------------------------------------------------------
    def _roster(self):
        rng, n = self.rng, self.n
        w = np.array([m.weight for m in MAJORS])
        floor = 20
        counts = rng.multinomial(n - floor * len(MAJORS), w / w.sum()) + floor
        major = np.repeat(np.arange(len(MAJORS)), counts)
        pos = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
        n_cls = np.ceil(counts / 48).astype(np.int64)
        cls = pos * n_cls[major] // counts[major]                   # 0-based class within major
        cls_start = np.ceil(cls * counts[major] / n_cls[major]).astype(np.int64)
        seat = pos - cls_start + 1
        width = max(2, len(str(int(n_cls.max()))))
        self.major, self.cls = major, cls

        male = rng.random(n) < np.array([m.male for m in MAJORS])[major]
        returned = rng.random(n) < 0.01                             # 2023级复学, now in a 2024 class
        entry = np.where(returned, 2023, 2024)
        self.entry = entry
        xh = ((entry * 100 + major + 1) * 10 ** width + cls + 1) * 100 + seat
        self.xh = strs(xh)
        self.width = width
        self._names(male)
        self._ids(male, returned)
        self._home()
        self._classes()

    def _names(self, male):
        rng, n = self.rng, self.n
        sur = pick(rng, SURNAMES, n, p=np.linspace(3, 0.6, len(SURNAMES)))
        c1 = np.where(male, pick(rng, MALE_CHARS, n), pick(rng, FEMALE_CHARS, n))
        c2 = np.where(male, pick(rng, MALE_CHARS, n), pick(rng, FEMALE_CHARS, n))
        two = rng.random(n) < 0.72
        self.name = np.where(two, cat(sur, c1, c2), cat(sur, c1))
        self.surname = sur
        self.male = male

    def _ids(self, male, returned):
        """Birth date, home region and a valid ID (unique serials within region, birth date and sex)."""
        rng, n = self.rng, self.n
        span = np.where(returned, 244, 609)                         # to 2008-08-31 / 2009-08-31
        day = (rng.random(n) * span).astype(np.int64)
        birth = np.datetime64("2008-01-01") + day.astype("timedelta64[D]")
        rw = np.array([r[5] for r in REGIONS], dtype=float)
        region = rng.choice(len(REGIONS), size=n, p=rw / rw.sum())
        y, mth, d = split_ymd(birth)
        ymd = y * 10000 + mth * 100 + d
        key = (region * 4000 + (birth - np.datetime64("2007-01-01")).astype(np.int64)) * 2 + male
        order = np.lexsort((rng.random(n), key))
        sk = key[order]
        start = np.r_[True, sk[1:] != sk[:-1]]
        gid = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        rank = np.arange(n) - first[gid]
        if rank.max() >= 500:
            raise ValueError("too many students for unique ID serial numbers")
        off = rng.integers(0, 500, size=len(first))
        seq = np.empty(n, dtype=np.int64)
        seq[order] = ((off[gid] + rank) % 500) * 2 + male[order]
        codes = np.array([int(r[0]) for r in REGIONS], dtype=np.int64)
        prefix17 = codes[region] * 10 ** 11 + ymd * 1000 + seq
        self.check_idx = id_check_index(prefix17)
        self.id17 = strs(prefix17)
        self.idno = cat(self.id17, _CHECK_ARR[self.check_idx])
        self.region = region
        self.birth = birth
        self.birth_text = strs(np.datetime_as_string(birth, unit="D"))
        self.sex = np.where(male, strs("男"), strs("女"))
        self.region_codes = codes

    def _home(self):
        """The rest of the national export: ethnicity, politics, native place, address, phone, exam number."""
        rng, n, region, codes = self.rng, self.n, self.region, self.region_codes
        self.ethnic = pick(rng, ETHNIC[0], n, ETHNIC[1])
        self.politics = pick(rng, POLITICS[0], n, POLITICS[1])
        prov = np.array([r[1] for r in REGIONS], dtype=S)[region]
        city = np.array([r[2] for r in REGIONS], dtype=S)[region]
        dist = np.array([r[3] for r in REGIONS], dtype=S)[region]
        self.postcode = np.array([r[4] for r in REGIONS], dtype=S)[region]
        self.native_place = cat(np.strings.replace(prov, "省", ""), np.strings.replace(city, "市", ""))
        rural = np.array([r[6] for r in REGIONS])[region]
        max_st = max([len(v) for v in STREETS.values()] + [len(GENERIC_STREETS)])
        st_table = np.array([(STREETS.get(r[2], GENERIC_STREETS) * max_st)[:max_st] for r in REGIONS], dtype=S)
        st_len = np.array([len(STREETS.get(r[2], GENERIC_STREETS)) for r in REGIONS])
        street = st_table[region, (rng.random(n) * st_len[region]).astype(np.int64)]
        num = rng.integers(1, 400, n)
        flat = rng.random(n) < 0.5
        urban = cat(prov, city, dist, street, num, "号")
        urban = np.where(flat, cat(urban, rng.integers(1, 30, n), "栋", rng.integers(1, 4, n), "单元",
                                    rng.integers(1, 18, n) * 100 + rng.integers(1, 5, n), "室"), urban)
        village = cat(prov, city, dist, pick(rng, TOWNS, n), pick(rng, VILLAGES, n), "村",
                       rng.integers(1, 12, n), "组", rng.integers(1, 120, n), "号")
        self.address = np.where(rural, village, urban)
        self.phone = strs(np.array(PHONE_PREFIX)[rng.integers(0, len(PHONE_PREFIX), n)] * 10 ** 8
                        + rng.integers(0, 10 ** 8, n))
        jx = np.array([r[1] == "江西省" for r in REGIONS])
        jx_codes = codes[jx]
        exam_region = np.where(jx[region], codes[region], jx_codes[rng.integers(0, len(jx_codes), n)])
        self.exam_no = strs((self.entry % 100) * 10 ** 11 + exam_region * 10 ** 5 + rng.integers(0, 10 ** 5, n))

    def _classes(self):
        """Major and class names, one class teacher per class, status, diploma number."""
        rng, n, major, cls = self.rng, self.n, self.major, self.cls
        mnames = np.array([m.name for m in MAJORS], dtype=S)
        self.major_name = mnames[major]
        shorts = np.array([m.short for m in MAJORS], dtype=S)
        self.class_name = cat("24", shorts[major], cls + 1, "班")
        # one teacher per class
        cls_id = np.cumsum(np.r_[True, (major[1:] != major[:-1]) | (cls[1:] != cls[:-1])]) - 1
        nc = int(cls_id[-1]) + 1
        tmale = rng.random(nc) < 0.5
        tname = cat(pick(rng, SURNAMES[:30], nc),
                     np.where(tmale, pick(rng, ADULT_MALE, nc), pick(rng, ADULT_FEMALE, nc)),
                     np.where(rng.random(nc) < 0.6,
                              np.where(tmale, pick(rng, ADULT_MALE, nc), pick(rng, ADULT_FEMALE, nc)), strs("")))
        self.teacher = tname[cls_id]
        self.status = np.full(n, "在籍", dtype=S)
        self.certified = np.full(n, "", dtype=S)
        self.diploma = cat(SCHOOL_CODE[5:], COHORT, np.strings.zfill(strs(np.arange(1, n + 1)), 6))
        self.scenario = np.zeros(n, dtype=np.int16)     # 0 = none, else 1 + index into SCENARIOS

    # ---- grades (wide) ---------------------------------------------------
    def _grades(self):
        rng, n = self.rng, self.n
        C = len(self.course_names)
        g1 = np.full((n, C), -1, dtype=np.int8)
        g2 = np.full((n, C), -1, dtype=np.int8)
        g3 = np.full((n, C), -1, dtype=np.int8)
        for mi, (cols, types) in enumerate(self.major_cols):
            idx = np.flatnonzero(self.major == mi)
            k = len(idx)
            for c, typ in zip(cols, types):
                five = self.five[c]
                sc = scores(rng, k, mean=rng.uniform(74, 80))
                code = to_level(sc) if five else sc
                required = typ != "选修"
                taken = np.ones(k, bool) if required else rng.random(k) < 0.85
                absent = rng.random(k) < (0.003 if required else 0.0)
                code = np.where(absent, C_ABSENT, code).astype(np.int8)
                code = np.where(taken, code, -1).astype(np.int8)
                g1[idx, c] = code
                failed = fails(code)
                if required:
                    mk_ok = rng.random(k) < 0.93
                    mk_pass = scores(rng, k, 68, 5, 60, 85)
                    mk_fail = scores(rng, k, 52, 5, 30, 59)
                    mk = np.where(mk_ok, mk_pass, mk_fail)
                    if five:
                        mk = to_level(mk)
                    g2[idx, c] = np.where(failed, mk, -1)
                    cl = scores(rng, k, 65, 3, 60, 75)
                    if five:
                        cl = to_level(cl)
                    g3[idx, c] = np.where(failed & ~mk_ok, cl, -1)
                else:
                    mk = scores(rng, k, 66, 5, 60, 80)
                    if five:
                        mk = to_level(mk)
                    g2[idx, c] = np.where(failed & (rng.random(k) < 0.5), mk, -1)
        self.g1, self.g2, self.g3 = g1, g2, g3

    # ---- internship ------------------------------------------------------
    def _internship(self):
        rng, n = self.rng, self.n
        pool = []
        for m in MAJORS:
            city = pick(rng, COMPANY_CITIES[0], 60, COMPANY_CITIES[1])
            pool.append(cat(city, pick(rng, COMPANY_STEMS, 60), pick(rng, m.industries, 60),
                             np.where(rng.random(60) < 0.85, strs("有限公司"), strs("股份有限公司"))))
        self.companies = np.stack(pool)
        self.company = self.companies[self.major, rng.integers(0, 60, n)]
        self.has_internship = np.ones(n, bool)
        self.form = np.where(rng.random(n) < 0.7, 0, 1).astype(np.int8)
        self.report = np.zeros(n, np.int8)
        self.submitted = np.datetime64("2027-03-01") + rng.integers(0, 91, n).astype("timedelta64[D]")
        self.sub_style = rng.choice(3, size=n, p=[0.8, 0.15, 0.05]).astype(np.int8)
        lvl = rng.choice([C_EXCELLENT, C_GOOD, C_MID, C_PASS], size=n, p=[0.15, 0.4, 0.3, 0.15])
        self.assess = np.where(rng.random(n) < 0.65, lvl, rng.integers(62, 98, n)).astype(np.int8)
        self.extra_internship = []      # (student index, company, form, report, date, assessment)

    # ---- fees ------------------------------------------------------------
    def _fees(self):
        rng, n = self.rng, self.n
        tuition = np.array([m.tuition for m in MAJORS], np.int64)[self.major] * 100
        books = np.array([m.books for m in MAJORS], np.int64)[self.major] * 100
        boards = rng.random(n) < 0.7
        self.due = np.stack([tuition, np.where(boards, 120000, 0), books], axis=1)   # cents
        self.boards = boards                    # 走读生 keep a 住宿费 row with 0 due
        self.paid = self.due.copy()
        self.has_fees = np.ones(n, bool)

    # ---- photos ----------------------------------------------------------
    def _photos(self):
        # 0 ok by ID, 1 missing, 2 wrong size, 3 PNG as .jpg, 4 >100 KB, 5 by 学号, 6 .JPG, 7 .jpeg,
        # 8 none of its own (shares the file of a duplicate ID)
        self.photo_kind = np.zeros(self.n, np.int8)
        self.photo_variant = self.rng.integers(0, 6, self.n).astype(np.int8)

    # ---- mailing addresses -------------------------------------------------
    def _addresses(self):
        rng, n = self.rng, self.n
        self.has_address = rng.random(n) < 0.96
        parent = rng.random(n) < 0.15
        pmale = rng.random(n) < 0.5
        pname = cat(self.surname, np.where(pmale, pick(rng, ADULT_MALE, n), pick(rng, ADULT_FEMALE, n)),
                     np.where(pmale, pick(rng, ADULT_MALE, n), pick(rng, ADULT_FEMALE, n)))
        self.recipient = np.where(parent, pname, self.name)
        self.mail_phone = np.where(parent, strs(np.array(PHONE_PREFIX)[rng.integers(0, len(PHONE_PREFIX), n)]
                                              * 10 ** 8 + rng.integers(0, 10 ** 8, n)), self.phone)
        self.mail_postcode = np.where(rng.random(n) < 0.05, strs(""), self.postcode)

    # ---- planted defects ---------------------------------------------------
    def _plant(self):
        rng, n = self.rng, self.n
        counts = []
        for s in SCENARIOS:
            c = max(s.minimum, int(round(s.rate * n)))
            if s.key == "id_duplicate":
                c += c % 2
            counts.append(c)
        total = sum(counts)
        if total > n // 2:
            raise ValueError(f"{n} students is too few for the planted scenarios ({total})")
        perm = rng.permutation(n)
        self.members: dict[str, np.ndarray] = {}
        at = 0
        for s, c in zip(SCENARIOS, counts):
            idx = np.sort(perm[at:at + c])
            at += c
            self.members[s.key] = idx
            self.scenario[idx] = SC_INDEX[s.key] + 1
        for s in SCENARIOS:
            idx = self.members[s.key]
            for op, kw in s.ops:
                getattr(plant, op)(self, idx, **kw)
        # clean students whose ID ends in X: write a few with a lowercase x
        free = np.flatnonzero((self.scenario == 0) & (self.check_idx == 2))
        k = min(len(free), max(3, n // 1000))
        lx = np.sort(rng.choice(free, size=k, replace=False)) if k else free[:0]
        self.idno[lx] = np.strings.replace(self.idno[lx], "X", "x")
        self.members["lowercase_x"] = lx
        self.scenario[lx] = SC_INDEX["lowercase_x"] + 1
        free = np.flatnonzero(self.scenario == 0)
        st = np.sort(rng.choice(free, size=1, replace=False))
        self.members["stale_waiver"] = st
        self.scenario[st] = SC_INDEX["stale_waiver"] + 1

    def _waivers(self):
        m = self.members
        fees, report, late = m["fees_owed"], m["report_missing"], m["materials_late"]
        failed, nofee, stale = m["course_failed"], m["payment_record_missing"], m["stale_waiver"]
        xh = self.xh
        P, V, CX = "校长 王某", "副校长 刘某", "学籍科 李某"
        rows = [
            (xh[fees[0]], "FEES_OWED", "家庭经济困难（建档立卡户），经校长办公会研究同意先发证后补缴", P,
             "2027-06-12", "豁免", CX, "2027-06-12 10:15:00"),
            (xh[report[0]], REASON_BY_CODE["INTERNSHIP_REPORT_MISSING"].label, "实习单位出具证明，实习报告已随单位材料归档", V,
             "2027-06-13", "豁免", CX, "2027-06-13 09:40:00"),
            (xh[nofee[0]], "PAYMENT_RECORD_MISSING", "班主任反映已缴费，收据待补", V,
             "2027-06-14", "豁免", CX, "2027-06-14 15:20:00"),
            (xh[late[0]], "INTERNSHIP_MATERIALS_LATE", "因病住院延期提交，附医院证明", V,
             "2027-06-15", "豁免", CX, "2027-06-15 11:05:00"),
            (xh[failed[0]], "COURSE_FAILED", "家长申请照顾毕业", P,
             "2027-06-16", "豁免", CX, "2027-06-16 16:30:00"),
            (xh[fees[1]], "FEES_OWED", "家庭突遭变故，经校长批准缓缴", P,
             "2027-06-17", "豁免", CX, "2027-06-17 08:50:00"),
            (xh[stale[0]], "INTERNSHIP_MATERIALS_LATE", "班主任误报材料逾期", V,
             "2027-06-18", "豁免", CX, "2027-06-18 14:00:00"),
            (xh[nofee[0]], "PAYMENT_RECORD_MISSING", "财务科核查无此缴费记录，撤销豁免", V,
             "2027-06-21", "撤销", CX, "2027-06-21 09:10:00"),
        ]
        self.waiver_rows = [tuple(str(v) for v in r) for r in rows]
        # who keeps what: (student index, reason) pairs a correct run removes
        self.waived = [(fees[0], "FEES_OWED"), (report[0], "INTERNSHIP_REPORT_MISSING"),
                       (late[0], "INTERNSHIP_MATERIALS_LATE"), (fees[1], "FEES_OWED")]

