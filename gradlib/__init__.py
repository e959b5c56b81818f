"""gradlib: the graduation procedure of 江西省通用技术工程学校, one cohort per run."""
__version__ = "0.1.0"

from .params import load_params  # noqa: E402
from .sources import load_cohort  # noqa: E402
from .decide import decide, write_decisions  # noqa: E402
from .lists import write_outputs  # noqa: E402
from .review import review_panel  # noqa: E402
from .run import write_status  # noqa: E402

__all__ = ["load_params", "load_cohort", "decide", "write_decisions", "write_outputs", "review_panel",
           "write_status"]
