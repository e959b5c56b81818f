"""Run a cohort: papermill execution of the notebook and the archive it leaves (copies, HTML, manifest)."""
