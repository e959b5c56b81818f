"""The cohort params YAML (params.md): read as text, validated in full before anything runs."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .errors import ParamsError
from .findings import Findings, Kind, Problem

DEFAULT_SOURCES = {
    "students": "学籍库.xlsx",
    "curriculum": "教学计划.xlsx",
    "grades": "成绩库.xlsx",
    "fees": "缴费库.xlsx",
    "internship": "顶岗实习.xlsx",
    "addresses": "邮寄地址.xlsx",
    "photos": "照片/",
}
DEFAULT_SCHOOL = "江西省通用技术工程学校"
KEYS = ("cohort", "school", "data_dir", "sources", "waivers", "fees_mode", "fee_tolerance", "pass_mark",
        "internship_materials_due", "makeup_results_published", "issue_window", "photo", "output_dir",
        "posting_period", "font", "registry", "diploma_spares", "documents")
DIPLOMA_SPARES = 0.05
# what each key means and its default (docs/params.md is generated from this)
KEY_MEANINGS = {
    "cohort": "the graduation year, e.g. 2027",
    "school": "the school's name on every list and document (default 江西省通用技术工程学校)",
    "data_dir": "the folder of the departments' files (default: the params file's folder)",
    "sources": "each table's file (and optionally sheet) in data_dir: students, curriculum, grades, fees, "
               "internship, addresses, photos (`photos: null` turns the photo checks off)",
    "waivers": "the cohort's append-only waivers file (CSV); none when absent",
    "fees_mode": "`ledger` (default: the file lists every student's fees; a student with no row has no payment "
                 "record) or `arrears` (the file lists only what is owed)",
    "fee_tolerance": "owing up to this many yuan counts as paid (default 0)",
    "pass_mark": "the lowest passing grade (default 60)",
    "internship_materials_due": "the deadline of the internship materials (on the day is on time)",
    "makeup_results_published": "when the makeup/clearance results were published; the withheld deadline is one "
                                "calendar year later (29 February → 28 February)",
    "issue_window": "[first day, last day] of collection (default 1–15 July of the cohort year)",
    "photo": "the photo specification {width, height, max_kb} (default 480 × 640, 100 KB)",
    "output_dir": "where run folders are written (default outputs)",
    "posting_period": "[first day, last day] of 公示期 printed on the public lists (default the 7 days before "
                      "the issue window)",
    "font": "another CJK font file for charts and PDFs (default the packaged Noto Sans CJK SC)",
    "registry": "the graduate registry file (default registry.sqlite in output_dir)",
    "diploma_spares": f"spare blanks ordered per diploma in the stock forecast (0 to 1, default {DIPLOMA_SPARES})",
    "documents": "diplomas and certificates: templates folder, diploma numbers (prefix + serial), the printer's "
                 "x/y offset in mm (see documents.md)",
}
REQUIRED = ("cohort", "internship_materials_due", "makeup_results_published")
REQUIRED_EXAMPLES = {"cohort": "毕业年份，如 cohort: 2027",
                     "internship_materials_due": "实习材料截止日期，如 internship_materials_due: 2027-05-31",
                     "makeup_results_published": "补考、清考成绩公布日期，如 makeup_results_published: 2027-06-20"}


@dataclass(frozen=True)
class Source:
    path: Path | None  # None: not given (photos: null disables photo checks)
    sheet: str | None = None
    name: str = ""  # as written in params, relative to data_dir


@dataclass(frozen=True)
class PhotoSpec:
    width: int = 480
    height: int = 640
    max_kb: int = 100


@dataclass(frozen=True)
class DocumentsSpec:
    """`documents:` of the params: where the school's templates are, diploma numbers, the printer's offset."""
    templates: Path | None = None  # the school's edited templates (default: templates/ beside the params file)
    school_code: str = "JXTG"  # the first part of every serial (JXTG-2027-BY-0001)
    diploma_prefix: str | None = None  # 证书编号 = prefix + serial when the roster has none
    diploma_start: int = 1
    diploma_digits: int = 5
    offset_mm: tuple[float, float] = (0.0, 0.0)  # the printer's drift, added to every field of the layout
    length: str = "三年"  # 学制 printed on diplomas and certificates


@dataclass(frozen=True)
class Params:
    """A validated cohort configuration; paths are absolute."""
    path: Path
    cohort: int
    school: str
    data_dir: Path
    sources: dict[str, Source]
    waivers: Path | None
    fees_mode: str
    fee_tolerance: float
    pass_mark: float
    internship_materials_due: dt.date
    makeup_results_published: dt.date
    issue_window: tuple[dt.date, dt.date]
    photo: PhotoSpec
    output_dir: Path
    posting_period: tuple[dt.date, dt.date]
    font: Path | None = None
    registry: Path | None = None  # the graduate registry (SQLite); default <output_dir>/registry.sqlite
    diploma_spares: float = DIPLOMA_SPARES  # spare diploma blanks ordered, as a share of the roster (Art 11)
    documents: DocumentsSpec = field(default_factory=DocumentsSpec)
    raw: dict = field(default_factory=dict, compare=False)

    @property
    def withheld_deadline(self) -> dt.date:
        """The deadline of a WITHHELD diploma: one calendar year after makeup_results_published (rules.md)."""
        return one_year_after(self.makeup_results_published)

    @property
    def waiver_dates(self) -> tuple[dt.date, dt.date]:
        """The dates a waiver may carry: from 1 September three years before the cohort to the withheld deadline."""
        return dt.date(self.cohort - 3, 9, 1), self.withheld_deadline

    def as_record(self) -> dict:
        """The params as read, for the manifest (JSON-friendly)."""
        d = asdict(self)
        d.pop("raw")
        return _jsonable(d)


def one_year_after(day: dt.date) -> dt.date:
    """The same day one calendar year later; 29 February maps to 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (Path, dt.date)):
        return str(v)
    return v


_DATE = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$")


class _Checker(Findings):
    """The findings of one params file, with checks that turn YAML text into typed values."""

    def __init__(self, file: str):
        super().__init__(ParamsError)
        self.file = file

    def bad(self, key, value, problem, expected, kind=Kind.BAD_VALUE):
        self.stop(kind, self.file, "", None, key, value, problem, expected)

    def date(self, key, value):
        m = _DATE.match(str(value).strip()) if isinstance(value, str) else None
        if not m:
            self.bad(key, value, "不是日期", "日期，如 2027-06-20")
            return None
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.bad(key, value, "日期不存在", "真实存在的日期，如 2027-06-20")
            return None

    def number(self, key, value, lo=None, hi=None, integer=False):
        try:
            if not isinstance(value, str):
                raise ValueError
            v = int(value) if integer else float(value)
        except ValueError:
            self.bad(key, value, "不是" + ("整数" if integer else "数字"), "整数" if integer else "数字")
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.bad(key, value, "超出范围", f"{lo} 到 {hi} 之间" if hi is not None else f"不小于 {lo}")
            return None
        return v

    def text(self, key, value):
        if not isinstance(value, str) or not value.strip():
            self.bad(key, value, "应为非空文本", "文本")
            return None
        return value.strip()

    def pair(self, key, value):
        if not isinstance(value, list) or len(value) != 2:
            self.bad(key, value, "应为两个日期组成的列表", "[开始日期, 结束日期]")
            return None
        a, b = self.date(key, value[0]), self.date(key, value[1])
        if a and b and b < a:
            self.bad(key, value, "结束日期早于开始日期", "[开始日期, 结束日期]")
            return None
        return (a, b) if a and b else None


_YAML_PROBLEMS = {  # PyYAML's frequent problems, as a registrar would say them
    "mapping values are not allowed": "这里多了一个冒号，或上一行的缩进不对",
    "could not find expected ':'": "缺少冒号",
    "cannot start any token": "含有制表符（Tab）或不能开头的字符，缩进请用空格",
    "expected <block end>": "缩进不一致",
    "found unexpected end of stream": "引号没有配对",
    "expected ',' or ']'": "方括号 [ ] 没有配对",
    "expected ',' or '}'": "花括号 { } 没有配对",
    "found duplicate anchor": "重复的 & 标记",
    "found undefined alias": "未定义的 * 引用",
}


def _yaml_problem(english: str) -> str:
    """PyYAML's problem in Chinese, ending in '；' (nothing when it is not one of the frequent ones)."""
    return next((zh + "；" for en, zh in _YAML_PROBLEMS.items() if en in english), "")


def read_yaml(path: Path) -> dict:
    """A params file as a mapping of text scalars; ParamsError (in Chinese) when it cannot be one."""
    name = path.name
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
        raise ParamsError([Problem(Kind.PARAMS_NOT_A_FILE, str(path), problem="这是文件夹，不是参数文件" + (
            f"（文件夹中的参数文件：{'、'.join(inside)}）" if inside else ""),
            expected="参数文件（.yaml）的路径，如 demo/params.yaml")])
    if path.is_file():
        with path.open("rb") as f:
            head = f.read(4)
        if head in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):  # xlsx (a zip), xls (OLE)
            raise ParamsError([Problem(Kind.PARAMS_NOT_A_FILE, name, problem="这是 Excel 工作簿，不是参数文件",
                                       expected="参数文件（.yaml）的路径，如 demo/params.yaml；部门的表格由参数文件中的"
                                                " students、grades、fees、internship 指定")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError([Problem(Kind.PARAMS_FILE_MISSING, str(path), problem="参数文件不存在",
                                   expected="已存在的 YAML 文件路径")]) from None
    except UnicodeDecodeError:
        raise ParamsError([Problem(Kind.PARAMS_ENCODING, name, problem="参数文件不是 UTF-8 编码",
                                   expected="以 UTF-8 保存的 YAML 文件")]) from None
    try:
        raw = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text: 007 stays 007
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise ParamsError([Problem(Kind.PARAMS_SYNTAX, name, "", row, problem=(
            f"格式错误（{_yaml_problem(getattr(e, 'problem', '') or '')}请检查这一行附近的缩进、冒号后的空格、引号和括号是否成对）"),
            expected="每行“参数名: 值”，冒号后留一个空格")]) from None
    if not isinstance(raw, dict):
        raise ParamsError([Problem(Kind.PARAMS_NOT_MAPPING, name, problem="参数文件应为“键: 值”的映射",
                                   expected="YAML 映射")])
    return raw


def load_params(path, output_dir=None) -> Params:
    """Read and validate a cohort params file; raise ParamsError listing every bad key."""
    path = Path(path).resolve()
    name = path.name
    raw = read_yaml(path)
    ck = _Checker(name)
    for k in raw:
        if k not in KEYS:
            ck.bad(k, "", "未知的参数", "可用参数：" + "、".join(KEYS), Kind.UNKNOWN_KEY)
    for k in REQUIRED:
        if k not in raw or raw[k] in (None, ""):
            ck.bad(k, "", "缺少必填参数", REQUIRED_EXAMPLES[k], Kind.MISSING_KEY)
    base = path.parent
    cohort = ck.number("cohort", raw["cohort"], 2000, 2100, integer=True) if raw.get("cohort") else None
    school = ck.text("school", raw.get("school", DEFAULT_SCHOOL))
    data_dir = base / raw["data_dir"] if isinstance(raw.get("data_dir"), str) else base
    if "data_dir" in raw and not isinstance(raw["data_dir"], str):
        ck.bad("data_dir", raw["data_dir"], "应为文件夹路径", "文本路径")
    sources = _sources(ck, raw.get("sources"), data_dir)
    waivers = None
    if raw.get("waivers") not in (None, "", "null", "~"):
        if isinstance(raw["waivers"], str):
            waivers = (base / raw["waivers"]).resolve()
        else:
            ck.bad("waivers", raw["waivers"], "应为文件路径", "文本路径")
    fees_mode = raw.get("fees_mode", "ledger")
    if fees_mode not in ("ledger", "arrears"):
        ck.bad("fees_mode", fees_mode, "取值无效", "ledger 或 arrears")
    fee_tolerance = ck.number("fee_tolerance", raw.get("fee_tolerance", "0"), 0)
    pass_mark = ck.number("pass_mark", raw.get("pass_mark", "60"), 0, 100)
    due = ck.date("internship_materials_due", raw["internship_materials_due"]) if raw.get("internship_materials_due") else None
    pub = ck.date("makeup_results_published", raw["makeup_results_published"]) if raw.get("makeup_results_published") else None
    window = ck.pair("issue_window", raw["issue_window"]) if "issue_window" in raw else (
        (dt.date(cohort, 7, 1), dt.date(cohort, 7, 15)) if cohort else None)
    photo = _photo(ck, raw.get("photo", {}))
    out_raw = raw.get("output_dir", "outputs")
    if output_dir is not None:
        out = Path(output_dir).resolve()
    elif isinstance(out_raw, str):
        out = (base / out_raw).resolve()
    else:
        ck.bad("output_dir", out_raw, "应为文件夹路径", "文本路径")
        out = None
    posting = ck.pair("posting_period", raw["posting_period"]) if "posting_period" in raw else (
        (window[0] - dt.timedelta(days=7), window[0] - dt.timedelta(days=1)) if window else None)
    font = None
    if raw.get("font"):
        font = (base / raw["font"]).resolve() if isinstance(raw["font"], str) else None
        if font is None or not font.is_file():
            ck.bad("font", raw["font"], "字体文件不存在", "TrueType 字体文件（.ttf/.ttc/.otf）的路径")
    registry = out / "registry.sqlite" if out is not None else None
    if raw.get("registry") not in (None, ""):
        if isinstance(raw["registry"], str):
            registry = (base / raw["registry"]).resolve()
        else:
            ck.bad("registry", raw["registry"], "应为文件路径", "登记库文件（SQLite）的路径，如 outputs/registry.sqlite")
    spares = ck.number("diploma_spares", raw.get("diploma_spares", str(DIPLOMA_SPARES)), 0, 1)
    documents = _documents(ck, raw.get("documents", {}), base)
    ck.check()
    return Params(path, cohort, school, data_dir.resolve(), sources, waivers, fees_mode, fee_tolerance,
                  pass_mark, due, pub, window, photo, out, posting, font, registry, spares, documents, raw)


def _sources(ck: _Checker, given, data_dir: Path) -> dict[str, Source]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        ck.bad("sources", given, "应为“表名: 文件名”的映射", "如 students: 学籍库.xlsx")
        given = {}
    out = {}
    for key in given:
        if key not in DEFAULT_SOURCES:
            ck.bad(f"sources.{key}", "", "未知的数据源", "可用：" + "、".join(DEFAULT_SOURCES), Kind.UNKNOWN_KEY)
    for key, default in DEFAULT_SOURCES.items():
        v = given.get(key, default)
        if v in (None, "null", "~", ""):
            if key in ("photos", "addresses"):
                out[key] = Source(None)
            else:
                ck.bad(f"sources.{key}", v, "不能为空", "文件名")
            continue
        sheet = None
        if isinstance(v, dict):
            extra = set(v) - {"file", "sheet"}
            if extra or not isinstance(v.get("file"), str):
                ck.bad(f"sources.{key}", v, "格式无效", "{file: 文件名, sheet: 工作表名}")
                continue
            sheet = v.get("sheet") if isinstance(v.get("sheet"), str) else None
            v = v["file"]
        if not isinstance(v, str):
            ck.bad(f"sources.{key}", v, "应为文件名", "文件名")
            continue
        out[key] = Source((data_dir / v).resolve(), sheet, v)
    return out


def _photo(ck: _Checker, given) -> PhotoSpec:
    if not isinstance(given, dict):
        ck.bad("photo", given, "应为映射", "{width: 480, height: 640, max_kb: 100}")
        return PhotoSpec()
    for k in given:
        if k not in ("width", "height", "max_kb"):
            ck.bad(f"photo.{k}", "", "未知的参数", "width、height、max_kb", Kind.UNKNOWN_KEY)
    d = PhotoSpec()
    w = ck.number("photo.width", given.get("width", str(d.width)), 1, integer=True)
    h = ck.number("photo.height", given.get("height", str(d.height)), 1, integer=True)
    kb = ck.number("photo.max_kb", given.get("max_kb", str(d.max_kb)), 1)
    return PhotoSpec(w or d.width, h or d.height, kb or d.max_kb)


DOCUMENT_KEYS = ("templates", "school_code", "diploma_number", "offset_mm", "length")


def _documents(ck: _Checker, given, base: Path) -> DocumentsSpec:
    example = "{templates: templates, school_code: JXTG, diploma_number: {prefix: '3601', start: 1, digits: 5}}"
    if not isinstance(given, dict):
        ck.bad("documents", given, "应为映射", example)
        return DocumentsSpec()
    for k in given:
        if k not in DOCUMENT_KEYS:
            ck.bad(f"documents.{k}", "", "未知的参数", "、".join(DOCUMENT_KEYS), Kind.UNKNOWN_KEY)
    d = DocumentsSpec()
    templates = (base / given["templates"]).resolve() if isinstance(given.get("templates"), str) else (
        base / "templates")
    code = given.get("school_code", d.school_code)
    if not (isinstance(code, str) and re.fullmatch(r"[A-Za-z0-9]{1,12}", code)):
        ck.bad("documents.school_code", code, "应为 1-12 位字母或数字", "如 JXTG")
        code = d.school_code
    number = given.get("diploma_number", {})
    prefix, start, digits = None, d.diploma_start, d.diploma_digits
    if not isinstance(number, dict) or set(number) - {"prefix", "start", "digits"}:
        ck.bad("documents.diploma_number", number, "格式无效", "{prefix: '3601', start: 1, digits: 5}")
    elif number:
        prefix = number.get("prefix") if isinstance(number.get("prefix"), str) else None
        if prefix is None:
            ck.bad("documents.diploma_number.prefix", number.get("prefix"), "应为文本", "证书编号的前缀，如 '3601'")
        start = ck.number("documents.diploma_number.start", number.get("start", "1"), 0, integer=True) or 1
        digits = ck.number("documents.diploma_number.digits", number.get("digits", "5"), 1, 12, integer=True) or 5
    offset = given.get("offset_mm", ["0", "0"])
    if not isinstance(offset, list) or len(offset) != 2:
        ck.bad("documents.offset_mm", offset, "应为两个数字组成的列表", "[x, y]（毫米，向右、向下为正），如 [1.5, -0.5]")
        offset = ["0", "0"]
    xy = tuple(ck.number("documents.offset_mm", v, -50, 50) or 0.0 for v in offset)
    length = ck.text("documents.length", given.get("length", d.length)) or d.length
    return DocumentsSpec(templates, code.upper(), prefix, start, digits, xy, length)
