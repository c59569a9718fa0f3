"""Normalising cells as offices type them: pure functions, no database."""
from datetime import date, datetime

import pytest

from webapp.domain import normalise as n


def test_full_width_and_stray_spaces():
    assert n.clean_code(" ９１１３０６０６ ＭＡ０ ") == "91130606MA0"
    assert n.clean_text("保定市\u3000莲池区  启航\t培训（裕华校区） ") == "保定市 莲池区 启航 培训（裕华校区）"
    assert n.cell_text(5078771.0) == "5078771"


@pytest.mark.parametrize("value", ["2023-06-01", "2023/6/1", "2023年6月1日", "２０２３年６月１日", "2023.6.1",
                                   "20230601", 45078, 45078.0, "45078", datetime(2023, 6, 1), date(2023, 6, 1),
                                   "2023-06-01 00:00:00", " 2023 年 6 月 1 日 "])
def test_dates_in_every_spelling(value):
    assert n.parse_date(value) == date(2023, 6, 1)


@pytest.mark.parametrize("value, message", [("2023-02-30", "日期不存在"), ("2023年13月1日", "日期不存在"),
                                            ("去年六月", "日期格式无法识别"), (9999999, "日期格式无法识别")])
def test_impossible_and_unreadable_dates_say_so(value, message):
    with pytest.raises(ValueError, match=message):
        n.parse_date(value)


def test_empty_date_is_unknown():
    assert n.parse_date("") is None and n.parse_date(None) is None and n.parse_date("  ") is None


@pytest.mark.parametrize("value, level", [
    ("高", "high"), ("高风险", "high"), ("A", "high"), ("a级", "high"), ("Ａ类", "high"),
    ("较高", "higher"), ("较高风险", "higher"), ("B", "higher"),
    ("一般", "general"), ("一般风险", "general"), ("C", "general"),
    ("低", "low"), ("低风险", "low"), ("D", "low"), ("较低风险", "low"), ("low", "low"),
])
def test_risk_levels_in_every_vocabulary(value, level):
    assert n.parse_risk(value) == level


@pytest.mark.parametrize("value", ["中", "极高", "E", "3", "二级"])
def test_unknown_or_ambiguous_risk_levels_are_refused(value):
    with pytest.raises(ValueError, match="风险等级无法识别"):
        n.parse_risk(value)


@pytest.mark.parametrize("value, years", [
    ("2021,2022", (2021, 2022)), ("2022、2021年", (2021, 2022)), ("2022年度已报", (2022,)), (2022, (2022,)),
    ("２０２１，２０２２", (2021, 2022)), ("2021已报；2022未报", (2021,)), ("无", ()), ("", None),
])
def test_annual_report_years(value, years):
    assert n.parse_years(value) == years


def test_unreadable_annual_report_is_refused():
    with pytest.raises(ValueError, match="年报情况无法识别"):
        n.parse_years("已报送")


def test_certificates_are_ascii():
    assert n.parse_certificate(" １３０６０６０１０００１ ") == "13060601 0001".replace(" ", "")
    with pytest.raises(ValueError, match="执法证号"):
        n.parse_certificate("冀A-0001")


def test_headers_match_with_notes_and_stars():
    assert n.header_keys("*住所（经营场所）") == ("住所(经营场所)", "住所")
    assert n.header_key(" 统一社会信用代码 ：") == "统一社会信用代码"
