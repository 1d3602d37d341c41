"""Every Kafka producer the product constructs writes with acks=all and idempotence, so a record acknowledged is on
min.insync.replicas brokers and a retried send is never stored twice. Read from the source, so a new producer
anywhere in the product is checked too."""

import ast

from accordeer.paths import REPO_ROOT

PRODUCT = ("accordeer", "services", "shared", "benchmarks")
CONSTRUCTORS = {"AIOKafkaProducer", "KafkaBroker"}
NEVER_CONNECTS = {("accordeer/contract_docs.py", "KafkaBroker")}
"""Builds the AsyncAPI document only; it never connects to a broker."""


def _constructions() -> list[tuple[str, int, str, ast.Call]]:
    found = []
    for folder in PRODUCT:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in CONSTRUCTORS:
                        found.append((str(path.relative_to(REPO_ROOT)), node.lineno, name, node))
    return found


def _keyword(call: ast.Call, name: str):
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def test_the_scan_finds_the_producers_we_know_of():
    places = {(path, name) for path, _, name, _ in _constructions()}
    assert {("shared/kafka/producer.py", "AIOKafkaProducer"), ("shared/runtime.py", "KafkaBroker")} <= places


def test_every_producer_waits_for_all_in_sync_replicas_and_is_idempotent():
    unsafe = [
        f"{path}:{line} {name}(acks={_keyword(call, 'acks')!r}, "
        f"enable_idempotence={_keyword(call, 'enable_idempotence')!r})"
        for path, line, name, call in _constructions()
        if (path, name) not in NEVER_CONNECTS
        and not (_keyword(call, "acks") == "all" and _keyword(call, "enable_idempotence") is True)
    ]
    assert unsafe == []
