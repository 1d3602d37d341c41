"""Safe parsing of a declaration document: well-formed XML without any DTD, or refused.

Declaration documents come from outside, so the parser never loads a DTD, never resolves an
entity and never touches the network or the file system; a document that declares a DTD at all
(DOCTYPE, entity declarations: XXE, billion laughs) is refused as unsafe, even when it would
parse harmlessly. Two lines of defence: the bytes are searched for a DTD before parsing, and the
parsed tree is checked for one after. Text must be valid in the encoding the XML declaration
names (UTF-8 without one). Nothing here reads files: the caller hands in the bytes.
"""

from lxml import etree

from .refusals import NOT_XML, UNSAFE, DocumentRefusal


class UnreadableDocument(Exception):
    def __init__(self, refusal: DocumentRefusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def parse_document(content: bytes) -> etree._Element:
    """The root element of `content`; raises UnreadableDocument with a document_not_xml or document_unsafe refusal."""
    if not content.strip():
        raise UnreadableDocument(DocumentRefusal(NOT_XML, "the document is empty"))
    if _declares_dtd(content):
        raise UnreadableDocument(_unsafe())
    return _parse_refusing_dtd(content)


def _declares_dtd(content: bytes) -> bool:
    # Dropping NUL bytes makes UTF-16 and UTF-32 markup ASCII, so re-encoding does not hide a DTD.
    ascii_markup = content.replace(b"\x00", b"")
    return b"<!DOCTYPE" in ascii_markup or b"<!ENTITY" in ascii_markup


def _parse_refusing_dtd(content: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise UnreadableDocument(
            DocumentRefusal(NOT_XML, f"the document is not well-formed XML: {_problem(error)}")
        ) from None
    except (etree.LxmlError, ValueError, LookupError) as error:
        raise UnreadableDocument(
            DocumentRefusal(NOT_XML, f"the document cannot be read as XML ({type(error).__name__})")
        ) from None
    docinfo = root.getroottree().docinfo
    doctype = docinfo.doctype  # type: ignore[union-attr]  # lxml-stubs leave out DocInfo.doctype
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnreadableDocument(_unsafe())
    return root


def _problem(error: etree.XMLSyntaxError) -> str:
    """What is wrong and where, in libxml2's own terms but never with the document's words: its messages quote
    element, entity and encoding names from the document, and a confidential document's words stay out of
    refusals (they reach status events, dead-letter headers and logs)."""
    last = error.error_log.last_error  # type: ignore[attr-defined]  # lxml-stubs leave out _ErrorLog.last_error
    kind = last.type_name if last is not None and last.type_name else "ERR_SYNTAX"
    what = _PROBLEMS.get(kind, kind.removeprefix("ERR_").replace("_", " ").lower())
    line, column = error.position if error.position else (error.lineno or 1, 0)
    return f"{what}, line {line}, column {column}"


_PROBLEMS = {
    "ERR_DOCUMENT_EMPTY": "no element where the document should start ('<' expected)",
    "ERR_TAG_NAME_MISMATCH": "an end tag does not match its start tag",
    "ERR_UNDECLARED_ENTITY": "an undefined entity is used",
}


def _unsafe() -> DocumentRefusal:
    return DocumentRefusal(
        UNSAFE, "the document declares a DTD (DOCTYPE or ENTITY); declaration documents may not contain one"
    )
