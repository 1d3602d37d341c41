"""The published contract stays true: the AsyncAPI document matches the code, the page names every reason."""

from pathlib import Path

from accordeer.contract_docs import DOCUMENT, asyncapi_yaml
from accordeer.paths import REPO_ROOT
from services.intake.domain import MESSAGE_REFUSALS
from shared.contracts.status import StatusCode

PAGE = REPO_ROOT / "docs" / "external-packages.md"


def test_committed_asyncapi_document_is_generated_from_the_current_code():
    assert DOCUMENT.read_text() == asyncapi_yaml(), "run `accordeer docs --write` and commit docs/asyncapi.yaml"


def test_asyncapi_document_covers_every_topic():
    document = asyncapi_yaml()
    for topic in (
        "declarations.inbound",
        "declarations.inbound.dlq",
        "declarations.refused",
        "dossier.items",
        "dossier.items.dlq",
        "workflow.actions",
        "workflow.actions.from.{writer}",
        "workflow.actions.dlq",
        "messages.approved",
        "messages.approved.dlq",
        "messages.status",
        "workflow.tasks",
        "workflow.tasks.dlq",
        "directory.parties",
        "directory.parties.dlq",
    ):
        assert f"address: {topic}\n" in document


def test_page_for_external_packages_explains_every_refusal_reason_and_status():
    page = Path(PAGE).read_text()
    for reason in MESSAGE_REFUSALS:
        assert f"| `{reason}` |" in page, reason
    for code in StatusCode:
        assert f"| {int(code)} | {code.label} |" in page, code
