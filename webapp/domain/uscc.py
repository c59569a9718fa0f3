"""统一社会信用代码 (GB 32100-2015): the 18th character is a checksum over the first 17."""
import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17


# Per position, each character's value times the position's weight: one lookup per character (a 100,000-row
# import checks 100,000 codes).
_WEIGHTED = [{c: v * w for c, v in _VALUE.items()} for w in WEIGHTS]


def check_char(first17: str) -> str:
    total = sum(map(dict.__getitem__, _WEIGHTED, first17))
    return CHARSET[(31 - total % 31) % 31]


_FORM = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")  # CHARSET, 18 times


def is_well_formed(code: str) -> bool:
    return _FORM.fullmatch(code) is not None


def is_valid(code: str) -> bool:
    return is_well_formed(code) and check_char(code[:17]) == code[17]


def complete(first17: str) -> str:
    """The full code for 17 characters: used to make demo and test data."""
    return first17 + check_char(first17)
