"""Verification codes: the canonical content a code signs, the HMAC, how a code is typed back, the QR image.

A code is HMAC-SHA256 of the document's canonical content (sorted-key JSON) under the registry's secret,
shortened to 16 base32 characters (80 bits) and printed in groups of four (ABCD-EFGH-JKLM-NPQR). Without
the secret no one can make a code that verifies; a changed name, date or serial gives another code.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re

CODE_CHARS = 16


def canonical(content: dict) -> str:
    """The content as the code signs it: JSON with sorted keys, no spaces, Chinese as it is."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign(secret: bytes, content: dict) -> str:
    """The verification code of a content: 16 base32 characters of its HMAC-SHA256."""
    mac = hmac.new(secret, canonical(content).encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(mac).decode("ascii")[:CODE_CHARS]


def shown(code: str) -> str:
    """A code as printed: groups of four (ABCD-EFGH-JKLM-NPQR)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def typed(code: str) -> str:
    """A code as someone typed it back: any case, with or without dashes and spaces; O and 0, I and 1 read as
    the base32 letters they look like."""
    c = re.sub(r"[\s\-_]", "", str(code)).upper()
    return c.replace("0", "O").replace("1", "I").replace("8", "B")


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(typed(a).encode(), typed(b).encode())


def mask_name(name: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***: enough for the holder to recognise, not to read off a list."""
    name = str(name or "")
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id(value: str, keep_start: int = 4, keep_end: int = 2) -> str:
    """2024000001 → 2024****01 (an ID number likewise)."""
    v = str(value or "")
    if len(v) <= keep_start + keep_end:
        return v[:1] + "*" * (len(v) - 1) if v else ""
    return v[:keep_start] + "*" * (len(v) - keep_start - keep_end) + v[-keep_end:]


def qr_text(serial: str, code: str) -> str:
    """What the QR code carries: the serial and the code, as `gradlib verify-document` takes them."""
    return f"{serial} {shown(code)}"


def qr_png(text: str) -> io.BytesIO:
    """A QR code of the text as PNG bytes (medium error correction)."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    out.seek(0)
    return out
