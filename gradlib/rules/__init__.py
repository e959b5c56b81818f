"""Pure, vectorised judgement of a cohort (rules.md): no I/O here."""
from .decide import DECISION_COLUMNS, Decisions, decide, withheld_deadline
from .facts import Facts
from .followup import FollowUp, follow_up, judge_followup, to_follow

__all__ = ["DECISION_COLUMNS", "Decisions", "Facts", "FollowUp", "decide", "follow_up", "judge_followup", "to_follow",
           "withheld_deadline"]
