from datetime import date

import pytest

from identity.id_numbers import IdNumberError, check_digit, make_id_number, parse_id_number

TODAY = date(2026, 11, 26)


def test_known_check_digits():
    # The example of GB 11643-1999: 11010519491231002X
    assert check_digit("11010519491231002") == "X"
    assert parse_id_number("11010519491231002X", TODAY) == date(1949, 12, 31)
    assert parse_id_number("11010519491231002x", TODAY) == date(1949, 12, 31)  # lower-case x is normalised


@pytest.mark.parametrize("raw, words", [
    ("11010519491231002", "18 位"),
    ("1101051949123100XX", "18 位"),
    ("99010519491231002X", "地区码"),
    ("110105194902300021", "出生日期不存在"),
    (make_id_number("11010520301231002"), "不合理"),
    (make_id_number("11010518891231002"), "不合理"),
    ("110105194912310021", "校验位"),
])
def test_invalid_numbers_say_why(raw, words):
    with pytest.raises(IdNumberError) as error:
        parse_id_number(raw, TODAY)
    assert words in str(error.value)
