"""Documents: diplomas printed on the pre-printed pages, certificates from templates staff can edit, letters,
and their verification (issue 11). Every document is recorded in the registry (who, when, which template)."""
