"""Hostile documents: XXE, entity expansion and any DTD are refused without reading or fetching anything.

Each document is tried as written and re-encoded as UTF-16 (so a byte search for "<!DOCTYPE"
alone would not see it), and also against the parser without the byte search in front of it:
the second line of defence must hold on its own.
"""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.contracts.summary import DeclarationSummary
from shared.documents.refusals import DocumentRefusal
from shared.documents.summary import summarise
from shared.documents.table import fact_table
from shared.documents.xml import UnreadableDocument, _parse_refusing_dtd
from tests.support.documents import EXAMPLE_DOCUMENTS, MESSAGE_TYPE_DOCUMENTS, golden_document

from .identities import BTW

UNSAFE = "document_unsafe"


def _encodings(document: str) -> list[bytes]:
    return [document.encode("utf-8"), document.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")]


@pytest.fixture
def listener() -> Iterator[tuple[int, list]]:
    """A TCP port on 127.0.0.1 that records (and at once closes) every connection made to it."""
    connections: list = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            connections.append(connection.recv(1024))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


def _refused_unsafe(config, content: bytes) -> DocumentRefusal:
    refusal = summarise(config, "btw-aangifte", BTW, content)
    assert isinstance(refusal, DocumentRefusal) and refusal.reason_code == UNSAFE, refusal
    assert fact_table(content) == refusal
    with pytest.raises(UnreadableDocument) as parser_alone:
        _parse_refusing_dtd(content)
    # Without the byte search, libxml2 itself stops entity amplification as not well-formed.
    assert parser_alone.value.refusal.reason_code in (UNSAFE, "document_not_xml")
    return refusal


def test_external_entity_to_a_local_file_is_refused_and_never_read(config, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("S3CRET-CONTENT")
    for target in ("file:///etc/passwd", secret.as_uri()):
        for content in _encodings(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "{target}">]>\n<r>&xxe;</r>'
        ):
            refusal = _refused_unsafe(config, content)
            assert "S3CRET" not in refusal.message and "root:" not in refusal.message


def test_external_entity_to_the_network_is_refused_and_never_fetched(config, listener):
    port, connections = listener
    for target in ("http://127.0.0.1:1/", f"http://127.0.0.1:{port}/xxe"):
        for content in _encodings(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "{target}">]>\n<r>&xxe;</r>'
        ):
            _refused_unsafe(config, content)
    for content in _encodings(
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:{port}/pe"> %remote;]>\n<r/>'
    ):
        _refused_unsafe(config, content)
    for content in _encodings(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/external.dtd">\n<r/>'
    ):
        _refused_unsafe(config, content)
    time.sleep(0.2)
    assert connections == []


def test_the_listener_would_notice_a_fetch(listener):
    port, connections = listener
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET /xxe HTTP/1.0\r\n\r\n")
    deadline = time.monotonic() + 2
    while not connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert connections == [b"GET /xxe HTTP/1.0\r\n\r\n"]


def test_billion_laughs_is_refused_quickly(config):
    levels = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    for content in _encodings(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{levels}]>\n<lolz>&lol9;</lolz>'
    ):
        started = time.perf_counter()
        _refused_unsafe(config, content)
        assert time.perf_counter() - started < 1.0


def test_a_doctype_without_any_entity_is_refused_too(config):
    for content in _encodings('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xbrl>\n<xbrl/>'):
        assert _refused_unsafe(config, content).message == (
            "the document declares a DTD (DOCTYPE or ENTITY); declaration documents may not contain one"
        )


def test_golden_document_with_a_doctype_is_refused(config):
    document = golden_document("btw-aangifte").replace(b"?>\n", b"?>\n<!DOCTYPE xbrli:xbrl>\n", 1)
    _refused_unsafe(config, document)


def _one_of_each_outcome(result: object) -> None:
    assert result is None or isinstance(result, (DeclarationSummary, DocumentRefusal))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=2000), message_type=st.sampled_from([*MESSAGE_TYPE_DOCUMENTS, "vpb-aangifte"]))
def test_random_bytes_never_raise(config, content, message_type):
    _one_of_each_outcome(summarise(config, message_type, BTW, content))
    assert isinstance(fact_table(content), (list, DocumentRefusal))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(example=st.sampled_from(sorted(EXAMPLE_DOCUMENTS)), data=st.data())
def test_damaged_golden_documents_never_raise(config, example, data):
    document = bytearray(golden_document(example))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(document) - 1))
        document[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    for message_type in MESSAGE_TYPE_DOCUMENTS:
        _one_of_each_outcome(summarise(config, message_type, BTW, bytes(document)))
