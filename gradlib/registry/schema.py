"""The registry's tables, as numbered migrations: a registry of any older version is brought up to date.

Every table is append-only (triggers refuse UPDATE and DELETE): a correction is a new row that names the row
it supersedes (``supersedes``), with who (``recorded_by``) and when (``recorded_at``). The current state of a
thing is its newest row that no later row supersedes.
"""
from __future__ import annotations

# (version, what it adds, SQL). Never edit a migration that has shipped: add the next one.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "cohorts, runs and publications, graduates and their history, collection and mailing, transfers, stock", """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- cohort | followup
    run_id TEXT NOT NULL,
    folder TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    version TEXT,
    git_commit TEXT,
    students INTEGER NOT NULL,
    counts TEXT,                        -- JSON {outcome: n}
    UNIQUE (cohort, kind, run_id)
);
CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(id),
    cohort INTEGER NOT NULL,
    kind TEXT NOT NULL,
    supersedes INTEGER REFERENCES publications(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE graduates (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    student_id TEXT NOT NULL,           -- 学号
    publication INTEGER NOT NULL REFERENCES publications(id),
    name TEXT NOT NULL,
    sex TEXT,
    birth_date TEXT,
    id_number TEXT,
    major TEXT,
    class TEXT,
    diploma_number TEXT,
    outcome TEXT NOT NULL,
    reasons TEXT NOT NULL,              -- ;-separated codes, as in decisions.csv
    waived TEXT NOT NULL,
    deadline TEXT,
    record TEXT NOT NULL,               -- JSON: the roster row as read
    supersedes INTEGER REFERENCES graduates(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX graduates_student ON graduates (student_id, cohort);
CREATE INDEX graduates_id_number ON graduates (id_number);
CREATE INDEX graduates_name ON graduates (name);
CREATE INDEX graduates_diploma ON graduates (diploma_number);
CREATE TABLE collections (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    method TEXT NOT NULL,               -- in_person | mail | void (the earlier record was a mistake)
    day TEXT,                           -- collected or mailed (ISO date); NULL for void
    receiver TEXT,                      -- in person: the student or a named proxy
    proxy INTEGER NOT NULL DEFAULT 0,   -- 1: the receiver is not the student
    tracking_number TEXT,               -- mail: 快递单号
    source TEXT,                        -- where it came from: a file, sheet and Excel row, or the command
    note TEXT,
    supersedes INTEGER REFERENCES collections(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX collections_student ON collections (student_id, cohort);
CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    receiving_school TEXT NOT NULL,
    reason TEXT NOT NULL,               -- e.g. 升读大专
    handed_over TEXT,                   -- ISO date; NULL: pending
    tracking_number TEXT,               -- 邮寄单号 when the file was mailed
    note TEXT,
    supersedes INTEGER REFERENCES transfers(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX transfers_student ON transfers (student_id);
CREATE TABLE stock (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,                 -- inner (内芯) | cover (封皮)
    event TEXT NOT NULL,                -- received | used | spoiled | void (cancels the row it supersedes)
    quantity INTEGER NOT NULL,          -- > 0; void rows 0
    day TEXT NOT NULL,
    cohort INTEGER,
    diploma_number TEXT,
    reason TEXT,
    supersedes INTEGER REFERENCES stock(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"""),
    (2, "issued documents (diplomas printed, certificates, letters), their files and their voiding", """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    serial TEXT NOT NULL UNIQUE,        -- school-year-kind-sequence, e.g. JXTG-2027-BY-0001
    kind TEXT NOT NULL,                 -- diploma | graduation | status | enrolment | study | letter
    year INTEGER NOT NULL,              -- the serial's year (of issue)
    sequence INTEGER NOT NULL,          -- the serial's sequence within kind and year
    cohort INTEGER,
    student_id TEXT,                    -- NULL for a study certificate of a person not on a roster
    diploma_number TEXT,                -- a diploma: the 证书编号 printed
    person TEXT NOT NULL,               -- JSON: whom it is about (name, sex, id number, …)
    content TEXT NOT NULL,              -- JSON, canonical: what the verification code signs
    code TEXT NOT NULL,                 -- verification code: HMAC-SHA256 of content under the registry's secret
    issued_on TEXT NOT NULL,            -- ISO date printed on the document
    template TEXT,                      -- the template file used (a school's edited copy or the default)
    template_sha256 TEXT,
    output TEXT,                        -- the file written (DOCX of a certificate, PDF of a diploma batch)
    output_sha256 TEXT,
    approval TEXT,                      -- JSON: grades check and leader's approval (study certificates)
    reissues INTEGER REFERENCES documents(id),  -- the voided document this one replaces
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (kind, year, sequence)
);
CREATE INDEX documents_student ON documents (student_id, kind);
CREATE INDEX documents_diploma ON documents (diploma_number);
CREATE TABLE document_voids (
    id INTEGER PRIMARY KEY,
    document INTEGER NOT NULL UNIQUE REFERENCES documents(id),
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE document_files (
    id INTEGER PRIMARY KEY,
    document INTEGER NOT NULL REFERENCES documents(id),
    file TEXT NOT NULL,                 -- every file written for it (DOCX, PDF, the combined PDF of a batch)
    sha256 TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"""),
    (3, "intake: enrolled students as versioned rows, class reviews, corrections, status changes, exports", """
CREATE TABLE enrolled (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,            -- the graduation year of the student's intake
    intake_year INTEGER NOT NULL,
    student_id TEXT NOT NULL,           -- 学号
    class TEXT NOT NULL,
    id_number TEXT,
    exam_number TEXT,                   -- 中考报名序号
    record TEXT NOT NULL,               -- JSON: the roster row (the data contract's columns)
    run_id TEXT,                        -- the intake run it came from
    supersedes INTEGER REFERENCES enrolled(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX enrolled_student ON enrolled (student_id);
CREATE INDEX enrolled_id_number ON enrolled (id_number);
CREATE INDEX enrolled_exam_number ON enrolled (exam_number);
CREATE TABLE class_reviews (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    class TEXT NOT NULL,
    stage TEXT NOT NULL,                -- first (班主任初审) | second (学籍管理部门复审)
    reviewer TEXT NOT NULL,
    day TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    field TEXT NOT NULL,                -- the roster column (中文)
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    why TEXT NOT NULL,
    enrolled INTEGER NOT NULL REFERENCES enrolled(id),  -- the enrolled row the correction made
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    student_id TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- 休学 复学 退学 转出 转入 转专业 转班
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    approval TEXT NOT NULL,             -- who approved (and the document number)
    new_major TEXT,
    new_class TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX status_changes_student ON status_changes (student_id);
CREATE TABLE export_approvals (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    approver TEXT NOT NULL,             -- the school leader who approved (Art 4)
    day TEXT NOT NULL,
    purpose TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    cohort INTEGER NOT NULL,
    level TEXT NOT NULL,                -- redacted | full
    approval INTEGER REFERENCES export_approvals(id),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    students INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
"""),
)

APPEND_ONLY = ("runs", "publications", "graduates", "collections", "transfers", "stock", "documents",
               "document_voids", "document_files", "enrolled", "class_reviews", "corrections", "status_changes",
               "export_approvals", "exports")


def guard_sql(table: str) -> str:
    """Triggers that refuse to change or delete a row of an append-only table."""
    return "".join(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'append-only: {table}'); END;\n" for op in ("UPDATE", "DELETE"))


VERSION = MIGRATIONS[-1][0]
