"""The text of a PDF as fpdf2 writes it, without a PDF library: inflate the content streams, follow each
font's ToUnicode map and decode the strings shown with Tj/TJ. Enough to check what a generated PDF says."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_REF = re.compile(rb"/(F\d+) (\d+) 0 R")
_TOKEN = re.compile(rb"/(F\d+) [\d.]+ Tf|\((?:\\.|[^\\)])*\)|\bET\b", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for number, body in _OBJECT.findall(pdf):
        stream = _STREAM.search(body)
        data = None
        if stream:
            data = zlib.decompress(stream.group(1)) if b"/FlateDecode" in body else stream.group(1)
        found[int(number)] = (body, data)
    return found


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = ord(bytes.fromhex(text.decode()).decode("utf-16-be"))
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _literal(token: bytes) -> bytes:
    raw, out, i = token[1:-1], bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\":
            following = raw[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            out += _ESCAPES.get(following, following)
            i += 2
            continue
        out += raw[i : i + 1]
        i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    objects = _objects(pdf)
    cmaps: dict[str, dict[int, str] | None] = {}
    for body, _data in objects.values():
        for name, number in _FONT_REF.findall(body):
            font_body = objects.get(int(number), (b"", None))[0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_body)
            stream = objects.get(int(to_unicode.group(1)), (b"", None))[1] if to_unicode else None
            cmaps[name.decode()] = _cmap(stream) if stream else None
    lines: list[str] = []
    for body, data in objects.values():
        if data is None or b"BT" not in data or b"/Length1" in body:
            continue
        font: dict[int, str] | None = None
        current = ""
        for token in _TOKEN.finditer(data):
            text = token.group(0)
            if token.group(1):
                font = cmaps.get(token.group(1).decode())
            elif text == b"ET":
                if current:
                    lines.append(current)
                current = ""
            else:
                raw = _literal(text)
                if font is None:
                    current += raw.decode("latin-1")
                else:
                    codes = [int.from_bytes(raw[j : j + 2], "big") for j in range(0, len(raw) - 1, 2)]
                    current += "".join(font.get(code, "?") for code in codes)
    return "\n".join(lines)
