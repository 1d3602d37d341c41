"""summaries.yaml: the shipped file loads, a broken one is reported in sentences, and the derive rules hold."""

from datetime import date
from decimal import Decimal

import pytest
import yaml

from shared.contracts.inbound import KNOWN_MESSAGE_TYPES
from shared.documents.loader import SummaryConfigError, load_summary_config, parse_summary_config
from shared.documents.rules import one_month_after_period_end, sign_of_amount, years_of_period
from shared.documents.summary import summarise
from tests.support.documents import golden_document

from .conftest import SUMMARIES_YAML
from .identities import BTW


def _shipped() -> dict:
    return yaml.safe_load(SUMMARIES_YAML.read_text())


def _problems(document: dict) -> str:
    with pytest.raises(SummaryConfigError) as error:
        parse_summary_config(document)
    return str(error.value)


def test_shipped_configuration_covers_the_shipped_message_types(config):
    assert sorted(config.message_types) == sorted(KNOWN_MESSAGE_TYPES)


def test_broken_configuration_is_reported_with_a_sentence_per_problem():
    document = _shipped()
    types = document["message_types"]
    types["btw-aangifte"]["fields"]["amount"] = {"concept": "bd-i:ValueAddedTaxOwed", "path": "A/B"}
    types["loonheffing"]["fields"]["amount"] = {"concept": "bd-i:TotalWageTax"}
    types["kvk-stukken"]["derive"]["financial_year"] = "calendar"
    types["Vpb Aangifte"] = types["icp-aangifte"]
    assert _problems(document) == (
        "summaries.yaml is not a valid summary configuration (4 problems):\n"
        "- message_types.btw-aangifte.fields.amount: give exactly one of 'concept', 'path' or 'sum_of'\n"
        "- message_types.loonheffing: field amount uses a concept, which a format 'xml' document does not have\n"
        "- message_types.kvk-stukken.derive.financial_year: Input should be 'years_of_period'\n"
        "- message_types.Vpb Aangifte.[key]: 'Vpb Aangifte' is not a message type; write it like 'btw-aangifte'"
    )


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            lambda t: t["btw-aangifte"]["fields"].update(period_to={"concept": "bd-i:X", "part": "entity"}),
            "period_to cannot be read from part 'entity'; use one of value, period_start, period_end",
        ),
        (
            lambda t: t["btw-aangifte"]["fields"].update(period_to={"sum_of": ["bd-i:X"]}),
            "only 'amount' can be a sum ('sum_of'); period_to cannot",
        ),
        (
            lambda t: t["btw-aangifte"]["fields"].update(amount={"concept": "ValueAddedTaxOwed"}),
            "'ValueAddedTaxOwed' is not a concept; write it like 'bd-i:ValueAddedTaxOwed'",
        ),
        (
            lambda t: t["kvk-stukken"]["fields"]["size_class"]["values"].update(Groot="huge"),
            "size_class values must be micro, klein, middelgroot, groot; not huge",
        ),
        (
            lambda t: t.update({"vpb-aangifte": {"format": "xbrl", "fields": {"amount": {"concept": "bd-x:Tax"}}}}),
            "vpb-aangifte: the prefix of bd-x:Tax is not declared under 'namespaces'",
        ),
        (
            lambda t: t["btw-aangifte"].update(colour="blue"),
            "message_types.btw-aangifte.colour: Extra inputs are not permitted",
        ),
    ],
)
def test_each_rule_of_the_configuration_has_its_sentence(change, sentence):
    document = _shipped()
    change(document["message_types"])
    assert sentence in _problems(document)


def test_unreadable_yaml_is_reported_with_the_file_name(tmp_path):
    broken = tmp_path / "summaries.yaml"
    broken.write_text("version: 1\nmessage_types: [unclosed\n")
    with pytest.raises(SummaryConfigError, match=r"summaries.yaml cannot be read as YAML"):
        load_summary_config(broken)


def test_yaml_tags_that_build_objects_are_not_loaded(tmp_path):
    hostile = tmp_path / "summaries.yaml"
    hostile.write_text("version: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(SummaryConfigError, match="cannot be read as YAML"):
        load_summary_config(hostile)


def test_a_type_added_by_configuration_only_is_summarised(config):
    document = _shipped()
    document["message_types"]["btw-aangifte-kopie"] = document["message_types"]["btw-aangifte"]
    extended = parse_summary_config(document)
    summary = summarise(extended, "btw-aangifte-kopie", BTW, golden_document("btw-aangifte"))
    assert (summary.message_type, summary.amount) == ("btw-aangifte-kopie", Decimal("1523"))


@pytest.mark.parametrize(
    ("period_to", "deadline"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 2, 28), date(2025, 3, 31)),
        (date(2025, 3, 23), date(2025, 4, 23)),
        (date(2024, 12, 31), date(2025, 1, 31)),
        (date(2025, 1, 30), date(2025, 2, 28)),
    ],
)
def test_payment_is_due_one_month_after_the_period(period_to, deadline):
    assert one_month_after_period_end(period_to) == deadline


def test_financial_years_and_directions():
    assert years_of_period(date(2024, 1, 1), date(2024, 12, 31)) == "2024"
    assert years_of_period(date(2024, 7, 1), date(2025, 6, 30)) == "2024/2025"
    assert [sign_of_amount(Decimal(x)) for x in ("12", "-3", "0", "-0")] == ["payable", "receivable", "nil", "nil"]
