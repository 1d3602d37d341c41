"""Authorisation: sources, their service users, and who may submit which message types."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from services.intake.domain import Authorisations, ReasonCode, Refusal, parse_declaration
from shared.contracts.inbound import InboundDeclaration


def decl_of(valid: dict[str, Any], **changes: Any) -> InboundDeclaration:
    return InboundDeclaration.model_validate(valid | changes)


def test_config_round_trips_through_a_plain_dict(authorisations: Authorisations) -> None:
    again = Authorisations.from_dict(authorisations.to_dict())
    assert again == authorisations
    assert authorisations.service_users["nmbrs"] == "svc-nmbrs"


def test_the_service_user_is_the_default_submitter(authorisations: Authorisations, valid: dict[str, Any]) -> None:
    del valid["submitter"]
    assert authorisations.submitter_for(decl_of(valid), "Accorderingsbericht") == "svc-afas"


def test_a_named_submitter_is_checked_instead(authorisations: Authorisations, valid: dict[str, Any]) -> None:
    assert (
        authorisations.submitter_for(decl_of(valid, message_type="vpb-aangifte"), "Accorderingsbericht") == "m.devries"
    )


def test_unknown_source(authorisations: Authorisations, valid: dict[str, Any]) -> None:
    refusal = authorisations.submitter_for(decl_of(valid, source="twinfield"), "Accorderingsbericht")
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNKNOWN_SOURCE
    assert "'twinfield'" in refusal.message
    assert (refusal.message_id, refusal.source) == (valid["message_id"], "twinfield")


@pytest.mark.parametrize(
    "changes,phrase",
    [
        ({"submitter": "onbekend"}, "is not a known user"),
        ({"submitter": "stagiair"}, "not authorised for dossier item type Accorderingsbericht"),
        ({"submitter": "a.bakker"}, "not authorised to submit message type 'btw-aangifte'"),
        ({"submitter": None, "message_type": "loonheffing"}, "(the service user of 'afas-fin')"),
    ],
)
def test_unauthorised_submitter(
    authorisations: Authorisations, valid: dict[str, Any], changes: dict[str, Any], phrase: str
) -> None:
    refusal = authorisations.submitter_for(decl_of(valid, **changes), "Accorderingsbericht")
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNAUTHORISED_SUBMITTER
    assert phrase in refusal.message


def test_a_user_without_the_item_type_is_refused_whatever_the_message_type(
    authorisations: Authorisations, valid: dict[str, Any]
) -> None:
    refusal = authorisations.submitter_for(decl_of(valid, submitter="m.devries"), "Memo")
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNAUTHORISED_SUBMITTER


@pytest.mark.parametrize(
    "config,where",
    [
        ({"sources": [], "users": {}}, "sources must be a mapping"),
        ({"sources": {"x": {"user": "u"}}}, "sources.x: unknown key(s) user"),
        ({"sources": {"x": {"service_user": ""}}}, "sources.x.service_user"),
        ({"users": {"u": {"message_types": "loonheffing"}}}, "users.u.message_types must be a list"),
        ({"users": {"u": {"message_types": [1]}}}, "users.u.message_types[0]"),
        ({"source": {}}, "unknown key(s) source"),
    ],
)
def test_bad_configuration_names_the_entry(config: dict[str, Any], where: str) -> None:
    with pytest.raises(ValueError) as caught:
        Authorisations.from_dict(config)
    assert where in str(caught.value)


def test_parse_then_authorise(authorisations: Authorisations, golden: Callable[[str], dict[str, Any]]) -> None:
    decl = parse_declaration(json.dumps(golden("loonheffing")).encode(), max_bytes=1 << 20)
    assert isinstance(decl, InboundDeclaration)
    assert authorisations.submitter_for(decl, "Accorderingsbericht") == "svc-nmbrs"
