"""A deterministic synthetic graduating cohort, as the departments would send it.

``write_demo(out_dir)`` writes the six department tables (data-contract.md), a folder of photos, a
waivers log and a params YAML that names them. Everything is drawn from ``numpy.random.default_rng(seed)``;
the same seed gives the same cells. Generation is vectorised, so 1,000,000 students work; above
``CSV_THRESHOLD`` students every table is written as UTF-8 CSV and photos are skipped.

About 85 % of the students are clean. The rest carry defects planted on purpose (scenarios.py), a few of
every reason code of rules.md, plus harmless traps. ``expected_decisions(students, seed, photos)``
regenerates the cohort and returns, per student, the planted scenario and the decision a correct run
must reach (answer.py).

``write_demo(..., messy_files=True)`` writes the same cohort as the departments' own systems export it
(messy.py; ``gradlib demo --messy``); ``expected_decisions(..., messy_files=True)`` is its answer key.
"""
from .answer import expected_decisions
from .files import write_demo
from .messy import MAX_STUDENTS as MESSY_MAX_STUDENTS
from .reference import CSV_THRESHOLD, MIN_STUDENTS
from .scenarios import SCENARIOS

__all__ = ["write_demo", "expected_decisions", "SCENARIOS", "CSV_THRESHOLD", "MIN_STUDENTS", "MESSY_MAX_STUDENTS"]
