"""Spreadsheet cells that cannot become formulas (CSV/formula injection): a text cell beginning with `=`, `+`, `-`,
`@`, a tab or a carriage return is written with a leading apostrophe, so Excel, WPS and LibreOffice show it as
text and never evaluate it (`=HYPERLINK(...)` in a name imported from a file stays the characters it was).

Pure: every XLSX writer (the rejected rows of an import, the results and teams exports) passes its rows through
`row()`; numbers, dates and None pass unchanged."""

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """The value as a cell may safely hold it."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def row(values) -> list:
    return [neutral(v) for v in values]
