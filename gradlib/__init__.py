"""gradlib: the graduation procedure of 江西省通用技术工程学校, one cohort per run."""
__version__ = "0.1.0"
