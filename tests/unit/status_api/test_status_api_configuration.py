"""The status API's configuration: its settings, and the authorisations file it reads the message types from
(again when it changes, keeping the last good rights when a change does not load)."""

import os

import pytest
from pydantic import ValidationError

from services.status_api.config import StatusApiSettings
from services.status_api.rights import AuthorisationsFile, read_authorisations, submit_rights

RIGHTS = """\
sources:
  nmbrs: {service_user: svc-nmbrs}
  orphan: {service_user: svc-gone}
users:
  svc-nmbrs: {item_types: [Accorderingsbericht], message_types: [loonheffing]}
"""


def test_defaults_and_a_rate_limit_that_is_not_one(monkeypatch):
    monkeypatch.setenv("ACCORDEER_STATUS_API_RATE_LIMIT", "600/minute")
    settings = StatusApiSettings()
    assert (settings.host, settings.port, settings.rate_limit) == ("127.0.0.1", 8490, "600/minute")
    with pytest.raises(ValidationError, match="rate_limit"):
        StatusApiSettings(rate_limit="lots")
    assert all(field.description for field in StatusApiSettings.model_fields.values())


def test_a_source_whose_service_user_has_no_rights_may_submit_nothing(tmp_path):
    path = tmp_path / "authorisations.yaml"
    path.write_text(RIGHTS)
    rights = read_authorisations(path)
    assert submit_rights(rights, "orphan").message_types == () and submit_rights(rights, "unknown").service_user is None


def test_a_changed_file_is_read_again_and_a_broken_change_keeps_the_last_rights(tmp_path):
    path = tmp_path / "authorisations.yaml"
    path.write_text(RIGHTS)
    file = AuthorisationsFile(path)
    assert submit_rights(file.current(), "nmbrs").message_types == ("loonheffing",)
    path.write_text(RIGHTS.replace("[loonheffing]", "[loonheffing, kvk-stukken]"))
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000))
    assert submit_rights(file.current(), "nmbrs").message_types == ("kvk-stukken", "loonheffing")
    path.write_text("sources: [not, a, mapping]")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 2_000_000))
    assert submit_rights(file.current(), "nmbrs").message_types == ("kvk-stukken", "loonheffing")


@pytest.mark.parametrize("text", ["- a list\n", "sources: {NMBRS!: {service_user: x}}\n", "{unclosed"])
def test_a_file_that_does_not_load_stops_the_start(tmp_path, text):
    path = tmp_path / "authorisations.yaml"
    path.write_text(text)
    with pytest.raises(ValueError):
        AuthorisationsFile(path)
