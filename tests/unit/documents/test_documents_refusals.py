"""Each refusal reason with a document that earns it, and the sentence that tells people what is wrong."""

import pytest

from shared.documents.refusals import DocumentRefusal
from shared.documents.summary import EXPLANATIONS, same_identity, summarise
from tests.support.documents import golden_document

from .identities import BTW, KVK, LOONHEFFINGEN


def _btw_with(old: bytes, new: bytes) -> bytes:
    document = golden_document("btw-aangifte")
    assert old in document
    return document.replace(old, new)


AMOUNT = (
    b'<bd-i:ValueAddedTaxOwedToBePaidBack decimals="INF" contextRef="Msg" unitRef="EUR">1523'
    b"</bd-i:ValueAddedTaxOwedToBePaidBack>"
)


def test_missing_amount_names_the_missing_fact(config):
    refusal = summarise(config, "btw-aangifte", BTW, _btw_with(AMOUNT, b""))
    assert refusal == DocumentRefusal(
        "document_fact_missing",
        "the document has no bd-i:ValueAddedTaxOwedToBePaidBack (amount), which a btw-aangifte requires",
    )


def test_amount_that_is_not_a_number_is_refused(config):
    refusal = summarise(config, "btw-aangifte", BTW, _btw_with(b">1523<", b">abc<"))
    assert refusal == DocumentRefusal(
        "document_fact_missing",
        "bd-i:ValueAddedTaxOwedToBePaidBack (amount) is 'abc', which is not an amount"
        " (a number with at most 15 digits before the point and 6 after)",
    )


def test_an_amount_too_long_to_keep_exactly_is_refused_not_rounded(config):
    refusal = summarise(config, "btw-aangifte", BTW, _btw_with(b">1523<", b">1" + b"0" * 40 + b"<"))
    assert refusal.reason_code == "document_fact_missing" and "at most 15 digits" in refusal.message
    assert summarise(config, "btw-aangifte", BTW, _btw_with(b">1523<", b">" + b"9" * 15 + b"<")).amount == int("9" * 15)


def test_a_period_without_a_next_month_is_refused_not_raised(config):
    document = _btw_with(b"<xbrli:endDate>2025-01-31", b"<xbrli:endDate>9999-12-31")
    refusal = summarise(
        config, "btw-aangifte", BTW, document.replace(b"<xbrli:startDate>2025-01-01", b"<xbrli:startDate>9999-12-01")
    )
    assert refusal == DocumentRefusal(
        "document_fact_missing", "a fact of the document cannot be used: year 10000 is out of range"
    )


@pytest.mark.parametrize("amount", [b"1e3", b"NaN", b"Infinity", b"1_523", b"", b"12,50"])
def test_amounts_are_plain_decimals(config, amount):
    assert summarise(config, "btw-aangifte", BTW, _btw_with(b">1523<", b">" + amount + b"<")).reason_code == (
        "document_fact_missing"
    )


def test_plain_xml_date_that_is_not_a_date_is_refused(config):
    document = golden_document("loonheffing").replace(b"<DatEindTv>2025-02-28<", b"<DatEindTv>28-02-2025<")
    refusal = summarise(config, "loonheffing", LOONHEFFINGEN, document)
    assert refusal == DocumentRefusal(
        "document_fact_missing",
        "AdministratieveEenheid/TijdvakAangifte/DatEindTv (period_to) is '28-02-2025',"
        " which is not a date (YYYY-MM-DD)",
    )


def test_empty_required_value_is_refused(config):
    document = golden_document("loonheffing").replace(b"<LhNr>001234567L01</LhNr>", b"<LhNr/>")
    assert summarise(config, "loonheffing", LOONHEFFINGEN, document) == DocumentRefusal(
        "document_fact_missing", "AdministratieveEenheid/LhNr (identity_number) is empty"
    )


def test_unknown_size_class_is_refused(config):
    document = golden_document("kvk-stukken").replace(b">Micro<", b">Reusachtig<")
    refusal = summarise(config, "kvk-stukken", KVK, document)
    assert refusal.reason_code == "document_fact_missing"
    assert "kvk-i:LegalSizeCriteriaClassification (size_class) is 'Reusachtig'" in refusal.message


def test_document_of_another_kind_is_refused(config):
    refusal = summarise(config, "btw-aangifte", BTW, golden_document("loonheffing"))
    assert refusal == DocumentRefusal(
        "document_fact_missing",
        "a btw-aangifte document must be an XBRL instance (xbrli:xbrl), but its root element is <Loonaangifte>",
    )


def test_identity_in_document_must_be_the_declarations(config):
    document = _btw_with(b">001234567B01<", b">009999999B01<")
    refusal = summarise(config, "btw-aangifte", BTW, document)
    assert refusal == DocumentRefusal(
        "document_identity_mismatch",
        "the document is about '009999999B01', but the declaration's identity is 'NL001234567B01' (BTW)",
    )


def test_loonheffingennummer_mismatch_is_refused(config):
    document = golden_document("loonheffing").replace(b"<LhNr>001234567L01<", b"<LhNr>001234567L02<")
    assert summarise(config, "loonheffing", LOONHEFFINGEN, document).reason_code == "document_identity_mismatch"


@pytest.mark.parametrize(
    ("in_document", "declared", "prefix", "same"),
    [
        ("001234567B01", "NL001234567B01", "NL", True),
        ("NL 0012 34567 b01", "nl001234567B01", "NL", True),
        ("001234567B01", "NL001234567B01", None, False),
        ("001234567B01", "001234567B02", "NL", False),
        ("12345678", " 1234 5678 ", None, True),
    ],
)
def test_identities_compare_without_spaces_case_and_ignored_prefix(in_document, declared, prefix, same):
    assert same_identity(in_document, declared, prefix) is same


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the document is empty"),
        (b"  \n\t ", "the document is empty"),
        (
            b"%PDF-1.4 not xml",
            "the document is not well-formed XML: no element where the document should start "
            "('<' expected), line 1, column 1",
        ),
        (
            b"<a><b></a>",
            "the document is not well-formed XML: an end tag does not match its start tag, line 1, column 11",
        ),
        (b"<a attr=x/>", "the document is not well-formed XML: gt required, line 1, column 9"),
    ],
)
def test_not_xml_is_refused_with_what_and_where(config, content, message):
    assert summarise(config, "btw-aangifte", BTW, content) == DocumentRefusal("document_not_xml", message)


@pytest.mark.parametrize(
    "content",
    [
        b"<r><geheimeomzet></r>",
        b"<r>&geheimeomzet;</r>",
        b'<?xml version="1.0" encoding="geheimeomzet"?><r/>',
        b"<r><geheimeomzet a='1' a='2'/></r>",
        b"<geheimeomzet:r/>",
    ],
)
def test_a_refusal_never_repeats_the_documents_words(config, content):
    refusal = summarise(config, "btw-aangifte", BTW, content)
    assert refusal.reason_code == "document_not_xml" and "geheimeomzet" not in refusal.message, refusal.message


def test_text_must_be_valid_in_its_encoding(config):
    latin1_without_declaration = "<a>café</a>".encode("latin-1")
    refusal = summarise(config, "btw-aangifte", BTW, latin1_without_declaration)
    assert refusal.reason_code == "document_not_xml"
    assert "line 1" in refusal.message


def test_declared_encoding_is_honoured(config):
    document = golden_document("loonheffing").replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    document = document.replace(b"Bakkerij Van Dijk", "Bakkerij Van Dijk en Zoën".encode("latin-1"))
    assert summarise(config, "loonheffing", LOONHEFFINGEN, document).amount == 33378


def test_message_type_without_configuration_gets_neither_summary_nor_refusal(config):
    assert summarise(config, "vpb-aangifte", BTW, b"anything at all, not even XML") is None


def test_every_reason_code_is_explained_in_one_sentence():
    assert sorted(EXPLANATIONS) == [
        "document_fact_missing",
        "document_identity_mismatch",
        "document_not_xml",
        "document_unsafe",
    ]
    assert all(text.endswith(".") and "\n" not in text for text in EXPLANATIONS.values())
