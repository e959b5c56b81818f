"""What a source file really is, told from its bytes (zip, OLE or text), never from its suffix.

An xlsx saved as ``.xls`` or named ``.csv`` is read as the workbook it is; every kind of file that cannot
be read gets its own finding kind and Chinese message (a password, a PDF, a web page, a folder …).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..findings import Kind

XLSX, XLS, TEXT = "xlsx", "xls", "text"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_SAVE_AS = "请用 Excel 打开后另存为 .xlsx（Excel 工作簿）或 .csv（UTF-8）"


@dataclass(frozen=True)
class FileKind:
    """What the bytes are: XLSX, XLS or TEXT when readable; otherwise the finding kind and its message."""
    format: str = ""  # XLSX | XLS | TEXT, '' when unreadable
    kind: str = ""  # the finding kind when unreadable
    message: str = ""  # why, in Chinese, with what to do

    @property
    def readable(self) -> bool:
        return bool(self.format)


def _no(kind, message) -> FileKind:
    return FileKind("", str(kind), message)


def _zip_kind(data: bytes) -> FileKind:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return _no(Kind.FILE_CORRUPT, "Excel 文件不完整或已损坏（压缩结构无效，可能未完整下载或复制），"
                                      "请重新导出或复制该文件")
    if {"xl/workbook.xml", "xl/workbook.bin"} & names:
        return FileKind(XLSX)
    if any(n.startswith("word/") for n in names):
        return _no(Kind.FILE_NOT_A_TABLE, "这是 Word 文档，不是表格；" + _SAVE_AS)
    if any(n.startswith("ppt/") for n in names):
        return _no(Kind.FILE_NOT_A_TABLE, "这是 PowerPoint 文件，不是表格；" + _SAVE_AS)
    if "content.xml" in names:
        return _no(Kind.FILE_NOT_A_TABLE, "这是 WPS/LibreOffice 的 .ods 等格式，" + _SAVE_AS)
    return _no(Kind.FILE_NOT_A_TABLE, "这是 ZIP 压缩包，不是 Excel 工作簿；请解压后使用其中的表格文件")


def _ole_kind(data: bytes) -> FileKind:
    if _ENCRYPTED in data:
        return _no(Kind.FILE_ENCRYPTED, "工作簿设有打开密码，无法读取；请在 Excel 中打开，"
                                        "于“文件 → 信息 → 保护工作簿 → 用密码进行加密”中清除密码后另存")
    if any(s in data for s in _WORKBOOK_STREAMS):
        return FileKind(XLS)
    if "WordDocument".encode("utf-16-le") in data:
        return _no(Kind.FILE_NOT_A_TABLE, "这是 Word 文档（.doc），不是表格；" + _SAVE_AS)
    return _no(Kind.FILE_NOT_A_TABLE, "这是 Office 文件，但其中没有工作表；" + _SAVE_AS)


def _text_kind(head: bytes) -> FileKind:
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head")) or b"<table" in low[:2000]:
        return _no(Kind.FILE_NOT_A_TABLE, "这是网页（HTML）格式的表格（系统导出的“Excel”常是这种格式），" + _SAVE_AS)
    if low.startswith(b"<?xml"):
        return _no(Kind.FILE_NOT_A_TABLE, "这是 XML 格式（如 Excel 2003 XML 表格），" + _SAVE_AS)
    if low.startswith(b"{\\rtf"):
        return _no(Kind.FILE_NOT_A_TABLE, "这是 RTF 文档，不是表格；" + _SAVE_AS)
    return FileKind(TEXT)


_MAGIC = (
    (b"%PDF", "这是 PDF 文件，无法从中读取表格；请向该部门索取 Excel 或 CSV 格式的原表"),
    (b"\x89PNG", "这是图片（PNG），不是表格"),
    (b"\xff\xd8\xff", "这是图片（JPEG），不是表格"),
    (b"GIF8", "这是图片（GIF），不是表格"),
    (b"Rar!", "这是 RAR 压缩包，不是表格；请解压后使用其中的表格文件"),
    (b"7z\xbc\xaf", "这是 7z 压缩包，不是表格；请解压后使用其中的表格文件"),
)


def identify(path: Path, data: bytes | None) -> FileKind:
    """What the file at path is; data is its bytes (None for a folder)."""
    if path.is_dir():
        return _no(Kind.FILE_IS_FOLDER, "这是一个文件夹，应为一个文件（.xlsx、.xls 或 .csv）；请在参数文件中写出文件名")
    assert data is not None
    if path.name.startswith(("~$", ".~lock.")):
        return _no(Kind.FILE_LOCK, "这是 Excel/WPS 打开文件时生成的临时锁文件，不是数据文件；请改用同名的原文件")
    if not data:
        return _no(Kind.FILE_EMPTY, "文件为空（0 字节），可能未保存或复制失败")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(_OLE):
        return _ole_kind(data)
    for magic, message in _MAGIC:
        if data.startswith(magic):
            return _no(Kind.FILE_NOT_A_TABLE, message)
    head = data[:8192]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return FileKind(TEXT)  # UTF-16 text (Excel's "Unicode 文本")
    if b"\x00" in head:
        return _no(Kind.FILE_NOT_A_TABLE, "这不是表格文件（内容为二进制数据）；" + _SAVE_AS)
    return _text_kind(head)


def suffix_note(path: Path, fmt: str) -> str:
    """A note when the suffix does not say what the bytes are (e.g. an xlsx named .csv), else ''."""
    suffix = path.suffix.lower()
    said = {".xlsx": XLSX, ".xlsm": XLSX, ".xls": XLS, ".csv": TEXT, ".txt": TEXT}.get(suffix)
    if said is None or said == fmt:
        return ""
    what = {XLSX: "Excel 工作簿（.xlsx）", XLS: "旧版 Excel 工作簿（.xls）", TEXT: "文本（CSV）"}[fmt]
    return f"文件扩展名为“{path.suffix}”，内容实为{what}，已按内容读取"
