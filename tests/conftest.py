import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from builders import CohortFiles

from gradlib.params import load_params
from gradlib.rules import decide
from gradlib.sources import load_cohort


@pytest.fixture
def cohort_files(tmp_path):
    return CohortFiles(tmp_path / "cohort")


def run_decide(cf: CohortFiles):
    """Write the cohort, load and decide it; returns the Decisions."""
    return decide(load_cohort(load_params(cf.write())))


def outcome_of(d, sid: str) -> tuple[str, set[str], set[str]]:
    row = d.table.set_index("student_id").loc[sid]

    def split(s):
        return set(s.split(";")) if s else set()

    return row["outcome"], split(row["reasons"]), split(row["waived"])
