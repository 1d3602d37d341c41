"""accept_declaration: authorisation, defaults, attachments, and one dossier item per destination."""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from services.intake.domain import (
    BUILT_IN,
    Authorisations,
    DossierItem,
    ReasonCode,
    Refusal,
    accept_declaration,
    change_type_setting,
    dossier_item_id,
)
from shared.contracts.inbound import InboundDeclaration
from tests.support.parties import GOLDEN_PARTIES

Golden = Callable[[str], dict[str, Any]]


def accept(obj: dict[str, Any], authorisations: Authorisations, now: datetime, item_type: Any = BUILT_IN) -> Any:
    decl = InboundDeclaration.model_validate(obj)
    return accept_declaration(
        decl, authorisations=authorisations, item_type=item_type, parties=GOLDEN_PARTIES, received_at=now
    )


def test_one_dossier_item_per_destination(golden: Golden, authorisations: Authorisations, now: datetime) -> None:
    obj = golden("two_destinations")
    items = accept(obj, authorisations, now)
    assert [(i.organisation_person_id, i.contact_id) for i in items] == [("ORG-10045", "CP-2231"), ("ORG-10046", None)]
    assert [i.destination_index for i in items] == [0, 1]
    assert len({i.id for i in items}) == 2
    assert all(i.subject == obj["subject"] and i.item_type == "Accorderingsbericht" for i in items)


def test_item_ids_are_deterministic(golden: Golden, authorisations: Authorisations, now: datetime) -> None:
    first = accept(golden("two_destinations"), authorisations, now)
    again = accept(golden("two_destinations"), authorisations, now.replace(year=2030))
    assert [i.id for i in first] == [i.id for i in again]
    assert first[1].id == dossier_item_id("afas-fin", "afas-2025-000311", 1)
    assert dossier_item_id("afas-fin", "afas-2025-000311", 1) != dossier_item_id("nmbrs", "afas-2025-000311", 1)


def test_submitter_and_submit_date_default(golden: Golden, authorisations: Authorisations, now: datetime) -> None:
    [item] = accept(golden("loonheffing"), authorisations, now)
    assert item.submitter == "svc-nmbrs"
    assert item.submitted_at == now and item.received_at == now


def test_given_submitter_and_submit_date_are_kept(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    [item] = accept(golden("btw_aangifte"), authorisations, now)
    assert item.submitter == "m.devries"
    assert item.submitted_at.isoformat() == "2025-02-03T09:30:00+01:00"


def test_an_unauthorised_submitter_makes_no_items(
    valid: dict[str, Any], authorisations: Authorisations, now: datetime
) -> None:
    refusal = accept(valid | {"submitter": "a.bakker"}, authorisations, now)
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNAUTHORISED_SUBMITTER
    assert (refusal.message_id, refusal.source) == (valid["message_id"], valid["source"])


def test_an_unknown_source_makes_no_items(valid: dict[str, Any], authorisations: Authorisations, now: datetime) -> None:
    refusal = accept(valid | {"source": "twinfield"}, authorisations, now)
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.UNKNOWN_SOURCE


def test_attachments_by_unc_path_or_inline_are_kept(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    [unc] = accept(golden("attachment_unc"), authorisations, now)
    [inline] = accept(golden("attachment_inline"), authorisations, now)
    assert (
        unc.attachment is not None and unc.attachment.location == "\\\\client\\C$\\Import\\Toelichting loonaangifte.pdf"
    )
    assert inline.attachment is not None and inline.attachment.content_base64


def test_no_attachment_when_the_type_does_not_allow_file_links(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    no_files = dataclasses.replace(BUILT_IN, allows_file_link=False)
    refusal = accept(golden("attachment_unc"), authorisations, now, item_type=no_files)
    assert isinstance(refusal, Refusal) and refusal.reason_code == ReasonCode.ATTACHMENT_NOT_ALLOWED
    assert refusal.message.startswith("attachment:")
    assert isinstance(accept(golden("loonheffing"), authorisations, now, item_type=no_files), list)


def test_characteristics_and_free_fields_are_stored_as_given(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    obj = golden("btw_aangifte")
    [item] = accept(obj, authorisations, now)
    assert item.characteristics == obj["characteristics"]
    assert item.free_fields == obj["free_fields"]
    assert type(item.free_fields["nihil"]) is bool


def test_absent_characteristics_and_free_fields_are_empty(
    golden: Golden, authorisations: Authorisations, now: datetime
) -> None:
    [item] = accept(golden("icp_aangifte"), authorisations, now)
    assert item.characteristics == {} and item.free_fields == {}


def test_delivery_method_choice_is_ignored(golden: Golden, authorisations: Authorisations, now: datetime) -> None:
    obj = golden("kvk_stukken")
    assert obj["delivery_method_choice"] == "Per post"
    [with_choice] = accept(obj, authorisations, now)
    del obj["delivery_method_choice"]
    [without] = accept(obj, authorisations, now)
    assert with_choice == without
    assert "delivery_method_choice" not in {f.name for f in dataclasses.fields(DossierItem)}


def test_confidential_comes_from_the_item_type(
    valid: dict[str, Any], authorisations: Authorisations, now: datetime
) -> None:
    confidential = change_type_setting(BUILT_IN, "confidential", True)
    assert all(i.confidential for i in accept(valid, authorisations, now, item_type=confidential))
    assert not any(i.confidential for i in accept(valid, authorisations, now))


def test_a_naive_intake_time_is_a_bug_of_the_caller(valid: dict[str, Any], authorisations: Authorisations) -> None:
    with pytest.raises(ValueError):
        accept(valid, authorisations, datetime(2025, 1, 1))
