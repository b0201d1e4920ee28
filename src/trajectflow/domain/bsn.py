"""Burgerservicenummer (BSN) checks and masking."""

from __future__ import annotations

from .errors import ValidationFailed

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
# An anonymised client keeps a unique placeholder in the (unique, nine-character) BSN column.
ANONYMOUS_PREFIX = "X"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


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
    """Show only the last three digits, as lists and logs must (nothing of an anonymised client's placeholder)."""
    return "******" + value[-3:] if len(value) == 9 and not is_anonymous_bsn(value) else "*********"


def anonymous_bsn(client_id: int) -> str:
    """The placeholder of an anonymised client: unique per client id, and never a BSN.

    A letter and eight base-36 characters: it fails the 11-proef, no search for digits finds it, and it
    cannot collide with a real BSN (nine digits) nor with another client's placeholder.
    """
    if client_id < 0:
        raise ValueError("client ids are positive")
    digits = ""
    number = client_id
    while True:
        number, remainder = divmod(number, 36)
        digits = _BASE36[remainder] + digits
        if number == 0:
            break
    if len(digits) > 8:
        raise ValueError("client id too large for a placeholder")
    return ANONYMOUS_PREFIX + digits.rjust(8, "0")


def is_anonymous_bsn(value: str) -> bool:
    return value.startswith(ANONYMOUS_PREFIX)


def check_bsn_search(term: str | None, field: str = "client") -> None:
    """A search term of nine digits is a BSN: refuse one that fails the 11-proef (it can match nobody)."""
    text = (term or "").strip()
    if len(text) == 9 and text.isascii() and text.isdigit() and not is_valid_bsn(text):
        raise ValidationFailed("not a valid BSN", {field: ["not a valid BSN (11-proef)"]})


def is_valid_bsn_search(term: str | None) -> bool:
    try:
        check_bsn_search(term)
    except ValidationFailed:
        return False
    return True
