import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import CohortFiles  # noqa: E402

from gradlib.rules import decide  # noqa: E402
from gradlib.params import load_params  # noqa: E402
from gradlib.sources import load_cohort  # noqa: E402


@pytest.fixture
def cohort_files(tmp_path):
    return CohortFiles(tmp_path / "cohort")


def run_decide(cf: CohortFiles):
    """Write the cohort, load and decide it; returns the Decisions."""
    return decide(load_cohort(load_params(cf.write())))


def outcome_of(d, sid: str) -> tuple[str, set[str], set[str]]:
    row = d.table.set_index("student_id").loc[sid]
    split = lambda s: set(s.split(";")) if s else set()  # noqa: E731
    return row["outcome"], split(row["reasons"]), split(row["waived"])
