"""The shipped demo directory and CSV example: valid, and holding the parties the examples and tests rely on."""

from pathlib import Path

import pytest
import yaml

from accordeer.directory.files import read_directory_file
from accordeer.directory.rendering import party_details, party_table
from shared.contracts.directory import Party

CONFIG = Path(__file__).resolve().parents[3] / "deploy" / "config"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Party]:
    read = read_directory_file("directory.yaml", (CONFIG / "directory.yaml").read_text(encoding="utf-8"))
    assert read.errors == []
    return {p.organisation_person_id: p for p in read.parties}


def contacts(party: Party) -> list[tuple]:
    return [(c.contact_id, c.name, c.email, c.portal_user, c.active) for c in party.contacts]


def test_the_demo_directory_is_a_realistic_size_with_persons_and_inactive_parties(shipped):
    assert len(shipped) >= 35
    assert {p.kind for p in shipped.values()} == {"organisation", "person"}
    assert any(not p.active for p in shipped.values()) and any("Stichting" in p.name for p in shipped.values())


def test_the_bakery_and_its_fiscal_unity(shipped):
    bakery, property_company = shipped["ORG-10045"], shipped["ORG-10046"]
    assert (bakery.name, bakery.kind, bakery.active) == ("Bakkerij Van Dijk B.V.", "organisation", True)
    assert bakery.numbers == {
        "BTW": ["NL001234567B01"],
        "Fi": ["001234567"],
        "LHnr": ["001234567L01"],
        "KvK": ["12345678"],
    }
    assert contacts(bakery) == [
        ("CP-2231", "Sanne van Dijk", "sanne@bakkerijvandijk.example", "sanne.vandijk", True),
        ("CP-2232", "Peter van Dijk", "peter@bakkerijvandijk.example", "peter.vandijk", True),
    ]
    assert property_company.name == "Van Dijk Vastgoed B.V."
    assert property_company.numbers == {"BTW": ["NL001234567B01"], "Fi": ["001234568"], "KvK": ["12345679"]}
    assert contacts(property_company) == [
        ("CP-2240", "Ruud Hendriks", "ruud@vandijkvastgoed.example", "ruud.hendriks", True)
    ]


def test_the_wholesaler_the_gardener_the_old_company_and_the_self_employed_person(shipped):
    wholesaler = shipped["ORG-20311"]
    assert wholesaler.name == "Groothandel Jansen B.V."
    assert wholesaler.numbers == {
        "BTW": ["NL009876543B01"],
        "Fi": ["009876543"],
        "LHnr": ["009876543L01"],
        "KvK": ["23456789"],
    }
    assert contacts(wholesaler) == [("CP-3101", "Eva Jansen", "eva@groothandeljansen.example", "eva.jansen", True)]

    gardener = shipped["ORG-30001"]
    assert (gardener.name, gardener.numbers) == ("Hoveniersbedrijf De Linde", {"BTW": ["NL003456789B01"]})
    assert [(c.contact_id, c.name, c.portal_user) for c in gardener.contacts] == [("CP-3201", "Kees de Linde", None)]

    old = shipped["ORG-39999"]
    assert (old.name, old.active, old.numbers) == ("Oud Bedrijf B.V.", False, {"BTW": ["NL005555555B01"]})
    assert [c.portal_user for c in old.contacts] == ["oud.bedrijf"]

    person = shipped["PER-50001"]
    assert (person.kind, person.numbers) == ("person", {"BTW": ["NL000099998B57"], "Fi": ["111222333"]})
    assert [(c.contact_id, c.portal_user) for c in person.contacts] == [("CP-5001", "lotte.vermeer")]


def test_no_portal_user_is_an_office_user(shipped):
    users = yaml.safe_load((CONFIG / "users.yaml").read_text(encoding="utf-8"))
    office = set(users.get("users", {})) | {member for members in users["groups"].values() for member in members}
    portal = {c.portal_user for p in shipped.values() for c in p.contacts if c.portal_user}

    assert office and not portal & office


def test_the_csv_example_is_valid_and_agrees_with_the_demo_directory(shipped):
    read = read_directory_file("directory.example.csv", (CONFIG / "directory.example.csv").read_text(encoding="utf-8"))

    assert read.errors == [] and len(read.parties) >= 3
    assert [p for p in read.parties if p.organisation_person_id in shipped] == [
        shipped[p.organisation_person_id] for p in read.parties if p.organisation_person_id in shipped
    ]


def test_show_renders_a_table_and_one_party_with_its_contacts(shipped):
    table = party_table(list(shipped.values())).splitlines()
    assert table[0] == f"{len(shipped)} parties" and table[1].split() == [
        "ID",
        "KIND",
        "ACTIVE",
        "NAME",
        "CONTACTS",
        "NUMBERS",
    ]
    assert any(line.startswith("ORG-39999") and " no " in line for line in table)
    details = party_details(shipped["ORG-30001"])
    assert "BTW   NL003456789B01" in details and "CP-3201" in details and "no portal user" in details
