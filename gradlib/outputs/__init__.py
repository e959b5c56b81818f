"""Lists, workbooks and wording: everything a run writes for people, from its Decisions."""
from .catalog import (
    FOLLOWUP_LISTS,
    LIST_BY_KEY,
    LISTS,
    write_decisions,
    write_followup_outputs,
    write_lists,
    write_outputs,
)

__all__ = ["FOLLOWUP_LISTS", "LISTS", "LIST_BY_KEY", "write_decisions", "write_followup_outputs", "write_lists",
           "write_outputs"]
