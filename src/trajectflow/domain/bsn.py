"""Burgerservicenummer (BSN) checks and masking."""

from __future__ import annotations

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """True when `value` is nine digits passing the 11-proef (weighted sum divisible by 11, not 0)."""
    if not isinstance(value, str) or len(value) != 9 or not (value.isascii() and value.isdigit()):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


def normalise_bsn(value: str) -> str:
    """Accept common notations (spaces, dots, 8 digits without the leading zero)."""
    digits = "".join(ch for ch in str(value) if not ch.isspace() and ch not in ".-")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    return digits


def mask_bsn(value: str) -> str:
    """Show only the last three digits, as lists and logs must."""
    return "******" + value[-3:] if len(value) == 9 else "*********"
