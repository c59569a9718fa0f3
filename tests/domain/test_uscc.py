import pytest

from webapp.domain import uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "911100001000013391", "52130606MA0D1XY0Q"])
def test_complete_gives_a_valid_code(code):
    full = uscc.complete(code[:17])
    assert uscc.is_valid(full)


def test_a_known_real_code_is_valid():
    assert uscc.is_valid("91350100M000100Y43")


@pytest.mark.parametrize("bad, why", [
    ("91350100M000100Y44", "wrong check character"),
    ("91350100M000100Y4", "too short"),
    ("91350100M000100YI3", "I is not in the charset"),
    ("91350100m000100Y43", "lower case"),
])
def test_bad_codes_are_refused(bad, why):
    assert not uscc.is_valid(bad), why


def test_check_char_follows_the_standard_weights():
    # Σ value × 3^(i-1) mod 31, check = (31 - Σ mod 31) mod 31, worked by hand for all zeros but the first.
    assert uscc.WEIGHTS[:4] == [1, 3, 9, 27]
    assert uscc.check_char("1" + "0" * 16) == uscc.CHARSET[30]
