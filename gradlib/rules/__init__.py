"""Pure, vectorised judgement of a cohort (rules.md): no I/O here."""
from .decide import DECISION_COLUMNS, Decisions, decide, withheld_deadline
from .facts import Facts

__all__ = ["DECISION_COLUMNS", "Decisions", "Facts", "decide", "withheld_deadline"]
