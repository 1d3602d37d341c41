"""The cursor of "what is new": the number of the last line a source has seen of its stream, as an opaque string.

Opaque so that what it holds may change without breaking a client; today it is the line's number, and "0" (or no
cursor) is the start of the stream.
"""

START = "0"
MAX_SEQ = 2**63 - 1
"""A bigint: larger numbers cannot be a line's."""


class BadCursor(ValueError):
    pass


def cursor_of(seq: int) -> str:
    return str(seq)


def seq_of(cursor: str) -> int:
    """The number a cursor stands for; BadCursor for anything this API did not hand out."""
    if not cursor.isascii() or not cursor.isdigit() or int(cursor) > MAX_SEQ:
        raise BadCursor("after: not a cursor this API gave out (use the 'next' of a page, or 0 for the start)")
    return int(cursor)
