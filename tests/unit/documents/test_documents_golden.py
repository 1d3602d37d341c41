"""Every golden document yields the summary a person reading it would write down; the golden examples carry them."""

import base64
import json
from datetime import date
from decimal import Decimal

import pytest

from services.digipoort_mock.trails import TrailRouting, choose_trail
from shared.contracts.inbound import EXAMPLES_DIR, Identity, InboundDeclaration
from shared.contracts.summary import DeclarationSummary
from shared.documents.summary import summarise
from shared.documents.table import fact_table
from shared.documents.xbrl import FactRow
from tests.support.documents import DOCUMENTS_DIR, EXAMPLE_DOCUMENTS, document_with_marker, golden_document

from .identities import BTW, BTW_ICP, KVK, KVK_MIDDELGROOT, LOONHEFFINGEN


def _declared(summary: DeclarationSummary) -> Identity:
    return Identity(number=summary.identity_number, type=summary.identity_type)


def _summary(message_type, identity, **fields):
    return DeclarationSummary(
        message_type=message_type, identity_number=identity.number, identity_type=identity.type, **fields
    )


EXPECTED = {
    "btw-aangifte-2025-01.xbrl": _summary(
        "btw-aangifte",
        BTW,
        period_from=date(2025, 1, 1),
        period_to=date(2025, 1, 31),
        amount=Decimal("1523"),
        currency="EUR",
        direction="payable",
        payment_deadline=date(2025, 2, 28),
    ),
    "btw-aangifte-2025-02.xbrl": _summary(
        "btw-aangifte",
        BTW,
        period_from=date(2025, 2, 1),
        period_to=date(2025, 2, 28),
        amount=Decimal("412"),
        currency="EUR",
        direction="receivable",
    ),
    "btw-suppletieaangifte-2024.xbrl": _summary(
        "btw-suppletieaangifte",
        BTW,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 12, 31),
        amount=Decimal("390"),
        currency="EUR",
        direction="payable",
    ),
    "icp-aangifte-2024-q4.xbrl": _summary(
        "icp-aangifte",
        BTW_ICP,
        period_from=date(2024, 10, 1),
        period_to=date(2024, 12, 31),
        amount=Decimal("28750"),
        currency="EUR",
    ),
    "loonheffing-2025-02.xml": _summary(
        "loonheffing",
        LOONHEFFINGEN,
        period_from=date(2025, 2, 1),
        period_to=date(2025, 2, 28),
        amount=Decimal("33378"),
        currency="EUR",
        direction="payable",
        payment_deadline=date(2025, 3, 31),
    ),
    "loonheffing-2025-03.xml": _summary(
        "loonheffing",
        LOONHEFFINGEN,
        period_from=date(2025, 3, 1),
        period_to=date(2025, 3, 31),
        amount=Decimal("34382"),
        currency="EUR",
        direction="payable",
        payment_deadline=date(2025, 4, 30),
    ),
    "kvk-stukken-2024-12345678.xbrl": _summary(
        "kvk-stukken",
        KVK,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 12, 31),
        financial_year="2024",
        size_class="micro",
    ),
    "kvk-stukken-2024-87654321.xbrl": _summary(
        "kvk-stukken",
        KVK_MIDDELGROOT,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 12, 31),
        financial_year="2024",
        size_class="middelgroot",
    ),
}


def test_every_golden_document_has_an_expected_summary():
    assert sorted(EXPECTED) == sorted(path.name for path in DOCUMENTS_DIR.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_document_yields_its_summary(config, name):
    expected = EXPECTED[name]
    assert (
        summarise(config, expected.message_type, _declared(expected), (DOCUMENTS_DIR / name).read_bytes()) == expected
    )


@pytest.mark.parametrize("example", sorted(EXAMPLE_DOCUMENTS))
def test_golden_example_carries_its_document_and_it_summarises(config, example):
    declaration = InboundDeclaration.model_validate_json((EXAMPLES_DIR / f"inbound_{example}.json").read_text())
    content = base64.b64decode(declaration.document.content_base64)
    assert content == golden_document(example)
    summary = summarise(config, declaration.message_type, declaration.identity, content)
    assert summary == EXPECTED[EXAMPLE_DOCUMENTS[example]]


def test_every_golden_example_is_mapped_to_a_document():
    assert sorted(EXAMPLE_DOCUMENTS) == sorted(
        p.stem.removeprefix("inbound_") for p in EXAMPLES_DIR.glob("inbound_*.json")
    )


@pytest.mark.parametrize("target", ["btw-aangifte", "loonheffing", "two_destinations", "kvk_stukken"])
def test_marked_document_steers_the_mock_and_keeps_its_summary(config, target):
    plain = golden_document(target)
    marked = base64.b64decode(document_with_marker(target, "510"))
    assert b"<!-- MOCK-TRAIL:510 -->" in marked
    assert choose_trail(marked, "Omzetbelasting", TrailRouting()) == "510"
    assert choose_trail(plain, "Omzetbelasting", TrailRouting()) == "500"
    expected = next(s for n, s in EXPECTED.items() if (DOCUMENTS_DIR / n).read_bytes() == plain)
    assert summarise(config, expected.message_type, _declared(expected), marked) == expected


def test_marker_may_be_given_with_its_prefix():
    assert document_with_marker("icp-aangifte", "MOCK-TRAIL:311") == document_with_marker("icp-aangifte", "311")


def test_summary_example_round_trips():
    document = json.loads((EXAMPLES_DIR / "summary_btw_aangifte.json").read_text())
    model = DeclarationSummary.model_validate(document)
    assert json.loads(model.model_dump_json()) == document
    assert model == EXPECTED["btw-aangifte-2025-01.xbrl"]


def test_summary_refuses_unknown_fields():
    document = json.loads((EXAMPLES_DIR / "summary_btw_aangifte.json").read_text()) | {"unexpected": 1}
    with pytest.raises(ValueError, match="unexpected"):
        DeclarationSummary.model_validate(document)


def test_xbrl_facts_as_a_readable_table():
    rows = fact_table(golden_document("icp-aangifte"))
    assert rows[0] == FactRow("bd-i:MessageReferenceSupplierICP", "2024-10-01/2024-12-31", "ICP-2024-Q4-88412", "")
    assert rows[-1] == FactRow(
        "bd-i:ServicesAmount",
        "2024-10-01/2024-12-31",
        "3100",
        "iso4217:EUR",
        "bd-axes:VATNumberDimension=0477472701, bd-axes:CountryCodeEUDimension=BE",
    )
    kvk = fact_table(golden_document("kvk-stukken"))
    assert FactRow("jenv-bw2-i:Assets", "2023-12-31", "289115", "iso4217:EUR") in kvk


def test_plain_xml_values_as_a_readable_table():
    rows = fact_table(golden_document("loonheffing"))
    assert rows[0] == FactRow("Bericht/IdBer", "", "LA-001234567L01-202502-0042", "")
    assert (
        FactRow("AdministratieveEenheid/TijdvakAangifte/VolledigeAangifte/CollectieveAangifte/TotGen", "", "33378", "")
        in rows
    )
