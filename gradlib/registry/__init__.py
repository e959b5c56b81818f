"""The graduate registry: what outlives one run (published cohorts, diplomas, follow-up, documents).

Modules beside this one: collect (collection and mailing), sheets (their bulk import), status, lookup,
transfers (Art 24) and stock (Art 11); each writes through ``Registry.write()``, one transaction.
"""
from .cohorts import Published, RunRecord, current_graduates, history, publications, publish, published
from .db import Registry, default_user, now

__all__ = ["Published", "Registry", "RunRecord", "current_graduates", "default_user", "history", "now",
           "published", "publications", "publish"]
