"""gradlib: the graduation procedure of 江西省通用技术工程学校, one cohort per run.

The package is made of wings in the order data flows, each importing only from those below it:
the base (errors, reasons, findings, params, log) → sources → rules → outputs → review →
run → notebook, cli. The notebooks call ``gradlib.notebook``.
"""
from importlib import metadata

try:
    __version__ = metadata.version("gradlib")
except metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
