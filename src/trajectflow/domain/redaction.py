"""Masking secrets and BSNs in free text, for application logs and audit record details.

Masked: every run of nine digits (a possible BSN; also numbers that fail the 11-proef, because a
mistyped BSN is still almost someone's BSN), a BSN written with dots, spaces or dashes when it passes
the 11-proef, our API tokens (`tf_…`), bearer/basic credentials after `Authorization`, and the value
after `password`/`secret`/`token` keys in `key=value`, `key: value` and JSON notation.
"""

from __future__ import annotations

import re

from .bsn import is_valid_bsn

MASK = "***"
BSN_MASK = "*********"

_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
# 9 digits with single separators between them (1234.56.782, 123 456 782): only masked when valid.
_SEPARATED_DIGITS = re.compile(r"(?<![\d.])\d(?:[ .-]?\d){8}(?![\d])")
_API_TOKEN = re.compile(r"\btf_[A-Za-z0-9_-]{8,}")
_AUTHORIZATION = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',;}]+")
_SECRET_VALUE = re.compile(
    r"(?i)((?:password|passwd|wachtwoord|secret|client_secret|access_token|id_token|refresh_token|token)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
)

SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "wachtwoord",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "id_token",
        "refresh_token",
        "authorization",
        "bsn",
    }
)


def _mask_separated(match: re.Match[str]) -> str:
    digits = re.sub(r"[ .-]", "", match.group(0))
    return BSN_MASK if is_valid_bsn(digits) else match.group(0)


def _mask_authorization(match: re.Match[str]) -> str:
    scheme = match.group(2)
    return f"{match.group(1)}{scheme + ' ' if scheme else ''}{MASK}"


def redact(text: str) -> str:
    """`text` with BSNs, API tokens, credentials and password values masked."""
    if not text:
        return text
    text = _API_TOKEN.sub("tf_" + MASK, text)
    text = _AUTHORIZATION.sub(_mask_authorization, text)
    text = _SECRET_VALUE.sub(lambda m: m.group(1) + MASK, text)
    text = _NINE_DIGITS.sub(BSN_MASK, text)
    return _SEPARATED_DIGITS.sub(_mask_separated, text)


def is_secret_key(key: str) -> bool:
    """True for a field name whose value must never be logged or audited (passwords, tokens, BSNs)."""
    return key.strip().lower().replace("-", "_") in SECRET_KEYS
