"""Reading the CSV form of a directory file: one row per contact, the party's columns on each of its rows."""

from accordeer.directory.files import read_directory_file

HEADER = (
    "organisation_person_id,name,kind,active,btw,fi,lhnr,kvk,"
    "contact_id,contact_name,contact_email,portal_user,contact_active\n"
)
GOOD = HEADER + (
    "ORG-1,Bakkerij Test B.V.,organisation,true,NL001234567B01,001234567,001234567L01;001234567L02,12345678,"
    "CP-1,Anna Test,anna@test.example,anna.test,\n"
    "ORG-1,Bakkerij Test B.V.,organisation,true,NL001234567B01,001234567,001234567L01;001234567L02,12345678,"
    "CP-2,Bas Test,bas@test.example,,false\n"
    "PER-1,Carla Zzp,person,false,,,,,,,,,\n"
)


def errors_of(text: str) -> list[str]:
    read = read_directory_file("directory.csv", text)
    assert read.parties == []
    return read.errors


def test_a_good_file_gives_one_party_per_id_with_a_contact_per_row():
    read = read_directory_file("directory.csv", GOOD)

    assert read.ok and [p.organisation_person_id for p in read.parties] == ["ORG-1", "PER-1"]
    bakery, person = read.parties
    assert bakery.numbers == {
        "BTW": ["NL001234567B01"],
        "Fi": ["001234567"],
        "LHnr": ["001234567L01", "001234567L02"],
        "KvK": ["12345678"],
    }
    assert [(c.contact_id, c.name, c.portal_user, c.active) for c in bakery.contacts] == [
        ("CP-1", "Anna Test", "anna.test", True),
        ("CP-2", "Bas Test", None, False),
    ]
    assert (person.kind, person.active, person.numbers, person.contacts) == ("person", False, {}, [])


def test_the_same_directory_in_yaml_and_csv_gives_the_same_parties():
    yaml_text = """\
parties:
  - {organisation_person_id: ORG-1, name: Bakkerij Test B.V., kind: organisation,
     numbers: {BTW: NL001234567B01, Fi: "001234567", LHnr: ["001234567L01", "001234567L02"], KvK: "12345678"},
     contacts: [{contact_id: CP-1, name: Anna Test, email: anna@test.example, portal_user: anna.test},
                {contact_id: CP-2, name: Bas Test, email: bas@test.example, active: false}]}
  - {organisation_person_id: PER-1, name: Carla Zzp, kind: person, active: false}
"""
    assert read_directory_file("d.yaml", yaml_text).parties == read_directory_file("d.csv", GOOD).parties


def test_a_byte_order_mark_and_blank_lines_are_ignored():
    assert read_directory_file("directory.csv", "\ufeff" + GOOD + "\n,,,,\n").ok


def test_an_unknown_column_is_reported_at_the_header():
    text = GOOD.replace("contact_active\n", "contact_active,rsin\n", 1)

    assert errors_of(text) == [
        "directory.csv line 1: unknown column 'rsin' (known: organisation_person_id, name, kind, active, btw, fi, "
        "lhnr, kvk, contact_id, contact_name, contact_email, portal_user, contact_active)"
    ]


def test_a_missing_required_column_is_reported_alone():
    assert errors_of("organisation_person_id,name\nORG-1,Test\n") == [
        "directory.csv line 1: column 'kind' is missing (the first line names the columns)"
    ]


def test_rows_of_one_party_that_disagree_are_reported_at_the_differing_row():
    text = GOOD.replace(
        "true,NL001234567B01,001234567,001234567L01;001234567L02,12345678,CP-2",
        "true,NL001234567B02,001234567,001234567L01;001234567L02,12345678,CP-2",
    )

    assert errors_of(text) == [
        "directory.csv line 3: ORG-1 btw: 'NL001234567B02' differs from line 2 "
        "('NL001234567B01'); the rows of one party must agree"
    ]


def test_a_row_with_more_fields_than_columns_is_reported():
    assert errors_of(GOOD + "PER-2,Dirk,person,,,,,,,,,,,extra\n") == [
        "directory.csv line 5: 14 fields, but the header names 13 columns"
    ]


def test_a_contact_error_is_reported_at_the_contact_row():
    text = GOOD.replace("bas@test.example", "bas-at-test")

    assert errors_of(text) == ["directory.csv line 3: ORG-1 contacts[1].email: not an e-mail address"]


def test_a_value_spanning_lines_keeps_the_line_numbers_of_later_rows():
    text = GOOD.replace("Carla Zzp", '"Carla\nZzp"') + "PER-2,Dirk,persoon,,,,,,,,,,\n"

    assert errors_of(text) == ["directory.csv line 6: PER-2 kind: must be organisation or person"]


def test_a_portal_user_of_two_contacts_is_reported_at_the_second():
    text = GOOD + "PER-2,Dirk,person,,,,,,CP-9,Dirk,dirk@test.example,anna.test,\n"

    assert errors_of(text) == [
        "directory.csv line 5: PER-2 contacts[0].portal_user: 'anna.test' is already the "
        "portal user of ORG-1 CP-1 (line 2); a person logs in with one portal user"
    ]


def test_a_misshapen_number_is_reported_with_its_type():
    text = GOOD.replace("PER-1,Carla Zzp,person,false,,", "PER-1,Carla Zzp,person,false,,12345")

    assert errors_of(text) == ["directory.csv line 4: PER-1 numbers.Fi[0]: '12345' is not a Fi number (like 001234567)"]
