"""The `accordeer` command as people use it, against a running system."""

import json

import pytest

from tests.support.declarations import example
from tests.support.documents import golden_document

pytestmark = pytest.mark.e2e


async def test_submit_waits_for_the_outcome_of_good_bad_and_wrapped_files(system, tmp_path):
    system.start("intake", "workflow")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(example("loonheffing", message_id="cli-good")))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(example("loonheffing", message_id="cli-bad", destinations=[{"employee_id": "7"}])))
    xml = tmp_path / "ob-2025-02.xbrl"
    xml.write_bytes(golden_document("btw-aangifte"))

    result = await system.cli("submit", str(good), str(bad), "--wait", "60")
    assert result.returncode == 1, result.stderr  # one of them is not a declaration: neither is sent
    assert f"{bad}: not a declaration (destination_reference_not_allowed)" in result.stdout
    assert "nothing was published" in result.stdout
    result = await system.cli("submit", str(good), "--wait", "60")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cli-good item" in result.stdout and "30 In workflow" in result.stdout

    wrapped = await system.cli(
        "submit",
        str(xml),
        "--wait",
        "60",
        "--source",
        "afas-fin",
        "--message-type",
        "btw-aangifte",
        "--subject",
        "Btw februari",
        "--destination",
        "ORG-10045:CP-2231",
        "--identity",
        "NL001234567B01:BTW",
        "--message-id",
        "cli-xml",
    )
    assert wrapped.returncode == 0, wrapped.stdout + wrapped.stderr
    row = await system.db.fetchrow("SELECT * FROM intake.dossier_items WHERE message_id = 'cli-xml'")
    assert (row["organisation_person_id"], row["contact_id"], row["document"]["file_name"]) == (
        "ORG-10045",
        "CP-2231",
        "ob-2025-02.xbrl",
    )


async def test_cli_errors_are_sentences_not_tracebacks(system, tmp_path):
    missing = await system.cli("submit", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "error:" in missing.stderr and "Traceback" not in missing.stderr
    refused = await system.cli("item-type", "set", "allows_file_link", "false")
    assert refused.returncode == 1 and "only 'confidential'" in refused.stderr
    assert (await system.cli("item-type", "delete")).returncode == 1
    loaded = await system.cli("authorisations", "load", "deploy/config/authorisations.yaml")
    assert loaded.returncode == 0 and "loaded 5 source(s) and 7 user(s)" in loaded.stdout, loaded.stderr
    broken = tmp_path / "authorisations.yaml"
    broken.write_text("sources: {x: {service_user: svc-x, colour: blue}}\n")
    refused_file = await system.cli("authorisations", "load", str(broken))
    assert refused_file.returncode == 2 and "colour" in refused_file.stderr and "Traceback" not in refused_file.stderr
    history = await system.cli("history", "00000000-0000-0000-0000-000000000000")
    assert history.returncode == 2 and "no dossier item 00000000-" in history.stderr


async def test_status_lag_and_dead_letters_from_the_command_line(system):
    system.start("intake", "workflow")
    await system.submit(
        example("btw_aangifte", message_id="st-1"), example("btw_aangifte", message_id="st-2", source="onbekend")
    )
    await system.wait_for(lambda: any(e.status_code == 30 for e in system.events), what="30")
    await system.wait_for(lambda: any(e.status_code == 0 for e in system.events), what="the refusal")

    status = await system.cli("status")
    assert status.returncode == 0, status.stderr
    assert f"{system.topics.inbound_dlq:<28} 1" in status.stdout
    assert " 30 In workflow" in status.stdout and status.stdout.rstrip().endswith("1")
    listed = await system.cli("dlq", "list", "--topic", "inbound")
    assert "unknown_source" in listed.stdout and "st-2" in listed.stdout
    lag = await system.cli("lag", "--window", "2", "--interval", "0.5")
    assert system.topics.group("intake") in lag.stdout
