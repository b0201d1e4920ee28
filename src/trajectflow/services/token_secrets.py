"""API token secrets: random, recognisable by prefix, kept only as a SHA-256 digest.

A token carries 256 bits of randomness, so a fast digest is enough (unlike a password, it cannot be
guessed from a dictionary); lookup by digest is then a single index probe.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "tf_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:10]
