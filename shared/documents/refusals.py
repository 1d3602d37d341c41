"""Why a declaration's document yields no summary: a stable reason code and a sentence for people."""

from dataclasses import dataclass

NOT_XML = "document_not_xml"
UNSAFE = "document_unsafe"
FACT_MISSING = "document_fact_missing"
IDENTITY_MISMATCH = "document_identity_mismatch"


@dataclass(frozen=True)
class DocumentRefusal:
    reason_code: str
    message: str
