"""Every published version is kept and can be read back: `workflows versions` lists who published what when and
what changed, `diff` shows how, `export` writes a version as a folder that validates and publishes as it was, and
`publish --version` publishes an earlier one again."""

import asyncio

import pytest
import yaml

from tests.e2e.test_workflow_configuration import accordeer, shipped_config

pytestmark = pytest.mark.e2e


async def test_versions_diff_export_and_publishing_an_earlier_version_again(system, tmp_path):
    system.start("workflow")  # publishing goes through it, as a set-up command
    # the system was set up with the shipped configuration: version 1, by setup
    folder = shipped_config(tmp_path)
    kvk = folder / "workflows" / "kvk.yaml"
    kvk.write_text(kvk.read_text().replace("Beoordelen aangifte klant: 168", "Beoordelen aangifte klant: 120"))
    published = await accordeer(system, "workflows", "publish", "--config", str(folder), "--by", "fenna")
    assert published.returncode == 0, published.stderr

    listed = await accordeer(system, "workflows", "versions")
    assert listed.returncode == 0, listed.stderr
    newest, first = listed.stdout.splitlines()
    assert newest.startswith("   2  ") and "by fenna" in newest and newest.endswith("(changed workflows/kvk.yaml)")
    assert "belastingdienst.yaml, kvk.yaml, standard.yaml" in newest
    assert first.startswith("   1  ") and "by setup" in first and first.endswith("(first version)")

    diff = await accordeer(system, "workflows", "diff")
    assert diff.returncode == 0, diff.stderr
    assert "--- version 1/workflows/kvk.yaml\n+++ version 2/workflows/kvk.yaml" in diff.stdout
    assert [line for line in diff.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-  deadline_hours: 168.0",
        "+  deadline_hours: 120.0",
    ]

    exported = await accordeer(system, "workflows", "export", str(tmp_path / "v1"), "--version", "1")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == f"wrote version 1 to {tmp_path / 'v1'} (7 files)"
    document = yaml.safe_load((tmp_path / "v1" / "workflows" / "kvk.yaml").read_text())
    assert document["name"] == "KvK" and document["tasks"][0]["deadline_hours"] == 168
    checked = await accordeer(system, "workflows", "check", "--config", str(tmp_path / "v1"))
    assert checked.returncode == 0, checked.stderr + checked.stdout

    again = await accordeer(system, "workflows", "publish", "--version", "1", "--by", "olga")
    assert again.returncode == 0, again.stderr
    same = await accordeer(system, "workflows", "diff", "3", "--against", "1")
    assert same.stdout.strip() == "version 3 equals version 1"
    assert "by olga" in (await accordeer(system, "workflows", "versions", "--limit", "1")).stdout

    for args, said in [
        (("diff", "9"), "there is no version 9; the versions are 1 to 3"),
        (("export", str(tmp_path / "v1")), "is not an empty folder"),
        (("publish", "--version", "1", "--config", str(folder)), "give --config or --version, not both"),
    ]:
        refused = await accordeer(system, "workflows", *args)
        assert refused.returncode != 0 and said in refused.stderr and "Traceback" not in refused.stderr, refused


async def test_the_confidential_setting_is_published_as_a_version_and_intake_applies_it(system, tmp_path):
    system.start("intake", "workflow")
    changed = await accordeer(system, "item-type", "set", "confidential", "true", "--by", "fenna")
    assert changed.returncode == 0, changed.stderr
    assert "Accorderingsbericht: confidential = true, published as version 2" in changed.stdout
    for _ in range(300):
        if await system.db.fetchval("SELECT confidential FROM intake.item_types"):
            break
        await asyncio.sleep(0.1)
    assert await system.db.fetchval("SELECT confidential FROM intake.item_types")
    exported = await accordeer(system, "workflows", "export", str(tmp_path / "v2"))
    assert exported.returncode == 0 and "confidential: true" in (tmp_path / "v2" / "item_type.yaml").read_text()

    for args, said in [
        (("confidential", "maybe"), "'confidential' must be true or false, not 'maybe'"),
        (("allows_file_link", "false"), "only 'confidential' can be changed"),
        (("colour", "blue"), "has no setting 'colour'"),
    ]:
        refused = await accordeer(system, "item-type", "set", *args)
        assert refused.returncode == 1 and said in refused.stderr and "Traceback" not in refused.stderr, refused
    assert await system.db.fetchval("SELECT max(id) FROM workflow.publications") == 2
