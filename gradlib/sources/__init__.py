"""Files → typed tables: the departments' files read as they send them, validated against the contract."""
from .cohort import Cohort, load_cohort, load_roster, refresh_waivers

__all__ = ["Cohort", "load_cohort", "load_roster", "refresh_waivers"]
