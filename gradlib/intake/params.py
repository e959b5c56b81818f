"""The intake params YAML (docs/intake.md): a small file of its own, validated in full like the cohort's."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Kind
from ..params import PhotoSpec, Source, _Checker, _jsonable, _photo, read_yaml

KEYS = ("intake_year", "cohort", "school", "data_dir", "sources", "exam_number", "photo", "output_dir", "registry")
DEFAULT_SOURCES = {"students": "新生名单.xlsx", "photos": "照片/"}
DEFAULT_EXAM_NUMBER = r"\d{6,14}"
RUN_FOLDER = "intake-{year}"  # <output_dir>/intake-<intake year>/<run id>/
YEARS_OF_STUDY = 3


@dataclass(frozen=True)
class IntakeParams:
    """A validated intake configuration; paths are absolute. Has the attributes a run's archive reads."""
    path: Path
    intake_year: int
    cohort: int                     # the graduation year of this intake (intake year + 3 unless given)
    school: str
    data_dir: Path
    sources: dict[str, Source]
    exam_number: re.Pattern
    photo: PhotoSpec
    output_dir: Path
    registry: Path
    raw: dict = field(default_factory=dict, compare=False)
    font: Path | None = None

    @property
    def run_root(self) -> Path:
        """The folder of this intake's runs."""
        return self.output_dir / RUN_FOLDER.format(year=self.intake_year)

    def as_record(self) -> dict:
        """The params as read, for the manifest (JSON-friendly)."""
        return _jsonable({"intake_year": self.intake_year, "cohort": self.cohort, "school": self.school,
                          "data_dir": self.data_dir, "sources": {k: str(v.path) for k, v in self.sources.items()},
                          "exam_number": self.exam_number.pattern, "photo": vars(self.photo),
                          "output_dir": self.output_dir, "registry": self.registry})


def load_intake_params(path, output_dir=None) -> IntakeParams:
    """Read and validate an intake params file; raise ParamsError listing every bad key."""
    path = Path(path).resolve()
    raw = read_yaml(path)
    ck = _Checker(path.name)
    for k in raw:
        if k not in KEYS:
            ck.bad(k, "", "未知的参数", "可用参数：" + "、".join(KEYS), Kind.UNKNOWN_KEY)
    year = None
    if raw.get("intake_year") in (None, ""):
        ck.bad("intake_year", "", "缺少必填参数", "入学年份，如 intake_year: 2024", Kind.MISSING_KEY)
    else:
        year = ck.number("intake_year", raw["intake_year"], 2000, 2100, integer=True)
    cohort = ck.number("cohort", raw["cohort"], 2000, 2110, integer=True) if raw.get("cohort") else (
        year + YEARS_OF_STUDY if year else None)
    school = ck.text("school", raw.get("school", "江西省通用技术工程学校"))
    base = path.parent
    data_dir = base / raw["data_dir"] if isinstance(raw.get("data_dir"), str) else base
    if "data_dir" in raw and not isinstance(raw["data_dir"], str):
        ck.bad("data_dir", raw["data_dir"], "应为文件夹路径", "文本路径")
    sources = _sources(ck, raw.get("sources"), data_dir)
    pattern = _pattern(ck, raw.get("exam_number", DEFAULT_EXAM_NUMBER))
    photo = _photo(ck, raw.get("photo", {}))
    out = None
    if output_dir is not None:
        out = Path(output_dir).resolve()
    elif isinstance(raw.get("output_dir", "outputs"), str):
        out = (base / raw.get("output_dir", "outputs")).resolve()
    else:
        ck.bad("output_dir", raw["output_dir"], "应为文件夹路径", "文本路径")
    registry = out / "registry.sqlite" if out is not None else None
    if raw.get("registry") not in (None, ""):
        if isinstance(raw["registry"], str):
            registry = (base / raw["registry"]).resolve()
        else:
            ck.bad("registry", raw["registry"], "应为文件路径", "登记库文件（SQLite）的路径")
    ck.check()
    return IntakeParams(path, year, cohort, school, data_dir.resolve(), sources, pattern, photo, out, registry, raw)


def _pattern(ck: _Checker, given) -> re.Pattern | None:
    if not isinstance(given, str) or not given.strip():
        ck.bad("exam_number", given, "应为正则表达式文本", r"如 exam_number: '3601\d{8}'")
        return None
    try:
        return re.compile(given.strip())
    except re.error as e:
        ck.bad("exam_number", given, f"不是有效的正则表达式（{e}）", r"如 exam_number: '3601\d{8}'")
        return None


def _sources(ck: _Checker, given, data_dir: Path) -> dict[str, Source]:
    given = {} if given is None else given
    if not isinstance(given, dict):
        ck.bad("sources", given, "应为“表名: 文件名”的映射", "如 students: 新生名单.xlsx")
        given = {}
    for key in given:
        if key not in DEFAULT_SOURCES:
            ck.bad(f"sources.{key}", "", "未知的数据源", "可用：" + "、".join(DEFAULT_SOURCES), Kind.UNKNOWN_KEY)
    out = {}
    for key, default in DEFAULT_SOURCES.items():
        v = given.get(key, default)
        if v in (None, "null", "~", ""):
            if key == "photos":
                out[key] = Source(None)
            else:
                ck.bad(f"sources.{key}", v, "不能为空", "文件名")
            continue
        sheet = None
        if isinstance(v, dict) and isinstance(v.get("file"), str) and set(v) <= {"file", "sheet"}:
            sheet = v.get("sheet") if isinstance(v.get("sheet"), str) else None
            v = v["file"]
        if not isinstance(v, str):
            ck.bad(f"sources.{key}", v, "应为文件名", "文件名，或 {file: 文件名, sheet: 工作表名}")
            continue
        out[key] = Source((data_dir / v).resolve(), sheet, v)
    return out
