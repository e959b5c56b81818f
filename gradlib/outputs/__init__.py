"""Lists, workbooks and wording: everything a run writes for people, from its Decisions."""
from .catalog import LIST_BY_KEY, LISTS, write_decisions, write_lists, write_outputs

__all__ = ["LISTS", "LIST_BY_KEY", "write_decisions", "write_lists", "write_outputs"]
