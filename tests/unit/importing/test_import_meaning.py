"""A row is the declaration it means, not the way its cells are written: every program's way of saving the same
list gives the same message ids, and the same declaration is never ready to publish twice."""

import json

import pytest

from accordeer.importing.columns import read_headers
from accordeer.importing.judging import Registered, mark_registered
from accordeer.importing.outcomes import ALREADY, CHECKED, DOUBLE, REFUSED
from tests.unit.importing.conftest import EXAMPLE, HEADERS, SPREADSHEETS

SAVED_BY_LIBREOFFICE = [
    "aangiften.csv",
    "aangiften.xlsx",
    "aangiften.xls",
    "aangiften.ods",
    "aangiften-windows-1252.csv",
    "aangiften-excel-datums.csv",
    "aangiften-apostrof.xlsx",
    "aangiften-fout.rapport.gecorrigeerd.xlsx",
]
GOOD = ["Accorderingsbericht", "ORG-10045", "CP-2231", "Btw januari", "btw-aangifte", "ORG-10045_ob-2025-01.xbrl"]


@pytest.fixture
def example_ids(judge_file):
    _, ready = judge_file(EXAMPLE / "aangiften.xlsx")
    return [p.message_id for p in ready]


@pytest.mark.parametrize("name", SAVED_BY_LIBREOFFICE)
def test_every_way_libreoffice_saves_the_example_means_the_same_declarations(judge_file, example_ids, name):
    outcomes, ready = judge_file(SPREADSHEETS / name)
    assert [o.result for o in outcomes.values()] == [CHECKED] * 5
    assert [p.message_id for p in ready] == example_ids


def test_the_list_with_a_wrong_row_holds_the_other_four_declarations(judge_file, example_ids):
    outcomes, ready = judge_file(SPREADSHEETS / "aangiften-fout.csv")
    assert outcomes[5].result == REFUSED and outcomes[5].column == "Contactpersoon"
    assert [p.message_id for p in ready] == example_ids[:3] + example_ids[4:]


@pytest.mark.parametrize(
    "written",
    [
        "03-02-2025 09:30",
        "3-2-2025 9:30",
        "03-02-25 09:30",
        "2025-02-03 09:30",
        "2025-02-03T08:30:00Z",
        "'03-02-2025 09:30",
    ],
)
def test_a_submit_date_is_the_instant_whatever_its_notation(judge, written):
    from datetime import datetime

    headers = HEADERS + ["Instuurdatum"]
    _, cell = judge([GOOD + [datetime(2025, 2, 3, 9, 30)]], headers=headers)
    _, text = judge([GOOD + [written]], headers=headers)
    _, later = judge([GOOD + ["03-02-2025 09:31"]], headers=headers)
    assert text[0].message_id == cell[0].message_id != later[0].message_id
    assert datetime.fromisoformat(json.loads(text[0].value)["submitted_at"]) == datetime.fromisoformat(
        "2025-02-03T09:30:00+01:00"
    )


def test_an_american_date_is_refused_on_its_column_with_how_to_set_the_locale(judge):
    outcomes, _ = judge([GOOD + ["02/03/25 09:30 AM"]], headers=HEADERS + ["Instuurdatum"])
    assert outcomes[2].result == REFUSED and outcomes[2].column == "Instuurdatum"
    assert "'02/03/25 09:30 AM'" in outcomes[2].reason.nl and "Landinstelling 'Nederlands" in outcomes[2].reason.nl


def test_numbers_and_their_text_mean_the_same(judge):
    headers = HEADERS + ["Vrij veld: aantal", "Vrij veld: bedrag", "Vrij veld: akkoord"]
    _, typed = judge([GOOD + [27, 1523.5, True]], headers=headers)
    _, text = judge([GOOD + ["27", "1523,50", "WAAR"]], headers=headers)
    assert typed[0].message_id == text[0].message_id
    assert json.loads(text[0].value)["free_fields"] == {"aantal": 27, "bedrag": 1523.5, "akkoord": True}


def test_english_headers_mean_the_same_declaration(judge):
    english = ["item type", "organisation/person", "contact", "subject", "message type", "document"]
    assert judge([GOOD], headers=english)[1][0].message_id == judge([GOOD])[1][0].message_id


def test_an_apostrophe_that_forced_text_is_no_part_of_a_number_but_of_a_name(judge):
    headers = HEADERS + ["Nummer belanghebbende"]
    outcomes, ready = judge([GOOD[:3] + ["'s-Hertogenbosch"] + GOOD[4:] + ["'NL001234567B01"]], headers=headers)
    assert outcomes[2].result == CHECKED
    declaration = json.loads(ready[0].value)
    assert declaration["identity"]["number"] == "NL001234567B01" and declaration["subject"] == "'s-Hertogenbosch"


def test_a_typed_identity_the_document_is_not_about_is_refused_on_the_identity_column(judge):
    outcomes, _ = judge([GOOD + ["NL009876543B01"]], headers=HEADERS + ["Nummer belanghebbende"])
    assert outcomes[2].column == "Nummer belanghebbende"
    assert "gaat over '001234567B01', maar de aangifte noemt BTW 'NL009876543B01'" in outcomes[2].reason.nl


def test_the_same_declaration_twice_in_one_file_is_ready_once(judge, documents):
    (documents / "ORG-10045_kopie.xbrl").write_bytes((documents / "ORG-10045_ob-2025-01.xbrl").read_bytes())
    copy = GOOD[:5] + ["ORG-10045_kopie.xbrl"]
    outcomes, ready = judge([GOOD, copy])
    assert len(ready) == 1 and outcomes[3].result == DOUBLE
    assert outcomes[3].reason.nl == "dezelfde aangifte als rij 2; die wordt één keer geïmporteerd"


def test_the_same_document_under_another_subject_is_held_back_unless_allowed(judge, documents):
    (documents / "ORG-10045_kopie.xbrl").write_bytes((documents / "ORG-10045_ob-2025-01.xbrl").read_bytes())
    renamed = GOOD[:3] + ["Btw januari (gecorrigeerd)", GOOD[4], "ORG-10045_kopie.xbrl"]
    outcomes, ready = judge([GOOD, renamed])
    assert len(ready) == 1 and outcomes[3].result == DOUBLE and outcomes[3].column == "Document"
    assert "staat ook in rij 2" in outcomes[3].reason.nl
    assert len(judge([GOOD, renamed], allow_same_document=True)[1]) == 2


def test_what_intake_holds_is_already_imported_and_its_document_under_another_identity_is_named(judge):
    columns, _ = read_headers(HEADERS)
    outcomes, ready = judge([GOOD, GOOD[:3] + ["Btw januari (2)"] + GOOD[4:]])
    held = Registered("4f0c-item", ready[0].message_id, "import", "Btw januari", 30)
    other = Registered("9a1e-item", "nmbrs-77", "nmbrs", "Aangifte januari", 60)
    fresh = mark_registered(outcomes, ready[:1], {ready[0].message_id: [held]}, {}, columns)
    assert fresh == [] and outcomes[2].result == ALREADY and outcomes[2].items == ["4f0c-item"]
    assert outcomes[2].cells("nl")[6] == "30 In workflow"
    _, ready = judge([GOOD[:3] + ["Btw januari (2)"] + GOOD[4:]])
    outcomes = {2: outcomes[2]}
    fresh = mark_registered(outcomes, ready, {}, {ready[0].document_key: other}, columns)
    assert fresh == [] and outcomes[2].result == DOUBLE and outcomes[2].column == "Document"
    assert "dossieritem 9a1e-item (bron nmbrs, onderwerp 'Aangifte januari')" in outcomes[2].reason.nl
    assert "--allow-same-document" in outcomes[2].reason.en
    assert mark_registered(outcomes, ready, {}, {ready[0].document_key: other}, columns, True) == ready


def test_intakes_refusals_speak_dutch_and_name_what_was_typed(judge):
    column, reason = _refused(judge([GOOD], submitter="a.bakker"))
    assert column == "Instuurder" and "instuurder 'a.bakker'" in reason.nl and "--as" in reason.nl
    assert "not authorised to submit message type 'btw-aangifte'" in reason.en
    column, reason = _refused(judge([GOOD[:2] + ["CP-2240"] + GOOD[3:]]))
    assert (
        column == "Contactpersoon"
        and reason.nl == "contactpersoon CP-2240 hoort in het relatiebestand niet bij ORG-10045"
    )
    column, reason = _refused(judge([GOOD[:3] + ["x" * 300] + GOOD[4:]]))
    assert column == "Onderwerp" and "is te lang: hoogstens 255 tekens" in reason.nl
    column, reason = _refused(
        judge([GOOD[:4] + ["BTW aangifte"] + GOOD[5:] + ["BTW"]], headers=HEADERS + ["Type belanghebbende"])
    )
    assert column == "Berichttype" and "'BTW aangifte' mag alleen kleine letters" in reason.nl
    column, reason = _refused(judge([GOOD[:4] + ["btw"] + GOOD[5:]]))
    assert column == "Berichttype" and "bij berichttype 'btw' weet de import niet welk nummer" in reason.nl


def _refused(judged):
    outcomes, _ = judged
    assert outcomes[2].result == REFUSED, outcomes[2]
    return outcomes[2].column, outcomes[2].reason
