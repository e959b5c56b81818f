"""The graduate registry: what outlives one run (published cohorts, diplomas, follow-up, documents)."""
from .cohorts import Published, RunRecord, current_graduates, history, publications, publish, published
from .db import Registry, default_user, now

__all__ = ["Published", "Registry", "RunRecord", "current_graduates", "default_user", "history", "now",
           "published", "publications", "publish"]
