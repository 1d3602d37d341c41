"""`accordeer directory load` and `show` against a real directory.parties topic.

The system under test was set up by ``prepare()``, which already loaded the
demo directory (deploy/config/directory.yaml) into this test's topics.
"""

import json

import pytest

from accordeer.directory.topic import end_offsets, read_directory
from accordeer.setup import prepare

pytestmark = pytest.mark.e2e

BAKERY = """\
  - organisation_person_id: ORG-10045
    name: Bakkerij Van Dijk B.V.
    kind: organisation
    numbers: {BTW: "NL001234567B01", Fi: "001234567", LHnr: "001234567L01", KvK: "12345678"}
    contacts:
      - {contact_id: CP-2231, name: Sanne van Dijk, email: sanne@bakkerijvandijk.example, portal_user: sanne.vandijk}
"""
PETER = (
    "      - {contact_id: CP-2232, name: Peter van Dijk, email: peter@bakkerijvandijk.example, "
    "portal_user: peter.vandijk}\n"
)


def new_party(party_id: str) -> str:
    return (
        f"  - organisation_person_id: {party_id}\n"
        f"    name: Nieuwe Klant {party_id} B.V.\n"
        "    kind: organisation\n"
        f'    numbers: {{KvK: "99{party_id[-6:]}"}}\n'
    )


async def directory_now(system) -> dict:
    return await read_directory(system.settings.kafka_bootstrap_servers, system.topics.directory)


async def ends(system) -> dict[int, int]:
    return await end_offsets(system.settings.kafka_bootstrap_servers, system.topics.directory)


async def test_load_replaces_the_directory_and_show_lists_it(system, tmp_path):
    demo = await directory_now(system)
    assert len(demo) > 35 and "ORG-20311" in demo
    assert not [line for line in await prepare(system.settings) if "directory" in line]  # loaded once only

    shown = await system.cli("directory", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    (tmp_path / "shown.json").write_text(shown.stdout)
    taken_back = await system.cli("directory", "load", str(tmp_path / "shown.json"))
    assert taken_back.returncode == 0, taken_back.stderr
    assert taken_back.stdout.splitlines() == [
        f"added 0, changed 0, removed 0, unchanged {len(demo)}",
        "the directory already equals the file",
    ]

    first = tmp_path / "first.yaml"
    first.write_text("parties:\n" + BAKERY + PETER + new_party("ORG-900001"))
    loaded = await system.cli("directory", "load", str(first))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith(f"added 1 (ORG-900001), changed 0, removed {len(demo) - 1} (ORG-10044, ")
    assert "unchanged 1\n" in loaded.stdout and f"published {len(demo)} record(s)" in loaded.stdout

    listed = await system.cli("directory", "show")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("2 parties\n")
    assert [line.split()[0] for line in listed.stdout.splitlines()[2:]] == ["ORG-10045", "ORG-900001"]
    one = await system.cli("directory", "show", "ORG-10045", "--json")
    assert [c["portal_user"] for c in json.loads(one.stdout)["contacts"]] == ["sanne.vandijk", "peter.vandijk"]

    edited = tmp_path / "edited.yaml"
    edited.write_text("parties:\n" + BAKERY + new_party("ORG-900002"))
    reloaded = await system.cli("directory", "load", str(edited))
    assert reloaded.returncode == 0, reloaded.stderr
    assert reloaded.stdout.splitlines()[0] == (
        "added 1 (ORG-900002), changed 1 (ORG-10045: contacts), removed 1 (ORG-900001), unchanged 0"
    )

    records = await system.read_topic(system.topics.directory, expect=sum((await ends(system)).values()))
    assert [r.value for r in records if r.key == b"ORG-900001"][-1] is None  # a tombstone
    assert set(await directory_now(system)) == {"ORG-10045", "ORG-900002"}
    gone = await system.cli("directory", "show", "ORG-900001")
    assert gone.returncode == 1 and "no party ORG-900001" in gone.stderr


async def test_a_dry_run_says_what_would_change_and_publishes_nothing(system, tmp_path):
    before = await ends(system)
    file = tmp_path / "directory.csv"
    file.write_text("organisation_person_id,name,kind\nORG-900003,Alleen Ik B.V.,organisation\n")

    result = await system.cli("directory", "load", str(file), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 1 (ORG-900003), changed 0, removed ")
    assert "dry run: nothing was published" in result.stdout
    assert await ends(system) == before


async def test_a_wrong_file_prints_every_error_with_its_line_and_publishes_nothing(system, tmp_path):
    before = await ends(system)
    file = tmp_path / "directory.yaml"
    file.write_text(
        "parties:\n"
        + BAKERY.replace("sanne@bakkerijvandijk.example", "sanne-at-bakkerij")
        + new_party("ORG-900004").replace("organisation\n", "bedrijf\n")
        + new_party("ORG-900004")
    )

    result = await system.cli("directory", "load", str(file))

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "directory.yaml line 7: ORG-10045 contacts[0].email: not an e-mail address",
        "directory.yaml line 10: ORG-900004 kind: must be organisation or person",
        "directory.yaml line 12: ORG-900004: duplicate organisation_person_id (also at line 8)",
        f"3 error(s) in {file}; nothing was published",
    ]
    assert await ends(system) == before
    missing = await system.cli("directory", "load", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: cannot read")
    assert "Traceback" not in missing.stderr


async def test_set_adds_and_changes_the_parties_in_a_file_and_every_other_party_stays(system, tmp_path):
    demo = await directory_now(system)
    assert demo["ORG-10045"].portal_users() == ("sanne.vandijk", "peter.vandijk")
    file = tmp_path / "two.yaml"
    file.write_text("parties:\n" + BAKERY + new_party("ORG-900005"))  # Peter is no longer a contact

    result = await system.cli("directory", "set", str(file))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "added 1 (ORG-900005), changed 1 (ORG-10045: contacts), removed 0, unchanged 0",
        f"published 2 record(s) to {system.topics.directory}",
    ]
    now = await directory_now(system)
    assert set(now) == {*demo, "ORG-900005"} and now["ORG-10045"].portal_users() == ("sanne.vandijk",)
    again = await system.cli("directory", "set", str(file))
    assert again.stdout.splitlines()[-1] == "the directory already has these parties as they are"


async def test_set_refuses_a_portal_user_another_party_has_and_publishes_nothing(system, tmp_path):
    before = await ends(system)
    file = tmp_path / "claim.yaml"
    file.write_text(
        "parties:\n"
        + new_party("ORG-900006")
        + "    contacts:\n      - {contact_id: CP-1, name: Sanne, email: s@x.example, portal_user: sanne.vandijk}\n"
    )

    result = await system.cli("directory", "set", str(file))

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "ORG-900006 CP-1: portal user 'sanne.vandijk' is already the portal user of ORG-10045 CP-2231; "
        "a person logs in with one portal user",
        f"1 error(s) in {file}; nothing was published",
    ]
    assert await ends(system) == before


async def test_remove_takes_out_the_parties_named_and_an_unknown_one_publishes_nothing(system):
    demo = await directory_now(system)
    before = await ends(system)
    unknown = await system.cli("directory", "remove", "ORG-20311", "ORG-NOPE")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        f"no party ORG-NOPE in the directory ({system.topics.directory}); nothing was published"
    )
    dry = await system.cli("directory", "remove", "ORG-20311", "--dry-run")
    assert dry.stdout.splitlines() == [
        "added 0, changed 0, removed 1 (ORG-20311), unchanged 0",
        "dry run: nothing was published",
    ]
    assert await ends(system) == before

    removed = await system.cli("directory", "remove", "ORG-20311")

    assert removed.returncode == 0, removed.stderr
    assert set(await directory_now(system)) == set(demo) - {"ORG-20311"}
