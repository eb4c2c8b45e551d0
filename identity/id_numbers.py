"""GB 11643-1999 citizen identity numbers: 6-digit region, 8-digit birth
date, 3-digit sequence, ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")
# Province-level codes of GB/T 2260 (first two digits of the region).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
}


class IdNumberError(ValueError):
    """Carries the Chinese reason shown to the citizen."""


def check_digit(first17: str) -> str:
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def normalise(raw: str) -> str:
    return raw.strip().upper()


def parse_id_number(raw: str, today: date) -> date:
    """Validate and return the birth date; raise IdNumberError with the reason."""
    value = normalise(raw)
    if not _PATTERN.match(value):
        raise IdNumberError("身份证号应为 18 位: 17 位数字加 1 位数字或 X")
    if value[:2] not in _PROVINCES:
        raise IdNumberError("身份证号的地区码不正确")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise IdNumberError("身份证号中的出生日期不存在") from exc
    if birth > today or birth.year < 1900:
        raise IdNumberError("身份证号中的出生日期不合理")
    if check_digit(value[:17]) != value[17]:
        raise IdNumberError("身份证号校验位不正确, 请核对后重新输入")
    return birth


def make_id_number(first17: str) -> str:
    """The valid 18-character number for 17 digits (for tests and sample data)."""
    return first17 + check_digit(first17)
