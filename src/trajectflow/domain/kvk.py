"""KvK numbers (Chamber of Commerce registration): exactly eight digits."""

from __future__ import annotations

import re

_KVK = re.compile(r"^[0-9]{8}$")


def normalise_kvk(value: str) -> str:
    """Drop the spaces and dots people type between digit groups ("1234 5678")."""
    return re.sub(r"[\s.]", "", value or "")


def is_valid_kvk(value: str) -> bool:
    return bool(_KVK.match(value))
