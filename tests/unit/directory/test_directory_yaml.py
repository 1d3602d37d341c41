"""Reading the YAML form of a directory file: the parties, or every error with its line."""

from textwrap import dedent

import pytest

from accordeer.directory.files import read_directory_file

GOOD = dedent("""\
    parties:
      - organisation_person_id: ORG-1
        name: Bakkerij Test B.V.
        kind: organisation
        numbers: {BTW: NL001234567B01, Fi: 001234567, KvK: [12345678, "87654321"]}
        contacts:
          - {contact_id: CP-1, name: Anna Test, email: anna@test.example, portal_user: anna.test}
          - {contact_id: CP-2, name: Bas Test, email: bas@test.example, active: false}
      - organisation_person_id: PER-1
        name: Carla Zzp
        kind: person
        active: false
""")


def errors_of(text: str) -> list[str]:
    read = read_directory_file("directory.yaml", text)
    assert read.parties == []
    return read.errors


def test_a_good_file_gives_its_parties_with_numbers_as_written():
    read = read_directory_file("directory.yaml", GOOD)

    assert read.ok and [p.organisation_person_id for p in read.parties] == ["ORG-1", "PER-1"]
    bakery, person = read.parties
    # Unquoted 001234567 would be an octal integer to YAML 1.1; a registered number keeps its zeros.
    assert bakery.numbers == {"BTW": ["NL001234567B01"], "Fi": ["001234567"], "KvK": ["12345678", "87654321"]}
    assert [(c.contact_id, c.portal_user, c.active) for c in bakery.contacts] == [
        ("CP-1", "anna.test", True),
        ("CP-2", None, False),
    ]
    assert (person.kind, person.active, person.numbers, person.contacts) == ("person", False, {}, [])


def test_an_invalid_email_names_the_party_the_contact_and_its_line():
    text = GOOD.replace("email: bas@test.example", "email: bas at test")

    assert errors_of(text) == ["directory.yaml line 8: ORG-1 contacts[1].email: not an e-mail address"]


def test_a_missing_field_is_reported_at_the_line_of_its_mapping():
    text = GOOD.replace("    name: Carla Zzp\n", "")

    assert errors_of(text) == ["directory.yaml line 9: PER-1 name: missing"]


def test_an_unknown_field_is_reported_at_its_line():
    text = GOOD.replace("    active: false\n", "    active: false\n    colour: blue\n")

    assert errors_of(text) == ["directory.yaml line 13: PER-1 colour: unknown field"]


def test_an_unknown_identity_type_is_reported_with_the_known_ones():
    text = GOOD.replace("    active: false\n", "    active: false\n    numbers: {RSIN: '123456789'}\n")

    assert errors_of(text) == [
        "directory.yaml line 13: PER-1 numbers.RSIN: unknown identity type (known: BTW, Fi, LHnr, KvK)"
    ]


def test_a_number_that_does_not_look_like_its_type_is_reported():
    text = GOOD.replace("BTW: NL001234567B01", "BTW: [NL001234567B01, 'NL 1234']")

    assert errors_of(text) == [
        "directory.yaml line 5: ORG-1 numbers.BTW[1]: 'NL 1234' is not a BTW number (like NL001234567B01)"
    ]


@pytest.mark.parametrize(
    ("written", "wrong", "error"),
    [
        ("kind: person", "kind: company", "line 11: PER-1 kind: must be organisation or person"),
        ("active: false", "active: maybe", "line 12: PER-1 active: must be true or false"),
        ("name: Carla Zzp", "name: ''", "line 10: PER-1 name: must not be empty"),
    ],
)
def test_a_wrong_value_says_what_is_allowed(written, wrong, error):
    text = GOOD.replace(f"    {written}\n", f"    {wrong}\n")

    assert errors_of(text) == [f"directory.yaml {error}"]


def test_text_that_is_not_yaml_gives_the_line_where_it_breaks():
    text = GOOD.replace("name: Carla Zzp", "name: [Carla")

    [error] = errors_of(text)
    assert error.startswith("directory.yaml line 1") and "not valid YAML" in error


def test_a_file_without_a_parties_list_is_refused():
    assert errors_of("- organisation_person_id: ORG-1\n") == [
        "directory.yaml line 1: expected a top-level 'parties:' with a list of parties"
    ]


def test_an_unknown_top_level_key_is_reported():
    assert errors_of(GOOD + "groups: {}\n") == [
        "directory.yaml line 13: unknown top-level key 'groups' (only 'parties')"
    ]


def test_a_key_given_twice_is_reported_because_yaml_would_drop_the_first():
    text = GOOD.replace("    active: false\n", "    active: false\n    name: Carla Twee\n")

    assert errors_of(text) == ["directory.yaml line 13: 'name' is given twice in one mapping"]


def test_a_party_that_is_not_a_mapping_is_reported_at_its_line():
    assert errors_of(GOOD + "  - just a name\n") == [
        "directory.yaml line 13: (party without id): must be a mapping of fields"
    ]


def test_an_organisation_person_id_given_twice_is_reported_at_the_second():
    text = GOOD.replace("organisation_person_id: PER-1", "organisation_person_id: ORG-1")

    assert errors_of(text) == ["directory.yaml line 9: ORG-1: duplicate organisation_person_id (also at line 2)"]


def test_a_portal_user_of_two_contacts_is_reported_at_the_second():
    text = GOOD + dedent("""\
        contacts:
          - {contact_id: CP-9, name: Anna Test, email: anna@elders.example, portal_user: anna.test}
    """).replace("contacts:", "    contacts:").replace("  - {", "      - {")

    assert errors_of(text) == [
        "directory.yaml line 14: PER-1 contacts[0].portal_user: 'anna.test' is already the "
        "portal user of ORG-1 CP-1 (line 7); a person logs in with one portal user"
    ]


def test_two_contacts_with_one_id_in_a_party_are_reported():
    text = GOOD.replace("contact_id: CP-2", "contact_id: CP-1")

    assert errors_of(text) == ["directory.yaml line 6: ORG-1 contacts: contact_id CP-1 appears more than once"]


def test_every_error_of_the_whole_file_is_reported_in_file_order():
    text = (
        GOOD.replace("email: bas@test.example", "email: nope")
        .replace("kind: person", "kind: persoon")
        .replace("organisation_person_id: PER-1", "organisation_person_id: ORG-1")
    )

    assert [e.split(":")[0] for e in errors_of(text)] == [
        "directory.yaml line 8",
        "directory.yaml line 9",
        "directory.yaml line 11",
    ]


def test_an_empty_directory_is_refused_because_it_would_remove_every_party():
    assert errors_of("parties: []\n") == [
        "directory.yaml: holds no party; a directory file is the whole directory, "
        "so loading it would remove every party"
    ]


def test_yaml_tags_for_python_objects_are_refused():
    [error] = errors_of("parties:\n  - !!python/object/apply:os.system [echo hi]\n")

    assert "not valid YAML" in error


def test_a_file_that_is_neither_yaml_json_nor_csv_is_refused():
    assert read_directory_file("directory.xlsx", "{}").errors == [
        "directory.xlsx: a directory file is .yaml, .yml, .json or .csv"
    ]


def test_a_json_file_reads_as_the_yaml_it_is_with_its_lines():
    text = '{"parties": [\n  {"organisation_person_id": "ORG-1", "name": "A B.V.", "kind": "organisation",\n'
    text += '   "numbers": {"KvK": ["1234"]}}\n]}\n'
    assert read_directory_file("shown.json", text).errors == [
        "shown.json line 3: ORG-1 numbers.KvK[0]: '1234' is not a KvK number (like 12345678)"
    ]
