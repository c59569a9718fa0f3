"""Normalising an import's cells a column at a time (issue 13: a 100,000-row file is 1,100,000 cells). Each column
of a chunk of rows is parsed in one go: texts and codes by string operations over the whole column (one
`translate`, one regular-expression search over the column joined), the columns of few distinct values
(风险等级, 年报, dates) through a memo, and whatever looks unusual cell by cell with the column's own parser, so
the answers, and every error message, are exactly those of `parse` on each cell."""
from operator import itemgetter
from typing import Any, Callable, Sequence

from webapp.domain import normalise as n

MEMO = 16384  # values remembered per column: a column's repeated values (风险等级, 类别, dates) parse once
_SEP = "\x00"  # joins a column's texts: no cell of a spreadsheet holds it, and no pattern here matches it
_PLAIN = frozenset((str, type(None)))  # cells that are their own memo key

Parsed = tuple[Sequence[Any], Sequence[str | None] | None]  # values, and each cell's error (None: no errors)


def memo(parse: Callable) -> Callable[[Any], tuple[Any, str | None]]:
    """`parse` as (value, None) or (None, its ValueError's message), remembering the answer for the first `MEMO`
    distinct cells (parsers are pure). Keyed by type too, except for text and empty cells."""
    cache: dict = {}

    def parsed(cell):
        key = cell if type(cell) in _PLAIN else (type(cell), cell)
        try:
            return cache[key]
        except KeyError:
            pass
        try:
            answer = (parse(cell), None)
        except ValueError as e:
            answer = (None, str(e))
        if len(cache) < MEMO:
            cache[key] = answer
        return answer
    parsed.cache = cache
    return parsed


def column_parser(parse: Callable) -> Callable[[list], Parsed]:
    """`parse` over a whole column: (values, errors), errors None when no cell failed. A parser may carry its
    column form as `parse.column(cells)`: given a column of str and None cells, the values, or None when a cell
    needs the cell parser (an error to word, an unusual space)."""
    cached = memo(parse)
    cache, column = cached.cache, getattr(parse, "column", None) or FORMS.get(parse)

    def run(cells: list) -> Parsed:
        plain = set(map(type, cells)) <= _PLAIN
        if plain and column is not None:
            values = column(cells)
            if values is not None:
                return values, None
        if plain:  # (a text's own memo key: no tuple made per cell)
            answers = [cache.get(c) or cached(c) for c in cells]
        else:
            answers = list(map(cached, cells))
        values, errors = zip(*answers)
        return values, errors if errors.count(None) != len(errors) else None
    return run


def cells_of(rows: list[list], index: int) -> list:
    """Column `index` of rows, None past a short row's end (a CSV's ragged lines)."""
    if min(map(len, rows)) > index:
        return list(map(itemgetter(index), rows))
    return [r[index] if index < len(r) else None for r in rows]


def _texts(cells: list) -> list[str]:
    return ["" if c is None else c for c in cells] if None in cells else cells


def text_column(limit: int) -> Callable[[list], list | None]:
    """`normalise.clean_text` over a column, as `imports._text(limit)` gives it: None for an empty cell."""
    def column(cells):
        texts = _texts(cells)
        if n._ODD_SPACE.search(_SEP.join(texts)) is not None:  # a row with odd spaces: cell by cell
            return None
        out = list(map(str.strip, texts))
        if max(map(len, out)) > limit:  # (the cell parser says which, and how)
            return None
        return [t or None for t in out]
    return column


def code_column(cells: list) -> list | None:
    """`normalise.clean_code` over a column (half-width, no spaces, upper case), None for an empty cell."""
    joined = n._SPACES.sub("", n.halfwidth(_SEP.join(_texts(cells)))).upper()
    out = joined.split(_SEP)
    if len(out) != len(cells):
        return None
    return [t or None for t in out]


def phone_column(cells: list) -> list | None:
    """`normalise.parse_phone` over a column."""
    joined = n._SPACES.sub("", n.halfwidth(_SEP.join(_texts(cells))))
    out = joined.split(_SEP)
    if len(out) != len(cells) or not all(n.PHONE.fullmatch(t) for t in out if t):
        return None
    return [t or None for t in out]


FORMS = {n.parse_phone: phone_column}  # the column forms of `normalise`'s cell parsers
