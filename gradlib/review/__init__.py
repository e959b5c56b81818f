"""The registrar's review: the student index, each student's evidence, the panel (ipywidgets) and its server."""
