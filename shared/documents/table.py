"""The facts of a declaration's document as a readable table (concept, period, value, unit), e.g. for the portal.

XBRL instances list their facts; plain XML documents list each value element by its path.
"""

from .paths import leaf_rows
from .refusals import DocumentRefusal
from .xbrl import FactRow, fact_rows, is_instance
from .xml import UnreadableDocument, parse_document


def fact_table(content: bytes) -> list[FactRow] | DocumentRefusal:
    try:
        root = parse_document(content)
    except UnreadableDocument as unreadable:
        return unreadable.refusal
    return fact_rows(root) if is_instance(root) else leaf_rows(root)
