"""The status API's published contract stays true: docs/openapi.json is what the code generates, and it says what
each endpoint is in Digipoort's StatusinformatieService and that every error is problem details."""

import json

from accordeer.paths import REPO_ROOT
from services.status_api.api import openapi_document, openapi_text

DOCUMENT = REPO_ROOT / "docs" / "openapi.json"


def test_committed_openapi_document_is_generated_from_the_current_code():
    assert DOCUMENT.read_text() == openapi_text(), "run `accordeer status-api openapi --write` and commit it"


def test_the_document_describes_the_three_endpoints_and_their_errors():
    document = openapi_document()
    assert document["info"]["title"] == "Accordeer statusinformatie"
    assert all(name in document["info"]["description"] for name in ("getStatussenProces", "getNieuweStatussen"))
    assert set(document["paths"]) == {"/v1/messages/{message_id}/statuses", "/v1/statuses", "/v1/message-types"}
    for path in document["paths"].values():
        operation = path["get"]
        assert operation["security"] == [{"apiKey": []}]
        errors = {code: answer for code, answer in operation["responses"].items() if int(code) >= 400}
        assert {"401", "429", "500"} <= set(errors)
        for answer in errors.values():
            assert answer["content"] == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
    schemas = document["components"]["schemas"]
    assert all(schemas[name].get("examples") for name in ("Status", "StatusPage", "MessageStatuses", "MessageTypes"))
    assert json.loads(openapi_text()) == document
