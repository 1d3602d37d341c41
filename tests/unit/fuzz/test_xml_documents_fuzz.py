"""XML documents smuggling a DTD past the byte search: other encodings (UTF-16/32 with or without a BOM, EBCDIC),
comments and processing instructions before it, parameter entities. Every one is refused (document_unsafe or
document_not_xml), quickly, without reading the file an entity names; the summary and the portal's fact table
say so instead of raising."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.documents.refusals import DocumentRefusal
from shared.documents.summary import summarise
from shared.documents.table import fact_table
from shared.documents.xml import UnreadableDocument, parse_document
from tests.support.documents import golden_document
from tests.unit.documents.conftest import config  # noqa: F401 - the fixture
from tests.unit.documents.identities import BTW

ENCODINGS = ["UTF-8", "UTF-16", "UTF-16-BE", "UTF-16-LE", "UTF-32", "cp500", "cp037", "ISO-8859-1"]


def _payloads(secret_uri: str) -> list[str]:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    return [
        f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret_uri}">]>',
        f'<!DOCTYPE r [<!ENTITY l0 "ha">{laughs}<!ENTITY xxe "&l9;">]>',
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{secret_uri}"> %p;]>',
        f'<!DOCTYPE r SYSTEM "{secret_uri}">',
        "<!DOCTYPE r [<!ELEMENT r ANY>]>",
    ]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    encoding=st.sampled_from(ENCODINGS),
    payload=st.integers(0, 4),
    bom=st.booleans(),
    before=st.lists(st.sampled_from(["\n", " ", "<!-- c -->", "<?pi x?>", "\t"]), max_size=3),
    use=st.sampled_from(
        ["<r>&xxe;</r>", "<r/>", "<xbrli:xbrl xmlns:xbrli='http://www.xbrl.org/2003/instance'>&xxe;</xbrli:xbrl>"]
    ),
)
def test_a_smuggled_dtd_is_refused_and_nothing_is_read(
    config,  # noqa: F811 - the fixture
    tmp_path_factory,
    encoding,
    payload,
    bom,
    before,
    use,
):
    secret = tmp_path_factory.mktemp("xxe") / "secret.txt"
    secret.write_text("SECRET-ON-DISK")
    text = f'<?xml version="1.0" encoding="{encoding}"?>' + "".join(before) + _payloads(secret.as_uri())[payload] + use
    content = ("\ufeff" if bom and encoding.startswith("UTF") else "").encode(encoding) + text.encode(encoding)
    started = time.perf_counter()
    try:
        parse_document(content)
    except UnreadableDocument as refused:
        assert refused.refusal.reason_code in ("document_unsafe", "document_not_xml")
        assert "SECRET-ON-DISK" not in refused.refusal.message
    else:
        raise AssertionError(f"a document with a DTD was accepted: {text!r} in {encoding}")
    summary = summarise(config, "btw-aangifte", BTW, content)
    assert isinstance(summary, DocumentRefusal) and "SECRET-ON-DISK" not in repr(summary)
    assert isinstance(fact_table(content), DocumentRefusal)
    assert time.perf_counter() - started < 2.0


@settings(max_examples=200, deadline=None)
@given(at=st.integers(0, 400), encoding=st.sampled_from(["UTF-8", "UTF-16"]))
def test_a_doctype_anywhere_in_a_golden_document_is_refused(at, encoding):
    text = golden_document("btw-aangifte").decode()
    position = text.find("?>") + 2 + at if at < 200 else min(len(text), at * 20)
    content = text[:position] + '<!DOCTYPE x [<!ENTITY e "boom">]>' + text[position:]
    if encoding == "UTF-16":
        content = content.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    try:
        parse_document(content.encode(encoding.lower()))
    except UnreadableDocument as refused:
        assert refused.refusal.reason_code in ("document_unsafe", "document_not_xml")
    else:
        raise AssertionError("a document with a DTD was accepted")
