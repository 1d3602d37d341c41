"""Reading and judging the rows of an import: every refusal says its row, its column and why."""

import json

from accordeer.importing.outcomes import CHECKED, REFUSED
from tests.unit.importing.conftest import HEADERS

GOOD = ["Accorderingsbericht", "ORG-10045", "CP-2231", "Btw januari", "btw-aangifte", "ORG-10045_ob-2025-01.xbrl"]


def headers_with(*extra):
    return HEADERS + list(extra)


def row(**changes):
    cells = dict(zip(["type", "org", "contact", "subject", "message_type", "document"], GOOD, strict=True))
    return list((cells | changes).values())


def test_a_good_row_becomes_an_inbound_declaration_with_the_directory_identity(judge):
    outcomes, ready = judge([row()])
    assert outcomes[2].result == CHECKED
    declaration = json.loads(ready[0].value)
    assert declaration["source"] == "import" and declaration["message_id"] == ready[0].message_id
    assert declaration["destinations"] == [{"organisation_person_id": "ORG-10045", "contact_id": "CP-2231"}]
    assert declaration["identity"] == {"number": "NL001234567B01", "type": "BTW"}
    assert "submitter" not in declaration and "submitted_at" not in declaration  # intake's defaults apply


def test_the_message_id_follows_the_row_content_only(judge):
    first = judge([row()])[1][0].message_id
    assert judge([row()])[1][0].message_id == first
    assert judge([row(subject="Btw januari (2)")])[1][0].message_id != first


def test_as_user_is_the_submitter_of_rows_without_one(judge):
    _, ready = judge([row()], submitter="m.devries")
    assert json.loads(ready[0].value)["submitter"] == "m.devries"


def refusal(outcomes, number=2):
    outcome = outcomes[number]
    assert outcome.result == REFUSED
    return outcome.column, outcome.reason.en


def test_a_row_naming_another_item_type_refuses_the_whole_file(judge):
    outcomes, ready = judge([row(), row(type="Sollicitatiebrief")])
    assert ready == []
    assert refusal(outcomes, 3)[0] == "Type dossieritem" and "Sollicitatiebrief" in refusal(outcomes, 3)[1]
    assert "row 3 names another dossier item type" in refusal(outcomes, 2)[1]


def test_a_document_named_after_another_number_is_refused(judge):
    column, reason = refusal(judge([row(document="ORG-10046_ob-2025-01.xbrl")])[0])
    assert column == "Document" and "does not start with the organisation/person number ORG-10045" in reason


def test_a_document_named_after_an_employee_number_is_refused(judge):
    column, reason = refusal(judge([row(document="4711_ob-2025-01.xbrl")])[0])
    assert column == "Document" and "not after an employee or debtor number" in reason


def test_a_longer_number_is_not_the_organisation_number(judge, documents):
    (documents / "ORG-100451_x.xbrl").write_bytes((documents / "ORG-10045_ob-2025-01.xbrl").read_bytes())
    assert refusal(judge([row(document="ORG-100451_x.xbrl")])[0])[0] == "Document"


def test_two_documents_of_one_destination_may_not_share_a_name(judge):
    outcomes, ready = judge([row(), row(subject="Nog eens")])
    assert outcomes[2].result == CHECKED and len(ready) == 1
    column, reason = refusal(outcomes, 3)
    assert column == "Document" and "already used for ORG-10045 in row 2" in reason


def test_a_missing_document_or_a_path_is_refused(judge):
    assert "is not in the documents folder" in refusal(judge([row(document="ORG-10045_weg.xbrl")])[0])[1]
    assert "only the file name" in refusal(judge([row(document="C:\\Import\\ORG-10045_ob.xbrl")])[0])[1]


def test_a_local_drive_attachment_is_refused_with_its_unc_form(judge):
    outcomes, _ = judge([row() + ["C:\\Import\\Toelichting.pdf"]], headers=headers_with("Bijlage"))
    column, reason = refusal(outcomes)
    assert column == "Bijlage" and "\\\\client\\C$\\Import\\Toelichting.pdf" in reason


def test_a_unc_attachment_is_read_through_its_local_folder(judge, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "Toelichting.pdf").write_bytes(b"%PDF-1.4")
    unc = "\\\\client\\C$\\Import\\Toelichting.pdf"
    outcomes, ready = judge([row() + [unc]], headers=headers_with("Bijlage"), shares={"\\\\client\\C$\\Import": share})
    assert outcomes[2].result == CHECKED
    assert json.loads(ready[0].value)["attachment"] == {"file_name": "Toelichting.pdf", "location": unc}
    missing, _ = judge(
        [row() + ["\\\\client\\C$\\Import\\weg.pdf"]],
        headers=headers_with("Bijlage"),
        shares={"\\\\client\\C$\\Import": share},
    )
    assert "is not there" in refusal(missing)[1]
    unmapped, _ = judge([row() + [unc]], headers=headers_with("Bijlage"))
    assert "ACCORDEER_IMPORT_SHARES" in refusal(unmapped)[1]


def test_submit_dates_dutch_iso_bad_and_future(judge):
    headers = headers_with("Instuurdatum")
    _outcomes, ready = judge([row() + ["03-02-2025 09:30"]], headers=headers)
    assert json.loads(ready[0].value)["submitted_at"] == "2025-02-03T09:30:00+01:00"
    column, reason = refusal(judge([row() + ["31-02-2025"]], headers=headers)[0])
    assert column == "Instuurdatum" and "is not a date" in reason
    column, reason = refusal(judge([row() + ["2026-01-01"]], headers=headers)[0])
    assert column == "Instuurdatum" and "later than the time of intake" in reason


def test_unknown_destination_foreign_contact_and_unregistered_identity(judge):
    assert refusal(judge([row(org="ORG-99999", contact="", document="ORG-99999_ob-2025-01.xbrl")])[0])[0] == (
        "Organisatie/persoon"
    )
    column, reason = refusal(judge([row(contact="CP-2240")])[0])
    assert column == "Contactpersoon" and "not a contact of this destination" in reason
    column, reason = refusal(judge([row(org="ORG-20311", contact="", document="ORG-20311_ob-2025-01.xbrl")])[0])
    assert column == "Document" and "document_identity_mismatch" not in reason and "NL009876543B01" in reason


def test_an_unauthorised_submitter_and_a_wrong_document_are_intakes_refusals(judge):
    column, reason = refusal(judge([row()], submitter="a.bakker")[0])
    assert column == "Instuurder"
    assert "not authorised to submit message type 'btw-aangifte'" in reason
    column, reason = refusal(judge([row(message_type="loonheffing")])[0])
    assert column == "Document"


def test_a_blank_subject_is_refused_in_its_column(judge):
    column, reason = refusal(judge([row(subject="")])[0])
    assert column == "Onderwerp" and "subject" in reason


def test_characteristics_and_free_fields_come_from_prefixed_columns(judge):
    _outcomes, ready = judge([row() + ["2025-01", 27]], headers=headers_with("Kenmerk: periode", "Vrij veld: aantal"))
    declaration = json.loads(ready[0].value)
    assert declaration["characteristics"] == {"periode": "2025-01"} and declaration["free_fields"] == {"aantal": 27}
